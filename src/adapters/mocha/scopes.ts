import { createScope } from '../../tracker/lifecycle';
import type { Scope } from '../../tracker/scope';

/** Scopes of the tests and suites that are running, by Mocha object. */
const testScopes = new WeakMap<object, Scope>();
const suiteScopes = new WeakMap<object, Scope>();
const hookKinds = new WeakMap<object, 'each' | 'all'>();

/** The scope of a Mocha test or suite, created on first use (again if the last one ended). */
function scopeOf(map: WeakMap<object, Scope>, runnable: any, name: string, parent: Scope | undefined): Scope {
  let scope = map.get(runnable);
  if (scope === undefined || scope.state === 'ended') {
    scope = createScope(name, undefined, parent?.state === 'open' ? parent : undefined);
    scope.owner = runnable;
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
  return scopeOf(suiteScopes, suite, suite.fullTitle() || 'root suite', parent);
}

/** The open scope of a suite, without creating one. */
export function openSuiteScope(suite: object): Scope | undefined {
  return openScope(suiteScopes, suite);
}

/** A test's scope: what its beforeEach hooks, body and afterEach hooks create. Never reopened. */
export function testScope(test: any): Scope {
  return testScopes.get(test) ?? scopeOf(testScopes, test, test.fullTitle(), suiteScope(test.parent));
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
