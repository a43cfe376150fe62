import { expect } from 'chai';
import * as net from 'node:net';
import { once } from 'node:events';
import { AsyncResource } from 'node:async_hooks';
import { thisNodeSkipsPromises } from '../support/node-features';
import { join } from 'node:path';
import { FIXTURES, ROOT, runNode } from '../support/run';
import { runMocha } from '../support/mocha';
import { isolated } from '../support/scopes';
import {
  enter,
  exit,
  openScope,
  withIsolation,
  allowLeaks,
  detached,
  configure,
  currentScope,
  onOutlived,
  LeakError,
  IsolationUsageError,
  type LeakReport,
  type OutlivedWork,
  type Scope,
} from '../../dist/index.js';


function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('programmatic API', function () {
  describe('enter / exit', function () {
    it('reports and cancels what the scope left alive', async function () {
      let fired = 0;
      const report = await isolated(async () => {
        const scope = enter('leaky');
        setInterval(() => fired++, 1);
        return exit(scope);
      });
      expect(report.name).to.equal('leaky');
      expect(report.leaks).to.have.length(1);
      const [leak] = report.leaks;
      expect(leak.type).to.equal('Timeout');
      expect(leak.description).to.equal('setInterval(anonymous, 1 ms)');
      expect(leak.cancelled).to.equal(true);
      expect(leak.cancelledBy).to.equal('cleared with clearInterval');
      expect(leak.stack.split('\n')[0]).to.match(/api\.test\.ts:\d+:\d+\)$/);
      expect(report.failed).to.equal(true);
      const before = fired;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fired, 'the interval was cleared').to.equal(before);
    });

    it('finds nothing when the scope cleaned up, and does not wait', async function () {
      const report = await isolated(async () => {
        const scope = enter('clean');
        const timer = setTimeout(() => {}, 1000);
        await tick();
        clearTimeout(timer);
        return exit(scope);
      });
      expect(report.leaks).to.deep.equal([]);
      expect(report.failed).to.equal(false);
    });

    it('does not attribute what the caller does after exit to the scope', function () {
      return isolated(async () => {
        const scope = enter('ended');
        await exit(scope);
        expect(currentScope()).to.equal(undefined);
        const timer = setTimeout(() => {}, 1000);
        const second = enter('next');
        clearTimeout(timer);
        expect((await exit(second)).leaks).to.deep.equal([]);
      });
    });

    it('lists unref\'d handles apart without failing', async function () {
      const report = await isolated(async () => {
        const scope = enter('unref');
        setTimeout(() => {}, 60000).unref();
        return exit(scope);
      });
      expect(report.leaks).to.deep.equal([]);
      expect(report.unref).to.have.length(1);
      expect(report.unref[0].ref).to.equal(false);
      expect(report.unref[0].cancelled).to.equal(false);
      expect(report.failed).to.equal(false);
    });

    it("cancels unref'd handles without failing with unref: 'cancel'", async function () {
      let timer: NodeJS.Timeout | undefined;
      const report = await isolated(async () => {
        const scope = enter('unref-cancel', { unref: 'cancel' });
        timer = setTimeout(() => {}, 60000).unref();
        return exit(scope);
      });
      expect(report.unref[0]).to.include({ cancelled: true, cancelledBy: 'cleared with clearTimeout' });
      expect((timer as unknown as { _destroyed: boolean })._destroyed).to.equal(true);
      expect(report.failed).to.equal(false);
    });

    it("fails on unref'd handles with unref: 'fail'", async function () {
      const report = await isolated(async () => {
        const scope = enter('unref-fail', { unref: 'fail' });
        setTimeout(() => {}, 60000).unref();
        return exit(scope);
      });
      expect(report.failed).to.equal(true);
    });

    it('waits for closes under way instead of reporting them', async function () {
      const server = net.createServer((socket) => socket.on('end', () => socket.end()));
      await detached(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
      const report = await isolated(async () => {
        const scope = enter('closing');
        const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
        await once(client, 'connect');
        client.end();
        return exit(scope);
      });
      server.close();
      expect(report.leaks).to.deep.equal([]);
    });

    it('counts promises the scope created (where Node reports them)', async function () {
      const report = await isolated(async () => {
        const scope = enter('promises');
        for (let i = 0; i < 10; i++) await Promise.resolve(i);
        return exit(scope);
      });
      if (await thisNodeSkipsPromises()) expect(report.promises.created).to.equal(0);
      else expect(report.promises.created).to.be.at.least(10);
    });
  });

  describe('process-wide objects', function () {
    it('never reports stdio streams a scope happened to create first', async function () {
      const run = await runNode(
        [
          '-e',
          `const { enter, exit } = require(${JSON.stringify(require.resolve('../../dist/index.js'))});
(async () => {
  const scope = enter('touches stdio');
  process.stdout; process.stderr;
  const report = await exit(scope);
  process.stdout.write(JSON.stringify(report.leaks.concat(report.unref).map((l) => l.type)));
})();`,
        ],
        {},
      );
      expect(run.stdout).to.equal('[]');
    });
  });

  describe('many resources in one scope', function () {
    it('still reports a socket created after the record list was pruned', async function () {
      const server = net.createServer();
      await detached(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
      const report = await isolated(async () => {
        const scope = enter('pruned');
        for (let i = 0; i < 1100; i++) clearTimeout(setTimeout(() => {}, 1000));
        const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
        await once(client, 'connect');
        return exit(scope);
      });
      server.close();
      expect(report.leaks.map((l) => l.type)).to.deep.equal(['TCPWRAP']);
      expect(report.leaks[0].cancelledBy).to.equal('destroyed');
    });
  });

  describe('stackDepth: 0', function () {
    it('still cancels work that outlived its scope', async function () {
      let late: NodeJS.Timeout | undefined;
      const seen: OutlivedWork[] = [];
      const stop = onOutlived((scope, work) => {
        if (scope.name === 'no frames') seen.push(work);
      });
      try {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        await withIsolation(
          'no frames',
          () => void gate.then(() => (late = setInterval(() => {}, 1000))),
          { stackDepth: 0 },
        );
        release();
        await tick();
        await tick();
        expect((late as unknown as { _destroyed: boolean })._destroyed).to.equal(true);
        expect(seen.some((w) => w.type === 'Timeout' && w.cancelled)).to.equal(true);
      } finally {
        stop();
        clearInterval(late);
      }
    });
  });

  describe('concurrent scopes', function () {
    it('never see each other\'s resources', async function () {
      const [a, b] = await Promise.all([
        isolated(async () => {
          const scope = enter('a');
          await tick();
          setTimeout(function fromA() {}, 60000);
          await tick();
          return exit(scope);
        }),
        isolated(async () => {
          const scope = enter('b');
          await tick();
          await tick();
          return exit(scope);
        }),
      ]);
      expect(a.leaks.map((l) => l.description)).to.deep.equal(['setTimeout(fromA, 60000 ms)']);
      expect(b.leaks).to.deep.equal([]);
    });

    it('keeps a clean withIsolation beside a leaky one clean', async function () {
      const results = await Promise.allSettled([
        withIsolation('leaky', async () => {
          await tick();
          setInterval(() => {}, 10);
        }),
        withIsolation('clean', async () => {
          await tick();
          return 42;
        }),
      ]);
      expect(results[0].status).to.equal('rejected');
      expect(results[1]).to.deep.equal({ status: 'fulfilled', value: 42 });
    });
  });

  describe('withIsolation', function () {
    it('returns the function\'s value', async function () {
      expect(await withIsolation('value', () => 'ok')).to.equal('ok');
    });

    it('throws a LeakError naming the scope and every leak', async function () {
      const error = await withIsolation('orders', () => {
        setTimeout(function retry() {}, 5000);
      }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(LeakError);
      const leakError = error as LeakError;
      expect(leakError.message).to.match(/^scope "orders" leaked 1 async resource \(cancelled\)/);
      expect(leakError.message).to.include('setTimeout(retry, 5000 ms) — cleared with clearTimeout');
      expect(leakError.report.leaks).to.have.length(1);
    });

    it("throws the function's own error first, still cancelling its leaks", async function () {
      const own = new Error('own failure');
      const error = await withIsolation('both', () => {
        setInterval(() => {}, 5);
        throw own;
      }).catch((e: unknown) => e);
      expect(error).to.equal(own);
      const report = (error as { leakReport?: LeakReport }).leakReport!;
      expect(report.leaks[0].cancelled).to.equal(true);
    });

    it('passes the scope to the function', async function () {
      await withIsolation('scoped', (scope) => {
        expect(currentScope()).to.equal(scope);
        expect(scope.name).to.equal('scoped');
      });
    });
  });

  describe('scope.signal, track and defer', function () {
    it('aborts the signal, runs deferred cleanups last-first, closes tracked objects', async function () {
      const order: string[] = [];
      const closable = { closed: false, close() { order.push('tracked'); this.closed = true; } };
      let signal: AbortSignal | undefined;
      await withIsolation('cleanup', (scope) => {
        signal = scope.signal;
        scope.signal.addEventListener('abort', () => order.push('abort'));
        scope.defer(() => { order.push('first'); });
        scope.defer(() => { order.push('second'); });
        scope.track(closable, { name: 'closable' });
      });
      expect(signal!.aborted).to.equal(true);
      expect(order).to.deep.equal(['abort', 'second', 'first', 'tracked']);
      expect(closable.closed).to.equal(true);
    });

    it('does not close a tracked object the test already closed', async function () {
      let closes = 0;
      const closable = { destroyed: false, destroy() { closes++; this.destroyed = true; } };
      await withIsolation('closed-already', (scope) => {
        scope.track(closable);
        closable.destroy();
      });
      expect(closes).to.equal(1);
    });

    it('reports a cleanup that throws or rejects, without throwing', function () {
      return isolated(async () => {
        const scope = enter('failing-cleanups');
        scope.defer(() => { throw new Error('defer broke'); });
        scope.track({ close: () => Promise.reject(new Error('close broke')) }, { name: 'svc' });
        const report = await exit(scope);
        expect(report.cleanupErrors).to.deep.equal(['closing tracked svc: close broke', 'scope.defer(fn): defer broke']
          .reverse().sort((x, y) => (x.startsWith('scope') ? -1 : y.startsWith('scope') ? 1 : 0)));
      });
    });

    it('closes tracked servers it was handed', async function () {
      const server = net.createServer();
      await withIsolation('tracked-server', async (scope) => {
        scope.track(server);
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      });
      expect(server.listening).to.equal(false);
    });
  });

  describe('opting out', function () {
    it('allowLeaks() reports but does not fail', async function () {
      const report = await isolated(async () => {
        const scope = enter('allowed');
        allowLeaks('shared cache warmed on purpose');
        setTimeout(() => {}, 60000);
        return exit(scope);
      });
      expect(report.leaks).to.have.length(1);
      expect(report.leaks[0].cancelled).to.equal(true);
      expect(report.allowed).to.equal('shared cache warmed on purpose');
      expect(report.failed).to.equal(false);
    });

    it('detached() work belongs to no scope and is never cancelled', async function () {
      let timer: NodeJS.Timeout | undefined;
      const report = await isolated(async () => {
        const scope = enter('detached');
        timer = detached(() => setTimeout(() => {}, 60000));
        return exit(scope);
      });
      expect(report.leaks).to.deep.equal([]);
      expect((timer as unknown as { _destroyed: boolean })._destroyed).to.equal(false);
      clearTimeout(timer);
    });

    it('ignoreTypes, ignorePaths and ignore leave matching resources alone', async function () {
      const timers: NodeJS.Timeout[] = [];
      const report = await isolated(async () => {
        const scope = enter('ignored', {
          ignoreTypes: ['Immediate'],
          ignorePaths: [/api\.test\.ts/],
        });
        setImmediate(() => {});
        timers.push(setTimeout(() => {}, 60000));
        return exit(scope);
      });
      expect(report.leaks).to.deep.equal([]);
      expect((timers[0] as unknown as { _destroyed: boolean })._destroyed).to.equal(false);
      clearTimeout(timers[0]);
      const byFunction = await isolated(async () => {
        const scope = enter('ignored-fn', { ignore: (leak) => leak.description.includes('keep') });
        timers.push(setTimeout(function keep() {}, 60000));
        setTimeout(function drop() {}, 60000);
        return exit(scope);
      });
      expect(byFunction.leaks.map((l) => l.description)).to.deep.equal(['setTimeout(drop, 60000 ms)']);
      clearTimeout(timers[1]);
    });

    it("mode 'warn' reports without failing; mode 'off' tracks nothing", async function () {
      const warned = await isolated(async () => {
        const scope = enter('warned', { mode: 'warn' });
        setTimeout(() => {}, 60000);
        return exit(scope);
      });
      expect(warned.leaks).to.have.length(1);
      expect(warned.failed).to.equal(false);
      let timer: NodeJS.Timeout | undefined;
      const off = await isolated(async () => {
        const scope = enter('off', { mode: 'off' });
        timer = setTimeout(() => {}, 60000);
        return exit(scope);
      });
      expect(off.leaks).to.deep.equal([]);
      clearTimeout(timer);
      let deferredRan = false;
      await withIsolation('off-cleanups', (scope) => scope.defer(() => (deferredRan = true)), { mode: 'off' });
      expect(deferredRan, "scope.defer runs in 'off' mode too").to.equal(true);
    });
  });

  describe('nested scopes', function () {
    it('a parent exit ends an open child and reports its leaks as the parent\'s', async function () {
      const report = await isolated(async () => {
        const parent = enter('parent');
        await tick();
        enter('child');
        setTimeout(function inChild() {}, 60000);
        return exit(parent);
      });
      expect(report.leaks.map((l) => [l.description, l.scope])).to.deep.equal([
        ['setTimeout(inChild, 60000 ms)', 'child'],
      ]);
    });

    it('a child exit leaves the parent as the owner of what follows', function () {
      return isolated(async () => {
        const parent = enter('outer');
        await tick();
        const child = enter('inner');
        await exit(child);
        expect(currentScope()).to.equal(parent);
        setTimeout(function inParent() {}, 60000);
        const report = await exit(parent);
        expect(report.leaks.map((l) => l.description)).to.deep.equal(['setTimeout(inParent, 60000 ms)']);
      });
    });
  });

  describe('openScope and scope.run', function () {
    it('own only what runs inside run(), and give the caller its context back', async function () {
      const scope = openScope('opened');
      expect(currentScope()).to.equal(undefined);
      const value = scope.run(() => {
        expect(currentScope()).to.equal(scope);
        setTimeout(function insideRun() {}, 60000);
        return 42;
      });
      expect(value).to.equal(42);
      expect(currentScope()).to.equal(undefined);
      const outside = setTimeout(() => {}, 60000);
      await scope.run(() => tick());
      const report = await exit(scope);
      expect(report.leaks.map((l) => l.description)).to.deep.equal(['setTimeout(insideRun, 60000 ms)']);
      expect((outside as unknown as { _destroyed: boolean })._destroyed).to.equal(false);
      clearTimeout(outside);
    });

    it('check their arguments and that the scope is still open', async function () {
      expect(() => openScope('' as never)).to.throw(IsolationUsageError, 'openScope(name): name must be a non-empty string, got the string ""');
      const scope = openScope('checked');
      expect(() => scope.run(7 as never)).to.throw(IsolationUsageError, 'scope.run(fn): fn must be a function, got number 7');
      await exit(scope);
      expect(() => scope.run(() => 1)).to.throw(IsolationUsageError, 'scope.run(): scope "checked" has already ended');
    });
  });

  describe('scopes entered one after the other with no await between', function () {
    it('are siblings: each exits on its own, in either order, with its own report', function () {
      return isolated(async () => {
        const first = enter('first');
        setTimeout(function ofFirst() {}, 60000);
        const second = enter('second');
        setTimeout(function ofSecond() {}, 60000);
        expect(second.parent).to.equal(undefined);
        const secondReport = await exit(second);
        expect(currentScope(), 'back where the first enter() was called').to.equal(undefined);
        const firstReport = await exit(first);
        expect(secondReport.leaks.map((l) => l.description)).to.deep.equal(['setTimeout(ofSecond, 60000 ms)']);
        expect(firstReport.leaks.map((l) => l.description)).to.deep.equal(['setTimeout(ofFirst, 60000 ms)']);
      });
    });

    it('inside an open scope, are both its children', async function () {
      await withIsolation('outer', async (outer) => {
        const a = enter('a');
        const b = enter('b');
        expect([a.parent, b.parent]).to.deep.equal([outer, outer]);
        await exit(b);
        expect(currentScope()).to.equal(outer);
        await exit(a);
        expect(currentScope()).to.equal(outer);
      });
    });
  });

  describe('after an entered scope ended', function () {
    it('what still runs in its context runs where enter() was called: never cancelled as the scope\'s', async function () {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let late: NodeJS.Timeout | undefined;
      const error = await withIsolation('outer', async () => {
        const inner = enter('inner');
        void gate.then(() => (late = setTimeout(function afterInner() {}, 60000)));
        expect((await exit(inner)).leaks).to.deep.equal([]);
        release();
        await tick();
        await tick();
        expect((late as unknown as { _destroyed: boolean })._destroyed, 'left running').to.equal(false);
      }).catch((e: unknown) => e);
      expect((error as LeakError).report.leaks.map((l) => l.description)).to.deep.equal(['setTimeout(afterInner, 60000 ms)']);
    });
  });

  describe('outlived work', function () {
    it('cancels what a scope creates after it ended and reports it against that scope', function () {
      return isolated(async () => {
        const seen: Array<[string, OutlivedWork]> = [];
        const stop = onOutlived((scope, work) => seen.push([scope.name, work]));
        try {
          let release!: () => void;
          const gate = new Promise<void>((resolve) => (release = resolve));
          let ended!: Scope;
          await withIsolation('short-lived', (scope) => {
            ended = scope;
            void gate.then(() => setTimeout(function tooLate() {}, 60000));
          });
          await withIsolation('running-now', async () => {
            release();
            await tick();
            await tick();
          });
          const late = seen.filter(([name]) => name === 'short-lived').map(([, work]) => work);
          expect(late.some((w) => w.type === 'Timeout' && w.cancelled && w.description.startsWith('setTimeout(tooLate'))).to.equal(true);
          expect(ended.report!.outlived.some((w) => w.type === 'Timeout')).to.equal(true);
          expect(seen.some(([name]) => name === 'running-now')).to.equal(false);
        } finally {
          stop();
        }
      });
    });
  });

  describe('enter/exit in the patterns users write (real processes)', function () {
    const fixture = (name: string) => join(FIXTURES, 'programmatic', name);

    it("after `await helper()` the caller is back in its own context, and its timers fire (the issue's reproduction)", async function () {
      const run = await runNode([fixture('helper-returns.cjs')]);
      expect(run.stdout).to.equal('after t1: undefined\nnever printed\nafter t2: undefined\nafter t3: undefined\nthe end\n');
      expect(run.stderr).to.equal('');
      expect(run.code).to.equal(0);
    });

    it('helpers started together each own what they created; neither ends the other, whichever exits first', async function () {
      const run = await runNode([fixture('concurrent-helpers.cjs')]);
      const [json, last] = run.stdout.trim().split('\n');
      expect(JSON.parse(json!)).to.deep.equal({
        order: ['quick', 'slow'],
        reports: {
          quick: ['setTimeout(quickLeak, 60000 ms)'],
          slow: ['setInterval(slowLeak, 1000 ms)'],
          first: ['setTimeout(firstLeak, 60000 ms)'],
          second: ['setInterval(secondLeak, 1000 ms)'],
          third: [],
        },
        rejected: [],
        after: null,
      });
      expect(last).to.equal('the caller carried on');
      expect(run.stderr).to.equal('');
      expect(run.code).to.equal(0);
    });

    it("a harness entering in before-each and exiting in after-each gets each test's leaks, serially and a few at once, and its own work lives", async function () {
      const run = await runNode([fixture('framework-hooks.cjs')]);
      const [json, last] = run.stdout.trim().split('\n');
      const leaks = (prefix: string) => [
        `${prefix} is clean: clean`,
        `${prefix} is slow and clean: clean`,
        `${prefix} leaks a timer after an await: setTimeout(retry, 60000 ms)`,
        `${prefix} leaks an interval: setInterval(poll, 1000 ms)`,
      ];
      expect(JSON.parse(json!)).to.deep.equal({ results: [...leaks('batch'), ...leaks('serial')], frameworkTicked: true, lateTimersFired: 8, after: null });
      expect(last).to.equal('all tests ran');
      expect(run.stderr).to.equal('');
      expect(run.code).to.equal(0);
    });

    it('under plain Mocha: enter() in beforeEach, exit() in afterEach, helpers inside tests, one and two at once', async function () {
      const run = await runNode([join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--reporter', 'dot', fixture('hooks.spec.js')]);
      expect(run.stdout).to.include('5 passing');
      expect(run.stdout).not.to.include('failing');
      const reports = JSON.parse(/^REPORTS (.*)$/m.exec(run.stderr)![1]!);
      expect(reports).to.deep.equal({
        reports: [
          'leaks an interval: setInterval(poll, 1000 ms)',
          'is clean after an await: clean',
          'runs a helper, then carries on in its own scope: setTimeout(leakedAfterTheHelper, 60000 ms)',
          'runs two helpers at once, each with its own leak: clean',
          'still runs after all that: clean',
        ],
        helperReports: { helper: [], 'quick helper': ['setTimeout(quickLeak, 60000 ms)'], 'slow helper': ['setInterval(slowLeak, 1000 ms)'] },
      });
      expect(run.code).to.equal(0);
    });

    it('openScope() and scope.run(): the caller never joins the scope, where enter() cannot tell it apart', async function () {
      const run = await runNode([fixture('safe-form.cjs')]);
      expect(JSON.parse(run.stdout)).to.deep.equal({
        reports: {
          quick: { parent: null, leaks: [] },
          slow: { parent: null, leaks: ['setInterval(slowLeak, 1000 ms)'] },
        },
        callerTimersFired: 2,
        current: null,
      });
      expect(run.stderr).to.include('async work outlived its scope "slow":\n    Timeout setTimeout(afterTheEnd, 60000 ms) created after the scope ended — cleared with clearTimeout');
      expect(run.code).to.equal(0);
    });

    it('what is cancelled where no report reaches the caller is told on stderr, with its creation site', async function () {
      const run = await runNode([fixture('told.cjs')]);
      expect(run.stdout).to.equal('threw: its own failure\ndone\n');
      expect(run.stderr).to.include(
        'async-isolation: async work outlived its scope "short-lived":\n' +
          '    Timeout setTimeout(tooLate, 60000 ms) created after the scope ended — cleared with clearTimeout\n' +
          '      at test/fixtures/programmatic/told.cjs:14:26\n' +
          '  hint: wait for this work before the scope ends, or start it inside detached()\n',
      );
      expect(run.stderr).to.include('async-isolation: scope "warned" (not failing):\n  it leaked 1 async resource (cancelled)\n    Timeout   setInterval(poll, 1000 ms)');
      expect(run.stderr).to.include('async-isolation: scope "allowed" (not failing):\n  it leaked 1 async resource (cancelled)\n    Timeout   setTimeout(warm, 60000 ms)');
      expect(run.stderr).to.include('async-isolation: scope "threw" (it threw):\n  it leaked 1 async resource (cancelled)\n    Timeout   setInterval(retry, 1000 ms)');
      expect(run.code).to.equal(0);
    });

    it('under Mocha with the adapter, a withIsolation scope inside a test tells what it cancelled on stderr', async function () {
      const mocha = await runMocha(['told.spec.js'], { cwd: join(FIXTURES, 'programmatic') });
      expect(mocha.json.stats).to.include({ tests: 2, passes: 2 });
      expect(mocha.stderr).to.include(
        'async-isolation: async work outlived its scope "short-lived":\n' +
          '    Timeout setTimeout(tooLate, 60000 ms) created after the scope ended — cleared with clearTimeout\n' +
          '      at told.spec.js:12:28\n',
      );
      expect(mocha.stderr).to.include('async-isolation: scope "warned" (not failing):\n  it leaked 1 async resource (cancelled)\n    Timeout   setInterval(poll, 1000 ms)');
      expect(mocha.code).to.equal(0);
    });

    it('outlived work goes to the onOutlived listener the program registered instead of stderr', async function () {
      const run = await runNode([fixture('told.cjs'), 'listener']);
      expect(run.stdout).to.equal('listener: short-lived: Timeout cleared with clearTimeout\nthrew: its own failure\ndone\n');
      expect(run.stderr).not.to.include('outlived');
      expect(run.code).to.equal(0);
    });
  });

  describe('bad input', function () {
    it('exit without a scope rejects with a readable message', async function () {
      const error = await exit(undefined as never).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(IsolationUsageError);
      expect((error as Error).message).to.equal('exit(scope): expected the Scope returned by enter(), got undefined');
    });

    it('double exit rejects, naming the scope', function () {
      return isolated(async () => {
        const scope = enter('twice');
        await exit(scope);
        const error = await exit(scope).catch((e: unknown) => e);
        expect((error as Error).message).to.equal('exit(scope): scope "twice" was already exited (exit called twice?)');
      });
    });

    it('exiting a scope from inside another open scope rejects', function () {
      return isolated(async () => {
        const a = isolated(() => enter('a-scope'));
        const error = await withIsolation('b-scope', () => exit(a).catch((e: unknown) => e));
        expect((error as Error).message).to.equal(
          'exit(scope): scope "a-scope" was exited from inside scope "b-scope"; exit a scope from the code that entered it',
        );
        await exit(a);
      });
    });

    it('names must be non-empty strings', function () {
      expect(() => enter(42 as never)).to.throw(IsolationUsageError, 'enter(name): name must be a non-empty string, got number 42');
      expect(() => enter('')).to.throw('enter(name): name must be a non-empty string, got the string ""');
    });

    it('withIsolation checks its function', async function () {
      const error = await withIsolation('x', 'not a function' as never).catch((e: unknown) => e);
      expect((error as Error).message).to.equal('withIsolation(name, fn): fn must be a function, got the string "not a function"');
    });

    it('options are checked by name and type', function () {
      expect(() => enter('x', { mode: 'loud' as never })).to.throw(
        'enter(): option "mode" must be one of "fail", "warn", "manual", "off", got the string "loud"',
      );
      expect(() => enter('x', { stackDepth: -1 })).to.throw('option "stackDepth" must be a non-negative integer, got number -1');
      expect(() => enter('x', { ignoreTypes: 'Timeout' as never })).to.throw('option "ignoreTypes" must be an array');
      expect(() => enter('x', { colour: 'red' } as never)).to.throw('enter(): unknown option "colour"');
      expect(() => configure(null as never)).to.throw('configure(): options must be an object, got null');
    });

    it('allowLeaks outside any scope says so', function () {
      expect(() => allowLeaks()).to.throw('allowLeaks() was called outside any test or scope');
    });

    it('track and defer check their arguments', async function () {
      await withIsolation('args', (scope) => {
        expect(() => scope.track(null as never)).to.throw('scope.track(obj): obj must be an object, got null');
        expect(() => scope.track({})).to.throw('scope.track(Object): it has no close/end/destroy/disconnect/stop/shutdown method');
        expect(() => scope.defer(1 as never)).to.throw('scope.defer(fn): fn must be a function, got number 1');
      });
    });
  });

});
