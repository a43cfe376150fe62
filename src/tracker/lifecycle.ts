import { enterScope, runInScope, runInternal } from '../context/context';
import { currentScope } from './current-scope';
import { forgetServers, installResourceHook } from './resource-intake';
import { globalOptions, resolveOptions, type IsolationOptions } from './config';
import { IsolationUsageError, describeValue } from './errors';
import { findAndCancelLeaks } from './find-leaks';
import { recordInternalError } from '../context/internal-errors';
import { actedOn, formatReport, LeakError, type Leak, type LeakReport } from './report';
import { notify } from './notify';
import { livenessOf, Scope, type ExitStep } from './scope';
import { hasExitSteps, takeExitSteps } from './exit-steps';
import { settleScope } from './settle';
import { realTimers } from './real-timers';
import { waitBounded } from './bounded-wait';
import { synchronousRun } from './synchronous-run';
import { captureState, restoreState, type StateRealm } from './process-state';
import type { ScopeOwner } from './scope-owner';
import { earlierWorkOf, startRunning, stopRunning } from './earlier-work';
import { errorMessage } from './text';

function checkName(where: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new IsolationUsageError(`${where}: name must be a non-empty string, got ${describeValue(name)}`);
  }
  return name;
}

/**
 * Creates a scope without entering it: what runs inside `runInScope(scope, fn)` belongs to it.
 * Adapters use this, with the test or suite it is for; users call {@link openScope}, {@link enter}
 * or {@link withIsolation}.
 */
export function createScope(
  name: string,
  options?: IsolationOptions,
  parent = currentScope(),
  realm?: StateRealm,
  owner?: ScopeOwner,
): Scope {
  const scope = newScope(name, options, parent, realm, owner);
  // A test's or suite's, ended by its adapter: what earlier tests left is noted on it while it runs.
  if (owner !== undefined) startRunning(scope);
  return scope;
}

function newScope(
  name: string,
  options: IsolationOptions | undefined,
  parent: Scope | undefined,
  realm?: StateRealm,
  owner?: ScopeOwner,
): Scope {
  const resolved = resolveOptions('enter()', options, parent?.options ?? globalOptions());
  if (resolved.mode !== 'off') installResourceHook();
  const scope = new Scope(name, resolved, parent && parent.state === 'open' ? parent : undefined, realm, owner);
  if (resolved.mode !== 'off' && resolved.state !== 'off') startStateCheck(scope);
  return scope;
}

/** Takes the process-wide state the scope starts from; a failure only costs the check. */
function startStateCheck(scope: Scope): void {
  try {
    scope.stateBefore = captureState(scope, scope.stateRealm);
  } catch (error) {
    recordInternalError(`taking the state of scope "${scope.name}"`, error);
  }
}

/**
 * A scope of its own, not entered: only what runs inside `scope.run(fn)` belongs to it, until
 * {@link exit}. For a harness that runs a test's hooks and body at separate times; the code
 * calling it never joins the scope.
 */
export function openScope(name: string, options?: IsolationOptions): Scope {
  return createScope(checkName('openScope(name)', name), options);
}

/**
 * From here on, every resource created in this async context, and everything it causally
 * spawns, belongs to the returned scope, until {@link exit}. Concurrent scopes never see each
 * other's resources. Prefer {@link withIsolation} or {@link Scope.run} where a callback fits.
 */
export function enter(name: string, options?: IsolationOptions): Scope {
  checkName('enter(name)', name);
  const here = currentScope();
  const run = synchronousRun();
  // A scope entered earlier in this same stretch of code was entered by code that has already
  // returned here (two helpers started together, two hooks called back to back): this one
  // is its sibling, not its child, and resumes where that one will.
  const beside = here?.entry !== undefined && here.state === 'open' && here.entry.run === run;
  const scope = newScope(name, options, beside ? here.parent : here);
  scope.entry = { resumesIn: beside ? here.entry!.resumesIn : here, run };
  enterScope(scope);
  return scope;
}

