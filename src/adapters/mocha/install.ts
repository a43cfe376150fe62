import { runInScope, runInternal } from '../../context/context';
import { currentScope } from '../../tracker/current-scope';
import { recordInternalError } from '../../context/internal-errors';
import { reactToOutlived } from '../../tracker/outlived';
import { flushPart } from '../../tracker/report-file';
import type { Scope } from '../../tracker/scope';
import { notify, notifyReport } from '../warn';
import { judge } from '../judge';
import { addNote } from '../earlier-note';
import { watchForStillRunning } from '../still-running';
import { findMocha, type MochaClasses } from './mocha-classes';
import { openSuiteScope, openTestScope, outcomeOf, scopeForRunnable, testOfScope } from './scopes';
import { realTimers } from '../../tracker/real-timers';

const IS_WORKER = /[\\/]mocha[\\/]lib[\\/]nodejs[\\/]worker\.c?js$/.test(process.argv[1] ?? '');
const PATCHED = Symbol.for('async-isolation.mocha-patched');

/**
 * Events of a test held back until its afterEach hooks ran and its leaks were judged: a pass
 * its leaks may still fail, a failure that may still be told what earlier tests left running.
 */
const heldEvents = new WeakMap<object, Array<[string, unknown[]]>>();

/** Ends a test's scope after its afterEach hooks, then releases or replaces its held events. */
async function finishTest(runner: any, test: any, scope: Scope): Promise<void> {
  const name = test.fullTitle();
  const { report, error, note } = await judge(scope, { subject: 'test', name });
  const held = heldEvents.get(test) ?? [];
  heldEvents.delete(test);
  if (note !== undefined) for (const [event, args] of held) if (event === 'fail') addNote(args[1], note);
  // A held pass may have been failed since, by an error its callbacks threw while it was judged.
  const passed = held.length > 0 && test.state === 'passed';
  if (error && passed) runner.fail(test, error);
  else if (error) notifyReport(name, report, `test ${outcomeOf(test)}; its leaks were cancelled`);
  for (const [event, args] of held) if (event !== 'pass' || (passed && !error)) runner.emit(event, ...args);
}

async function finishSuite(runner: any, suite: any, scope: Scope, Hook: MochaClasses['Hook']): Promise<void> {
  const { error } = await judge(scope, {
    subject: 'suite',
    name: `suite "${suite.fullTitle() || 'root suite'}"`,
    listed: (report) => !suite.root || report.leaks.length + report.unref.length + report.state.changes.length > 0,
  });
  if (error === undefined) return;
  const hook = new Hook('"after all" hook: async-isolation leak check', () => {});
  hook.parent = suite;
  hook.file = suite.file;
  runner.fail(hook, error);
}

/** Runs `next` on a fresh tick outside every scope, so Mocha's own work belongs to no test. */
function resume(next: () => void): void {
  runInternal(() => realTimers.nextTick(next));
}

function patchRunnable(Runnable: MochaClasses['Runnable']): void {
  const originalRun = Runnable.prototype.run;
  Runnable.prototype.run = function run(this: any, fn: (err?: unknown) => void) {
    let scope: Scope | undefined;
    try {
      scope = scopeForRunnable(this);
    } catch (error) {
      recordInternalError('finding the scope of a Mocha runnable', error);
    }
    const userFn = this.fn;
    if (scope === undefined || scope.state !== 'open' || typeof userFn !== 'function') {
      return originalRun.call(this, fn);
    }
    const owner = scope;
    // Only the user's function runs in the scope; Mocha's callbacks (`done`) leave it.
    this.fn = function scoped(this: unknown, ...args: unknown[]) {
      const mochaDone = args[0];
      if (typeof mochaDone === 'function') {
        args[0] = function done(this: unknown, ...doneArgs: unknown[]) {
          return runInternal(() => mochaDone.apply(this, doneArgs));
        };
      }
      return runInScope(owner, () => userFn.apply(this, args));
    };
    try {
      return originalRun.call(this, fn);
    } finally {
      this.fn = userFn;
    }
  };
}

function patchRunner(Runner: MochaClasses['Runner'], Hook: MochaClasses['Hook']): void {
  const proto = Runner.prototype;
  const originalEmit = proto.emit;
  proto.emit = function emit(this: any, event: string, ...args: unknown[]) {
    if (event === 'pass' || event === 'fail' || event === 'test end') {
      const test = args[0] as object;
      const held = heldEvents.get(test);
      if (held !== undefined) {
        held.push([event, args]);
        return true;
      }
      if (event !== 'test end' && openTestScope(test) !== undefined) {
        heldEvents.set(test, [[event, args]]);
        return true;
      }
    }
    if (event === 'start' || event === 'end') trackRun(this, event);
    if (event === 'end') {
      flushPart();
      if (!IS_WORKER) watchForStillRunning();
    }
    return originalEmit.call(this, event, ...args);
  };

  const originalHookUp = proto.hookUp;
  proto.hookUp = function hookUp(this: any, name: string, fn: (...args: unknown[]) => void) {
    const test = this.test;
    const scope = name === 'afterEach' && test ? openTestScope(test) : undefined;
    if (scope === undefined) return originalHookUp.call(this, name, fn);
    const runner = this;
    return originalHookUp.call(this, name, function afterEachDone(this: unknown, ...args: unknown[]) {
      finishTest(runner, test, scope)
        .catch((error) => recordInternalError('finishing a Mocha test', error))
        .then(() => resume(() => fn.apply(this, args)));
    });
  };

  const originalHook = proto.hook;
  proto.hook = function hook(this: any, name: string, fn: (...args: unknown[]) => void) {
    if (name !== 'afterAll') return originalHook.call(this, name, fn);
    const suite = this.suite;
    const runner = this;
    return originalHook.call(this, name, function afterAllDone(this: unknown, ...args: unknown[]) {
      const scope = openSuiteScope(suite);
      if (scope === undefined) return fn.apply(this, args);
      finishSuite(runner, suite, scope, Hook)
        .catch((error) => recordInternalError('finishing a Mocha suite', error))
        .then(() => resume(() => fn.apply(this, args)));
    });
  };
}

