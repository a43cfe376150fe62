import { runInScope } from '../../context/context';
import { findAndCancelLeaks } from '../../tracker/find-leaks';
import { recordInternalError } from '../../context/internal-errors';
import type { Leak } from '../../tracker/report';
import { settleScope } from '../../tracker/settle';
import { waitBounded, type WaitOutcome } from '../../tracker/bounded-wait';
import { addOwnedLeaks, endSideScope, isRefedRecord, liveRecordsOf } from '../../tracker/scope';
import type { ClientContext } from './client-context';
import { errorMessage } from '../../tracker/text';

/** The async_hooks-like type a client leak is reported under. */
export const CLIENT_LEAK_TYPE = 'CLIENT';

/**
 * Closes the client the way its library means it to be closed, bounded in time; then whatever
 * of its sockets and timers is still alive is cancelled. Returns what was done, for the report.
 */
export async function closeClient(context: ClientContext): Promise<string> {
  const { kind, client } = context;
  context.closingByLibrary = true;
  let done = `closed with ${kind.closeMethod}`;
  let outcome: WaitOutcome;
  try {
    outcome = (await waitBounded(
      runInScope(context.scope, () => kind.close(client)),
      kind.gracefulMs,
    )) ?? 'done';
  } catch (error) {
    outcome = { error };
  }
  if (outcome === 'timeout') done += ` (not done within ${kind.gracefulMs} ms)`;
  else if (outcome !== 'done') done += ` (it failed: ${errorMessage(outcome.error)})`;
  if (outcome === 'done') await settleScope(context.scope);
  const rest = findAndCancelLeaks(context.scope);
  const cancelled = [...rest.leaks, ...rest.unref].filter((leak) => leak.cancelled).length;
  if (cancelled > 0) done += `, then ${cancelled} of its sockets/timers cancelled`;
  return done;
}

/** Whatever a client the test closed still left running: its own leaks, reported as such. */
function leftovers(context: ClientContext, describe: string): Leak[] {
  const rest = findAndCancelLeaks(context.scope);
  return [...rest.leaks, ...rest.unref].map((leak) => ({
    ...leak,
    description: `${leak.description} (left running by ${describe} after it was closed)`,
  }));
}

function safeDescribe(context: ClientContext): string {
  try {
    return context.kind.describe(context.client);
  } catch (error) {
    recordInternalError(`describing a ${context.kind.label}`, error);
    return context.kind.label;
  }
}

/**
 * At the owner's exit, after the user's own cleanups: a client still open is one leak, closed
 * with its own close; a client the test closed is not, but anything it left running is. From
 * then on the client's context has ended: whatever it still starts is cancelled at once.
 */
export async function checkAtExit(context: ClientContext): Promise<void> {
  const owner = context.owner;
  try {
    if (context.userClose !== undefined) await waitBounded(context.userClose, context.kind.gracefulMs);
    await settleScope(context.scope);
    const live = liveRecordsOf(context.scope);
    if (live.length === 0) return;
    if (context.fixture) {
      if (context.closedByUser) findAndCancelLeaks(context.scope);
      else await closeClient(context);
      return;
    }
    if (context.closedByUser) {
      addOwnedLeaks(owner, leftovers(context, safeDescribe(context)));
      return;
    }
    const leak: Leak = {
      type: CLIENT_LEAK_TYPE,
      description: safeDescribe(context),
      stack: context.creationSite(),
      ref: live.some(isRefedRecord),
      cancelled: false,
    };
    try {
      leak.cancelledBy = await closeClient(context);
      leak.cancelled = true;
    } catch (error) {
      leak.cancelError = errorMessage(error);
    }
    addOwnedLeaks(owner, [leak]);
  } catch (error) {
    recordInternalError(`checking ${context.kind.label} at the end of scope "${owner.name}"`, error);
  } finally {
    endSideScope(context.scope);
  }
}
