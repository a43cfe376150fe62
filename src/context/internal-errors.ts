const MAX_KEPT = 50;
const all: string[] = [];
let printed = 0;
let alsoRecordIn: ((message: string) => void) | undefined;

/**
 * Records an error inside the library itself (a hook, a liveness check, a report writer).
 * The library must never throw into a hook (that kills the process) nor into a test: it
 * records, tells stderr once per distinct message (a few at most), and goes on.
 */
export function recordInternalError(where: string, error: unknown): void {
  try {
    const message = `${where}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`;
    if (all.length < MAX_KEPT) all.push(message);
    alsoRecordIn?.(message);
    if (printed < 5) {
      printed++;
      process.stderr.write(`async-isolation: internal error in ${message}\n`);
    }
  } catch {
    // Nothing left to do safely.
  }
}

/**
 * Hands every internal error recorded from now on to `record` as well (the tracker puts it in
 * the report of the scope it happened in). The sink sits below the context it would need to
 * find that scope itself: the async hook reports its own errors here.
 */
export function recordInternalErrorsIn(record: (message: string) => void): void {
  alsoRecordIn = record;
}

/** Internal errors recorded so far in this process. */
export function internalErrors(): readonly string[] {
  return all;
}
