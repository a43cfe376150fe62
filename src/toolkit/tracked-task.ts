import { captureStack } from '../context/stack';
import { realTimers } from '../tracker/real-timers';
import { IsolationUsageError, describeValue } from '../tracker/errors';
import type { ResourceKind } from '../tracker/resource-kinds';
import { assertOpen, type ResourceRecord, type Scope } from '../tracker/scope';
import { checkName, checkOptions } from './options';
import { requireScope } from './require-scope';
import { addExitSteps } from '../tracker/exit-steps';

/** The async_hooks-like type under which a task that ignored its cancellation is reported. */
export const TASK_TYPE = 'Task';

/** A promise that can be cancelled (p-cancelable, or any thenable with a `cancel()` method). */
export type CancellablePromise<T> = PromiseLike<T> & { cancel(reason?: unknown): unknown };

/** What {@link trackTask} accepts. */
export type Task<T> =
  | ((signal: AbortSignal) => T | PromiseLike<T>)
  | CancellablePromise<T>
  | AbortController;

/** Options of {@link trackTask}. */
export interface TaskOptions {
  /** Shown in reports; default the function's name, else `task`. */
  name?: string;
}

/** A tracked background task: the task's own promise, plus `cancel()`. */
export type TrackedTask<T> = Promise<T> & {
  /** Cancels the task now (its scope's exit does it otherwise). */
  cancel(): void;
  /** The name it is reported under. */
  readonly taskName: string;
};

interface TaskState {
  readonly name: string;
  settled: boolean;
  cancelledAt: number | undefined;
  readonly requestCancel: () => void;
}

const taskKind: ResourceKind = {
  family: 'task',
  liveness: (t: TaskState) => (t.settled ? 'dead' : t.cancelledAt !== undefined ? 'closing' : 'alive'),
  isRefed: () => true,
  describe: (t: TaskState) =>
    `background task "${t.name}"${t.cancelledAt !== undefined ? ' ignored its cancellation' : ''}`,
  cancel: (t: TaskState) => {
    if (t.cancelledAt === undefined) {
      t.requestCancel();
      return 'cancelled';
    }
    const waited = Math.round(realTimers.now() - t.cancelledAt);
    throw new Error(`still running ${waited} ms after it was cancelled: make it stop when its AbortSignal aborts`);
  },
  subject: (t: TaskState) => t,
};

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function isAbortController(value: unknown): value is AbortController {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as AbortController).abort === 'function' &&
    (value as AbortController).signal instanceof AbortSignal
  );
}

function isCancellable(value: unknown): value is CancellablePromise<unknown> {
  return isThenable(value) && typeof (value as CancellablePromise<unknown>).cancel === 'function';
}

/** Turns what the task gave us into a way to cancel it and a promise that settles when it ends. */
function startTask(
  task: unknown,
  where: string,
): { done: PromiseLike<unknown> | undefined; cancel: () => void; defaultName: string } {
  if (typeof task === 'function') {
    const controller = new AbortController();
    const result: unknown = task(controller.signal);
    const inner = describeResult(result);
    return {
      done: inner.done,
      cancel: () => {
        controller.abort(new Error(`task "${task.name || 'task'}" was cancelled`));
        inner.cancel();
      },
      defaultName: task.name || 'task',
    };
  }
  if (isAbortController(task) || isCancellable(task)) return { ...describeResult(task), defaultName: 'task' };
  throw new IsolationUsageError(
    `${where}: task must be a function (signal) => promise, a promise with a cancel() method, or an AbortController, got ${
      isThenable(task) ? 'a promise without cancel(): pass (signal) => ... so it can be cancelled' : describeValue(task)
    }`,
  );
}

function describeResult(result: unknown): { done: PromiseLike<unknown> | undefined; cancel: () => void } {
  if (isAbortController(result)) {
    const signal = result.signal;
    const done = signal.aborted
      ? undefined
      : new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    return { done, cancel: () => result.abort() };
  }
  if (isCancellable(result)) return { done: result, cancel: () => void result.cancel() };
  return { done: isThenable(result) ? result : undefined, cancel: () => {} };
}

/** {@link trackTask} on a given scope. */
export function trackTaskIn<T>(scope: Scope, task: Task<T>, options?: TaskOptions): TrackedTask<T> {
  const where = 'trackTask(task, options)';
  const given = checkOptions(where, options, ['name']);
  if (given.name !== undefined) checkName(where, given.name);
  assertOpen(scope, 'trackTask()');
  const started = startTask(task, where);
  const name = (given.name as string | undefined) ?? started.defaultName;
  const state: TaskState = {
    name,
    settled: started.done === undefined,
    cancelledAt: undefined,
    requestCancel: () => {
      if (state.settled || state.cancelledAt !== undefined) return;
      state.cancelledAt = realTimers.now();
      started.cancel();
    },
  };
  const tracked = Promise.resolve(started.done).then(
    (value) => {
      state.settled = true;
      return value;
    },
    (error: unknown) => {
      state.settled = true;
      // A rejection caused by the cancellation is the expected way to stop: not an error.
      if (state.cancelledAt !== undefined) return undefined;
      throw error;
    },
  ) as TrackedTask<T>;
  Object.defineProperties(tracked, {
    cancel: { value: state.requestCancel },
    taskName: { value: name },
  });
  if (!state.settled) {
    const record = { type: TASK_TYPE, resource: state, kind: taskKind } as ResourceRecord;
    captureStack(record as { stack?: string }, trackTaskIn);
    scope.add(record);
    addExitSteps(scope, [[`cancelling task "${name}"`, state.requestCancel]]);
  }
  return tracked;
}

/**
 * Tracks a background task of the running test: at the test's end it is cancelled, and if it
 * is still running once the scope's settle time passed (it ignored the cancellation), it is
 * reported as a leak with the place it was tracked. A task is one of:
 * - `(signal) => promise`: called at once with an AbortSignal that aborts at cancellation;
 * - a promise with a `cancel()` method;
 * - an AbortController (aborted at cancellation).
 *
 * Returns the task's promise (resolving `undefined` if it rejects because it was cancelled) with
 * a `cancel()` method.
 */
export function trackTask<T>(task: Task<T>, options?: TaskOptions): TrackedTask<T> {
  return trackTaskIn(requireScope('trackTask()'), task, options);
}
