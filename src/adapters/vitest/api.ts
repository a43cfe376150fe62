import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A Vitest task (test, suite or file), typed loosely: it is Vitest's runtime object. */
export type Task = any;
/** What `beforeEach`/`afterEach` hooks receive first: the test's context. */
export interface TestContextLike {
  task: Task;
}
type Hook = (...args: any[]) => unknown;

/**
 * The parts of the running Vitest the adapter uses, across Vitest 3, 4 and 5. Hooks are
 * registered through Vitest's own public functions; a suite's hook arrays and a test's
 * function are reached through the runner's utilities.
 */
export interface VitestApi {
  beforeEach(fn: (context: TestContextLike) => unknown): void;
  afterAll(fn: () => unknown): void;
  /** Vitest >= 4.1: wraps each test, after-hooks and onTestFinished callbacks included. */
  aroundEach: ((fn: (runTest: () => Promise<void>, context: TestContextLike) => Promise<void>) => void) | undefined;
  /** The suite's hook arrays (mutable), by hook name. */
  suiteHooks(suite: Task): Record<string, Hook[] | undefined> | undefined;
  /**
   * Makes every test function run through `around`. Returns what must be called for each test
   * before it runs (Vitest 3 replaces test functions one by one), or undefined.
   */
  aroundTestFunctions(around: (test: Task, run: () => unknown) => unknown): ((test: Task) => void) | undefined;
  /**
   * Calls `register` again for every later test file this worker collects (Node keeps one copy
   * of the setup module per worker, so with `isolate: false` it is not evaluated again).
   * Returns false when this Vitest offers no way to (Vitest 3).
   */
  forEveryLaterFile(register: () => void): boolean;
}

/** Set by Vitest in every worker before setup files run (it backs `import.meta.vitest`). */
function vitestIndex(): any {
  return (globalThis as any).__vitest_index__;
}

/** Whether this module runs inside a Vitest worker (not in the main process, e.g. as globalSetup). */
export function inVitestWorker(): boolean {
  return vitestIndex() !== undefined && (globalThis as any).__vitest_worker__ !== undefined;
}

/** The running worker's Vitest configuration (serialized), if any. */
export function workerConfig(): any {
  return (globalThis as any).__vitest_worker__?.config;
}

const RUNNER_FILE = /((?:file:\/\/)?[^\s()]*?[\\/]@vitest[\\/]runner[\\/])dist[\\/][^\s()]+\.js/;

/**
 * Vitest 3 (and 4.0): the `@vitest/runner` that is calling us now, found on the stack so that
 * it is the worker's own copy (a project can hold several Vitest versions).
 */
function loadCallingRunner(): any {
  const stack = new Error().stack ?? '';
  const match = RUNNER_FILE.exec(stack);
  if (match === null) throw new Error('no @vitest/runner frame on the stack of a Vitest hook');
  const dir = match[1]!.startsWith('file:') ? fileURLToPath(match[1]!) : match[1]!;
  return require(join(dir, 'dist', 'index.js'));
}

function withTestRunnerStatics(index: any, base: Pick<VitestApi, 'beforeEach' | 'afterAll' | 'aroundEach'>): VitestApi {
  const TestRunner = index.TestRunner;
  const getTestFn = TestRunner.getTestFn;
  return {
    ...base,
    suiteHooks: (suite) => TestRunner.getSuiteHooks(suite),
    aroundTestFunctions(around) {
      const proto = TestRunner.prototype;
      if (proto.runTask !== undefined) throw new Error('the Vitest runner already defines runTask');
      // What runTest does when the runner has no runTask, with the test function run through
      // `around`. (TestRunner.setTestFn cannot replace a test function: it is getTestFn.)
      proto.runTask = function runTask(test: Task) {
        const fn = getTestFn(test);
        if (typeof fn !== 'function') throw new Error('Test function is not found. Did you add it using `setFn`?');
        return around(test, () => fn());
      };
      return undefined;
    },
    forEveryLaterFile(register) {
      const proto = TestRunner.prototype;
      const importFile = proto.importFile;
      if (typeof importFile !== 'function') return false;
      const currentFile = (): object | undefined => TestRunner.getCurrentSuite?.()?.file;
      const seen = new WeakSet<object>();
      const first = currentFile();
      if (first) seen.add(first);
      // The first setup file of a test file is imported once its collector is in place.
      proto.importFile = function importFileWithIsolation(this: unknown, filepath: string, source: string) {
        const file = source === 'setup' ? currentFile() : undefined;
        if (file !== undefined && !seen.has(file)) {
          seen.add(file);
          register();
        }
        return importFile.call(this, filepath, source);
      };
      return true;
    },
  };
}

function withRunnerPackage(base: Pick<VitestApi, 'beforeEach' | 'afterAll' | 'aroundEach'>): VitestApi {
  let runner: any;
  // Loaded on first use, from inside a hook, where the calling runner is on the stack.
  const load = (): any => {
    runner ??= loadCallingRunner();
    if (typeof runner.getHooks !== 'function' || typeof runner.getFn !== 'function' || typeof runner.setFn !== 'function') {
      throw new Error('this Vitest has no getHooks/getFn/setFn in @vitest/runner');
    }
    return runner;
  };
  const replaced = new WeakSet<object>();
  return {
    ...base,
    suiteHooks: (suite) => load().getHooks(suite),
    aroundTestFunctions(around) {
      return (test) => {
        const { getFn, setFn } = load();
        const fn = getFn(test);
        if (typeof fn !== 'function' || replaced.has(fn)) return;
        const scoped = function scopedTest(this: unknown, ...args: unknown[]) {
          return around(test, () => fn.apply(this, args));
        };
        replaced.add(scoped);
        setFn(test, scoped);
      };
    },
    forEveryLaterFile: () => false,
  };
}

/** The running Vitest's API, or an Error saying why it cannot be used. */
export function resolveVitestApi(): VitestApi | Error {
  const index = vitestIndex();
  if (index === undefined || typeof index.beforeEach !== 'function') {
    return new Error('no running Vitest found: list async-isolation/vitest in `test.setupFiles` of the Vitest config');
  }
  const base = {
    beforeEach: index.beforeEach,
    afterAll: index.afterAll,
    aroundEach: typeof index.aroundEach === 'function' ? index.aroundEach : undefined,
  };
  // Vitest >= 4.1 exposes the runner utilities as statics of TestRunner (Vitest 5 no other way).
  if (typeof index.TestRunner?.getSuiteHooks === 'function' && typeof index.TestRunner?.getTestFn === 'function') {
    return withTestRunnerStatics(index, base);
  }
  return withRunnerPackage(base);
}
