/**
 * What earlier tests left that ran during a test, said in that test's own failure. Each runner
 * shows a failure its own way: these are the two shapes the adapters need.
 */

/** An error that says only `note`: for a runner that shows every error of a test (Jest, Vitest). */
export function noteError(note: string): Error {
  const error = new Error(note);
  // No frames of ours: the note names the user's lines itself.
  error.stack = note;
  return error;
}

/**
 * Adds `note` to a runner's own error, after its message and before its stack frames (where
 * reporters tell the two apart). An error that cannot be changed keeps its shape.
 */
export function addNote(error: unknown, note: string): void {
  if (error === null || typeof error !== 'object') return;
  const target = error as { message?: unknown; stack?: unknown };
  try {
    if (typeof target.message === 'string') target.message = `${target.message}\n${note}`;
    if (typeof target.stack === 'string') {
      const lines = target.stack.split('\n');
      const firstFrame = lines.findIndex((line) => /^\s+at\s/.test(line));
      lines.splice(firstFrame < 0 ? lines.length : firstFrame, 0, note);
      target.stack = lines.join('\n');
    }
  } catch {
    // A frozen error, or one whose message is a getter.
  }
}
