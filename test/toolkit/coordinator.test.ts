import { expect } from 'chai';
import { createHook } from 'node:async_hooks';
import { join } from 'node:path';
import { DIST, runNode } from '../support/run';
import {
  createEventCoordinator,
  withIsolation,
  enter,
  exit,
  IsolationUsageError,
  type EventCoordinator,
  type Scope,
} from '../../dist/index.js';
import { rejection, sleep, thrown } from '../support/scopes';

interface SeenTimer {
  readonly delay: number;
  readonly _destroyed: boolean;
}

/**
 * Every Timeout of `delay` ms created while `fn` runs, whoever creates it (the library's own
 * included): the delay tells ours from the runner's (Node sets it to -1 once cleared).
 */
async function timeoutsCreatedBy(fn: () => Promise<unknown>, delays: number[]): Promise<SeenTimer[]> {
  const timers: SeenTimer[] = [];
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      const delay = (resource as { _idleTimeout?: number })._idleTimeout;
      if (type !== 'Timeout' || delay === undefined || !delays.includes(delay)) return;
      timers.push(Object.defineProperties({ delay }, { _destroyed: { get: () => (resource as SeenTimer)._destroyed } }) as SeenTimer);
    },
  }).enable();
  try {
    await fn();
  } finally {
    hook.disable();
  }
  return timers;
}

