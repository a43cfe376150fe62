import { runInternal } from '../context/context';
import { findAndCancelLeaks } from './find-leaks';
import type { LeakReport } from './report';
import type { ResourceRecord, Scope } from './scope';
import { settle } from './settle';
import { realTimers } from './real-timers';

/** Options of {@link checkpoint}. */
export interface CheckpointOptions {
  /** Records left out of this check (things the scope's exit will stop by design). */
  exclude?: (record: ResourceRecord) => boolean;
}

/**
 * Finds, cancels and reports what `scope` has alive now, without ending it: closes under way
 * get the scope's settle time, then whatever still lives is cancelled. The report fails when a
 * leak counts (whatever the mode: this is an explicit check), unless the scope allows leaks.
 * Never rejects.
 */
export async function checkpoint(scope: Scope, options: CheckpointOptions = {}): Promise<LeakReport> {
  const started = realTimers.now();
  const exclude = options.exclude;
  const records = (): ResourceRecord[] => (exclude ? scope.records.filter((r) => !exclude(r)) : scope.records);
  await settle(records, scope.options.settleTimeoutMs);
  // findAndCancelLeaks reads records, options and name: a view of the scope with fewer records.
  const view = Object.create(scope, { records: { value: records() } }) as Scope;
  const found = runInternal(() => findAndCancelLeaks(view));
  const counted = found.leaks.length + (scope.options.unref === 'fail' ? found.unref.length : 0);
  return {
    name: scope.name,
    leaks: found.leaks,
    unref: found.unref,
    promises: { created: scope.promisesCreated },
    outlived: [],
    cleanupErrors: [],
    internalErrors: [...scope.internalErrors],
    allowed: scope.allowed,
    // State is compared when the scope ends, not at a checkpoint.
    state: { mode: scope.options.state, changes: [] },
    failed: scope.allowed === undefined && counted > 0,
    mode: scope.options.mode,
    durationMs: realTimers.now() - started,
  };
}
