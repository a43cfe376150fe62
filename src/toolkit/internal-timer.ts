import { runInternal } from '../context/context';
import { realTimers } from '../tracker/real-timers';

/**
 * A timer of the library itself: created outside every scope (so no test is ever blamed for
 * it), unref'd (so a pending wait never keeps the process alive), and real even under fake
 * timers (a wait's bound is real time). Clear it with {@link clearInternalTimeout}.
 */
export function internalTimeout(fn: () => void, ms: number): NodeJS.Timeout {
  return runInternal(() => realTimers.setTimeout(fn, ms).unref());
}

/** Clears a timer made by {@link internalTimeout}. */
export function clearInternalTimeout(timer: NodeJS.Timeout): void {
  realTimers.clearTimeout(timer);
}
