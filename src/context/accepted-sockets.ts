import diagnosticsChannel = require('node:diagnostics_channel');
import { recordInternalError } from './internal-errors';
import { runInScope, type ContextOwner } from './context';

/** The handles of connections accepted by a scope's server, and that scope. */
const acceptedBy = new WeakMap<object, ContextOwner>();
let subscribed = false;

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

/**
 * Makes the events of an accepted socket run in its server's scope. Node creates the socket's
 * handle from C++ with no context, so its `data` and `end` callbacks otherwise run in none:
 * what they start (a timer, a reply) would belong to no test and keep the process alive.
 * Once the scope has ended, events run as they would without the library.
 */
function bindEvents(socket: { emit: Emit }, scope: ContextOwner): void {
  const emit = socket.emit;
  socket.emit = function emitInServerScope(this: unknown, ...args) {
    if (scope.state === 'ended') {
      if (socket.emit === emitInServerScope) socket.emit = emit;
      return Reflect.apply(emit, this, args);
    }
    return runInScope(scope, () => Reflect.apply(emit, this, args));
  } as Emit;
}

/** `net.server.socket`: published when a server has accepted a connection and made its Socket. */
function onServerSocket(message: unknown): void {
  try {
    const socket = (message as { socket?: { _handle?: object | null; emit: Emit } } | null)?.socket;
    const handle = socket?._handle;
    if (handle === undefined || handle === null) return;
    const scope = acceptedBy.get(handle);
    if (scope !== undefined && scope.state !== 'ended') bindEvents(socket as { emit: Emit }, scope);
  } catch (error) {
    recordInternalError('binding an accepted socket to its server’s scope', error);
  }
}

/** Remembers that `scope`'s server accepted the connection whose handle is `handle`. */
export function rememberAccepted(handle: object, scope: ContextOwner): void {
  acceptedBy.set(handle, scope);
}

/** Runs the events of sockets accepted by a scope's server in that scope (once per process). */
export function installAcceptedSockets(): void {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe('net.server.socket', onServerSocket);
}
