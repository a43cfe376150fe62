import { runInScope, runInternal } from '../../context/context';
import { currentScope } from '../../tracker/current-scope';
import { processWide } from '../../context/process-wide';
import { captureStack, formatStack, type CapturedStack } from '../../context/stack';
import { createSideScope, type Scope } from '../../tracker/scope';
import { addExitCheck } from '../../tracker/exit-steps';

/** What the shared machinery needs to know about one kind of client (pg.Client, a kafkajs consumer...). */
export interface ClientKind<C extends object = any> {
  /** Names it in reports and cleanup errors, e.g. `pg.Client`. */
  readonly label: string;
  /** One line for a person: `pg.Client 127.0.0.1:5432/app (tests)`. */
  describe(client: C): string;
  /** The library's own close, e.g. `end()`: named in the report as what was done. */
  readonly closeMethod: string;
  /** Starts that close; the returned promise (if any) settles when it is done. */
  close(client: C): unknown;
  /** How long the library's own close may take before its sockets and timers are cancelled. */
  readonly gracefulMs: number;
  /** Frames from the library itself: dropped from the creation site. */
  readonly libraryFrames: RegExp;
  /** Whether clients connected inside this one's context are part of it (a pool's connections). */
  readonly adoptsClients?: boolean;
}

/**
 * A client object's own async context. Everything the client does (its sockets, timers, retries,
 * the callbacks they run) happens inside `scope`, a scope of its own that no test ever sees, so a
 * client is reported once, as itself, by the scope that owns it (`owner`), never as a pile of
 * sockets and intervals, and never by a test that merely used it.
 */
export class ClientContext<C extends object = any> {
  readonly scope: Scope;
  /** Set when the test closed the client itself: then it is not a leak. */
  closedByUser = false;
  /** The user's own close, while it may still be running. */
  userClose: PromiseLike<unknown> | undefined;
  /** An isolated fixture: closed at exit, never reported. */
  fixture = false;
  /** Set while the library closes it, so its own close does not count as the user's. */
  closingByLibrary = false;
  /** Where the context was opened: the client's connect(), or a pool's construction. */
  private readonly site: CapturedStack = {};
  /** Where the client object was created, when that was not where its context was opened. */
  private readonly created: CapturedStack | undefined;

  constructor(
    readonly client: C,
    readonly kind: ClientKind<C>,
    readonly owner: Scope,
    above: Function,
  ) {
    this.scope = createSideScope(owner, kind.label);
    captureSite(this.site, above, owner);
    this.created = creations.get(client);
  }

  /**
   * Where the client was created (`new pg.Client()`, `kafka.producer()`), user frames first,
   * then the line that connected it where that is another one.
   */
  creationSite(): string {
    const connected = this.userFrames(this.site);
    const created = this.created === undefined ? [] : this.userFrames(this.created);
    if (created.length === 0) return connected.join('\n');
    const connectLine = connected[0];
    if (connectLine !== undefined && connectLine !== created[0]) created.push(`connected ${connectLine}`);
    return created.join('\n');
  }

  private userFrames(site: CapturedStack): string[] {
    const depth = this.owner.options.stackDepth;
    return formatStack(site, depth + LIBRARY_FRAMES)
      .split('\n')
      .filter((frame) => frame !== '' && !this.kind.libraryFrames.test(frame))
      .slice(0, depth);
  }
}

/** Frames a client library may put between the user's call and the one the stack is taken in. */
const LIBRARY_FRAMES = 8;

function captureSite(site: CapturedStack, above: Function, owner: Scope): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = owner.options.stackDepth + LIBRARY_FRAMES;
  try {
    captureStack(site, above);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Where each client object a scope created was created, until its context opens. */
const creations = processWide('clients.creations', () => new WeakMap<object, CapturedStack>());

/**
 * Records where `client` is being created (the frames above `above`) when a scope, not another
 * client's own work (a pool opening a connection), creates it.
 */
export function noteCreation(client: object, above: Function): void {
  const scope = currentScope();
  if (scope === undefined || scope.state !== 'open' || clientContextOfScope(scope) !== undefined) return;
  const site: CapturedStack = {};
  captureSite(site, above, scope);
  creations.set(client, site);
}

/** A client connected (or a pool created) outside every scope: it belongs to the process. */
export const PROCESS_OWNED = 'process-owned';
export type Ownership = ClientContext | typeof PROCESS_OWNED;

/** Shared by every copy of the library (Jest loads one per test file). */
const ownership = processWide('clients.ownership', () => new WeakMap<object, Ownership>());
const contextByScope = processWide('clients.context-by-scope', () => new WeakMap<Scope, ClientContext>());

/** The context (or process ownership) of a client object, if it has one. */
export function ownershipOf(client: object): Ownership | undefined {
  return ownership.get(client);
}

/** The client whose context `scope` is, if it is one. */
export function clientContextOfScope(scope: Scope | undefined): ClientContext | undefined {
  return scope === undefined ? undefined : contextByScope.get(scope);
}

/**
 * Who owns a client created now: the running scope, or, when the running code is a client's
 * own work (an event handler, a consumer's message handler), that client's owner.
 */
export function owningScope(): Scope | undefined {
  const scope = currentScope();
  return clientContextOfScope(scope)?.owner ?? scope;
}

/** Marks `client` as part of another client's context (a pool's connection). */
export function adopt(client: object, parent: ClientContext): void {
  ownership.set(client, parent);
}

/** Marks `client` as owned by the process: its work belongs to no test. */
export function markProcessOwned(client: object): void {
  ownership.set(client, PROCESS_OWNED);
}

/**
 * Opens the context of `client`, owned by `owner`, and hands it to `owner` to be checked at its
 * exit by `check`, after every cleanup of the user's own (`defer`, `track`). Returns undefined
 * when `owner` is no longer open.
 */
export function openClientContext<C extends object>(
  client: C,
  kind: ClientKind<C>,
  owner: Scope,
  above: Function,
  check: (context: ClientContext<C>) => Promise<void>,
): ClientContext<C> | undefined {
  if (owner.state !== 'open') return undefined;
  const context = new ClientContext(client, kind, owner, above);
  contextByScope.set(context.scope, context);
  ownership.set(client, context);
  addExitCheck(owner, `closing tracked ${kind.label}`, () => check(context));
  return context;
}

/**
 * Runs one of the client's methods where its work belongs: in its context, outside every scope
 * when the process owns it, or as is when it has no context (never connected) or its owner
 * has ended (the client was closed with it; whatever the call does is the caller's).
 */
export function runAsClient<T>(client: object, fn: () => T): T {
  const owned = ownership.get(client);
  if (owned === undefined) return fn();
  if (owned === PROCESS_OWNED) return runInternal(fn);
  if (owned.scope.state !== 'open') return fn();
  return runInScope(owned.scope, fn);
}

/** Records that the user closed `client` (its `end()`/`disconnect()` returned `result`). */
export function noteUserClose(client: object, result: unknown): void {
  const owned = ownership.get(client);
  if (owned === undefined || owned === PROCESS_OWNED || owned.closingByLibrary) return;
  if (owned.client !== client) return;
  owned.closedByUser = true;
  if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
    owned.userClose = result as PromiseLike<unknown>;
  }
}

/** Makes the client an isolated fixture of its owner: closed at exit, never reported. */
export function markFixture(client: object): void {
  const owned = ownership.get(client);
  if (owned !== undefined && owned !== PROCESS_OWNED && owned.client === client) owned.fixture = true;
}
