// p-defer 3 is CommonJS: the library must load inside Jest's module registry, which cannot
// require an ESM-only package.
import pDefer = require('p-defer');

type DeferredPromise<T> = pDefer.DeferredPromise<T>;
import { IsolationUsageError } from '../tracker/errors';
import { clearInternalTimeout, internalTimeout } from './internal-timer';
import { checkOptions, checkTimeout } from './options';

/** Options of {@link Barrier.wait} and `waitFor`. */
export interface WaitOptions {
  /** How long to wait, in ms, before resolving `false`; default the barrier's timeout. `Infinity`: no limit. */
  timeout?: number;
}

interface Waiter {
  readonly deferred: DeferredPromise<boolean>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A one-shot rendezvous point between a test and the services it drives: someone calls
 * {@link signal} (once the thing happened), and whoever awaits {@link wait} is released with
 * `true` — also when the signal came before the wait started — or with `false` on timeout.
 * Created by `createBarrier()` on an event coordinator.
 */
export class Barrier {
  /** The name it was created with. */
  readonly name: string;
  /** Default timeout of {@link wait}, in ms. */
  readonly timeout: number;
  private signalledWith: { value: unknown } | undefined;
  private signals = 0;
  private retiredBecause: string | undefined;
  private readonly waiters = new Set<Waiter>();

  /** @internal created by an event coordinator. */
  constructor(name: string, timeout: number) {
    this.name = name;
    this.timeout = timeout;
  }

  /** Whether it has been signalled. */
  get signalled(): boolean {
    return this.signalledWith !== undefined;
  }

  /** The value given to the first {@link signal} (undefined until then). */
  get value(): unknown {
    return this.signalledWith?.value;
  }

  /** How many times it was signalled: more than 1 means the event happened more than once. */
  get signalCount(): number {
    return this.signals;
  }

  /** How many waits are pending now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Marks the event as happened and releases every pending wait with `true`. A second signal
   * only counts ({@link signalCount}): the first value stays, and waits already released stay so.
   */
  signal(value?: unknown): void {
    this.assertUsable('signal');
    this.signals++;
    if (this.signalledWith !== undefined) return;
    this.signalledWith = { value };
    this.settleWaiters(true);
  }

  /**
   * Resolves `true` once signalled (at once if it already was), `false` when `timeout` ms pass
   * first, or when the barrier is reset (its scope ended) while waiting. Rejects only on misuse.
   */
  wait(options?: WaitOptions): Promise<boolean> {
    try {
      const given = checkOptions(`barrier "${this.name}".wait(options)`, options, ['timeout']);
      const timeout =
        given.timeout === undefined ? this.timeout : checkTimeout(`barrier "${this.name}".wait(options)`, given.timeout);
      this.assertUsable('wait');
      if (this.signalledWith !== undefined) return Promise.resolve(true);
      if (timeout === 0) return Promise.resolve(false);
      const waiter: Waiter = { deferred: pDefer<boolean>(), timer: undefined };
      if (timeout !== Infinity) {
        waiter.timer = internalTimeout(() => {
          waiter.timer = undefined;
          this.waiters.delete(waiter);
          waiter.deferred.resolve(false);
        }, timeout);
      }
      this.waiters.add(waiter);
      return waiter.deferred.promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** @internal releases pending waits with `false` and makes the barrier unusable. */
  retire(reason: string): void {
    this.retiredBecause = reason;
    this.settleWaiters(false);
  }

  private settleWaiters(result: boolean): void {
    for (const waiter of this.waiters) {
      if (waiter.timer !== undefined) clearInternalTimeout(waiter.timer);
      waiter.timer = undefined;
      waiter.deferred.resolve(result);
    }
    this.waiters.clear();
  }

  private assertUsable(what: string): void {
    if (this.retiredBecause !== undefined) {
      throw new IsolationUsageError(`barrier "${this.name}".${what}(): ${this.retiredBecause}`);
    }
  }
}
