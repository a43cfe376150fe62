/**
 * What the tracker knows about each async_hooks resource type it reports: how to tell whether
 * the resource still lives, how to describe it to a person, and how to cancel it. Types absent
 * from the table (TickObject, requests, parsers, process-wide singletons) are never tracked.
 */

import fs = require('node:fs');
import path = require('node:path');
import { runInternal } from '../context/context';
import { watchedFile } from '../context/watch-file-name';
import { responseStarted } from '../context/http-requests';
import { realTimers } from './real-timers';

const SIGKILL_AFTER_MS = 2000;

/** `closing`: the resource's own close is under way (end() sent, kill() sent). */
export type Liveness = 'alive' | 'closing' | 'dead';

// The JS owner of a handle sits under an own symbol that Node names `owner_symbol`.
let ownerSymbol: symbol | undefined;

/** The JS object that owns a native handle (Socket, Server, ChildProcess...), if any. */
export function handleOwner(resource: object): any {
  if (ownerSymbol === undefined) {
    ownerSymbol = Object.getOwnPropertySymbols(resource).find((s) => s.description === 'owner_symbol');
    if (ownerSymbol === undefined) return undefined;
  }
  return (resource as any)[ownerSymbol];
}

export interface ResourceKind {
  /** `timer`, `socket`, `server`, `process`, `watcher`, `stream`: groups the report's hints. */
  readonly family: string;
  liveness(resource: any): Liveness;
  isRefed(resource: any): boolean;
  /**
   * Why a live, ref'd resource still keeps nothing alive (`no write pending`), if it does not:
   * it is then listed with the unref'd ones, never cancelled by default.
   */
  idle?(resource: any): string | undefined;
  /**
   * It runs on the next turn whatever is done (an immediate): a chain of them still running at
   * a scope's end is waited for, and one made after the scope ended is never stopped, since
   * stopping it would only break what it finishes.
   */
  readonly nextTurn?: true;
  describe(resource: any): string;
  /** Cancels the resource; returns what was done, e.g. `clearInterval`. */
  cancel(resource: any): string;
  /** The object a person would close (the Socket for a TCP handle). Leaks sharing one are reported once. */
  subject(resource: any): object;
}

function fnName(fn: unknown): string {
  return typeof fn === 'function' && fn.name ? fn.name : 'anonymous';
}

const timeout: ResourceKind = {
  family: 'timer',
  liveness: (t) => (t._destroyed ? 'dead' : 'alive'),
  isRefed: (t) => t.hasRef(),
  describe: (t) => `${t._repeat ? 'setInterval' : 'setTimeout'}(${fnName(t._onTimeout)}, ${t._idleTimeout} ms)`,
  cancel: (t) => {
    const how = t._repeat ? 'clearInterval' : 'clearTimeout';
    realTimers.clearTimeout(t);
    return `cleared with ${how}`;
  },
  subject: (t) => t,
};

const immediate: ResourceKind = {
  family: 'timer',
  nextTurn: true,
  liveness: (i) => (i._destroyed ? 'dead' : 'alive'),
  isRefed: (i) => i.hasRef(),
  describe: (i) => `setImmediate(${fnName(i._onImmediate)})`,
  cancel: (i) => {
    realTimers.clearImmediate(i);
    return 'cleared with clearImmediate';
  },
  subject: (i) => i,
};

function handleIsOpen(resource: any): boolean {
  const owner = handleOwner(resource);
  return owner !== undefined && owner !== null && owner._handle === resource;
}

function refOf(resource: any): boolean {
  if (typeof resource.hasRef === 'function') return resource.hasRef();
  // A TLS socket's TLSWrap has no hasRef() of its own: the TCP handle under it holds the loop
  // or not (agents unref their idle keep-alive sockets).
  const parent = resource._parent;
  return typeof parent?.hasRef === 'function' ? parent.hasRef() : true;
}

