/**
 * The parts of jest-circus's state the adapter reads, typed loosely: Jest 29 and 30 agree on
 * them, and they are Jest's internals, not its public API.
 */

export const ROOT_DESCRIBE_BLOCK_NAME = 'ROOT_DESCRIBE_BLOCK';

export interface CircusHook {
  type: 'beforeAll' | 'beforeEach' | 'afterAll' | 'afterEach';
  fn: (...args: unknown[]) => unknown;
  parent: CircusDescribeBlock;
}

export interface CircusTest {
  type: 'test';
  name: string;
  fn?: (...args: unknown[]) => unknown;
  parent: CircusDescribeBlock;
  errors: unknown[];
  /** `done` once it ran (passed or failed), `skip` or `todo` otherwise. */
  status?: string | null;
}

export interface CircusDescribeBlock {
  type: 'describeBlock';
  name: string;
  parent?: CircusDescribeBlock;
  hooks: CircusHook[];
  children: Array<CircusDescribeBlock | CircusTest>;
}

export interface CircusState {
  rootDescribeBlock: CircusDescribeBlock;
  currentlyRunningTest?: CircusTest | null;
  unhandledErrors: unknown[];
}

export interface CircusEvent {
  name: string;
  test?: CircusTest;
  hook?: CircusHook;
  describeBlock?: CircusDescribeBlock;
  /** On `error`: what a callback threw (or a promise rejected with) outside Jest's control. */
  error?: unknown;
}

/** Titles from the outermost describe block to the test (or block), the root left out. */
export function titlePath(entry: CircusTest | CircusDescribeBlock): string[] {
  const titles: string[] = [];
  for (let e: CircusTest | CircusDescribeBlock | undefined = entry; e !== undefined; e = e.parent) {
    if (e.type === 'describeBlock' && e.parent === undefined) break;
    titles.unshift(e.name);
  }
  return titles;
}

/** Every describe block of the tree, outermost first. */
export function* describeBlocks(root: CircusDescribeBlock): Generator<CircusDescribeBlock> {
  yield root;
  for (const child of root.children) if (child.type === 'describeBlock') yield* describeBlocks(child);
}
