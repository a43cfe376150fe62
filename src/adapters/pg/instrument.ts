import { claimClient } from '../clients/claim-client';
import { adopt, clientContextOfScope, markProcessOwned, ownershipOf, runAsClient, noteCreation, noteUserClose, type ClientKind } from '../clients/client-context';
import { bindTrailingCallback } from '../clients/bind-callback';
import { isPatched, patchMethod, patchProperty } from '../clients/patch-method';
import { currentScope } from '../../tracker/current-scope';
import { recordInternalError } from '../../context/internal-errors';
import { describePgClient, describePgPool } from './describe';

/** Set on the classes once patched: what a test (or a user) can read to see pg instrumented. */
const PATCHED = Symbol.for('async-isolation.pg-patched.v1');
const PG_FRAMES = /node_modules[\\/](?:pg|pg-pool)[\\/]/;
const CLIENT_GRACEFUL_MS = 1000;
const POOL_GRACEFUL_MS = 2000;

const clientKind: ClientKind = {
  label: 'pg.Client',
  describe: describePgClient,
  closeMethod: 'end()',
  close: (client) => client.end(),
  gracefulMs: CLIENT_GRACEFUL_MS,
  libraryFrames: PG_FRAMES,
};

/**
 * `pool.end()` waits for checked-out clients to be released: they are released with an error
 * first (which ends them), and their `release` made harmless for the test's late call.
 */
function endPool(pool: any): unknown {
  const idle = new Set((pool._idle ?? []).map((item: any) => item.client));
  for (const client of [...(pool._clients ?? [])]) {
    if (idle.has(client) || typeof client.release !== 'function') continue;
    const release = client.release;
    client.release = () => {};
    release.call(client, new Error('closed by async-isolation: the pool leaked'));
  }
  return pool.ending ? undefined : pool.end();
}

const poolKind: ClientKind = {
  label: 'pg.Pool',
  describe: describePgPool,
  closeMethod: 'pool.end()',
  close: endPool,
  gracefulMs: POOL_GRACEFUL_MS,
  libraryFrames: PG_FRAMES,
  adoptsClients: true,
};

/** Runs a Client or Pool method where its work belongs, the user's callback where the user is. */
function asClient(original: Function): Function {
  return function clientMethod(this: object, ...args: unknown[]) {
    const bound = bindTrailingCallback(args);
    return runAsClient(this, () => original.apply(this, bound));
  };
}

function closing(original: Function): Function {
  return function end(this: object, ...args: unknown[]) {
    const bound = bindTrailingCallback(args);
    const result = runAsClient(this, () => original.apply(this, bound));
    noteUserClose(this, result ?? Promise.resolve());
    return result;
  };
}

/**
 * A client's owner is the scope that connects it. Connected inside a pool's work, it is one of
 * the pool's connections; connected outside every scope, it belongs to the process.
 */
function connecting(original: Function): Function {
  return function connect(this: object, ...args: unknown[]) {
    const bound = bindTrailingCallback(args);
    try {
      const running = clientContextOfScope(currentScope());
      if (running?.kind.adoptsClients) adopt(this, running);
      else claimClient(this, clientKind, connect);
    } catch (error) {
      recordInternalError('instrumenting pg Client.connect', error);
    }
    return runAsClient(this, () => original.apply(this, bound));
  };
}

/** Records where a client is created: its leak points there, and at its connect(). */
function onClientConstructed(client: object, above: Function): void {
  try {
    noteCreation(client, above);
  } catch (error) {
    recordInternalError('instrumenting a new pg Client', error);
  }
}

/** Patches pg's Client class (pg/lib/client.js) in place: every copy's instances, old and new. */
export function patchPgClient(Client: unknown): void {
  const proto = (Client as { prototype?: any } | undefined)?.prototype;
  if (typeof Client !== 'function' || !proto || isPatched(proto, 'connect') || typeof proto.connect !== 'function') return;
  watchConstruction(proto, 'connectionParameters', onClientConstructed);
  patchMethod(proto, 'connect', connecting);
  patchMethod(proto, 'query', asClient);
  patchMethod(proto, 'end', closing);
  Object.defineProperty(proto, PATCHED, { value: true });
}

/** Registers a pool at its construction: its owner is the scope that creates it. */
function onPoolConstructed(pool: object, above: Function): void {
  try {
    if (claimClient(pool, poolKind, above) === undefined) markProcessOwned(pool);
  } catch (error) {
    recordInternalError('instrumenting a pg Pool', error);
  }
}

/**
 * pg's constructors cannot be wrapped for a copy loaded before us (nor for a class someone
 * already holds), but the first own assignment of `property` in the constructor is the moment
 * of construction: an accessor on the prototype catches it once per instance, then steps aside
 * for an own property.
 */
function watchConstruction(proto: any, property: string, onConstructed: (instance: object, above: Function) => void): void {
  patchProperty(proto, property, {
    configurable: true,
    enumerable: false,
    get: () => undefined,
    set: function constructed(this: object, value: unknown) {
      Object.defineProperty(this, property, { value, writable: true, enumerable: true, configurable: true });
      onConstructed(this, constructed);
    },
  });
}

/**
 * Pools never registered (created before instrumentation) are treated as the process's: their
 * lazily opened connections are nobody's test's.
 */
function ownedByProcessIfUnknown(make: (original: Function) => Function): (original: Function) => Function {
  return (original) => {
    const wrapped = make(original);
    return function poolMethod(this: object, ...args: unknown[]) {
      if (ownershipOf(this) === undefined) markProcessOwned(this);
      return wrapped.apply(this, args);
    };
  };
}

/** Patches pg-pool's Pool class in place (pg's `Pool` extends it). */
export function patchPgPool(Pool: unknown): void {
  const proto = (Pool as { prototype?: any } | undefined)?.prototype;
  if (typeof Pool !== 'function' || !proto || isPatched(proto, '_release') || typeof proto._release !== 'function') return;
  watchConstruction(proto, '_clients', onPoolConstructed);
  patchMethod(proto, 'connect', ownedByProcessIfUnknown(asClient));
  patchMethod(proto, 'query', ownedByProcessIfUnknown(asClient));
  // A checked-out client's release() lands here: the idle timer it starts is the pool's.
  patchMethod(proto, '_release', (original) =>
    function _release(this: object, ...args: unknown[]) {
      return runAsClient(this, () => original.apply(this, args));
    },
  );
  patchMethod(proto, 'end', ownedByProcessIfUnknown(closing));
  Object.defineProperty(proto, PATCHED, { value: true });
}

/** Patches a loaded `pg` module (its index exports): its Client and the Pool it extends. */
export function patchPgModule(pg: unknown): void {
  const exports = pg as { Client?: unknown; Pool?: { prototype?: object } } | undefined;
  if (!exports || typeof exports !== 'object') return;
  patchPgClient(exports.Client);
  const boundPool = exports.Pool?.prototype;
  if (boundPool) patchPgPool(Object.getPrototypeOf(boundPool)?.constructor);
}
