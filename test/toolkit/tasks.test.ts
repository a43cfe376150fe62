import { expect } from 'chai';
import { AsyncResource } from 'node:async_hooks';
import {
  withIsolation,
  enter,
  exit,
  trackTask,
  IsolationUsageError,
  LeakError,
  type LeakReport,
  type Scope,
} from '../../dist/index.js';
import { inScope, sleep, thrown } from '../support/scopes';

/** Runs `fn` in a scope of its own (enter/exit) and returns the exit report. */

/** A polling loop that stops when its signal aborts. */
async function poll(signal: AbortSignal, ticks: { n: number }): Promise<string> {
  while (!signal.aborted) {
    ticks.n++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
  return 'stopped';
}

describe('trackTask', function () {
  it('(signal) => promise: cancels the task at exit, and the test passes', async function () {
    const ticks = { n: 0 };
    let task!: Promise<string>;
    const report = await inScope('poller', async () => {
      task = trackTask((signal) => poll(signal, ticks));
      await sleep(10);
    });
    expect(report.leaks).to.deep.equal([]);
    expect(report.failed).to.equal(false);
    expect(await task).to.equal('stopped');
    const after = ticks.n;
    await sleep(15);
    expect(ticks.n).to.equal(after);
  });

  it('works as a scope method too', async function () {
    const ticks = { n: 0 };
    const report = await inScope('method', (scope) => {
      scope.trackTask((signal) => poll(signal, ticks), { name: 'poller' });
    });
    expect(report.leaks).to.deep.equal([]);
  });

  it('reports a task that ignores its cancellation, with where it was tracked', async function () {
    let ignoring!: Promise<unknown>;
    const report = await inScope('stubborn', () => {
      ignoring = trackTask(() => new Promise(() => {}), { name: 'consumer' });
    });
    expect(report.failed).to.equal(true);
    expect(report.leaks).to.have.length(1);
    const [leak] = report.leaks;
    expect(leak.type).to.equal('Task');
    expect(leak.description).to.equal('background task "consumer" ignored its cancellation');
    expect(leak.cancelled).to.equal(false);
    expect(leak.cancelError).to.match(/^still running \d+ ms after it was cancelled: make it stop when its AbortSignal aborts$/);
    expect(leak.stack.split('\n')[0]).to.match(/tasks\.test\.ts:\d+:\d+\)$/);
    expect(ignoring).to.have.property('taskName', 'consumer');
  });

  it('waits the scope settle time for a task that stops slowly', async function () {
    const report = await inScope('slow', () => {
      trackTask(
        (signal) =>
          new Promise<void>((resolve) => signal.addEventListener('abort', () => setTimeout(resolve, 30), { once: true })),
      );
    });
    expect(report.leaks).to.deep.equal([]);
  });

  it('a promise with cancel(): cancel() is called at exit', async function () {
    let cancelled = 0;
    let settle!: () => void;
    const cancellable = Object.assign(new Promise<void>((resolve) => (settle = resolve)), {
      cancel: () => {
        cancelled++;
        settle();
      },
    });
    const report = await inScope('cancellable', () => {
      trackTask(cancellable);
    });
    expect(cancelled).to.equal(1);
    expect(report.leaks).to.deep.equal([]);
  });

  it('an AbortController: aborted at exit', async function () {
    const controller = new AbortController();
    const report = await inScope('controller', () => {
      trackTask(controller, { name: 'fetches' });
    });
    expect(controller.signal.aborted).to.equal(true);
    expect(report.leaks).to.deep.equal([]);
  });

  it('a function returning an AbortController or a cancellable promise: both are cancelled', async function () {
    const inner = new AbortController();
    let outerSignal!: AbortSignal;
    await inScope('returns-controller', () => {
      trackTask((signal) => ((outerSignal = signal), inner));
    });
    expect(inner.signal.aborted).to.equal(true);
    expect(outerSignal.aborted).to.equal(true);
  });

  it('a task that ended by itself is neither cancelled nor reported', async function () {
    let aborted: boolean | undefined;
    const report = await inScope('finished', async () => {
      const task = trackTask(async (signal) => {
        await sleep(1);
        return () => (aborted = signal.aborted);
      });
      (await task)();
    });
    expect(aborted).to.equal(false);
    expect(report.leaks).to.deep.equal([]);
  });

  it('cancel() stops it early; a rejection caused by the cancellation resolves undefined', async function () {
    await inScope('early', async () => {
      const task = trackTask(
        (signal) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
      );
      task.cancel();
      expect(await task).to.equal(undefined);
    });
  });

  it("a task's own failure is not swallowed", async function () {
    await inScope('fails', async () => {
      const task = trackTask(async () => {
        throw new Error('consumer crashed');
      });
      let error: Error | undefined;
      await task.catch((e: Error) => (error = e));
      expect(error?.message).to.equal('consumer crashed');
    });
  });

  it('withIsolation throws a LeakError for a task that ignored its cancellation', async function () {
    let error: unknown;
    await withIsolation('stuck', () => {
      trackTask(() => new Promise(() => {}), { name: 'stuck' });
    }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(LeakError);
    expect((error as Error).message).to.match(/^scope "stuck" leaked 1 async resource \(none could be cancelled\)\n  Task      background task "stuck" ignored its cancellation — not cancelled: still running/);
  });

  it('concurrent scopes cancel only their own tasks', async function () {
    const a = { n: 0 };
    const b = { n: 0 };
    let bTask!: Promise<unknown>;
    let bRunning!: () => boolean;
    await Promise.all([
      inScope('a', async () => {
        trackTask((signal) => poll(signal, a));
        await sleep(5);
      }),
      inScope('b', async () => {
        bTask = trackTask((signal) => {
          bRunning = () => !signal.aborted;
          return poll(signal, b);
        });
        await sleep(30);
        expect(bRunning(), "a's exit did not cancel b's task").to.equal(true);
      }),
    ]);
    expect(await bTask).to.equal('stopped');
  });

  describe('bad input', function () {
    it('outside any test or scope: a clear error', function () {
      const error = new AsyncResource('outside').runInAsyncScope(() => thrown(() => trackTask(() => undefined)));
      expect(error).to.be.instanceOf(IsolationUsageError);
      expect(error.message).to.equal(
        "trackTask() was called outside any test or scope; call it inside a test, a hook or withIsolation(), or use the scope's own method",
      );
    });

    it('a plain promise cannot be cancelled: says what to pass instead', async function () {
      await inScope('plain', () => {
        expect(thrown(() => trackTask(Promise.resolve(1) as never)).message).to.equal(
          'trackTask(task, options): task must be a function (signal) => promise, a promise with a cancel() method, or an AbortController, got a promise without cancel(): pass (signal) => ... so it can be cancelled',
        );
      });
    });

    it('other values and bad options', async function () {
      await inScope('bad', () => {
        expect(thrown(() => trackTask(42 as never)).message).to.match(/, got number 42$/);
        expect(thrown(() => trackTask(null as never)).message).to.match(/, got null$/);
        expect(thrown(() => trackTask(() => 1, { name: '' })).message).to.equal(
          'trackTask(task, options): name must be a non-empty string, got the string ""',
        );
        expect(thrown(() => trackTask(() => 1, { nmae: 'x' } as never)).message).to.equal(
          'trackTask(task, options): unknown option "nmae" (known: name)',
        );
      });
    });

    it('after the scope ended: names the scope', async function () {
      let kept!: Scope;
      await inScope('ended', (scope) => {
        kept = scope;
      });
      expect(thrown(() => kept.trackTask(() => 1)).message).to.equal('trackTask(): scope "ended" has already ended');
    });
  });
});
