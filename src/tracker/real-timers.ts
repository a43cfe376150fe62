import timers = require('node:timers');

/**
 * The timer functions as they were when the library loaded. Fake timers (sinon, Vitest, Jest in
 * the same realm) replace the globals; the library's own waits must still pass in real time,
 * and the user's real timers must be cleared by the real functions.
 */
export const realTimers = {
  setTimeout: timers.setTimeout,
  clearTimeout: timers.clearTimeout,
  setImmediate: timers.setImmediate,
  clearImmediate: timers.clearImmediate,
  nextTick: process.nextTick.bind(process),
  queueMicrotask: globalThis.queueMicrotask,
  now: performance.now.bind(performance),
} as const;
