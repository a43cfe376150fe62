import type { ResolvedOptions } from './config';
import type { Liveness, ResourceKind } from './resource-kinds';
import type { CapturedStack } from '../context/stack';
import type { Leak, LeakReport } from './report';
import { IsolationUsageError, describeValue } from './errors';
import type { EventCoordinator } from '../toolkit/event-coordinator';
import { eventsOf } from '../toolkit/scope-events';
import { trackTaskIn, type Task, type TaskOptions, type TrackedTask } from '../toolkit/tracked-task';
import { trackServiceIn, type ServiceOptions } from '../toolkit/tracked-service';
import { mockServiceIn, type MockControls, type MockMethod, type MockService, type OpenMockService } from '../toolkit/mock-service';
import { realTimers } from './real-timers';
import { currentOwner, runInScope } from '../context/context';
import { recordInternalErrorsIn } from '../context/internal-errors';
import type { StateBaseline, StateRealm } from './process-state';
import type { ScopeOwner } from './scope-owner';
import type { NotedWork } from './noted-work';

/** A resource the scope created, with its raw creation stack. */
export interface ResourceRecord extends CapturedStack {
  readonly type: string;
  readonly resource: object;
  readonly kind: ResourceKind;
  /** A connection a server of the scope accepted (it has no creation stack of its own). */
  readonly accepted?: boolean;
  /** The resource whose callback was running when this one was created, if it was tracked. */
  readonly creator?: ResourceRecord;
}

/** Whether a record's resource still lives. A liveness check that throws counts as alive. */
export function livenessOf(record: ResourceRecord): Liveness {
  try {
    return record.kind.liveness(record.resource);
  } catch {
    return 'alive';
  }
}

/** Whether a record's resource holds the process open; when that cannot be read, it counts as doing so. */
export function isRefedRecord(record: ResourceRecord): boolean {
  try {
    return record.kind.isRefed(record.resource);
  } catch {
    return true;
  }
}

/** Something handed to the scope with `track()`: closed at exit unless already closed. */
export interface TrackedObject {
  readonly name: string;
  readonly obj: object;
  readonly close: () => unknown;
}

/** Options of {@link Scope.track}. */
export interface TrackOptions<T> {
  /** Shown in reports; default the object's constructor name. */
  name?: string;
  /** How to close it; default its `close`/`end`/`destroy`/`disconnect`/`stop` method. */
  close?: (obj: T) => unknown;
}

export type ScopeState = 'open' | 'closing' | 'ended';

/** One step of a scope's exit: what it does (for the report, on failure) and the work. */
export type ExitStep = readonly [what: string, run: () => unknown];

/** Steps a layer above the tracker (the toolkit) added to one scope's exit (see exit-steps). */
export interface AddedExitSteps {
  /** Run before every group: what releases pending waits, so that what waits can finish. */
  readonly first: ExitStep[];
  /** Run last added first, like `scope.defer`. */
  readonly groups: ExitStep[][];
}

/** How a scope was entered with `enter()`. */
export interface ScopeEntry {
  /** Where the entering code ran before: what runs in the scope's context once it ended runs there. */
  readonly resumesIn: Scope | undefined;
  /** The synchronous stretch of code `enter()` was called in. */
  readonly run: object;
}

const COMPACT_MIN = 1024;
const COMPACT_KEEP_NEWEST = 64;
const CLOSE_METHODS = ['close', 'end', 'destroy', 'disconnect', 'stop', 'shutdown'] as const;
let nextId = 1;

/**
 * Everything created in one async context (a test, a suite, a `withIsolation` call). Created by
 * `enter()`; ended by `exit()`.
 */