function looksClosed(obj: any): boolean {
  return obj.destroyed === true || obj.closed === true || obj.ended === true || obj.listening === false;
}

/** Runs one cleanup, recording (never throwing) its failure; waits for it, bounded. */
async function runCleanup(what: string, fn: () => unknown, timeoutMs: number, errors: string[]): Promise<void> {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    errors.push(`${what}: ${errorMessage(error)}`);
    return;
  }
  const outcome = await waitBounded(result, timeoutMs);
  if (outcome === 'timeout') errors.push(`${what} did not finish within ${timeoutMs} ms`);
  else if (outcome !== undefined && outcome !== 'done') errors.push(`${what}: ${errorMessage(outcome.error)}`);
}

function* deferredFunctions(scope: Scope): Iterable<ExitStep> {
  for (const fn of scope.deferred.reverse()) yield [`scope.defer(${fn.name || 'fn'})`, fn];
}

/** Read one at a time: a tracked object an earlier cleanup closed is not closed again. */
function* trackedObjects(scope: Scope): Iterable<ExitStep> {
  for (const tracked of scope.tracked.reverse()) if (!looksClosed(tracked.obj)) yield [`closing tracked ${tracked.name}`, tracked.close];
}

/**
 * The cleanups of a scope's exit, in the order they run: its abort listeners, the steps the
 * layers above added (the toolkit's), its deferred functions and tracked objects (last first),
 * then the checks of objects that own async resources of their own (clients). Each phase is
 * read when it is reached.
 */
const CLEANUPS: ReadonlyArray<(scope: Scope) => Iterable<ExitStep>> = [
  (scope) => [['an abort listener of scope.signal', () => scope.abortSignal()]],
  takeExitSteps,
  deferredFunctions,
  trackedObjects,
  (scope) => scope.exitChecks,
];

async function runCleanups(scope: Scope, errors: string[]): Promise<void> {
  const ms = scope.options.cleanupTimeoutMs;
  for (const phase of CLEANUPS) for (const [what, run] of phase(scope)) await runCleanup(what, run, ms, errors);
}

function emptyReport(scope: Scope): LeakReport {
  return {
    name: scope.name,
    leaks: [],
    unref: [],
    promises: { created: 0 },
    outlived: [],
    cleanupErrors: [],
    internalErrors: [],
    state: { mode: scope.options.state, changes: [] },
    failed: false,
    mode: scope.options.mode,
    durationMs: 0,
  };
}

/** Puts back the process-wide state the scope changed, after every cleanup of its own. */
function endStateCheck(scope: Scope, report: LeakReport): void {
  const baseline = scope.stateBefore;
  if (baseline === undefined) return;
  scope.stateBefore = undefined;
  try {
    report.state.changes = restoreState(baseline);
  } catch (error) {
    recordInternalError(`restoring the state of scope "${scope.name}"`, error);
  }
}

async function finish(scope: Scope): Promise<LeakReport> {
  const report = emptyReport(scope);
  // Nested scopes still open end with their parent; their leaks are the parent's too.
  const nested: Leak[] = [];
  for (const child of [...scope.children]) {
    const childReport = await endScope(child);
    for (const leak of [...childReport.leaks, ...childReport.unref]) nested.push({ ...leak, scope: child.name });
  }
  // Cleanups the user asked for run in every mode; `off` only skips looking for leaks.
  await runCleanups(scope, report.cleanupErrors);
  if (scope.options.mode !== 'off') {
    await settleScope(scope);
    const found = findAndCancelLeaks(scope);
    for (const leak of nested) (leak.ref ? found.leaks : found.unref).push(leak);
    report.leaks = found.leaks;
    report.unref = found.unref;
  }
  return conclude(scope, report);
}

