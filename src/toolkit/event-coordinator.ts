import { IsolationUsageError } from '../tracker/errors';
import { Barrier, type WaitOptions } from './barrier';
import { checkName, checkOptions, checkTimeout } from './options';

/** Options of {@link createEventCoordinator}. */
export interface CoordinatorOptions {
  /** Default timeout of every wait, in ms (default 1000). `Infinity`: wait until signalled or reset. */
  timeout?: number;
}

/** Options of {@link EventCoordinator.createBarrier}. */
export interface BarrierOptions {
  /** Default timeout of waits on this barrier, in ms; default the coordinator's. */
  timeout?: number;
}

/** Below Mocha's default 2 s test timeout, so a missed event fails as `false`, not as a hung test. */
export const DEFAULT_WAIT_TIMEOUT_MS = 1000;

function quoted(names: Iterable<string>): string {
  const list = [...names].map((n) => JSON.stringify(n));
  return list.length > 0 ? `barriers: ${list.join(', ')}` : 'no barriers yet';
}

/**
 * Named barriers that make cross-service timing explicit: a test creates a barrier, the code
 * under test signals it when the event happened, and the test waits for it instead of sleeping.
 * Each test has its own on `scope.events` (reset when the test ends); {@link createEventCoordinator}
 * makes a free-standing one.
 */
export class EventCoordinator {
  /** Default timeout of waits, in ms. */
  readonly timeout: number;
  private readonly label: string;
  private readonly barriers = new Map<string, Barrier>();
  private closedBecause: string | undefined;

  /** @internal use {@link createEventCoordinator} or `scope.events`. */
  constructor(timeout: number, label: string) {
    this.timeout = timeout;
    this.label = label;
  }

  /**
   * Creates the barrier `name`. Create it before anything can signal it. Throws if a barrier of
   * that name exists already.
   */
  createBarrier(name: string, options?: BarrierOptions): Barrier {
    const where = `${this.label}.createBarrier(name, options)`;
    checkName(where, name);
    const given = checkOptions(where, options, ['timeout']);
    const timeout = given.timeout === undefined ? this.timeout : checkTimeout(where, given.timeout);
    this.assertOpen(`createBarrier(${JSON.stringify(name)})`);
    if (this.barriers.has(name)) {
      throw new IsolationUsageError(
        `${this.label}.createBarrier(${JSON.stringify(name)}): a barrier named ${JSON.stringify(name)} already exists; pick another name or reset() first`,
      );
    }
    const barrier = new Barrier(name, timeout);
    this.barriers.set(name, barrier);
    return barrier;
  }

  /** The barrier `name`; throws naming it when there is none. */
  barrier(name: string): Barrier {
    return this.lookup('barrier', name);
  }

  /** Whether a barrier `name` exists. */
  has(name: string): boolean {
    return this.barriers.has(name);
  }

  /** Names of the barriers, in creation order. */
  get names(): string[] {
    return [...this.barriers.keys()];
  }

  /** Signals the barrier `name` (see {@link Barrier.signal}). Throws for an unknown name. */
  signal(name: string, value?: unknown): void {
    this.lookup('signal', name).signal(value);
  }

  /**
   * Resolves `true` once `name` is signalled (at once if it already was), `false` on timeout or
   * when the coordinator is reset first. Rejects for an unknown name or bad options.
   */
  waitFor(name: string, options?: WaitOptions): Promise<boolean> {
    try {
      return this.lookup('waitFor', name).wait(options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The value `name` was signalled with (undefined before). Throws for an unknown name. */
  value(name: string): unknown {
    return this.lookup('value', name).value;
  }

  /** Releases every pending wait with `false`, clears its timers and forgets every barrier. */
  reset(): void {
    this.assertOpen('reset()');
    this.retireAll(`the coordinator was reset; create the barrier again`);
  }

  /** @internal resets for good: any later use throws `reason`. */
  close(reason: string): void {
    if (this.closedBecause !== undefined) return;
    this.closedBecause = reason;
    this.retireAll(reason);
  }

  private retireAll(reason: string): void {
    const barriers = [...this.barriers.values()];
    this.barriers.clear();
    for (const barrier of barriers) barrier.retire(reason);
  }

  private lookup(what: string, name: unknown): Barrier {
    const where = `${this.label}.${what}(name)`;
    checkName(where, name);
    const key = name as string;
    this.assertOpen(`${what}(${JSON.stringify(key)})`);
    const barrier = this.barriers.get(key);
    if (barrier === undefined) {
      throw new IsolationUsageError(
        `${this.label}.${what}(${JSON.stringify(key)}): no barrier named ${JSON.stringify(key)} (${quoted(this.barriers.keys())}); create it first with createBarrier(${JSON.stringify(key)})`,
      );
    }
    return barrier;
  }

  private assertOpen(what: string): void {
    if (this.closedBecause !== undefined) {
      throw new IsolationUsageError(`${this.label}.${what}: ${this.closedBecause}`);
    }
  }
}

/** A free-standing event coordinator (not reset by any scope: call `reset()` yourself). */
export function createEventCoordinator(options?: CoordinatorOptions): EventCoordinator {
  const where = 'createEventCoordinator(options)';
  const given = checkOptions(where, options, ['timeout']);
  const timeout = given.timeout === undefined ? DEFAULT_WAIT_TIMEOUT_MS : checkTimeout(where, given.timeout);
  return new EventCoordinator(timeout, 'events');
}
