import { runInScope, runInternal } from '../../context/context';
import { currentScope } from '../../tracker/current-scope';
import { recordInternalError } from '../../context/internal-errors';

/** What `@vitest/utils` names the real timers it saves on the global object for Vitest's own use. */
const SAFE_TIMERS = 'vitest:SAFE_TIMERS';
const PATCHED = Symbol.for('async-isolation.vitest-runner-timers');

type TimerFunction = (...args: unknown[]) => unknown;

/**
 * Vitest arms the timeout of every test and hook from inside the function it runs in the test's
 * scope, with the real `setTimeout` it saved for itself ("safe timers", which user code never
 * sees). Armed outside every scope, that timer is the runner's, as it should be, and it no
 * longer costs each test a creation stack. Its callback still runs in the scope it was armed
 * in: on a timeout it aborts the test's `signal`, and what the test's abort listeners do then
 * belongs to the test. Does nothing when this Vitest saves no such timers.
 */
export function keepRunnerTimeoutsInternal(): void {
  try {
    const host = globalThis as unknown as Record<symbol, Record<string | symbol, unknown> | undefined>;
    const key = Object.getOwnPropertySymbols(globalThis).find((symbol) => symbol.description === SAFE_TIMERS);
    const timers = key === undefined ? undefined : host[key];
    const setTimeout = timers?.setTimeout;
    if (timers === undefined || typeof setTimeout !== 'function' || timers[PATCHED] === true) return;
    const original = setTimeout as TimerFunction;
    timers.setTimeout = function runnerSetTimeout(this: unknown, ...args: unknown[]) {
      const scope = currentScope();
      const callback = args[0];
      if (scope !== undefined && typeof callback === 'function') {
        args[0] = function inArmingScope(this: unknown, ...callbackArgs: unknown[]) {
          return runInScope(scope, () => (callback as TimerFunction).apply(this, callbackArgs));
        };
      }
      return runInternal(() => original.apply(this, args));
    };
    timers[PATCHED] = true;
  } catch (error) {
    recordInternalError("keeping Vitest's own timeouts out of the tests' scopes", error);
  }
}
