import { createScope } from '../../tracker/lifecycle';
import type { Scope } from '../../tracker/scope';
import type { ScopeOwner } from '../../tracker/scope-owner';

function titlePath(runnable: any): string[] {
  try {
    return runnable.titlePath();
  } catch {
    return [String(runnable.title)];
  }
}

/** Mocha leaves the state of an attempt it retries (or never ran) unset. */
export function outcomeOf(test: any): string {
  return String(test.state ?? (test.currentRetry?.() < test.retries?.() ? 'retried' : 'not run'));
}

/** A Mocha test or suite, as the owner of its scope. */
export class MochaOwner implements ScopeOwner {
  readonly runner = 'mocha';
  readonly title: string;

  constructor(
    readonly kind: 'test' | 'suite',
    /** Mocha's own Test or Suite. */
    readonly runnable: any,
  ) {
    this.title = runnable.fullTitle();
  }

  /** The scope's name: the title, the root suite's (which has none) said so. */
  get scopeName(): string {
    return this.title || 'root suite';
  }

  get titlePath(): string[] {
    return titlePath(this.runnable);
  }

  get file(): string | undefined {
    return this.runnable.file;
  }

  outcome(): string {
    return this.kind === 'test' ? outcomeOf(this.runnable) : 'ended';
  }

  /** Mocha sets `state` on a test once its body finished: its afterEach hooks are running. */
  leaveAssertionToEnd(): boolean {
    return this.kind === 'test' && this.runnable.state !== undefined;
  }
}

/** The Mocha test a scope is for, if it is a test's. */
export function testOfScope(scope: Scope | undefined): any {
  const owner = scope?.owner;
  return owner instanceof MochaOwner && owner.kind === 'test' ? owner.runnable : undefined;
}

/** Scopes of the tests and suites that are running, by Mocha object. */
const testScopes = new WeakMap<object, Scope>();
const suiteScopes = new WeakMap<object, Scope>();
const hookKinds = new WeakMap<object, 'each' | 'all'>();

/** The scope of a Mocha test or suite, created on first use (again if the last one ended). */
function scopeOf(map: WeakMap<object, Scope>, kind: MochaOwner['kind'], runnable: any, parent: Scope | undefined): Scope {
  let scope = map.get(runnable);
  if (scope === undefined || scope.state === 'ended') {
    const owner = new MochaOwner(kind, runnable);
    scope = createScope(owner.scopeName, undefined, parent?.state === 'open' ? parent : undefined, undefined, owner);
    map.set(runnable, scope);
  }
  return scope;
}

function openScope(map: WeakMap<object, Scope>, runnable: object): Scope | undefined {
  const scope = map.get(runnable);
  return scope?.state === 'open' ? scope : undefined;
}

/** A suite's scope: what its before/after (all) hooks create. */
export function suiteScope(suite: any): Scope {
  const parent = suite.parent ? suiteScope(suite.parent) : undefined;
  return scopeOf(suiteScopes, 'suite', suite, parent);
}

/** The open scope of a suite, without creating one. */
export function openSuiteScope(suite: object): Scope | undefined {
  return openScope(suiteScopes, suite);
}

/** A test's scope: what its beforeEach hooks, body and afterEach hooks create. Never reopened. */
export function testScope(test: any): Scope {
  return testScopes.get(test) ?? scopeOf(testScopes, 'test', test, suiteScope(test.parent));
}

/** The open scope of a test, without creating one. */
export function openTestScope(test: object): Scope | undefined {
  return openScope(testScopes, test);
}

function hookKind(hook: any): 'each' | 'all' {
  let kind = hookKinds.get(hook);
  if (kind === undefined) {
    const suite = hook.parent;
    kind = suite?._beforeEach?.includes(hook) || suite?._afterEach?.includes(hook) ? 'each' : 'all';
    hookKinds.set(hook, kind);
  }
  return kind;
}

/** Who owns what a runnable creates: the test for tests and each-hooks, the suite for all-hooks. */
export function scopeForRunnable(runnable: any): Scope | undefined {
  if (runnable.type === 'test') return testScope(runnable);
  if (runnable.type !== 'hook') return undefined;
  if (hookKind(runnable) === 'all') return runnable.parent ? suiteScope(runnable.parent) : undefined;
  const test = runnable.ctx?.currentTest;
  return test ? testScope(test) : undefined;
}