/** Completes the report once leaks are known, and marks the scope ended. */
function conclude(scope: Scope, report: LeakReport): LeakReport {
  report.promises.created = scope.promisesCreated;
  report.internalErrors = scope.internalErrors;
  report.allowed = scope.allowed;
  const earlier = earlierWorkOf(scope);
  if (earlier !== undefined) report.earlierWork = earlier;
  endStateCheck(scope, report);
  report.durationMs = realTimers.now() - scope.startedAt;
  const counted = report.leaks.length + (scope.options.unref === 'fail' ? report.unref.length : 0);
  report.failed =
    ((scope.options.mode === 'fail' || scope.requireLeakFree) && scope.allowed === undefined && counted > 0) ||
    (scope.options.state === 'fail' && report.state.changes.length > 0);
  // From here on, whatever the scope's callbacks create is outlived work.
  scope.state = 'ended';
  scope.report = report;
  forget(scope);
  return report;
}

/**
 * Whether the exit has nothing to run or wait for: no cleanup, no nested scope, nothing alive.
 * Most tests end so; {@link finish} would come to the same empty report after a few awaits.
 */
function endsAtOnce(scope: Scope): boolean {
  if (scope.children.size > 0 || scope.deferred.length > 0 || scope.tracked.length > 0 || scope.exitChecks.length > 0 || scope.ownedLeaks.length > 0) {
    return false;
  }
  if (scope.signalRequested || hasExitSteps(scope)) return false;
  for (const record of scope.records) if (livenessOf(record) !== 'dead') return false;
  return true;
}

/** Unlinks an ended scope from everything that would keep its contents alive. */
function forget(scope: Scope): void {
  stopRunning(scope);
  scope.release();
  scope.parent?.children.delete(scope);
  forgetServers(scope);
}

function checkScope(where: string, scope: unknown): Scope {
  if (!(scope instanceof Scope)) {
    throw new IsolationUsageError(`${where}: expected the Scope returned by enter(), got ${describeValue(scope)}`);
  }
  if (scope.state !== 'open') {
    throw new IsolationUsageError(`${where}: scope "${scope.name}" was already exited (exit called twice?)`);
  }
  return scope;
}

/**
 * Ends a scope: runs its cleanups, lets closes under way finish (bounded), then cancels and
 * reports what is still alive. Never rejects because of leaks; rejects with an
 * {@link IsolationUsageError} on misuse (not a scope, exited twice, exited from inside another
 * open scope).
 */
export function exit(scope: Scope): Promise<LeakReport> {
  try {
    const checked = checkScope('exit(scope)', scope);
    const running = currentScope();
    if (running !== undefined && running.state === 'open' && !isWithin(running, checked) && !isWithin(checked, running)) {
      throw new IsolationUsageError(
        `exit(scope): scope "${checked.name}" was exited from inside scope "${running.name}"; exit a scope from the code that entered it`,
      );
    }
    // Whatever the caller does next no longer belongs to the scope.
    if (running !== undefined && isWithin(running, checked)) enterScope(checked.entry ? checked.entry.resumesIn : checked.parent);
    return endScope(checked);
  } catch (error) {
    return Promise.reject(error);
  }
}

function isWithin(inner: Scope, outer: Scope): boolean {
  for (let s: Scope | undefined = inner; s !== undefined; s = s.parent) if (s === outer) return true;
  return false;
}

/**
 * Ends a scope with no checks on the caller's context: for adapters. Ending a scope that is
 * already ending (a parent took its nested scopes with it) returns that same exit.
 */
export function endScope(scope: Scope): Promise<LeakReport> {
  if (scope.ending === undefined) {
    // Ended at once by an adapter (endScopeNowOrLater) and asked again.
    if (scope.report !== undefined) return runInternal(() => Promise.resolve(scope.report as LeakReport));
    scope.state = 'closing';
    scope.ending = runInternal(() => finish(scope).catch((error: unknown) => failedExit(scope, error)));
  }
  return scope.ending;
}

