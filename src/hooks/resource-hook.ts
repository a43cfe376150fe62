import { createHook, type AsyncHook } from 'node:async_hooks';
import { currentScope, processWide } from './context';
import { captureStack } from './stack';
import { installListenSites } from './listen-site';
import { resourceKinds, serverTypes } from '../tracker/resource-kinds';
import type { ResourceRecord, Scope } from '../tracker/scope';
import { recordInternalError } from '../tracker/internal-errors';
import { onLatePromise, onLateResource } from '../tracker/outlived';
import { enableClientInstrumentation } from '../adapters/clients/instrument';

// Frames Node puts between a resource's creation and the user's call: timers need few, a
// socket connect goes through many.
const TIMER_INTERNAL_FRAMES = 4;
const HANDLE_INTERNAL_FRAMES = 24;

/** Server handles by async id, while their scope is open: accepted sockets have no context. */
const serverScopes = processWide('server-scopes', () => new Map<number, Scope>());

/** One hook per process, whichever copy of the library installed it. */
const installed = processWide('resource-hook', () => ({ hook: undefined as AsyncHook | undefined }));

function isReusedHandle(resource: object): boolean {
  return (resource as { constructor?: { name?: unknown } }).constructor?.name === 'ReusedHandle';
}

function init(asyncId: number, type: string, triggerAsyncId: number, resource: object): void {
  try {
    let scope = currentScope();
    let accepted = false;
    if (scope === undefined) {
      // A connection accepted by a server is created from C++ with no context: it belongs to
      // whoever owns the server.
      if (serverScopes.size === 0 || (scope = serverScopes.get(triggerAsyncId)) === undefined) return;
      accepted = true;
    }
    if (type === 'PROMISE') {
      if (scope.state === 'ended') onLatePromise(scope);
      else scope.promisesCreated++;
      return;
    }
    const kind = resourceKinds.get(type);
    if (kind === undefined) return;
    // The http Agent re-inits a keep-alive socket on every reuse with a ReusedHandle wrapper
    // that has no owner: such a record is dead from the start and never reported, so an open
    // scope skips it (and its ~12 us stack capture, once per request).
    if (scope.state !== 'ended' && isReusedHandle(resource)) return;
    const record: ResourceRecord = accepted ? { type, resource, kind, accepted } : { type, resource, kind };
    // An Immediate runs on the next turn, and exit drains a turn before judging: one still
    // alive then was created while the scope was closing (an immediate loop). So an open
    // scope skips the capture (~4 us, most of an Immediate's cost) for Immediates.
    if (type !== 'Immediate' || scope.state !== 'open') {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit =
        (kind.family === 'timer' ? TIMER_INTERNAL_FRAMES : HANDLE_INTERNAL_FRAMES) + scope.options.stackDepth;
      captureStack(record, init);
      Error.stackTraceLimit = limit;
    }
    if (scope.state === 'ended') {
      onLateResource(scope, record);
      return;
    }
    if (serverTypes.has(type)) serverScopes.set(asyncId, scope);
    scope.add(record);
  } catch (error) {
    recordInternalError(`async hook init (${type})`, error);
  }
}

/** Forgets the server handles of a scope that ended. */
export function forgetServers(scope: Scope): void {
  if (serverScopes.size === 0) return;
  for (const [id, owner] of serverScopes) if (owner === scope) serverScopes.delete(id);
}

/** Installs the resource hook once. `trackPromises: false` keeps Node >= 24.14 cheap. */
export function installResourceHook(): void {
  if (installed.hook !== undefined) return;
  installListenSites();
  enableClientInstrumentation();
  const options = { init, trackPromises: false } as Parameters<typeof createHook>[0];
  installed.hook = createHook(options).enable();
}

/** Whether the hook is installed (it is not in `off` mode). */
export function resourceHookInstalled(): boolean {
  return installed.hook !== undefined;
}

