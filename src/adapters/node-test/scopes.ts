import { AsyncResource } from 'node:async_hooks';
import { runInScope, runInternal } from '../../context/context';
import { createScope } from '../../tracker/lifecycle';
import type { Scope } from '../../tracker/scope';
import type { ScopeOwner } from '../../tracker/scope-owner';

/** node:test's TestContext (the `t` a test and its each-hooks receive), typed loosely. */
export type TestContext = any;

/** The open scope of each running test, by its TestContext. */
const testScopes = new WeakMap<object, Scope>();
/** The adapter's own hook functions: they never run in a test's scope. */
const ownFunctions = new WeakSet<Function>();
let openScopes = 0;
let patched = false;

/** The test's name with its suites', outermost first. */
function titleOf(t: TestContext): string {
  return typeof t.fullName === 'string' && t.fullName ? t.fullName : String(t.name);
}

function fileOf(t: TestContext): string | undefined {
  return typeof t.filePath === 'string' ? t.filePath : process.argv[1];
}

/** A node:test test, as the owner of its scope. */
class NodeTestOwner implements ScopeOwner {
  readonly runner = 'node:test';
  readonly kind = 'test';
  readonly title: string;

  constructor(readonly t: TestContext) {
    this.title = titleOf(t);
  }

  get titlePath(): string[] {
    return this.title.split(' > ');
  }

  get file(): string | undefined {
    return fileOf(this.t);
  }

  /** node:test keeps a test's first error only: `passed` is false once it failed by itself. */
  outcome(): string {
    return this.t.passed === false ? 'failed' : 'passed';
  }
}

/** Opens a test's scope: what its beforeEach hooks, body, afterEach and t.after hooks create. */
export function openTestScope(t: TestContext): Scope {
  const owner = new NodeTestOwner(t);
  const scope = runInternal(() => createScope(owner.title, undefined, undefined, undefined, owner));
  testScopes.set(t, scope);
  openScopes++;
  return scope;
}

/** The open scope of a test, if it has one. */
export function scopeOf(t: TestContext): Scope | undefined {
  const scope = testScopes.get(t);
  return scope?.state === 'open' ? scope : undefined;
}

/** Forgets a test's scope once it is being ended. */
export function closeTestScope(t: TestContext): void {
  if (testScopes.delete(t)) openScopes--;
}

/** Marks one of the adapter's own hook functions. */
export function ownFunction<T extends Function>(fn: T): T {
  ownFunctions.add(fn);
  return fn;
}

/**
 * node:test runs a test's body and each of its hooks with `runInAsyncScope(fn, t, t)` of the
 * test's (or hook's) AsyncResource, which restores the context the test was *declared* in. The
 * user's function is wrapped there, inside that restored context, so it runs in the scope of
 * the test `t` it runs for. Everything else passes through untouched.
 */
export function scopeTestFunctions(): void {
  if (patched) return;
  patched = true;
  const original = AsyncResource.prototype.runInAsyncScope;
  AsyncResource.prototype.runInAsyncScope = function runInAsyncScope(
    this: AsyncResource,
    fn: (...args: any[]) => unknown,
    thisArg?: unknown,
    ...args: any[]
  ) {
    if (openScopes === 0 || typeof fn !== 'function' || ownFunctions.has(fn)) {
      return original.call(this, fn, thisArg, ...args);
    }
    const scope = thisArg !== null && typeof thisArg === 'object' ? testScopes.get(thisArg) : undefined;
    if (scope === undefined || scope.state !== 'open') return original.call(this, fn, thisArg, ...args);
    const scoped = function scoped(this: unknown, ...inner: unknown[]) {
      return runInScope(scope, () => fn.apply(this, inner));
    };
    return original.call(this, scoped, thisArg, ...args);
  } as typeof original;
}
