import { IsolationUsageError, describeValue } from '../tracker/errors';
import { assertOpen, type Scope } from '../tracker/scope';
import { checkHook, checkName, checkOptions } from './options';
import { requireScope } from './require-scope';
import { addExitSteps, type ExitStep } from '../tracker/exit-steps';
import { captureState, restoreState } from './state-snapshot';

/** Options of {@link trackService}. */
export interface ServiceOptions<S> {
  /**
   * How to shut it down at exit; default its `close`/`shutdown`/`stop`/`disconnect`/`end`
   * method (none: nothing to shut down). `false`: leave it running (a service shared by tests).
   */
  close?: ((service: S) => unknown) | false;
  /**
   * How to reset its state at exit; default: restore the own enumerable state it had when it was
   * tracked. `false`: keep its state.
   */
  reset?: ((service: S) => unknown) | false;
}

const CLOSE_METHODS = ['close', 'shutdown', 'stop', 'disconnect', 'end'] as const;

/** Whether the service says it is no longer running (then its close is not called again). */
function looksStopped(service: any): boolean {
  return (
    service.running === false ||
    service.isRunning === false ||
    service.started === false ||
    service.connected === false ||
    service.listening === false ||
    service.stopped === true ||
    service.closed === true ||
    service.destroyed === true ||
    service.ended === true
  );
}

function closeStep<S extends object>(service: S, name: string, close: ((s: S) => unknown) | false | undefined): ExitStep[] {
  if (close === false) return [];
  const run = () => {
    if (looksStopped(service)) return undefined;
    if (close !== undefined) return close(service);
    const method = CLOSE_METHODS.find((m) => typeof (service as any)[m] === 'function');
    return method === undefined ? undefined : (service as any)[method]();
  };
  return [[`closing service "${name}"`, run]];
}

function resetStep<S extends object>(service: S, name: string, reset: ((s: S) => unknown) | false | undefined): ExitStep[] {
  if (reset === false) return [];
  if (reset !== undefined) return [[`resetting service "${name}"`, () => reset(service)]];
  const snapshot = captureState(service);
  return [[`resetting service "${name}" (restoring the state it had when tracked)`, () => restoreState(snapshot)]];
}

/** {@link trackService} on a given scope. */
export function trackServiceIn<S extends object>(scope: Scope, service: S, name: string, options?: ServiceOptions<S>): S {
  const where = 'trackService(service, name, options)';
  if (service === null || (typeof service !== 'object' && typeof service !== 'function')) {
    throw new IsolationUsageError(`${where}: service must be an object, got ${describeValue(service)}`);
  }
  checkName(where, name);
  const given = checkOptions(where, options, ['close', 'reset']);
  const close = checkHook<(s: S) => unknown>(where, 'close', given.close);
  const reset = checkHook<(s: S) => unknown>(where, 'reset', given.reset);
  assertOpen(scope, `trackService(${JSON.stringify(name)})`);
  addExitSteps(scope, [...closeStep(service, name, close), ...resetStep(service, name, reset)]);
  return service;
}

/**
 * Hands a service to the running test: at its end the service, if still running, is shut down,
 * then its state is reset — by default the own enumerable state it had when tracked is restored
 * (counters, flags, in-memory queues and maps, restored in place), or `reset(service)` runs.
 * A close or reset that fails is listed in the report's `cleanupErrors`, never thrown.
 * Private `#fields` are invisible to the default reset: pass `reset` for those. Returns `service`.
 */
export function trackService<S extends object>(service: S, name: string, options?: ServiceOptions<S>): S {
  return trackServiceIn(requireScope('trackService()'), service, name, options);
}
