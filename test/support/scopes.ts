import { AsyncResource } from 'node:async_hooks';
import { enter, exit, type LeakReport, type Scope } from '../../dist/index.js';

/**
 * Runs `fn` in an async context of its own, which ends when it returns. `enter()` makes a
 * scope the owner of the rest of the caller's synchronous execution (enterWith): inside this,
 * Mocha's own timers never join a test's scope.
 */
export function isolated<T>(fn: () => T): T {
  return new AsyncResource('async-isolation-test').runInAsyncScope(fn);
}

/** enter(name), `fn(scope)`, exit: the report, from an async context of its own. */
export function inScope(name: string, fn: (scope: Scope) => unknown): Promise<LeakReport> {
  return isolated(async () => {
    const scope = enter(name);
    await fn(scope);
    return exit(scope);
  });
}

/** The error `fn` throws (fails when it does not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** The error `promise` rejects with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