/** The runner of the run under way (set at its start): late failures are reported to it. */
let activeRunner: any;
/** Errors already attributed, so Mocha re-emitting a rejection does not fail a test twice. */
const attributed = new WeakSet<object>();

/**
 * The test whose callbacks threw after its body and hooks were done: while its scope is
 * closing (its leaks are being judged) or once it ended, the error is that test's.
 */
function lateCreator(runner: any): any {
  const scope = currentScope();
  const test = testOfScope(scope);
  if (test === undefined || runner.state === 'stopped') return undefined;
  if (scope!.state === 'closing') return test;
  return scope!.state === 'ended' && test !== runner.currentRunnable ? test : undefined;
}

function failLate(runner: any, test: any, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  attributed.add(error);
  notify(`an error was thrown by a callback of "${test.fullTitle()}" after that test finished; failing that test`);
  runner.fail(test, error);
}

/**
 * An error thrown by a callback of a test that already ended belongs to that test, not to
 * whichever runnable Mocha happens to be running (its default).
 */
function patchUncaught(Runner: MochaClasses['Runner']): void {
  const proto = Runner.prototype;
  const originalUncaught = proto._uncaught;
  if (typeof originalUncaught !== 'function') return;
  proto._uncaught = function uncaught(this: any, err: unknown) {
    let creator: any;
    try {
      creator = lateCreator(this);
    } catch (error) {
      recordInternalError('attributing an uncaught error', error);
    }
    // What Mocha does next (fail the runnable, move on) is the runner's work, not the test's.
    return runInternal(() => (creator === undefined ? originalUncaught.call(this, err) : failLate(this, creator, err)));
  };
}

/**
 * Mocha forwards a user's unhandled rejection to whatever else listens, and with no listener
 * it is lost. A rejection inside a test fails that test; one from a test that already ended
 * fails the test that left the continuation behind. Listening only while a run is under way.
 */
function onUnhandledRejection(reason: unknown): void {
  try {
    const runner = activeRunner;
    if (runner === undefined || (typeof reason === 'object' && reason !== null && attributed.has(reason))) return;
    const creator = lateCreator(runner);
    if (creator !== undefined) return failLate(runner, creator, reason);
    const scope = currentScope();
    const test = testOfScope(scope);
    if (scope?.state === 'open' && test === runner.currentRunnable && test !== undefined) {
      const error = reason instanceof Error ? reason : new Error(`unhandled rejection: ${String(reason)}`);
      attributed.add(error);
      runner.uncaught(error);
    }
  } catch (error) {
    recordInternalError('attributing an unhandled rejection', error);
  }
}

function trackRun(runner: any, event: string): void {
  if (event === 'start') {
    activeRunner = runner;
    process.on('unhandledRejection', onUnhandledRejection);
  } else if (event === 'end') {
    activeRunner = undefined;
    process.off('unhandledRejection', onUnhandledRejection);
  }
}

/** With `outlived: 'fail'`, outlived work (told on stderr by the core) also fails the test that left it. */
function failOnOutlived(): void {
  const failed = new WeakSet<object>();
  reactToOutlived((scope, work) => {
    const test = testOfScope(scope);
    const runner = activeRunner;
    if (scope.options.outlived !== 'fail' || test === undefined || failed.has(test)) return;
    if (runner === undefined || runner.state === 'stopped') return;
    failed.add(test);
    const where = work.stack ? '\n' + work.stack.replace(/^/gm, '    ') : '';
    const error = new Error(`async work outlived its test: ${work.type} ${work.description}${where}`);
    error.stack = `Error: ${error.message}`;
    runner.fail(test, error);
    // The JSON report, written later, then says the test failed because of its leaks.
    if (scope.report) scope.report.failed = true;
  });
}

/** Patches the running Mocha once. Returns false when no Mocha could be found. */
export function installMochaAdapter(): boolean {
  const mocha = findMocha();
  if (mocha === undefined) {
    notify('no Mocha found to patch: async-isolation/register is for `mocha --require`');
    return false;
  }
  const runnerProto = mocha.Runner.prototype;
  if (runnerProto[PATCHED]) return true;
  runnerProto[PATCHED] = true;
  patchRunnable(mocha.Runnable);
  patchRunner(mocha.Runner, mocha.Hook);
  patchUncaught(mocha.Runner);
  failOnOutlived();
  return true;
}