describe('event coordinator', function () {
  let events: EventCoordinator;
  beforeEach(function () {
    events = createEventCoordinator();
  });
  afterEach(function () {
    events.reset();
  });

  describe('signal and waitFor', function () {
    it('releases a pending wait with true and keeps the signalled value', async function () {
      events.createBarrier('order-created');
      const waiting = events.waitFor('order-created');
      setTimeout(() => events.signal('order-created', { id: 7 }), 5);
      expect(await waiting).to.equal(true);
      expect(events.value('order-created')).to.deep.equal({ id: 7 });
      expect(events.barrier('order-created').signalled).to.equal(true);
    });

    it('resolves true at once when signalled before the wait started', async function () {
      const barrier = events.createBarrier('ready');
      barrier.signal('v');
      const started = performance.now();
      expect(await events.waitFor('ready', { timeout: 10000 })).to.equal(true);
      expect(performance.now() - started).to.be.below(50);
      expect(barrier.value).to.equal('v');
    });

    it('releases every waiter of the barrier', async function () {
      events.createBarrier('b');
      const waits = [events.waitFor('b'), events.waitFor('b'), events.barrier('b').wait()];
      expect(events.barrier('b').waiting).to.equal(3);
      events.signal('b');
      expect(await Promise.all(waits)).to.deep.equal([true, true, true]);
      expect(events.barrier('b').waiting).to.equal(0);
    });

    it('leaves other barriers alone', async function () {
      events.createBarrier('a');
      events.createBarrier('b');
      events.signal('a');
      expect(await events.waitFor('b', { timeout: 20 })).to.equal(false);
      expect(events.value('b')).to.equal(undefined);
    });

    it('counts a double signal but keeps the first value', async function () {
      const barrier = events.createBarrier('paid');
      events.signal('paid', 1);
      events.signal('paid', 2);
      expect(barrier.signalCount).to.equal(2);
      expect(barrier.value).to.equal(1);
      expect(await events.waitFor('paid')).to.equal(true);
    });

    it('has(), names and barrier() describe what exists', function () {
      events.createBarrier('x');
      events.createBarrier('y');
      expect(events.has('x')).to.equal(true);
      expect(events.has('z')).to.equal(false);
      expect(events.names).to.deep.equal(['x', 'y']);
      expect(events.barrier('x').name).to.equal('x');
    });
  });

  describe('timeouts', function () {
    it('resolves false when the wait times out', async function () {
      events.createBarrier('never');
      const started = performance.now();
      expect(await events.waitFor('never', { timeout: 30 })).to.equal(false);
      const waited = performance.now() - started;
      expect(waited).to.be.at.least(25);
      expect(waited).to.be.below(1000);
      expect(events.barrier('never').waiting).to.equal(0);
    });

    it('uses the barrier timeout, then the coordinator timeout, by default', async function () {
      const quick = createEventCoordinator({ timeout: 20 });
      quick.createBarrier('default');
      quick.createBarrier('own', { timeout: 60 });
      let started = performance.now();
      expect(await quick.waitFor('default')).to.equal(false);
      expect(performance.now() - started).to.be.within(15, 55);
      started = performance.now();
      expect(await quick.waitFor('own')).to.equal(false);
      expect(performance.now() - started).to.be.at.least(55);
      expect(quick.timeout).to.equal(20);
      expect(createEventCoordinator().timeout).to.equal(1000);
    });

    it('timeout 0 answers whether it was signalled, without waiting', async function () {
      events.createBarrier('now');
      expect(await events.waitFor('now', { timeout: 0 })).to.equal(false);
      events.signal('now');
      expect(await events.waitFor('now', { timeout: 0 })).to.equal(true);
    });

    it('a signal after a timed-out wait still counts for the next wait', async function () {
      events.createBarrier('late');
      expect(await events.waitFor('late', { timeout: 5 })).to.equal(false);
      events.signal('late', 'finally');
      expect(await events.waitFor('late', { timeout: 5 })).to.equal(true);
    });

    it('clears the timer of a wait released by a signal', async function () {
      events.createBarrier('t');
      const timers = await timeoutsCreatedBy(async () => {
        const waiting = events.waitFor('t', { timeout: 61234 });
        events.signal('t');
        await waiting;
      }, [61234]);
      expect(timers).to.have.length(1);
      expect(timers[0]._destroyed).to.equal(true);
    });

    it("its timers never keep the process alive (unref'd)", async function () {
      events.createBarrier('t');
      const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const waiting = events.waitFor('t', { timeout: 60000 });
      expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).to.equal(before);
      events.signal('t');
      await waiting;
    });
  });

  describe('reset', function () {
    it('releases pending waits with false, clears their timers and forgets the barriers', async function () {
      events.createBarrier('a', { timeout: 61234 });
      let waiting!: Promise<boolean>;
      const timers = await timeoutsCreatedBy(async () => {
        waiting = events.waitFor('a');
        events.reset();
      }, [61234]);
      expect(await waiting).to.equal(false);
      expect(timers).to.have.length(1);
      expect(timers.every((t) => t._destroyed)).to.equal(true);
      expect(events.names).to.deep.equal([]);
      events.createBarrier('a');
    });

    it('a Barrier object kept from before a reset says so', function () {
      const old = events.createBarrier('a');
      events.reset();
      expect(thrown(() => old.signal())).to.have.property('message', 'barrier "a".signal(): the coordinator was reset; create the barrier again');
    });
  });

  describe('bad names and options', function () {
    it('waiting on an unknown barrier rejects naming it and the known ones', async function () {
      events.createBarrier('user-created');
      const error = await rejection(events.waitFor('user-creatd'));
      expect(error).to.be.instanceOf(IsolationUsageError);
      expect(error.message).to.equal(
        'events.waitFor("user-creatd"): no barrier named "user-creatd" (barriers: "user-created"); create it first with createBarrier("user-creatd")',
      );
    });

    it('signalling or reading an unknown barrier throws naming it', function () {
      expect(thrown(() => events.signal('nope'))).to.have.property(
        'message',
        'events.signal("nope"): no barrier named "nope" (no barriers yet); create it first with createBarrier("nope")',
      );
      expect(thrown(() => events.value('nope')).message).to.match(/^events\.value\("nope"\): no barrier named "nope"/);
      expect(thrown(() => events.barrier('nope')).message).to.match(/^events\.barrier\("nope"\): no barrier named "nope"/);
    });

    it('creating a barrier twice throws naming it', function () {
      events.createBarrier('dup');
      const error = thrown(() => events.createBarrier('dup'));
      expect(error).to.be.instanceOf(IsolationUsageError);
      expect(error.message).to.equal(
        'events.createBarrier("dup"): a barrier named "dup" already exists; pick another name or reset() first',
      );
    });

    it('rejects names that are not non-empty strings', async function () {
      expect(thrown(() => events.createBarrier('')).message).to.equal(
        'events.createBarrier(name, options): name must be a non-empty string, got the string ""',
      );
      expect(thrown(() => events.createBarrier(42 as unknown as string)).message).to.equal(
        'events.createBarrier(name, options): name must be a non-empty string, got number 42',
      );
      expect((await rejection(events.waitFor(undefined as unknown as string))).message).to.match(
        /^events\.waitFor\(name\): name must be a non-empty string, got undefined/,
      );
    });

    it('rejects bad timeouts with a readable message', async function () {
      const expected = /option "timeout" must be a number of milliseconds from 0 to 2147483647, or Infinity, got /;
      expect(thrown(() => events.createBarrier('a', { timeout: -1 })).message).to.match(expected);
      expect(thrown(() => events.createBarrier('a', { timeout: '100' as unknown as number })).message).to.match(
        /^events\.createBarrier\(name, options\): option "timeout" must be .* got the string "100"$/,
      );
      expect(thrown(() => events.createBarrier('a', { timeout: NaN })).message).to.match(/got number NaN$/);
      expect(thrown(() => events.createBarrier('a', { timeout: 2 ** 31 })).message).to.match(/got number 2147483648$/);
      expect(thrown(() => createEventCoordinator({ timeout: null as unknown as number })).message).to.match(
        /^createEventCoordinator\(options\): option "timeout" must be .* got null$/,
      );
      events.createBarrier('b');
      const error = await rejection(events.waitFor('b', { timeout: -5 }));
      expect(error).to.be.instanceOf(IsolationUsageError);
      expect(error.message).to.match(/^barrier "b"\.wait\(options\): option "timeout" must be .* got number -5$/);
      expect(events.has('a')).to.equal(false);
    });

    it('rejects unknown option keys and non-object options', async function () {
      expect(thrown(() => events.createBarrier('a', { timout: 5 } as never)).message).to.equal(
        'events.createBarrier(name, options): unknown option "timout" (known: timeout)',
      );
      expect(thrown(() => createEventCoordinator(5 as never)).message).to.equal(
        'createEventCoordinator(options): options must be an object, got number 5',
      );
      events.createBarrier('b');
      expect((await rejection(events.waitFor('b', [] as never))).message).to.equal(
        'barrier "b".wait(options): options must be an object, got an array',
      );
    });

    it('times out in real time under fake timers (the globals replaced after the library loaded)', async function () {
      events.createBarrier('faked');
      const realSetTimeout = globalThis.setTimeout;
      let faked = 0;
      globalThis.setTimeout = ((() => {
        faked++;
        return { unref() {}, ref() {} };
      }) as unknown) as typeof setTimeout;
      let waiting: Promise<boolean>;
      try {
        waiting = events.waitFor('faked', { timeout: 20 });
      } finally {
        globalThis.setTimeout = realSetTimeout;
      }
      expect(await waiting).to.equal(false);
      expect(faked).to.equal(0);
    });

    it('accepts Infinity: waits until signalled', async function () {
      events.createBarrier('inf', { timeout: Infinity });
      const waiting = events.waitFor('inf');
      await sleep(20);
      events.signal('inf');
      expect(await waiting).to.equal(true);
    });
  });
});