/**
 * {@link endScope} for adapters, which reach the end of a test several turns or awaits after
 * its body returned: the report itself when the scope has nothing to clean up or wait for (most
 * tests; they then cost no promise and no extra turn), else the exit under way. `exit()` keeps
 * the full path: its caller may end a scope right after starting work in it.
 */
export function endScopeNowOrLater(scope: Scope): LeakReport | Promise<LeakReport> {
  if (scope.ending !== undefined) return scope.ending;
  if (scope.report !== undefined) return scope.report;
  try {
    if (endsAtOnce(scope)) {
      scope.state = 'closing';
      return conclude(scope, emptyReport(scope));
    }
  } catch (error) {
    return failedExit(scope, error);
  }
  return endScope(scope);
}

/**
 * Whether {@link endScopeNowOrLater} (or a verdict built on it) is still under way. A thenable
 * test, not `instanceof Promise`: an exit started by another copy of the library (Jest's test
 * file registry, a vm context) has another realm's Promise.
 */
export function isPending<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function failedExit(scope: Scope, error: unknown): LeakReport {
  recordInternalError(`exit of scope "${scope.name}"`, error);
  const report = emptyReport(scope);
  endStateCheck(scope, report);
  scope.state = 'ended';
  scope.report = report;
  forget(scope);
  return report;
}

/**
 * Runs `fn(scope)` in a new scope and returns its value. Throws `fn`'s own error if it threw
 * (leaks are still cancelled; when it leaked, the report is on `error.leakReport`), else a {@link LeakError}
 * when the scope leaked.
 */
export async function withIsolation<T>(
  name: string,
  fn: (scope: Scope) => T | Promise<T>,
  options?: IsolationOptions,
): Promise<T> {
  checkName('withIsolation(name, fn)', name);
  if (typeof fn !== 'function') {
    throw new IsolationUsageError(`withIsolation(name, fn): fn must be a function, got ${describeValue(fn)}`);
  }
  const scope = createScope(name, options);
  let result: T;
  try {
    result = await runInScope(scope, () => fn(scope));
  } catch (error) {
    const report = await endScope(scope);
    tellUnthrown(name, report, 'it threw');
    if (error !== null && typeof error === 'object' && report.leaks.length > 0) {
      try {
        Object.defineProperty(error, 'leakReport', { value: report, configurable: true });
      } catch {
        // A frozen error keeps its shape.
      }
    }
    throw error;
  }
  const report = await endScope(scope);
  if (report.failed) throw new LeakError(report, formatReport(report, `scope "${name}"`));
  tellUnthrown(name, report, 'not failing');
  return result;
}

/**
 * What a `withIsolation` scope cancelled, or failed to clean up, when no LeakError says it
 * (`warn` or `manual` mode, `allowLeaks()`, or `fn` threw its own error): told on stderr, since
 * its caller never sees the report.
 */
function tellUnthrown(name: string, report: LeakReport, why: string): void {
  if (report.leaks.length + report.cleanupErrors.length === 0 && !report.unref.some(actedOn)) return;
  notify(`scope "${name}" (${why}):\n${formatReport(report, 'it')}`);
}

/**
 * Leaks of the running test (scope) are still cancelled and reported, but do not fail it.
 * For a helper that knowingly leaves something behind; prefer fixing the leak.
 */
export function allowLeaks(reason?: string): void {
  const scope = currentScope();
  if (scope === undefined) {
    throw new IsolationUsageError('allowLeaks() was called outside any test or scope');
  }
  scope.allowLeaks(reason);
}

/**
 * Runs `fn` outside every scope: what it creates belongs to no test and is never reported.
 * For process-wide singletons a test happens to create first (a shared server, a cache).
 */
export function detached<T>(fn: () => T): T {
  if (typeof fn !== 'function') {
    throw new IsolationUsageError(`detached(fn): fn must be a function, got ${describeValue(fn)}`);
  }
  return runInternal(fn);
}