function endpoint(address: unknown, port: unknown): string {
  if (typeof address !== 'string') return '?';
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function socketLiveness(resource: any): Liveness {
  const socket = handleOwner(resource);
  if (!socket || socket.destroyed || socket._handle !== resource) return 'dead';
  return socket.writableEnded ? 'closing' : 'alive';
}

function describeSocket(protocol: string, resource: any): string {
  const s = handleOwner(resource);
  if (!s) return `${protocol} socket`;
  if (protocol === 'pipe') return 'pipe socket';
  const local = endpoint(s.localAddress, s.localPort);
  const remote =
    s.remoteAddress !== undefined ? endpoint(s.remoteAddress, s.remotePort) : endpoint(s._host, s._port ?? '?');
  return `${protocol} socket ${local} -> ${remote}${s.connecting ? ' (connecting)' : ''}`;
}

// Windows handles report no descriptor at all: there every open socket counts.
const descriptorsVisible = process.platform !== 'win32';

/** A socket whose handle has no file descriptor yet (a custom `lookup` still running) holds nothing. */
function withoutDescriptor(resource: any): string | undefined {
  return descriptorsVisible && resource.fd === -1 ? 'no file descriptor yet' : undefined;
}

/**
 * A stream handle keeps the event loop alive only while it reads, writes or connects: a socket
 * paused by backpressure (a response body nobody reads) holds nothing. Not for TLS, whose
 * reading is driven from inside its native wrap.
 */
function paused(resource: any): string | undefined {
  if (resource.reading !== false || resource.writeQueueSize !== 0 || handleOwner(resource)?.connecting !== false) return undefined;
  return 'paused: not reading, nothing to write';
}

function socketKind(protocol: string): ResourceKind {
  return {
    family: 'socket',
    liveness: socketLiveness,
    isRefed: refOf,
    idle: protocol === 'TLS' ? withoutDescriptor : (r) => withoutDescriptor(r) ?? paused(r),
    describe: (r) => describeSocket(protocol, r),
    cancel: (r) => {
      handleOwner(r).destroy();
      return 'destroyed';
    },
    subject: (r) => handleOwner(r) ?? r,
  };
}

function describeServer(resource: any): string {
  const server = handleOwner(resource);
  let address: any;
  try {
    address = server?.address();
  } catch {
    address = undefined;
  }
  const kind = server && typeof server.closeAllConnections === 'function' ? 'HTTP' : 'TCP';
  if (address && typeof address === 'object') return `${kind} server listening on ${endpoint(address.address, address.port)}`;
  if (typeof address === 'string') return `server listening on ${address}`;
  return `${kind} server`;
}

const server: ResourceKind = {
  family: 'server',
  liveness: (r) => (handleIsOpen(r) ? 'alive' : 'dead'),
  isRefed: refOf,
  describe: describeServer,
  cancel: (r) => {
    const s = handleOwner(r);
    s.close();
    if (typeof s.closeAllConnections === 'function') s.closeAllConnections();
    return 'closed';
  },
  subject: (r) => handleOwner(r) ?? r,
};

const childProcess: ResourceKind = {
  family: 'process',
  liveness: (r) => {
    const child = handleOwner(r);
    if (!child || child.exitCode !== null || child.signalCode !== null || child._handle !== r) return 'dead';
    return child.killed ? 'closing' : 'alive';
  },
  isRefed: refOf,
  describe: (r) => {
    const child = handleOwner(r);
    // The program's own name, not its path: the arguments are what tell processes apart.
    const [program, ...args]: string[] = Array.isArray(child?.spawnargs) ? child.spawnargs : [];
    const command = program === undefined ? '' : [program.split(/[\\/]/).pop(), ...args].join(' ');
    const short = command.length > 80 ? command.slice(0, 77) + '...' : command;
    return `child process pid ${child?.pid ?? '?'}: ${short}`;
  },
  cancel: (r) => {
    const child = handleOwner(r);
    child.kill('SIGTERM');
    // A child that ignores SIGTERM must not outlive the run.
    runInternal(() =>
      realTimers.setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, SIGKILL_AFTER_MS).unref(),
    );
    return 'killed (SIGTERM)';
  },
  subject: (r) => handleOwner(r) ?? r,
};

function closingByOwner(family: string, label: (r: any) => string, close: (owner: any) => string): ResourceKind {
  return {
    family,
    liveness: (r) => (handleIsOpen(r) ? 'alive' : 'dead'),
    isRefed: refOf,
    describe: label,
    cancel: (r) => close(handleOwner(r)),
    subject: (r) => handleOwner(r) ?? r,
  };
}

// dgram hides its handle behind a state symbol (its _handle getter is deprecated).
function udpState(socket: any): any {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  return key ? socket[key] : undefined;
}

const udp: ResourceKind = {
  family: 'socket',
  liveness: (r) => {
    const socket = handleOwner(r);
    return socket && udpState(socket)?.handle === r ? 'alive' : 'dead';
  },
  isRefed: refOf,
  idle: withoutDescriptor,
  describe: (r) => {
    let where = '';
    try {
      const a = handleOwner(r).address();
      where = ` ${endpoint(a.address, a.port)}`;
    } catch {
      // not bound yet
    }
    return `UDP socket${where}`;
  },
  cancel: (r) => {
    handleOwner(r).close();
    return 'closed';
  },
  subject: (r) => handleOwner(r) ?? r,
};

/** A handle with no JS owner: alive while it holds the event loop (`hasRef()`). */
function selfOwned(family: string, label: (r: any) => string, stop: (r: any) => string): ResourceKind {
  return {
    family,
    liveness: (r) => (typeof r.hasRef === 'function' && r.hasRef() === true ? 'alive' : 'dead'),
    isRefed: () => true,
    describe: label,
    cancel: stop,
    subject: (r) => r,
  };
}

const workerThread = selfOwned(
  'worker',
  (r) => `worker thread ${r.threadId ?? '?'}`,
  (r) => {
    r.stopThread();
    return 'terminated';
  },
);

// Unref'd ports (Node's own, a worker's internal ones) never hold the process: only ports that
// listen for messages are judged.
const messagePort = selfOwned(
  'port',
  () => 'MessagePort listening for messages',
  (r) => {
    r.close();
    return 'closed';
  },
);

