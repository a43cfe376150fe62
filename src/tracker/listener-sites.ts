import { captureStack, readStack, type CapturedStack } from '../context/stack';
import { recordInternalError } from '../context/internal-errors';

/** Where a listener of `process` was added or removed while a state check was open. */
export interface ListenerSite {
  /** The first user frame, `file:line:col` with its function; empty when none was found. */
  readonly at: string;
  /** Done by a library, by Node, by the test runner or by this library: never the test's change. */
  readonly notUsers: boolean;
}

const sites = new WeakMap<Function, ListenerSite>();
const removals = new WeakMap<Function, ListenerSite>();
const watched = new WeakSet<object>();
let open = 0;

// Deep enough to pass EventEmitter's frames and a library's wrapper or two.
const FRAMES = 12;

function siteHere(above: Function): ListenerSite {
  const holder: CapturedStack = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = FRAMES;
  try {
    captureStack(holder, above);
  } finally {
    Error.stackTraceLimit = limit;
  }
  // Whatever wraps `emit` (Vitest does) runs between the listener being added and its adder:
  // the adder is the first frame past EventEmitter's own.
  const lines = String(holder.stack ?? '').split('\n');
  let last = -1;
  lines.forEach((line, i) => {
    if (/[( ]node:events:/.test(line)) last = i;
  });
  const read = readStack({ stack: lines.slice(last + 1).join('\n') }, 1);
  // `at fn (file:line:col)` or `at file:line:col`: the place alone.
  const at = /\((.*)\)$/.exec(read.text)?.[1] ?? read.text.replace(/^at /, '');
  return { at, notUsers: read.fromOwn || read.fromRunner || !read.hasUserFrame || at.includes('node_modules') };
}

function onNewListener(_event: string | symbol, listener: Function): void {
  if (open === 0 || typeof listener !== 'function') return;
  try {
    if (!sites.has(listener)) sites.set(listener, siteHere(onNewListener));
  } catch (error) {
    recordInternalError('recording where a process listener was added', error);
  }
}

function onRemoveListener(_event: string | symbol, listener: Function): void {
  if (open === 0 || typeof listener !== 'function') return;
  try {
    removals.set(listener, siteHere(onRemoveListener));
  } catch (error) {
    recordInternalError('recording where a process listener was removed', error);
  }
}

/**
 * Starts recording where listeners of `emitter` (a `process`) are added while a state check is
 * open: only then is a stack captured, so a test that adds none pays nothing.
 */
export function watchListenerSites(emitter: NodeJS.EventEmitter): void {
  if (watched.has(emitter)) return;
  watched.add(emitter);
  emitter.on('newListener', onNewListener);
  emitter.on('removeListener', onRemoveListener);
}

/** Counts the state checks open (sites are recorded only while one is). */
export function listenerSitesOpen(delta: 1 | -1): void {
  open += delta;
}

/** Where `listener` was added, if it was added while a check was open. */
export function siteOf(listener: Function): ListenerSite | undefined {
  return sites.get(listener);
}

/** Where `listener` was last removed, if it was removed while a check was open. */
export function removalOf(listener: Function): ListenerSite | undefined {
  return removals.get(listener);
}
