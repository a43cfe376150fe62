import { expect } from 'chai';
import { AsyncResource } from 'node:async_hooks';
import {
  withIsolation,
  enter,
  exit,
  allowLeaks,
  assertNoLeaks,
  checkLeaks,
  trackTask,
  LeakError,
  IsolationUsageError,
} from '../../dist/index.js';
import { rejection } from '../support/scopes';

describe('assertNoLeaks / checkLeaks', function () {
  it('rejects with a LeakError listing what is alive now, and cancels it', async function () {
    let fired = 0;
    await withIsolation(
      'body',
      async () => {
        setInterval(() => fired++, 1);
        const error = await rejection(assertNoLeaks());
        expect(error).to.be.instanceOf(LeakError);
        expect(error.message).to.match(
          /^scope "body" leaked 1 async resource \(cancelled\)\n  Timeout   setInterval\(anonymous, 1 ms\) — cleared with clearInterval\n    at .*assert-no-leaks\.test\.ts:\d+:\d+\)/,
        );
        const count = fired;
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(fired).to.equal(count);
      },
      { mode: 'manual' },
    );
  });

  it('resolves when nothing is alive, also while a close is under way', async function () {
    await withIsolation('clean', async () => {
      const timer = setTimeout(() => {}, 1000);
      clearTimeout(timer);
      await assertNoLeaks();
    });
  });

  it('marks the scope: leaks made later fail it at exit even in manual mode', async function () {
    const error = await rejection(
      withIsolation(
        'marked',
        async () => {
          await assertNoLeaks();
          setTimeout(function later() {}, 50000);
        },
        { mode: 'manual' },
      ),
    );
    expect(error).to.be.instanceOf(LeakError);
    expect(error.message).to.match(/^scope "marked" leaked 1 async resource/);
  });

  it('without the assertion, manual mode does not fail', async function () {
    await withIsolation('unmarked', () => void setTimeout(() => {}, 50000), { mode: 'manual' });
  });

  it('allowLeaks() still wins', async function () {
    await withIsolation(
      'allowed',
      async () => {
        allowLeaks('known');
        setTimeout(() => {}, 50000);
        await assertNoLeaks();
      },
      { mode: 'manual' },
    );
  });

  it('tracked tasks are not leaks before the end (the exit cancels them)', async function () {
    await withIsolation('tasks', async () => {
      trackTask((signal) => new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })));
      await assertNoLeaks();
      expect((await checkLeaks()).leaks).to.deep.equal([]);
    });
  });

  it('checkLeaks() returns the report without throwing', async function () {
    await withIsolation(
      'check',
      async () => {
        setTimeout(function pending() {}, 50000);
        const report = await checkLeaks();
        expect(report.name).to.equal('check');
        expect(report.failed).to.equal(true);
        expect(report.leaks.map((l) => l.description)).to.deep.equal(['setTimeout(pending, 50000 ms)']);
        expect((await checkLeaks()).leaks, 'cancelled by the first check').to.deep.equal([]);
      },
      { mode: 'warn' },
    );
  });

  it('outside any test or scope: a clear error', async function () {
    await new AsyncResource('outside').runInAsyncScope(async () => {
      const error = await rejection(assertNoLeaks());
      expect(error).to.be.instanceOf(IsolationUsageError);
      expect(error.message).to.equal('assertNoLeaks() was called outside any test or scope');
      expect((await rejection(checkLeaks())).message).to.equal('checkLeaks() was called outside any test or scope');
    });
  });

  it('from a callback of a scope that ended: a clear error', async function () {
    let late!: () => Promise<void>;
    await withIsolation('ended', () => {
      late = AsyncResource.bind(() => assertNoLeaks());
    });
    expect((await rejection(late())).message).to.equal('assertNoLeaks(): scope "ended" has already ended');
  });
});
