import { runInternal } from '../hooks/context';
import { captureStack, formatStack, readStack, type CapturedStack } from '../hooks/stack';
import type { OutlivedWork } from './report';
import type { ResourceRecord, Scope } from './scope';
import { recordInternalError } from './internal-errors';
import { realTimers } from './real-timers';
import { notifyOutlived } from './notify';

/** Told about work a scope did after it ended; registering one takes over telling a person. */
export type OutlivedListener = (scope: Scope, work: OutlivedWork) => void;

/** An adapter's listener: returns whether it told a person (it does for the scopes it runs). */
export type OutlivedTeller = (scope: Scope, work: OutlivedWork) => boolean;

const MAX_PER_SCOPE = 10;
const listeners = new Set<OutlivedListener>();
const tellers = new Set<OutlivedTeller>();
let queued: Array<[Scope, ResourceRecord]> = [];

/**
 * Subscribes to outlived work; returns the unsubscribe function. While one is subscribed, what
 * the library cancels after a scope ended is told to it instead of to stderr.
 */
export function onOutlived(listener: OutlivedListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** For adapters: tells a person about outlived work of the scopes they run. */
export function tellOutlived(teller: OutlivedTeller): void {
  tellers.add(teller);
}

function publish(scope: Scope, work: OutlivedWork): void {
  const report = scope.report;
  if (report === undefined || report.outlived.length >= MAX_PER_SCOPE) return;
  report.outlived.push(work);
  let told = listeners.size > 0;
  for (const teller of tellers) {
    try {
      told = teller(scope, work) || told;
    } catch (error) {
      recordInternalError('outlived-work teller', error);
    }
  }
  for (const listener of listeners) {
    try {
      listener(scope, work);
    } catch (error) {
      recordInternalError('outlived-work listener', error);
    }
  }
  // Nothing cancelled goes unsaid, whichever API made the scope.
  if (!told && work.cancelled) {
    notifyOutlived(scope.name, work, 'scope', 'wait for this work before the scope ends, or start it inside detached()');
  }
}

function cancelQueued(): void {
  const batch = queued;
  queued = [];
  for (const [scope, record] of batch) {
    const work: OutlivedWork = { type: record.type, description: '', stack: '', cancelled: false };
    try {
      const created = readStack(record, scope.options.stackDepth);
      // A runner (or Node itself) handling the scope's late error creates its own timers in
      // that context: with no user frame at all, it is not the user's work.
      if (created.fromRunner || !created.hasUserFrame) continue;
      work.stack = created.text;
      work.description = `${record.kind.describe(record.resource)} created after the scope ended`;
      if (record.kind.liveness(record.resource) !== 'dead') {
        work.cancelledBy = record.kind.cancel(record.resource);
        work.cancelled = true;
      }
    } catch (error) {
      recordInternalError(`cancelling outlived ${record.type}`, error);
    }
    publish(scope, work);
  }
}

/**
 * A resource created by an ended scope's callbacks: cancelled on the next turn (it is still
 * being constructed now) and reported against that scope, never against the running one.
 */
export function onLateResource(scope: Scope, record: ResourceRecord): void {
  if (queued.length === 0) runInternal(() => realTimers.setImmediate(cancelQueued));
  queued.push([scope, record]);
}

/** A promise created by an ended scope's continuation: reported once per scope. */
export function onLatePromise(scope: Scope): void {
  const report = scope.report;
  if (report === undefined || report.outlived.length >= MAX_PER_SCOPE) return;
  if (report.outlived.some((w) => w.type === 'PROMISE')) return;
  const holder: CapturedStack = {};
  captureStack(holder, onLatePromise);
  publish(scope, {
    type: 'PROMISE',
    description: 'a continuation (await/then) ran after the scope ended',
    stack: formatStack(holder, scope.options.stackDepth),
    cancelled: false,
  });
}
