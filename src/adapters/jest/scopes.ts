import { createScope } from '../../tracker/lifecycle';
import type { IsolationOptions } from '../../tracker/config';
import type { Scope } from '../../tracker/scope';
import { titlePath, type CircusDescribeBlock, type CircusTest } from './circus';

/** What the adapter keeps on a scope's `owner` slot: the title a person recognises. */
export interface JestScopeOwner {
  readonly kind: 'test' | 'suite';
  readonly title: string;
  /** Titles from the outermost describe block down, for the report file. */
  readonly path: string[];
}

/**
 * The scopes of one test file: one per describe block (what its beforeAll/afterAll hooks
 * create) and one per test run (its beforeEach hooks, body and afterEach hooks).
 */
export class FileScopes {
  private readonly tests = new WeakMap<CircusTest, Scope>();
  private readonly testsByScope = new WeakMap<Scope, CircusTest>();
  private readonly blocks = new WeakMap<CircusDescribeBlock, Scope>();
  /** Every scope created and not yet ended, so teardown can end what Jest never finished. */
  readonly open = new Set<Scope>();

  constructor(
    private readonly fileTitle: string,
    private readonly options: IsolationOptions | undefined,
  ) {}

  /** A describe block's scope, created on first use (a block re-run by a retry gets a new one). */
  block(block: CircusDescribeBlock): Scope {
    let scope = this.blocks.get(block);
    if (scope === undefined || scope.state !== 'open') {
      const parent = block.parent ? this.block(block.parent) : undefined;
      const path = titlePath(block);
      const title = block.parent ? path.join(' ') : this.fileTitle;
      scope = createScope(title, parent ? undefined : this.options, parent);
      scope.owner = { kind: 'suite', title, path } satisfies JestScopeOwner;
      this.blocks.set(block, scope);
      this.open.add(scope);
    }
    return scope;
  }

  /** The open scope of a test run, created on first use (a retried test gets a new one). */
  test(test: CircusTest): Scope {
    let scope = this.tests.get(test);
    if (scope === undefined || scope.state !== 'open') {
      const path = titlePath(test);
      const title = path.join(' ');
      scope = createScope(title, undefined, this.block(test.parent));
      scope.owner = { kind: 'test', title, path } satisfies JestScopeOwner;
      this.tests.set(test, scope);
      this.testsByScope.set(scope, test);
      this.open.add(scope);
    }
    return scope;
  }

  /** The test a scope of this file belongs to, if it is a test's. */
  testOf(scope: Scope): CircusTest | undefined {
    return this.testsByScope.get(scope);
  }

  openBlock(block: CircusDescribeBlock): Scope | undefined {
    const scope = this.blocks.get(block);
    return scope?.state === 'open' ? scope : undefined;
  }

  openTest(test: CircusTest): Scope | undefined {
    const scope = this.tests.get(test);
    return scope?.state === 'open' ? scope : undefined;
  }

  ended(scope: Scope): void {
    this.open.delete(scope);
  }
}
