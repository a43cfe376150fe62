import { currentOwner, enterScope } from './context';
import { processWide } from './process-wide';

const installed = processWide('uncaught-reset', () => ({ done: false }));

function leaveScope(): void {
  try {
    enterScope(undefined);
  } catch {
    // A throw here would replace the user's exception with ours.
  }
}

/**
 * After an uncaught exception, Node (24 and later, where AsyncLocalStorage lives on an
 * AsyncContextFrame) leaves the throwing callback's frame in place: its restore runs only on a
 * normal return. Everything that runs next at top level, such as the callbacks of sockets a
 * later test's server accepts, would then belong to the test that threw.
 *
 * The scope is left once every `uncaughtException` listener has run: the runner adapters read
 * it there to tell which test threw. A listener is added only when others exist, so that an
 * exception nobody handles still ends the process.
 */
export function resetContextAfterUncaughtExceptions(): void {
  if (installed.done) return;
  installed.done = true;
  process.on('uncaughtExceptionMonitor', () => {
    try {
      if (currentOwner() === undefined) return;
      if (process.hasUncaughtExceptionCaptureCallback()) leaveScope();
      else if (process.listenerCount('uncaughtException') > 0) process.once('uncaughtException', leaveScope);
    } catch {
      // As above: the user's exception goes on untouched.
    }
  });
}
