import { executionAsyncResource } from 'node:async_hooks';
import { inspect } from 'node:util';
import { activateContext, currentOwner, ownerOf } from '../context/context';
import { resetContextAfterUncaughtExceptions } from '../context/uncaught-reset';
import { processWide } from '../context/process-wide';
import { listenForResources, listeningForResources, OWNER_NOT_READ } from '../context/async-hook';
import { captureStack } from '../context/stack';
import { installListenSites } from '../context/listen-site';
import { installWatchFileNames } from '../context/watch-file-name';
import { installAcceptedSockets, rememberAccepted } from '../context/accepted-sockets';
import { installRequestTracking } from '../context/http-requests';
import { recordInternalError } from '../context/internal-errors';
import { CLIENT_REQUEST, UNDICI_REQUEST, resourceKinds, serverTypes, type ResourceKind } from './resource-kinds';
import type { ResourceRecord, Scope } from './scope';
import { onLatePromise, onLateResource } from './outlived';

// Frames Node and the process's async hook put between a resource's creation and the user's
// call: timers need few, a socket connect goes through many, undici's fetch more still.
const TIMER_INTERNAL_FRAMES = 6;
const LATE_FRAMES = 10;
const HANDLE_INTERNAL_FRAMES = 25;
const REQUEST_INTERNAL_FRAMES = 32;

function internalFrames(family: string): number {
  return family === 'timer' ? TIMER_INTERNAL_FRAMES : family === 'request' ? REQUEST_INTERNAL_FRAMES : HANDLE_INTERNAL_FRAMES;
}

/** Server handles by async id, while their scope is open: accepted sockets have no context. */
const serverScopes = processWide('server-scopes', () => new Map<number, Scope>());

/**
 * Where a tracked resource keeps its record, to tell which one's callback created a new one (a
 * property, not a WeakMap: a WeakMap entry per timer made timer-heavy code markedly slower).
 */
const RECORD = Symbol.for('async-isolation.record.v1');
type WithRecord = { [RECORD]?: ResourceRecord };

/**
 * A resource's record, shown as one short line where a user inspects the resource (a server
 * logged in a test).
 */
class TrackedResource implements ResourceRecord {
  declare stack?: string;
  constructor(
    readonly type: string,
    readonly resource: object,
    readonly kind: ResourceKind,
    readonly creator: ResourceRecord | undefined,
    readonly accepted: boolean,
  ) {}

  [inspect.custom](): string {
    return `[async-isolation record of a ${this.type}]`;
  }
}

// A timer its own callback re-arms for ever must not keep every earlier one alive: past this
// many creators, a new record links to an older one (the chain still reaches its start).
const MAX_CREATORS = 4;

/**
 * The record of the tracked resource whose callback is running, if any: the creator of the
 * resource being created now. Its creation stack, captured already, is where a report looks
 * when the new one's own frames are all a library's.
 */
function runningCreator(): ResourceRecord | undefined {
  const running = (executionAsyncResource() as WithRecord)[RECORD];
  if (running === undefined) return undefined;
  let links = 0;
  for (let r = running.creator; r !== undefined; r = r.creator) if (++links === MAX_CREATORS) return running.creator;
  return running;
}

function isReusedHandle(resource: object): boolean {
  return (resource as { constructor?: { name?: unknown } }).constructor?.name === 'ReusedHandle';
}

/**
 * Whether a resource created in an open scope needs its creation stack now (~4 us for a timer,
 * more with GC, ~12 us for a socket). Two kinds can do without:
 * - An Immediate runs on the next turn, and exit drains a turn before judging: one still alive
 *   then was created while the scope was closing (an immediate loop), and gets its stack then.
 * - A Timeout born unref'd comes from Node itself (socket and HTTP server timeouts, once per
 *   response on a keep-alive server) or `timers/promises` with `ref: false`. It can never fail
 *   a test, and is left alone, unless `unref` says otherwise; its frames are nearly always all
 *   Node's (the HTTP Date-header cache timer); it is listed among the unref'd resources without
 *   a creation stack.
 */
function needsStackWhileOpen(type: string, resource: object, scope: Scope): boolean {
  if (type === 'Immediate') return false;
  if (type === 'Timeout' && scope.options.unref === 'ignore') {
    return (resource as { hasRef?: () => boolean }).hasRef?.() !== false;
  }
  return true;
}

