import { IsolationUsageError, describeValue } from '../tracker/errors';
import { assertOpen, type Scope } from '../tracker/scope';
import { checkName } from './options';
import { requireScope } from './require-scope';
import { addExitSteps } from '../tracker/exit-steps';

/** An async stub: records each call and resolves what it was given. */
export interface MockMethod<A extends unknown[] = any[], R = any> {
  (...args: A): Promise<R>;
  /** The arguments of each call, in order. */
  readonly calls: A[];
  readonly callCount: number;
  readonly lastCall: A | undefined;
  /** From now on, calls resolve `value`. */
  resolves(value: R): this;
  /** From now on, calls reject with `error`. */
  rejects(error: unknown): this;
  /** From now on, calls run `fn` and resolve what it returns. */
  implement(fn: (...args: A) => R | PromiseLike<R>): this;
  /** Forgets the calls and goes back to the behaviour given by the mock's shape. */
  reset(): void;
}

/** One call to any method of a mock, in the order they happened. */
export interface MockCall {
  readonly method: string;
  readonly args: unknown[];
}

/** The mock's own controls; `$`-prefixed so they never clash with a method name. */
export interface MockControls {
  readonly $name: string;
  /** Every call to every method, in order. */
  readonly $calls: readonly MockCall[];
  /** Resets every method (done at the scope's exit too). */
  $reset(): void;
}

type MethodFor<V> = V extends (...args: infer A) => infer R ? MockMethod<A, Awaited<R>> : MockMethod<any[], V>;

/** A mock of a service: one {@link MockMethod} per method of the shape. */
export type MockService<Shape> = { [K in keyof Shape]: MethodFor<Shape[K]> } & MockControls;

/** A mock without a shape: any method name reads as a stub, made on first use. */
export type OpenMockService = MockControls & { readonly [method: string]: MockMethod };

const RESERVED = new Set(['$name', '$calls', '$reset', 'then', 'catch', 'finally']);

type Behaviour = { kind: 'default' } | { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'fn'; fn: (...args: unknown[]) => unknown };

function createMethod(service: string, method: string, fallback: unknown, log: MockCall[]): MockMethod {
  let behaviour: Behaviour = { kind: 'default' };
  const calls: unknown[][] = [];
  const stub = async function (...args: unknown[]): Promise<unknown> {
    calls.push(args);
    log.push({ method, args });
    switch (behaviour.kind) {
      case 'value':
        return behaviour.value;
      case 'error':
        throw behaviour.error;
      case 'fn':
        return behaviour.fn(...args);
      default:
        return typeof fallback === 'function' ? fallback(...args) : fallback;
    }
  } as unknown as MockMethod;
  Object.defineProperty(stub, 'name', { value: `${service}.${method}` });
  Object.defineProperties(stub, {
    calls: { get: () => calls },
    callCount: { get: () => calls.length },
    lastCall: { get: () => calls[calls.length - 1] },
    resolves: { value: (value: unknown) => ((behaviour = { kind: 'value', value }), stub) },
    rejects: { value: (error: unknown) => ((behaviour = { kind: 'error', error }), stub) },
    implement: {
      value: (fn: unknown) => {
        if (typeof fn !== 'function') {
          throw new IsolationUsageError(`${service}.${method}.implement(fn): fn must be a function, got ${describeValue(fn)}`);
        }
        behaviour = { kind: 'fn', fn: fn as (...args: unknown[]) => unknown };
        return stub;
      },
    },
    reset: {
      value: () => {
        calls.length = 0;
        behaviour = { kind: 'default' };
      },
    },
  });
  return stub;
}

function shapeEntries(where: string, shape: unknown): Array<[string, unknown]> {
  if (Array.isArray(shape)) {
    return shape.map((name, i) => {
      if (typeof name !== 'string' || name.length === 0) {
        throw new IsolationUsageError(`${where}: shape[${i}] must be a method name, got ${describeValue(name)}`);
      }
      return [name, undefined];
    });
  }
  if (shape === null || typeof shape !== 'object') {
    throw new IsolationUsageError(
      `${where}: shape must be an object of methods (name: implementation or result) or an array of method names, got ${describeValue(shape)}`,
    );
  }
  return Object.entries(shape);
}

// Names that inspectors, test frameworks and `await` probe on any object: never turned into stubs.
function isProbe(prop: string): boolean {
  return prop in Object.prototype || prop.startsWith('__') || prop === 'toJSON' || prop === 'inspect' ||
    prop === 'asymmetricMatch' || prop === 'nodeType' || prop === '$$typeof' || prop === 'constructor';
}

/** {@link mockService} on a given scope. */
export function mockServiceIn(scope: Scope, name: string, shape?: unknown): MockControls {
  const where = `mockService(${typeof name === 'string' ? JSON.stringify(name) : 'name'}, shape)`;
  checkName(where, name);
  const entries = shape === undefined ? undefined : shapeEntries(where, shape);
  for (const [method] of entries ?? []) {
    if (RESERVED.has(method)) throw new IsolationUsageError(`${where}: "${method}" is reserved and cannot be a method name`);
  }
  assertOpen(scope, where);
  const log: MockCall[] = [];
  const methods = new Map<string, MockMethod>();
  const mock: Record<string, unknown> = {};
  const reset = () => {
    log.length = 0;
    for (const method of methods.values()) method.reset();
  };
  Object.defineProperties(mock, {
    $name: { value: name },
    $calls: { get: () => log },
    $reset: { value: reset },
  });
  for (const [method, fallback] of entries ?? []) {
    const stub = createMethod(name, method, fallback, log);
    methods.set(method, stub);
    mock[method] = stub;
  }
  addExitSteps(scope, [[`resetting mock service "${name}"`, reset]]);
  if (entries !== undefined) return mock as unknown as MockControls;
  return new Proxy(mock, {
    get(target, prop, receiver) {
      if (typeof prop !== 'string' || prop in target || RESERVED.has(prop) || isProbe(prop)) {
        return Reflect.get(target, prop, receiver);
      }
      const stub = createMethod(name, prop, undefined, log);
      methods.set(prop, stub);
      target[prop] = stub;
      return stub;
    },
  }) as unknown as MockControls;
}

/**
 * A lightweight mock of a service, owned by the running test and reset when it ends. Each
 * method is an async stub that records its calls (`mock.charge.calls`, `mock.$calls`) and
 * resolves what the shape says — a function is called with the arguments, any other value is
 * the result — until told otherwise with `resolves(value)`, `rejects(error)` or `implement(fn)`.
 * Without a shape, any method name becomes a stub on first use.
 *
 * @example
 * const payments = mockService('payments', { charge: { ok: true }, refund: async (id) => ({ id }) });
 * payments.charge.rejects(new Error('card declined'));
 */
export function mockService(name: string): OpenMockService;
export function mockService<const K extends string>(name: string, shape: readonly K[]): { readonly [P in K]: MockMethod } & MockControls;
export function mockService<Shape extends object>(name: string, shape: Shape): MockService<Shape>;
export function mockService(name: string, shape?: unknown): MockControls {
  return mockServiceIn(requireScope('mockService()'), name, shape);
}