/** Types of HTTP client requests: not async_hooks resources, told by diagnostics channels. */
export const UNDICI_REQUEST = 'UndiciRequest';
export const CLIENT_REQUEST = 'ClientRequest';

const ABORTED = 'aborted by async-isolation: the test that made this request ended';

/**
 * An undici request lives until its response ends or it fails. Waiting for the response keeps
 * its connection reading; once the response has begun, its body is the caller's to read, and an
 * unread one keeps nothing alive (the connection pauses).
 */
const undiciRequest: ResourceKind = {
  family: 'request',
  liveness: (r) => (r.completed === true || r.aborted === true ? 'dead' : 'alive'),
  isRefed: () => true,
  idle: (r) => (responseStarted(r) ? 'response begun, body not read to its end' : undefined),
  describe: (r) => `HTTP request ${r.method} ${String(r.origin).replace(/\/$/, '')}${r.path} in flight`,
  cancel: (r) => {
    const error = new Error(ABORTED);
    // Connected: undici's own abort (fails the request, destroys its connection). Still queued:
    // failing it takes it off the queue (`onError` was renamed `onResponseError` in undici 8).
    if (typeof r.abort === 'function') r.abort(error);
    else if (typeof r.onResponseError === 'function') r.onResponseError(error);
    else r.onError(error);
    return 'aborted';
  },
  subject: (r) => r,
};

function describeClientRequest(r: any): string {
  let host: unknown;
  try {
    host = r.getHeader('host');
  } catch {
    host = undefined;
  }
  return `HTTP request ${r.method} ${r.protocol}//${typeof host === 'string' ? host : r.host}${r.path} in flight`;
}

/**
 * A request holds the process open only through its socket: one with no socket yet (a custom
 * agent that never assigns one, or waiting for a pooled one) or whose socket has no file
 * descriptor yet (a lookup still running) holds nothing.
 */
function clientRequestIdle(r: any): string | undefined {
  if (r.res) return 'response begun, body not read to its end';
  if (!r.socket) return 'no socket yet';
  const handle = r.socket._handle;
  return handle ? withoutDescriptor(handle) : undefined;
}

/**
 * A node:http ClientRequest lives until its response ends (a keep-alive request is then
 * destroyed) or its socket goes. Like an undici request, one whose response has begun leaves
 * the body to the caller.
 */
const clientRequest: ResourceKind = {
  family: 'request',
  liveness: (r) => (r.destroyed === true || r.socket?.destroyed === true ? 'dead' : 'alive'),
  isRefed: () => true,
  idle: clientRequestIdle,
  describe: describeClientRequest,
  cancel: (r) => {
    r.destroy();
    return 'destroyed';
  },
  subject: (r) => r,
};

/** The reported types, by async_hooks type name. */
export const resourceKinds: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ['Timeout', timeout],
  ['Immediate', immediate],
  ['TCPWRAP', socketKind('TCP')],
  ['TLSWRAP', socketKind('TLS')],
  ['PIPEWRAP', socketKind('pipe')],
  ['TCPSERVERWRAP', server],
  ['PIPESERVERWRAP', server],
  ['UDPWRAP', udp],
  ['PROCESSWRAP', childProcess],
  [
    'FSEVENTWRAP',
    closingByOwner('watcher', () => 'fs.watch() watcher', (w) => {
      w.close();
      return 'closed';
    }),
  ],
  [
    'STATWATCHER',
    closingByOwner(
      'watcher',
      (r) => {
        const file = watchedFile(handleOwner(r) ?? {});
        return file === undefined ? 'fs.watchFile() watcher' : `fs.watchFile(${path.relative(process.cwd(), String(file))}) watcher`;
      },
      (w) => {
        const file = watchedFile(w);
        if (file === undefined) {
          w.stop();
          return 'stopped';
        }
        fs.unwatchFile(file);
        return 'stopped with fs.unwatchFile';
      },
    ),
  ],
  ['WORKER', workerThread],
  [UNDICI_REQUEST, undiciRequest],
  [CLIENT_REQUEST, clientRequest],
  ['MESSAGEPORT', messagePort],
  [
    'ZLIB',
    {
      ...closingByOwner('stream', (r) => `zlib ${handleOwner(r)?.constructor?.name ?? ''} stream`.replace('  ', ' '), (z) => {
        z.close();
        return 'closed';
      }),
      // Only a write being compressed holds the event loop (a threadpool task): the exit waits
      // for it like for a close under way.
      liveness: (r) => (!handleIsOpen(r) ? 'dead' : handleOwner(r).writableLength > 0 ? 'closing' : 'alive'),
      idle: (r) => (handleOwner(r)?.writableLength === 0 ? 'no write pending' : undefined),
    },
  ],
]);

/** Server handle types: the sockets they accept belong to the server's owner. */
export const serverTypes: ReadonlySet<string> = new Set(['TCPSERVERWRAP', 'PIPESERVERWRAP']);
