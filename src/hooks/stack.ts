import * as path from 'node:path';

/** Where the library's own compiled files live: their frames never appear in a report. */
const ownDir = path.resolve(__dirname, '..');

/** Test runners' own frames: below the user's test function, never where a leak was made. */
const RUNNER_FRAME = /node_modules[\\/](?:mocha|jest-circus|jest-runner|@jest[\\/]\w+|vitest|@vitest[\\/]\w+|tinypool)[\\/]/;

/** Frames from Node itself, a test runner or this library: never the place a user should look. */
function isInternalFrame(line: string): boolean {
  return (
    line.includes('(node:') ||
    line.includes(' node:') ||
    line.includes(ownDir) ||
    line === 'at <anonymous>' ||
    RUNNER_FRAME.test(line)
  );
}

/**
 * A creation stack captured cheaply at resource creation. V8 records the raw frames at once
 * and formats them only when `.stack` is first read, which we do only for leaks.
 */
export interface CapturedStack {
  stack?: string;
}

/** Captures the current stack, omitting `above` and every frame above it. */
export function captureStack(holder: CapturedStack, above: Function): void {
  Error.captureStackTrace(holder, above);
}

/**
 * Turns a captured stack into plain text: internal frames dropped so user frames come first,
 * at most `depth` frames, paths relative to the working directory.
 */
export function formatStack(holder: CapturedStack, depth: number): string {
  let raw: string | undefined;
  try {
    raw = holder.stack;
  } catch {
    return '';
  }
  // The holder's raw frames keep their receivers alive: drop them once formatted.
  holder.stack = undefined;
  if (typeof raw !== 'string') return '';
  const cwd = process.cwd() + path.sep;
  const frames: string[] = [];
  for (const line of raw.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('at ') || isInternalFrame(trimmed)) continue;
    frames.push(trimmed.split('file://' + cwd).join('').split(cwd).join(''));
    if (frames.length >= depth) break;
  }
  return frames.join('\n');
}
