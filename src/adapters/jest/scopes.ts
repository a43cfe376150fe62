import { createScope } from '../../tracker/lifecycle';
import type { IsolationOptions } from '../../tracker/config';
import type { Scope } from '../../tracker/scope';
import type { ScopeOwner } from '../../tracker/scope-owner';
import type { StateRealm } from '../../tracker/process-state';
import { titlePath, type CircusDescribeBlock, type CircusHook, type CircusTest } from './circus';

/** A Jest test or describe block, as the owner of its scope (and of its beforeAll/afterAll hooks' scopes). */
export class JestOwner implements ScopeOwner {
  readonly runner = 'jest';

  constructor(
    readonly kind: 'test' | 'suite',
    readonly title: string,
    /** Titles from the outermost describe block down. */
    readonly titlePath: string[],
    /** The scopes of the file it belongs to. */
    readonly scopes: FileScopes,
    /** For a test's scope, the test. */
    readonly test?: CircusTest,
  ) {}

  get file(): string {
    return this.scopes.testPath;
  }

  outcome(): string {
    if (this.test === undefined) return 'ended';
    return this.test.errors.length > 0 ? 'failed' : 'passed';
  }
}

// Kept on Jest's own test and block objects, which live as long as the file's run: a property
// costs a clean test far less than a WeakMap entry (and its share of every garbage collection).
const SCOPE = Symbol('async-isolation.scope');

interface Scoped {
  [SCOPE]?: Scope;
}

const HOOK_OPTIONS: IsolationOptions = { state: 'off' };

function openScopeOf(entry: CircusTest | CircusDescribeBlock | CircusHook): Scope | undefined {
  const scope = (entry as Scoped)[SCOPE];
  return scope?.state === 'open' ? scope : undefined;
}

/**
 * The scopes of one test file: one per describe block (what its beforeAll/afterAll hooks
 * create) and one per test run (its beforeEach hooks, body and afterEach hooks).
 */
export class FileScopes {
  constructor(
    /** The test file's path. */
    readonly testPath: string,
    private readonly fileTitle: string,
    private readonly options: IsolationOptions | undefined,
    /** The test file's global object: its state (and its own copy of `process`) is what tests change. */
    private readonly globalOf: () => StateRealm | null | undefined,
  ) {}

  /** A describe block's scope, created on first use (a block re-run by a retry gets a new one). */
  block(block: CircusDescribeBlock): Scope {
    let scope = openScopeOf(block);
    if (scope === undefined) {
      const parent = block.parent ? this.block(block.parent) : undefined;
      const path = titlePath(block);
      const title = block.parent ? path.join(' ') : this.fileTitle;
      const owner = new JestOwner('suite', title, path, this);
      scope = createScope(title, parent ? undefined : this.options, parent, parent ? undefined : this.globalOf() ?? undefined, owner);
      (block as Scoped)[SCOPE] = scope;
    }
    return scope;
  }

  /**
   * A beforeAll/afterAll hook's scope: a child of its block's, left open until the block ends,
   * so what it created is judged with the block and each leak is marked with the hook it came from.
   */
  hook(hook: CircusHook): Scope {
    const blockScope = this.block(hook.parent);
    let scope = openScopeOf(hook);
    if (scope === undefined || scope.parent !== blockScope) {
      // Open until its block ends, side by side with the block's tests: the block's own state
      // check covers what the hook changes.
      scope = createScope(hook.type, HOOK_OPTIONS, blockScope, undefined, blockScope.owner);
      (hook as Scoped)[SCOPE] = scope;
    }
    return scope;
  }

  /** The open scope of a test run, created on first use (a retried test gets a new one). */
  test(test: CircusTest): Scope {
    let scope = openScopeOf(test);
    if (scope === undefined) {
      const path = titlePath(test);
      const title = path.join(' ');
      scope = createScope(title, undefined, this.block(test.parent), undefined, new JestOwner('test', title, path, this, test));
      (test as Scoped)[SCOPE] = scope;
    }
    return scope;
  }

  /** The test a scope of this file belongs to, if it is a test's. */
  testOf(scope: Scope): CircusTest | undefined {
    const owner = scope.owner;
    return owner instanceof JestOwner && owner.scopes === this ? owner.test : undefined;
  }

  /**
   * Lets go of an ended scope: Jest keeps its test and block objects until the file ends, and
   * thousands of ended scopes held by them would cost every garbage collection.
   */
  forget(entry: CircusTest | CircusDescribeBlock): void {
    (entry as Scoped)[SCOPE] = undefined;
  }

  /** The open scope of a test run or describe block, if it has one. */
  open(entry: CircusTest | CircusDescribeBlock): Scope | undefined {
    return openScopeOf(entry);
  }

  /**
   * Every scope under `block` Jest never finished (a run cut short), the block's own last: the
   * reverse of the order they were opened in.
   */
  *unfinished(block: CircusDescribeBlock): Generator<Scope> {
    for (let i = block.children.length - 1; i >= 0; i--) {
      const child = block.children[i]!;
      if (child.type === 'describeBlock') yield* this.unfinished(child);
      else {
        const scope = openScopeOf(child);
        if (scope !== undefined) yield scope;
      }
    }
    const own = openScopeOf(block);
    if (own !== undefined) yield own;
  }
}