/** The scope a resource was created in: the one the hook read while carrying the context, if it did. */
function ownerScope(owner: unknown): Scope | undefined {
  // The context carries only scopes.
  if (owner === OWNER_NOT_READ) return currentOwner() as Scope | undefined;
  const scope = owner as Scope | undefined;
  return scope !== undefined && scope.state === 'ended' ? (ownerOf(scope) as Scope | undefined) : scope;
}

/** The async hook's resource listener (the hook guards it: nothing thrown here escapes). */
function onResource(asyncId: number, type: string, triggerAsyncId: number, resource: object, owner: unknown): void {
  if (type === 'PROMISE') {
    // Counted, never recorded: they are not handles, and there are far too many.
    const scope = ownerScope(owner);
    if (scope === undefined || scope.options.mode === 'off') return;
    if (scope.state === 'ended') onLatePromise(scope);
    else scope.promisesCreated++;
    return;
  }
  // Untracked types (TickObject, FSREQCALLBACK, parsers...) leave before the context lookup.
  const kind = resourceKinds.get(type);
  if (kind === undefined) return;
  let scope = ownerScope(owner);
  let accepted = false;
  if (scope === undefined) {
    // A connection accepted by a server is created from C++ with no context: it belongs to
    // whoever owns the server.
    if (serverScopes.size === 0 || (scope = serverScopes.get(triggerAsyncId)) === undefined) return;
    accepted = true;
  }
  if (scope.options.mode === 'off') return;
  // The http Agent re-inits a keep-alive socket on every reuse with a ReusedHandle wrapper
  // that has no owner: such a record is dead from the start and never reported, so an open
  // scope skips it (and its ~12 us stack capture, once per request).
  if (kind.family === 'socket' && scope.state !== 'ended' && isReusedHandle(resource)) return;
  const record = new TrackedResource(type, resource, kind, runningCreator(), accepted);
  (resource as WithRecord)[RECORD] = record;
  if (scope.state !== 'open' || needsStackWhileOpen(type, resource, scope)) {
    const limit = Error.stackTraceLimit;
    // At least one user frame, to tell user code from the runner's; more for late work, which
    // is rare and must be told from Node's own.
    const userFrames = scope.state === 'ended' ? LATE_FRAMES : Math.max(scope.options.stackDepth, 1);
    Error.stackTraceLimit = internalFrames(kind.family) + userFrames;
    try {
      captureStack(record, onResource);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
  if (scope.state === 'ended') {
    onLateResource(scope, record);
    return;
  }
  if (serverTypes.has(type)) serverScopes.set(asyncId, scope);
  else if (accepted) rememberAccepted(resource, scope);
  scope.add(record);
}

/** An HTTP client request as it is created: owned like a resource created there. */
function onRequest(client: 'undici' | 'node:http', request: object): void {
  onResource(0, client === 'undici' ? UNDICI_REQUEST : CLIENT_REQUEST, 0, request, OWNER_NOT_READ);
}

/** Forgets the server handles of a scope that ended. */
export function forgetServers(scope: Scope): void {
  if (serverScopes.size === 0) return;
  for (const [id, owner] of serverScopes) if (owner === scope) serverScopes.delete(id);
}

/** Extras that sharpen reports, installed with the hook: this layer's, and those registered from above. */
const extras: (readonly [what: string, install: () => void])[] = [
  ['listen() call sites', installListenSites],
  ['fs.watchFile() file names', installWatchFileNames],
  ['accepted sockets’ scopes', installAcceptedSockets],
  ['HTTP request tracking', () => installRequestTracking(onRequest)],
];

function installExtra(what: string, install: () => void): void {
  // One failing must not cost the hook itself.
  try {
    install();
  } catch (error) {
    recordInternalError(`installing ${what}`, error);
  }
}

/**
 * Installs `install` along with the hook, or at once if resources are already tracked: how a
 * higher layer (the client instrumentation) joins without this layer loading it. Once per `what`.
 */
export function whenResourcesTracked(what: string, install: () => void): void {
  if (extras.some(([known]) => known === what)) return;
  extras.push([what, install]);
  if (listeningForResources()) installExtra(what, install);
}

/** Starts tracking the resources every scope creates (once per process). */
export function installResourceHook(): void {
  if (listeningForResources()) return;
  activateContext();
  resetContextAfterUncaughtExceptions();
  listenForResources(onResource);
  for (const [what, install] of extras) installExtra(what, install);
}