export class Scope {
  readonly id = nextId++;
  readonly name: string;
  readonly parent: Scope | undefined;
  readonly options: ResolvedOptions;
  readonly startedAt = realTimers.now();
  state: ScopeState = 'open';
  /** Non-promise resources created so far (dead ones are pruned as the list grows). */
  records: ResourceRecord[] = [];
  promisesCreated = 0;
  /** Nested scopes still open. */
  readonly children = new Set<Scope>();
  readonly tracked: TrackedObject[] = [];
  readonly deferred: Array<() => unknown> = [];
  /** @internal checks of objects that own async resources of their own, run after every tracked object was closed. */
  readonly exitChecks: ExitStep[] = [];
  /** @internal steps the layers above added to the exit (see exit-steps); null once the exit took them. */
  addedExitSteps: AddedExitSteps | undefined | null;
  /**
   * Leaks found while the scope's tracked objects were closed, by objects that own async
   * resources of their own (a database client, a queue consumer): each stands for all of that
   * object's sockets and timers, which never appear apart. Added to the report as they are.
   */
  readonly ownedLeaks: Leak[] = [];
  /** Errors inside the library while the scope was open. */
  readonly internalErrors: string[] = [];
  /** Set by `allowLeaks()`. */
  allowed: string | undefined;
  /** Present once the scope has ended. */
  report: LeakReport | undefined;
  /** The exit under way (or done), once an exit that had to wait has begun. */
  ending: Promise<LeakReport> | undefined;
  /** @internal set by `enter()`; undefined for a scope whose code runs inside `run()`. */
  entry: ScopeEntry | undefined;
  /** @internal the test or suite a runner's adapter created the scope for; none for the API's own scopes. */
  readonly owner: ScopeOwner | undefined;
  /** @internal the globals whose state the scope's state check looks at (a Jest environment's, or Node's own). */
  readonly stateRealm: StateRealm;
  /** @internal what process-wide state the scope started from, when its state check is on. */
  stateBefore: StateBaseline | undefined;
  /** @internal work earlier scopes left that ran while this one was open (tests and suites an adapter runs). */
  earlierWork: NotedWork[] | undefined;
  /** Set by `assertNoLeaks()`: leaks fail the scope at exit whatever the mode. */
  requireLeakFree = false;
  private compactAt = COMPACT_MIN;
  private controller: AbortController | undefined;

  constructor(name: string, options: ResolvedOptions, parent: Scope | undefined, realm?: StateRealm, owner?: ScopeOwner) {
    this.name = name;
    this.owner = owner;
    this.options = options;
    this.parent = parent;
    this.stateRealm = realm ?? parent?.stateRealm ?? globalThis;
    parent?.children.add(this);
  }

  /** Aborted when the scope exits: hand it to anything that accepts an AbortSignal. */
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  /** @internal whether anyone asked for {@link signal} (its abort listeners then run at exit). */
  get signalRequested(): boolean {
    return this.controller !== undefined;
  }

  /** @internal aborts {@link signal} if anyone asked for it. */
  abortSignal(): void {
    this.controller?.abort(new Error(`scope "${this.name}" ended`));
  }

