// `import =`, not `import * as`: the namespace helper would copy the module into a private
// object per copy of the library, and the shared state below must hang off the real one.
import asyncHooks = require('node:async_hooks');
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Scope } from '../tracker/scope';

/**
 * State every copy of the library in the process must share. Jest gives each test file its own
 * module registry, so a test's `require('async-isolation')` is not the copy the environment
 * loaded; core modules are shared, so the state hangs off `node:async_hooks` itself.
 */
export function processWide<T>(key: string, create: () => T): T {
  const host = asyncHooks as unknown as Record<symbol, T | undefined>;
  const symbol = Symbol.for(`async-isolation.${key}.v1`);
  let value = host[symbol];
  if (value === undefined) {
    value = create();
    Object.defineProperty(host, symbol, { value, enumerable: false });
  }
  return value;
}

/**
 * The async context that carries the owning scope. Everything the library creates for itself
 * runs through {@link runInternal}, so that the resource hook never attributes it to a test.
 */
const storage = processWide('context', () => new AsyncLocalStorage<Scope>());

/** The scope that owns the code running now, if any. */
export function currentScope(): Scope | undefined {
  return storage.getStore();
}

/** Runs `fn` with `scope` as the owner of everything it (and what it spawns) creates. */
export function runInScope<T>(scope: Scope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** Runs `fn` outside every scope: what it creates belongs to no test. */
export function runInternal<T>(fn: () => T): T {
  // Not storage.exit(): on Node 20/22 it disables and re-enables the storage's async hook
  // (two promise-hook swaps) on every call; an undefined store is the same thing, cheaply.
  return storage.run(undefined as unknown as Scope, fn);
}

/**
 * Makes `scope` the owner of the rest of the current synchronous execution and of its
 * continuations (the programmatic `enter()` style). Passing undefined clears it.
 */
export function enterScope(scope: Scope | undefined): void {
  storage.enterWith(scope as Scope);
}
