import path = require('node:path');

/** The library's own files (compiled, or their sources through a source map): never in a report. */
const ownDirs = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..', 'src')].map((d) => d + path.sep);

/** Test runners' own frames: below the user's test function, never where a leak was made. */
const RUNNER_FRAME = /node_modules[\\/](?:mocha|jest-circus|jest-runner|@jest[\\/]\w+|vitest|@vitest[\\/]\w+|tinypool)[\\/]/;

/** A frame of Node's own JavaScript. */
function isNodeFrame(line: string): boolean {
  return line.includes('(node:') || line.includes(' node:');
}

/** Node's own frames (its JavaScript, and the WebAssembly it runs: undici's HTTP parser), and the library's. */
function isNodeOrOwnFrame(line: string): boolean {
  return (
    isNodeFrame(line) ||
    line.includes('wasm://') ||
    ownDirs.some((dir) => line.includes(dir)) ||
    line === 'at <anonymous>' ||
    line.endsWith('(<anonymous>)')
  );
}

/** Frames from Node itself, a test runner or this library: never the place a user should look. */
function isInternalFrame(line: string): boolean {
  return isNodeOrOwnFrame(line) || RUNNER_FRAME.test(line);
}

/**
 * A package's frame: code under a `node_modules` folder (read once the working directory is cut
 * off the path, so a project that itself lives under one still has frames of its own).
 */
const LIBRARY_FRAME = /[\\/( ]node_modules[\\/]/;

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

/** A creation stack as plain data. */
export interface ReadStack {
  /** User frames first, at most `depth`, one `at …` frame a line, paths relative to cwd. */
  text: string;
  /** The code that created the resource is a test runner's own (its timeout timer, say). */
  fromRunner: boolean;
  /** The first frame outside Node is this library's own. */
  fromOwn: boolean;
  /**
   * Some frame (within the captured ones, whatever `depth`) is the user's code: neither Node's
   * (nor WebAssembly), a test runner's, this library's, nor a package's under `node_modules`.
   */
  hasUserFrame: boolean;
  /**
   * For a timer: Node's own code called the timers API (the HTTP Date-header cache), no user
   * code did. Frames past Node's timers modules are read; a handle's always start in Node's.
   */
  timerOfNode: boolean;
}

/**
 * Frames between a timer and whoever asked for it: the async hook, Node's timers modules, and
 * the tick queue, which calls a function handed to it (`process.nextTick(setTimeout, fn, ms)`
 * is the caller's timer, not Node's).
 */
const TIMER_MACHINERY =
  /[( ]node:(?:internal\/)?(?:timers|async_hooks)(?:\/promises)?:|[( ]node:internal\/process\/task_queues:|^at new (?:Timeout|Immediate|Promise) \(/;

/**
 * Turns a captured stack into plain data: Node's and the library's frames dropped so user
 * frames come first, at most `depth` frames, paths relative to the working directory. The
 * holder's raw frames keep their receivers alive, so they are replaced by their text once read
 * (a resource's stack can be read again: as a leak, and as the creator of another one).
 */
export function readStack(holder: CapturedStack, depth: number): ReadStack {
  let raw: string | undefined;
  try {
    raw = holder.stack;
  } catch {
    raw = undefined;
  }
  holder.stack = raw;
  if (typeof raw !== 'string') return { text: '', fromRunner: false, fromOwn: false, hasUserFrame: false, timerOfNode: false };
  const cwd = process.cwd() + path.sep;
  const frames: string[] = [];
  let fromRunner: boolean | undefined;
  let fromOwn: boolean | undefined;
  let hasUserFrame = false;
  let timerOfNode: boolean | undefined;
  for (const line of raw.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('at ')) continue;
    if (timerOfNode === undefined && !TIMER_MACHINERY.test(trimmed) && !ownDirs.some((dir) => trimmed.includes(dir))) {
      timerOfNode = isNodeFrame(trimmed);
    }
    if (fromOwn === undefined && !isNodeFrame(trimmed)) {
      fromOwn = ownDirs.some((dir) => trimmed.includes(dir));
    }
    if (fromRunner === undefined && !isNodeOrOwnFrame(trimmed)) fromRunner = RUNNER_FRAME.test(trimmed);
    if (isInternalFrame(trimmed)) continue;
    const frame = trimmed.split('file://' + cwd).join('').split(cwd).join('');
    hasUserFrame ||= !LIBRARY_FRAME.test(frame);
    if (frames.length < depth) frames.push(frame);
  }
  return {
    text: frames.join('\n'),
    fromRunner: fromRunner === true,
    fromOwn: fromOwn === true,
    hasUserFrame,
    timerOfNode: timerOfNode === true,
  };
}

/** {@link readStack}'s text alone. */
export function formatStack(holder: CapturedStack, depth: number): string {
  return readStack(holder, depth).text;
}

const FRAME_PLACE = /([^\s()]+):(\d+):\d+\)?$/;

/** `file:line` of the first user frame of a read stack (its text lists user frames first), or '' when it names none. */
export function userFrameSite(stack: Pick<ReadStack, 'text' | 'hasUserFrame'>): string {
  if (!stack.hasUserFrame) return '';
  const frame = stack.text.split('\n').find((line) => line.startsWith('at ') && !LIBRARY_FRAME.test(line)) ?? '';
  const match = FRAME_PLACE.exec(frame);
  return match === null ? '' : `${match[1]}:${match[2]}`;
}