  /**
   * Hands `obj` to the scope: at exit it is closed, unless the test already closed it (its
   * close is then expected to be harmless to call again; give `close` to decide yourself).
   * Returns `obj`.
   */
  track<T extends object>(obj: T, options: TrackOptions<T> = {}): T {
    if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) {
      throw new IsolationUsageError(`scope.track(obj): obj must be an object, got ${describeValue(obj)}`);
    }
    if (options === null || typeof options !== 'object') {
      throw new IsolationUsageError(`scope.track(obj, options): options must be an object, got ${describeValue(options)}`);
    }
    if (options.close !== undefined && typeof options.close !== 'function') {
      throw new IsolationUsageError(`scope.track(obj, { close }): close must be a function, got ${describeValue(options.close)}`);
    }
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new IsolationUsageError(`scope.track(obj, { name }): name must be a string, got ${describeValue(options.name)}`);
    }
    const name = options.name ?? (obj as object).constructor?.name ?? 'object';
    let close: () => unknown;
    if (options.close) {
      const given = options.close;
      close = () => given(obj);
    } else {
      const method = CLOSE_METHODS.find((m) => typeof (obj as any)[m] === 'function');
      if (method === undefined) {
        throw new IsolationUsageError(
          `scope.track(${name}): it has no ${CLOSE_METHODS.join('/')} method; pass { close: (obj) => ... }`,
        );
      }
      close = () => (obj as any)[method]();
    }
    this.assertOpen('track');
    this.tracked.push({ name, obj, close });
    return obj;
  }

  /**
   * Runs `fn` with this scope as the owner of everything it, and what it causally spawns,
   * creates; its caller keeps its own context. Returns `fn`'s value.
   */
  run<T>(fn: () => T): T {
    if (typeof fn !== 'function') {
      throw new IsolationUsageError(`scope.run(fn): fn must be a function, got ${describeValue(fn)}`);
    }
    this.assertOpen('run');
    return runInScope(this, fn);
  }

  /** Runs `fn` at exit (last deferred first), before leaks are looked for. */
  defer(fn: () => unknown): void {
    if (typeof fn !== 'function') {
      throw new IsolationUsageError(`scope.defer(fn): fn must be a function, got ${describeValue(fn)}`);
    }
    this.assertOpen('defer');
    this.deferred.push(fn);
  }

  /** This scope's barriers (`createBarrier`, `signal`, `waitFor`): pending waits resolve `false` at exit. */
  get events(): EventCoordinator {
    return eventsOf(this);
  }

  /** `trackTask()` for this scope: the task is cancelled at exit, and reported if it ignores that. */
  trackTask<T>(task: Task<T>, options?: TaskOptions): TrackedTask<T> {
    return trackTaskIn(this, task, options);
  }

  /** `trackService()` for this scope: shut down and reset at exit. */
  trackService<S extends object>(service: S, name: string, options?: ServiceOptions<S>): S {
    return trackServiceIn(this, service, name, options);
  }

  /** `mockService()` for this scope: reset at exit. */
  mockService(name: string): OpenMockService;
  mockService<const K extends string>(name: string, shape: readonly K[]): { readonly [P in K]: MockMethod } & MockControls;
  mockService<Shape extends object>(name: string, shape: Shape): MockService<Shape>;
  mockService(name: string, shape?: unknown): MockControls {
    return mockServiceIn(this, name, shape);
  }

  /** Leaks of this scope are still cancelled and reported, but do not fail it. */
  allowLeaks(reason = 'allowed'): void {
    this.allowed = String(reason);
  }

  /** @internal called by the resource hook for each tracked resource created in the scope. */
  add(record: ResourceRecord): void {
    const records = this.records;
    records.push(record);
    if (records.length >= this.compactAt) this.compact();
  }

  private compact(): void {
    // The newest records may be handles still under construction (inside the hook, their
    // owner is not set yet, so they would look dead): only older ones are pruned.
    const settled = this.records.length - COMPACT_KEEP_NEWEST;
    const alive = this.records.filter((r, index) => index >= settled || livenessOf(r) !== 'dead');
    this.records = alive;
    this.compactAt = Math.max(COMPACT_MIN, alive.length * 2);
  }

  /** @internal drops what an ended scope no longer needs (cleanups, tracked objects, records). */
  release(): void {
    this.records = [];
    this.tracked.length = 0;
    this.deferred.length = 0;
    this.exitChecks.length = 0;
    this.ownedLeaks.length = 0;
    this.controller = undefined;
    this.earlierWork = undefined;
  }

  private assertOpen(what: string): void {
    assertOpen(this, `scope.${what}()`);
  }
}

/** Throws a usage error naming the call (`where`) unless `scope` is open. */
export function assertOpen(scope: Scope, where: string): void {
  if (scope.state !== 'open') {
    throw new IsolationUsageError(`${where}: scope "${scope.name}" has already ended`);
  }
}

/** The records of `scope` whose resources still live (or may: a liveness check that throws counts). */
export function liveRecordsOf(scope: Scope): ResourceRecord[] {
  return scope.records.filter((record) => livenessOf(record) !== 'dead');
}

/**
 * Adds leaks that objects owning async resources of their own (a database client, a queue
 * consumer) left in `scope`, found while its exit checked them: each stands for all of that
 * object's sockets and timers. They are reported with the scope's own leaks.
 */
export function addOwnedLeaks(scope: Scope, leaks: readonly Leak[]): void {
  scope.ownedLeaks.push(...leaks);
}

/**
 * A scope for the work one object does by itself (a client's sockets, timers and retries), seen
 * by no test: `beside`'s options, no parent, never entered nor exited, ended by
 * {@link endSideScope}. Made by `beside`'s own class: under Jest, that may be another copy of
 * the library's.
 */
export function createSideScope(beside: Scope, name: string): Scope {
  const SameScope = beside.constructor as typeof Scope;
  return new SameScope(name, beside.options, undefined);
}

/** Ends a side scope: whatever its object still starts from now on is outlived work, cancelled at once. */
export function endSideScope(scope: Scope): void {
  scope.state = 'ended';
  scope.records = [];
}

// An internal error recorded while a scope runs belongs in that scope's report too.
recordInternalErrorsIn((message) => {
  const scope = currentOwner() as Scope | undefined;
  if (scope !== undefined && scope.report === undefined) scope.internalErrors.push(message);
});
