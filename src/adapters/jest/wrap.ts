import { runInScope, runInternal } from '../../context/context';
import { recordInternalError } from '../../context/internal-errors';
import type { Scope } from '../../tracker/scope';

type UserFunction = (this: unknown, ...args: unknown[]) => unknown;

/** Finds the scope the next call belongs to (the running test, or a describe block). */
export type ScopeLookup = () => Scope | undefined;

function lookUp(scopeFor: ScopeLookup): Scope | undefined {
  try {
    const scope = scopeFor();
    return scope?.state === 'open' ? scope : undefined;
  } catch (error) {
    recordInternalError('finding the scope of a Jest test or hook', error);
    return undefined;
  }
}

function isGeneratorFunction(fn: Function): boolean {
  return Object.prototype.toString.call(fn) === '[object GeneratorFunction]';
}

/** Jest reads `length` (does it take `done`?) and the function's kind: the wrapper keeps both. */
function keepShape<T extends Function>(wrapper: T, fn: Function): T {
  // Only where they differ: most test functions are anonymous and take no `done`.
  if (wrapper.length !== fn.length) Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  if (wrapper.name !== fn.name) Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
  return wrapper;
}

// A generator test (run by Jest through co) resumes from co's callbacks: each step re-enters.
function wrapGenerator(fn: UserFunction, scopeFor: ScopeLookup): UserFunction {
  return keepShape(function* scopedGenerator(this: unknown, ...args: unknown[]): Generator<unknown, unknown, unknown> {
    const scope = lookUp(scopeFor);
    if (scope === undefined) return yield* fn.apply(this, args) as Generator;
    const inner = runInScope(scope, () => fn.apply(this, args)) as Generator;
    let step = runInScope(scope, () => inner.next());
    while (!step.done) {
      let input: unknown;
      let failure: { error: unknown } | undefined;
      try {
        input = yield step.value;
      } catch (error) {
        failure = { error };
      }
      step = runInScope(scope, () => (failure ? inner.throw(failure.error) : inner.next(input)));
    }
    return step.value;
  }, fn);
}

/**
 * Wraps a test or hook function so that only the user's code runs in its scope: Jest's own
 * work (timeouts, the `done` callback, result bookkeeping) stays outside, belonging to no test.
 */
export function wrapInScope(fn: UserFunction, scopeFor: ScopeLookup): UserFunction {
  if (isGeneratorFunction(fn)) return wrapGenerator(fn, scopeFor);
  return keepShape(function scoped(this: unknown, ...args: unknown[]): unknown {
    const scope = lookUp(scopeFor);
    if (scope === undefined) return fn.apply(this, args);
    const done = args[0];
    if (typeof done === 'function') {
      args[0] = function leave(this: unknown, ...doneArgs: unknown[]) {
        return runInternal(() => done.apply(this, doneArgs));
      };
    }
    // Bound, so the user's error stacks show no extra frame of ours between Jest and their code.
    return runInScope(scope, Reflect.apply.bind(undefined, fn, this, args) as () => unknown);
  }, fn);
}
