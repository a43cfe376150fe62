/**
 * Who a scope is for, when a test runner's adapter created it: given to `createScope`, read by
 * the core (which names it when telling outlived work) and by the adapters' judge (which lists
 * it in the report file). A scope created through the API (`enter`, `withIsolation`,
 * `openScope`) has none.
 */
export interface ScopeOwner {
  /** The runner that runs it, as the report file names it: `mocha`, `jest`, `vitest`, `node:test`. */
  readonly runner: string;
  /** A test (its hooks, body and afterEach hooks), or a suite (its before/after all hooks). */
  readonly kind: 'test' | 'suite';
  /** How notes on stderr name it: the runner's own full title. */
  readonly title: string;
  /** Titles from the outermost suite down (read only when a report file is written). */
  readonly titlePath: readonly string[];
  /** The test file it is in, when the runner says. */
  readonly file: string | undefined;
  /** What the runner says of the test's own code, read when asked (an error thrown meanwhile counts). */
  outcome(): string;
  /**
   * Whether a leak assertion made now is left to the end of the test, which the adapter then
   * fails itself (Mocha's afterEach hooks: a rejecting one would stop the whole run).
   */
  leaveAssertionToEnd?(): boolean;
}
