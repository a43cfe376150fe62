import { currentScope } from '../hooks/context';

const MAX_KEPT = 50;
const all: string[] = [];
let printed = 0;

/**
 * Records an error inside the library itself (a hook, a liveness check, a report writer).
 * The library must never throw into a hook (that kills the process) nor into a test: it
 * records, tells stderr once per distinct message (a few at most), and goes on.
 */
export function recordInternalError(where: string, error: unknown): void {
  try {
    const message = `${where}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`;
    if (all.length < MAX_KEPT) all.push(message);
    const scope = currentScope();
    if (scope?.report === undefined && scope !== undefined) scope.internalErrors.push(message);
    if (printed < 5) {
      printed++;
      process.stderr.write(`async-isolation: internal error in ${message}\n`);
    }
  } catch {
    // Nothing left to do safely.
  }
}

/** Internal errors recorded so far in this process. */
export function internalErrors(): readonly string[] {
  return all;
}
