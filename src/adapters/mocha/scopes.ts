import { createScope } from '../../tracker/lifecycle';
import type { Scope } from '../../tracker/scope';

/** Scopes of the tests and suites that are running, by Mocha object. */
const testScopes = new WeakMap<object, Scope>();
const suiteScopes = new WeakMap<object, Scope>();
const hookKinds = new WeakMap<object, 'each' | 'all'>();

/** A suite's scope: what its before/after (all) hooks create. Created on first use. */
export function suiteScope(suite: any): Scope {
  let scope = suiteScopes.get(suite);
  if (scope === undefined || scope.state === 'ended') {
    const parent = suite.parent ? suiteScope(suite.parent) : undefined;
    scope = createScope(suite.fullTitle() || 'root suite', undefined, parent?.state === 'open' ? parent : undefined);
    scope.owner = suite;
    suiteScopes.set(suite, scope);
  }
  return scope;
}

/** The open scope of a suite, without creating one. */
export function openSuiteScope(suite: any): Scope | undefined {
  const scope = suiteScopes.get(suite);
  return scope?.state === 'open' ? scope : undefined;
}

/** A test's scope: what its beforeEach hooks, body and afterEach hooks create. */
export function testScope(test: any): Scope {
  let scope = testScopes.get(test);
  if (scope === undefined) {
    const parent = suiteScope(test.parent);
    scope = createScope(test.fullTitle(), undefined, parent.state === 'open' ? parent : undefined);
    scope.owner = test;
    testScopes.set(test, scope);
  }
  return scope;
}

/** The open scope of a test, without creating one. */
export function openTestScope(test: any): Scope | undefined {
  const scope = testScopes.get(test);
  return scope?.state === 'open' ? scope : undefined;
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
