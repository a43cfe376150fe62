import { recordInternalError } from '../../context/internal-errors';
import { flushPart } from '../../tracker/report-file';
import type { Scope } from '../../tracker/scope';
import { notify } from '../warn';
import { isPending } from '../../tracker/lifecycle';
import { judge, type Verdict } from '../judge';
import { noteError } from '../earlier-note';
import { resolveVitestApi, workerConfig, type Task, type TestContextLike, type VitestApi } from './api';
import { keepRunnerTimeoutsInternal } from './runner-timers';
import { forgetTestScope, inTestScope, openTestScope, ownHook, scopeEachHooks } from './scopes';
import { errorMessage } from '../../tracker/text';

const INSTALLED = Symbol.for('async-isolation.vitest-installed');

/**
 * Ends a test's scope after all of its own code ran; the verdict's error fails the test when it
 * leaked. The test's own errors are already in its result: this one comes after them. A promise
 * only when the scope's exit has something to wait for.
 */
function finishTest(test: Task, scope: Scope): Verdict | Promise<Verdict> {
  forgetTestScope(test);
  return judge(scope, { subject: 'test', name: scope.name });
}

/** Its leaks fail the test; a test failed by itself is told after its own errors what earlier tests left running. */
function failWith({ error, note }: Verdict): void {
  if (error) throw error;
  if (note !== undefined) throw noteError(note);
}

let preparationFailed = false;

function startTest(api: VitestApi, prepareTest: ((test: Task) => void) | undefined, test: Task): Scope {
  try {
    scopeEachHooks(api, test);
    prepareTest?.(test);
  } catch (error) {
    // Never fail a test for the library's own trouble: say it once, and go on unscoped.
    if (!preparationFailed) {
      preparationFailed = true;
      notify(`cannot attribute Vitest hooks and tests to their tests: ${errorMessage(error)}`);
    }
    recordInternalError('preparing a Vitest test', error);
  }
  return openTestScope(test);
}

/** Vitest >= 4.1: one aroundEach, outermost (a setup file registers first), checks last. */
function installAroundEach(api: VitestApi, prepareTest: ((test: Task) => void) | undefined): void {
  api.aroundEach!(
    ownHook(async function asyncIsolation(runTest: () => Promise<void>, { task }: TestContextLike) {
      const scope = startTest(api, prepareTest, task);
      // The runner's own work between the test's functions (its task updates and their timers)
      // stays outside the scope: only hooks and the test body run in it.
      await runTest();
      const verdict = finishTest(task, scope);
      failWith(isPending(verdict) ? await verdict : verdict);
    }),
  );
}

/**
 * Vitest 3 (no aroundEach): the setup file's beforeEach runs first; the check is an
 * onTestFinished callback placed so that it runs after the test's own ones, which run after
 * every afterEach hook.
 */
function installBeforeEach(api: VitestApi, prepareTest: ((test: Task) => void) | undefined): void {
  const order = workerConfig()?.sequence?.hooks;
  api.beforeEach(
    ownHook(function asyncIsolation({ task }: TestContextLike) {
      const scope = startTest(api, prepareTest, task);
      const check = async () => failWith(await finishTest(task, scope));
      const callbacks: Array<() => unknown> = (task.onFinished ??= []);
      // "stack" (the default) runs them last first; "list" in order.
      if (order === 'list') callbacks.push(check);
      else callbacks.unshift(check);
    }),
  );
}

/** The part registered for each test file: the test hooks, and the report flush at its end. */
function registerFileHooks(api: VitestApi, prepareTest: ((test: Task) => void) | undefined): void {
  keepRunnerTimeoutsInternal();
  if (api.aroundEach) installAroundEach(api, prepareTest);
  else installBeforeEach(api, prepareTest);
  api.afterAll(
    ownHook(() => {
      try {
        flushPart();
      } catch (error) {
        recordInternalError('writing the Vitest report part', error);
      }
    }),
  );
}

function isolated(): boolean {
  const config = workerConfig();
  if (config === undefined) return true;
  if (config.isolate === false) return false;
  const pool = config.pool as string | undefined;
  return config.poolOptions?.[pool ?? '']?.isolate !== false;
}

/**
 * Installs the adapter in this Vitest worker. Node evaluates this module once per worker; with
 * `isolate: false` a worker runs several files, so the hooks are registered for each of them.
 * Returns false if it cannot install.
 */
export function installVitestAdapter(): boolean {
  const state = globalThis as Record<symbol, unknown>;
  if (state[INSTALLED] !== undefined) return true;
  const api = resolveVitestApi();
  if (api instanceof Error) {
    notify(`async-isolation/vitest is not active: ${api.message}`);
    return false;
  }
  let prepareTest: ((test: Task) => void) | undefined;
  try {
    prepareTest = api.aroundTestFunctions((test, run) => inTestScope(test, run));
  } catch (error) {
    notify(`async-isolation/vitest is not active: ${errorMessage(error)}`);
    return false;
  }
  state[INSTALLED] = true;
  registerFileHooks(api, prepareTest);
  const everyFile = api.forEveryLaterFile(() => registerFileHooks(api, prepareTest));
  if (!everyFile && !isolated()) {
    notify(
      'with isolate: false on this Vitest version only the first test file of each worker is checked for leaks; ' +
        'use Vitest >= 4.1 or keep isolate: true',
    );
  }
  return true;
}
