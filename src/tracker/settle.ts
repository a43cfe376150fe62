import { runInternal } from '../context/context';
import { isRefedRecord, livenessOf, type ResourceRecord, type Scope } from './scope';
import { realTimers } from './real-timers';

// Both stay ref'd: an unref'd immediate does not stop the loop from blocking in poll, so the
// turn would wait for the next timer or I/O. Each lives for one turn or a few ms at most.
function nextTurn(): Promise<void> {
  return runInternal(() => new Promise<void>((resolve) => realTimers.setImmediate(resolve)));
}

function pause(ms: number): Promise<void> {
  return runInternal(() => new Promise<void>((resolve) => realTimers.setTimeout(resolve, ms)));
}

// Two turns let close callbacks already queued run; closes under way (end() sent, kill()
// sent) get until the deadline.
const TURNS_FOR_ALIVE = 2;
const POLL_MS = 2;

/**
 * Lets in-flight work finish before leaks are judged: returns at once when nothing lives,
 * after a turn or two when only never-ending things live, and polls up to `timeoutMs` while
 * something is closing. While only immediates live it keeps turning: a chain of them that
 * ends by itself (a stream sink acknowledging each buffered chunk on the next turn) is work
 * finishing, not a leak; one that never ends is judged at the deadline.
 */
export async function settle(records: () => ResourceRecord[], timeoutMs: number): Promise<void> {
  const deadline = realTimers.now() + timeoutMs;
  for (let turn = 0; ; turn++) {
    let alive = false;
    let closing = false;
    let immediates = false;
    let onlyImmediates = true;
    for (const record of records()) {
      const state = livenessOf(record);
      if (state === 'closing') {
        closing = true;
        break;
      }
      if (state === 'alive') {
        alive = true;
        // What is unref'd (a cache timer) holds nothing open and fails nothing: it does not count.
        if (record.kind.nextTurn) immediates = true;
        else if (onlyImmediates) onlyImmediates = !isRefedRecord(record);
      }
    }
    const draining = !closing && immediates && onlyImmediates;
    if (!alive && !closing) return;
    if (!closing && !draining && turn >= TURNS_FOR_ALIVE) return;
    if (realTimers.now() >= deadline) return;
    await (turn < TURNS_FOR_ALIVE || draining ? nextTurn() : pause(POLL_MS));
  }
}


/** {@link settle} on what `scope` created, up to its `settleTimeoutMs`. */
export function settleScope(scope: Scope): Promise<void> {
  return settle(() => scope.records, scope.options.settleTimeoutMs);
}
