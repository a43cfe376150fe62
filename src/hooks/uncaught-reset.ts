import { currentScope, enterScope } from './context';
import { processWide } from './process-wide';

const installed = processWide('uncaught-reset', () => ({ done: false }));

/**
 * After an uncaught exception, Node (24 and later, where AsyncLocalStorage lives on an
 * AsyncContextFrame) leaves the throwing callback's frame in place: its restore runs only on a
 * normal return. Everything that runs next at top level, such as the callbacks of sockets a
 * later test's server accepts, would then belong to the test that threw. The monitor runs
 * before every `uncaughtException` listener, so those listeners and what follows run outside
 * every scope, as top-level code should. Only our own store is reset.
 */
export function resetContextAfterUncaughtExceptions(): void {
  if (installed.done) return;
  installed.done = true;
  process.on('uncaughtExceptionMonitor', () => {
    try {
      if (currentScope() !== undefined) enterScope(undefined);
    } catch {
      // A throw here would replace the user's exception with ours.
    }
  });
}
