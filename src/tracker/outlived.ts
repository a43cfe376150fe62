import { runInternal } from '../context/context';
import { processWide } from '../context/process-wide';
import { captureStack, readStack, type CapturedStack } from '../context/stack';
import { creationSite, type CreationSite } from './creation-site';
import type { OutlivedWork } from './report';
import type { ResourceRecord, Scope } from './scope';
import { recordInternalError } from '../context/internal-errors';
import { realTimers } from './real-timers';
import { notify, notifyOutlived } from './notify';
import { noteLateContinuation, noteLateResource, watchLeftWork } from './earlier-work';

/**
 * Told about work a scope did after it ended that names a user frame; registering one takes over
 * telling a person. Work with no user frame anywhere is kept in the report only.
 */
export type OutlivedListener = (scope: Scope, work: OutlivedWork) => void;

/** What an adapter does about outlived work of a scope it runs, once it was told (Mocha's `outlived: 'fail'`). */
export type OutlivedReaction = (scope: Scope, work: OutlivedWork) => void;

const MAX_PER_SCOPE = 10;
const MAX_UNLOCATED_PER_SCOPE = 5;
// Shared by every copy of the library: under Jest, a test file's own copy subscribes, while
// the environment's copy, whose hook sees the late work, publishes.
const listeners = processWide('outlived.listeners', () => new Set<OutlivedListener>());
const reactions = new Set<OutlivedReaction>();
let queued: Array<[Scope, ResourceRecord]> = [];
/** How many late promises of each ended scope had their stack looked at (each look costs a capture). */
const promiseLooks = new WeakMap<Scope, number>();

/**
 * Subscribes to outlived work; returns the unsubscribe function. While one is subscribed, what
 * the library cancels after a scope ended is told to it instead of to stderr.
 */
export function onOutlived(listener: OutlivedListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** For adapters: acts on outlived work that names a user frame, after it was told. */
export function reactToOutlived(reaction: OutlivedReaction): void {
  reactions.add(reaction);
}

const toldUnlisted = new WeakSet<Scope>();

/** Past the report's limit, what is still cancelled is said once per scope, not one by one. */
function tellUnlisted(scope: Scope): void {
  if (toldUnlisted.has(scope)) return;
  toldUnlisted.add(scope);
  notify(`async work outlived "${scope.name}": more of it was cancelled than the report lists (the first ${MAX_PER_SCOPE}); fix those and run again to see the rest`);
}

function publish(scope: Scope, work: OutlivedWork): void {
  const report = scope.report;
  if (report === undefined) return;
  // Node's own work riding on a test's pooled connection must not crowd out the user's.
  const limit = work.userFrame ? MAX_PER_SCOPE : MAX_UNLOCATED_PER_SCOPE;
  if (report.outlived.filter((w) => w.userFrame === work.userFrame).length >= limit) {
    if (work.cancelled) tellUnlisted(scope);
    return;
  }
  report.outlived.push(work);
  if (!work.userFrame) return;
  let told = listeners.size > 0;
  // A runner's test or suite: named the way its runner names it.
  const owner = scope.owner;
  if (owner !== undefined) {
    notifyOutlived(owner.title, work);
    told = true;
  }
  for (const reaction of reactions) {
    try {
      reaction(scope, work);
    } catch (error) {
      recordInternalError('outlived-work reaction', error);
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

/**
 * Whether outlived work names a user frame: its own, or, for a timer a library re-arms from its
 * own callback (a debounce, a poller), its chain of creators'. Anything else whose user frame is
 * only a creator's (undici's socket for the next request on a test's pooled connection, Node's
 * TLS teardown) is Node's or a library's own work: kept in the report only.
 */
function namesUserFrame(record: ResourceRecord, created: CreationSite): boolean {
  return created.hasUserFrame && (!created.viaCreator || record.type === 'Timeout');
}

/**
 * Outlived work is stopped only where a user frame made it and it holds something open. Never
 * what runs on the next turn anyway (an immediate): stopping it would only break what it
 * finishes (a stream's cleanup, a library's next queued request).
 */
function mayCancel(record: ResourceRecord, work: OutlivedWork): boolean {
  if (!work.userFrame || record.kind.nextTurn) return false;
  return record.kind.isRefed(record.resource) && record.kind.liveness(record.resource) !== 'dead';
}

function cancelQueued(): void {
  const batch = queued;
  queued = [];
  for (const [scope, record] of batch) {
    const work: OutlivedWork = { type: record.type, description: '', stack: '', cancelled: false, userFrame: false };
    try {
      const created = creationSite(record, scope.options.stackDepth);
      // A runner handling the scope's late error creates its own timers in that context.
      if (created.fromRunner) continue;
      work.stack = created.text;
      work.userFrame = namesUserFrame(record, created);
      work.description = `${record.kind.describe(record.resource)} created after the scope ended`;
      if (mayCancel(record, work)) {
        work.cancelledBy = record.kind.cancel(record.resource);
        work.cancelled = true;
      } else if (work.userFrame) {
        watchLeftWork(scope, record);
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
  noteLateResource(scope, record);
  if (queued.length === 0) runInternal(() => realTimers.setImmediate(cancelQueued));
  queued.push([scope, record]);
}

/**
 * A promise created by an ended scope's continuation: reported once per scope, where the user's
 * code made it. Those made by the runner's or Node's own code in that context (Mocha after
 * `this.skip()` in a `done` test) are looked at a few times at most, and listed once.
 */
export function onLatePromise(scope: Scope): void {
  const report = scope.report;
  if (report === undefined) return;
  const looks = promiseLooks.get(scope) ?? 0;
  if (looks >= MAX_PER_SCOPE) return;
  const holder: CapturedStack = {};
  captureStack(holder, onLatePromise);
  const created = readStack(holder, scope.options.stackDepth);
  const listed = report.outlived.some((w) => w.type === 'PROMISE');
  // Once the user's own continuation is found, no later promise of this scope is looked at.
  promiseLooks.set(scope, created.hasUserFrame ? MAX_PER_SCOPE : looks + 1);
  if (created.hasUserFrame) noteLateContinuation(scope, created);
  if (listed && !created.hasUserFrame) return;
  publish(scope, {
    type: 'PROMISE',
    description: 'a continuation (await/then) ran after the scope ended',
    stack: created.text,
    cancelled: false,
    userFrame: created.hasUserFrame,
  });
}