describe('scope.events', function () {
  it('is one coordinator per scope', async function () {
    await withIsolation('one', (scope) => {
      expect(scope.events).to.equal(scope.events);
    });
  });

  it('concurrent scopes never see each other\'s barriers', async function () {
    const seen: string[] = [];
    async function service(name: string, delay: number): Promise<void> {
      await withIsolation(name, async (scope) => {
        scope.events.createBarrier('done');
        setTimeout(() => scope.events.signal('done', name), delay);
        expect(await scope.events.waitFor('done')).to.equal(true);
        seen.push(`${name}:${String(scope.events.value('done'))}:${scope.events.names.join(',')}`);
      });
    }
    await Promise.all([service('a', 20), service('b', 5)]);
    expect(seen).to.deep.equal(['b:b:done', 'a:a:done']);
  });

  it('a signal in one scope does not release a wait in another', async function () {
    let release!: () => void;
    const secondStarted = new Promise<void>((resolve) => (release = resolve));
    const first = withIsolation('first', async (scope) => {
      await secondStarted;
      scope.events.createBarrier('go');
      scope.events.signal('go');
    });
    const second = withIsolation('second', async (scope) => {
      scope.events.createBarrier('go', { timeout: 60 });
      release();
      return scope.events.waitFor('go');
    });
    await first;
    expect(await second).to.equal(false);
  });

  it('releases waiters with false at scope exit instead of hanging', async function () {
    let waiting!: Promise<boolean>;
    const started = performance.now();
    await withIsolation('exits', (scope) => {
      scope.events.createBarrier('never', { timeout: Infinity });
      waiting = scope.events.waitFor('never');
    });
    expect(await waiting).to.equal(false);
    expect(performance.now() - started).to.be.below(1000);
  });

  it('lets code blocked on a barrier finish during the exit', async function () {
    const steps: string[] = [];
    await withIsolation('blocked', (scope) => {
      scope.events.createBarrier('reply', { timeout: Infinity });
      void (async () => {
        const replied = await scope.events.waitFor('reply');
        steps.push(`replied=${replied}`);
      })();
    });
    expect(steps).to.deep.equal(['replied=false']);
  });

  it('no timer of the coordinator is alive after exit', async function () {
    const timers = await timeoutsCreatedBy(async () => {
      await withIsolation('timers', async (scope) => {
        scope.events.createBarrier('a', { timeout: 61234 });
        scope.events.createBarrier('b', { timeout: 51234 });
        void scope.events.waitFor('a');
        void scope.events.waitFor('b');
        void scope.events.waitFor('b');
      });
    }, [61234, 51234]);
    expect(timers.map((t) => t.delay)).to.deep.equal([61234, 51234, 51234]);
    expect(timers.every((t) => t._destroyed), 'every wait timer cleared').to.equal(true);
  });

  it('a process with pending waits exits on its own, with no active resource left', async function () {
    const script = `
      const { withIsolation } = require(${JSON.stringify(join(DIST, 'index.js'))});
      (async () => {
        let during;
        let waiting;
        await withIsolation('pending', (scope) => {
          scope.events.createBarrier('a', { timeout: 600000 });
          waiting = scope.events.waitFor('a');
          during = process.getActiveResourcesInfo();
        });
        console.log('during:' + JSON.stringify(during));
        console.log('after:' + JSON.stringify(process.getActiveResourcesInfo()));
        console.log('result:' + (await waiting));
      })();
      const standalone = require(${JSON.stringify(join(DIST, 'index.js'))}).createEventCoordinator();
      standalone.createBarrier('forgotten', { timeout: 600000 });
      standalone.waitFor('forgotten');
    `;
    const run = await runNode(['-e', script], { timeoutMs: 10000 });
    expect(run.signal, run.stderr).to.equal(null);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.durationMs).to.be.below(5000);
    expect(run.stdout).to.include('during:[]');
    // (stdout's own pipe is active once something was printed)
    expect(JSON.parse(/after:(\S*)/.exec(run.stdout)![1])).to.not.include('Timeout');
    expect(run.stdout).to.include('result:false');
  });

  it('its timers are never reported as leaks of the test', async function () {
    let scope!: Scope;
    let report: Awaited<ReturnType<typeof exit>> | undefined;
    await new Promise<void>((resolve) =>
      setImmediate(async () => {
        scope = enter('reported');
        scope.events.createBarrier('a', { timeout: 60000 });
        void scope.events.waitFor('a');
        report = await exit(scope);
        resolve();
      }),
    );
    expect(report!.leaks).to.deep.equal([]);
    expect(report!.unref).to.deep.equal([]);
    expect(report!.cleanupErrors).to.deep.equal([]);
  });

  it('after exit, using it throws naming the scope', async function () {
    let kept!: Scope;
    await withIsolation('gone', (scope) => {
      kept = scope;
      scope.events.createBarrier('a');
    });
    expect(thrown(() => kept.events.signal('a')).message).to.equal(
      'scope.events.signal("a"): scope "gone" has ended, and its barriers with it',
    );
    expect((await rejection(kept.events.waitFor('a'))).message).to.equal(
      'scope.events.waitFor("a"): scope "gone" has ended, and its barriers with it',
    );
  });

  it('first asked for after exit, it is already closed', async function () {
    let kept!: Scope;
    await withIsolation('never-used', (scope) => {
      kept = scope;
    });
    expect(thrown(() => kept.events.createBarrier('a')).message).to.equal(
      'scope.events.createBarrier("a"): scope "never-used" has ended, and its barriers with it',
    );
  });
});
