import { runInternal } from '../context/context';
import { realTimers } from './real-timers';

/** How a bounded wait ended: the work settled, it failed, or the time ran out first. */
export type WaitOutcome = 'done' | 'timeout' | { readonly error: unknown };

/**
 * Waits for `work` at most `ms`, in real time whatever fake timers the test installed; returns
 * undefined, without waiting, when `work` is not a thenable. The timer is ref'd on purpose: work
 * that never settles must not let the run end silently while it is waited for.
 */
export function waitBounded(work: unknown, ms: number): Promise<WaitOutcome> | undefined {
  if (work === null || typeof (work as PromiseLike<unknown> | undefined)?.then !== 'function') return undefined;
  return runInternal(
    () =>
      new Promise<WaitOutcome>((resolve) => {
        const timer = realTimers.setTimeout(() => resolve('timeout'), ms);
        (work as PromiseLike<unknown>).then(
          () => (realTimers.clearTimeout(timer), resolve('done')),
          (error: unknown) => (realTimers.clearTimeout(timer), resolve({ error })),
        );
      }),
  );
}
