import { realTimers } from './real-timers';

let current: object | undefined;

/**
 * A token for the synchronous stretch of code running now: the same object until the next
 * microtask runs. Code in the context a continuation captured can only run after that, so two
 * calls that get the same token ran in one stretch, with no await between them.
 */
export function synchronousRun(): object {
  if (current === undefined) {
    const run = (current = {});
    realTimers.queueMicrotask(() => {
      if (current === run) current = undefined;
    });
  }
  return current;
}
