import { expect } from 'chai';
import { join } from 'node:path';
import { FIXTURES } from '../support/run';
import { runMocha, expectExitedOnItsOwn, type MochaRun } from '../support/mocha';

const cwd = join(FIXTURES, 'toolkit');

describe('toolkit with real Mocha runs', function () {
  let run: MochaRun;

  describe('assertNoLeaks() with ASYNC_ISOLATION=manual', function () {
    before(async function () {
      run = await runMocha(['manual.spec.js'], { cwd, env: { ASYNC_ISOLATION: 'manual' } });
    });

    it('fails the leaking tests themselves, not their afterEach hook, and runs every test', function () {
      expect(run.json.failures.map((f) => f.fullTitle).sort()).to.deep.equal([
        'assertNoLeaks in the test body rejects with the leak report',
        'manual style leaks an interval',
        'manual style, async afterEach leaks a timeout',
      ]);
      expect(run.json.failures.some((f) => f.fullTitle.includes('hook'))).to.equal(false);
      expect(run.json.stats.tests).to.equal(9);
      expect(run.code).to.equal(3);
      expectExitedOnItsOwn(run);
    });

    it('fails with the same LeakError message as fail mode', function () {
      const failure = run.failure('manual style leaks an interval')!;
      expect(failure.err.name).to.equal('LeakError');
      expect(failure.err.message).to.equal(
        'test leaked 1 async resource (cancelled)\n' +
          '  Timeout   setInterval(heartbeat, 1000 ms) — cleared with clearInterval\n' +
          '    at Context.<anonymous> (manual.spec.js:10:5)\n' +
          '  hint: clear timers in the test or an afterEach',
      );
      expect(run.failure('manual style, async afterEach leaks a timeout')!.err.message).to.include(
        'setTimeout(later, 60000 ms) — cleared with clearTimeout',
      );
    });

    it('judges after the later afterEach hooks and the tracked services were cleaned up', function () {
      expect(run.passed('manual style with a cleanup in a later afterEach is not a leak')).to.equal(true);
      expect(run.passed('manual style leaves a tracked service running for the scope to stop')).to.equal(true);
      expect(run.passed('manual style runs after the leak')).to.equal(true);
    });

    it('in the test body it rejects with the report', function () {
      const failure = run.failure('assertNoLeaks in the test body rejects with the leak report')!;
      expect(failure.err.message).to.match(
        /^test leaked 1 async resource \(cancelled\)\n  Timeout   setInterval\(bodyLeak, 1000 ms\) — cleared with clearInterval\n    at Context\.<anonymous> \(manual\.spec\.js:47:5\)/,
      );
      expect(run.passed('assertNoLeaks in the test body passes when nothing is alive')).to.equal(true);
    });

    it('leaves tests without the assertion alone in manual mode', function () {
      expect(run.passed('no assertion leaks without failing in manual mode')).to.equal(true);
    });
  });

  describe('the same suite in fail mode', function () {
    before(async function () {
      run = await runMocha(['manual.spec.js'], { cwd });
    });

    it('fails each leaking test once, including the one without the assertion', function () {
      expect(run.json.failures.map((f) => f.fullTitle).sort()).to.deep.equal([
        'assertNoLeaks in the test body rejects with the leak report',
        'manual style leaks an interval',
        'manual style, async afterEach leaks a timeout',
        'no assertion leaks without failing in manual mode',
      ]);
      expect(run.code).to.equal(4);
    });
  });

  describe('events, tasks, services and mocks', function () {
    before(async function () {
      run = await runMocha(['toolkit.spec.js'], { cwd });
    });

    it('passes the clean tests, fails the task that ignored its cancellation', function () {
      expect(run.json.failures.map((f) => f.fullTitle)).to.deep.equal([
        'toolkit in Mocha a task that ignores its cancellation fails the test',
      ]);
      expect(run.json.passes).to.have.length(6);
      expectExitedOnItsOwn(run);
    });

    it('reports the task with the line that tracked it', function () {
      const message = run.failure('toolkit in Mocha a task that ignores its cancellation fails the test')!.err.message!;
      expect(message).to.match(
        /^test leaked 1 async resource \(none could be cancelled\)\n  Task      background task "consumer" ignored its cancellation — not cancelled: still running \d+ ms after it was cancelled: make it stop when its AbortSignal aborts\n    at Context\.<anonymous> \(toolkit\.spec\.js:67:5\)$/,
      );
    });
  });

  describe('a failing service reset', function () {
    before(async function () {
      run = await runMocha(['service-errors.spec.js'], { cwd });
    });

    it('is reported on stderr, not thrown: the test and the run go on', function () {
      expect(run.json.passes.map((p) => p.fullTitle)).to.deep.equal([
        'service cleanup errors has a reset that fails',
        'service cleanup errors runs after it',
      ]);
      expect(run.code).to.equal(0);
      expect(run.stderr).to.include('cleanup failed: resetting service "counter": cannot reset');
    });
  });

  describe('chai plugin from an ESM spec', function () {
    before(async function () {
      run = await runMocha(['chai.spec.mjs'], { cwd });
    });

    it('default import is the plugin; failures list each leak with its creation site', function () {
      expect(run.json.failures.map((f) => f.fullTitle).sort()).to.deep.equal([
        'chai plugin assert.leakFree on the error of withIsolation',
        'chai plugin expect(await checkLeaks()).to.be.leakFree fails listing the leak',
      ]);
      const body = run.failure('chai plugin expect(await checkLeaks()).to.be.leakFree fails listing the leak')!.err.message!;
      expect(body).to.match(/^expected ".*" to be leak-free, but it leaked 1 async resource \(cancelled\)\n  Timeout   setInterval\(poll, 1000 ms\) — cleared with clearInterval\n    at Context\.<anonymous> \(chai\.spec\.mjs:10:5\)/);
      const inner = run.failure('chai plugin assert.leakFree on the error of withIsolation')!.err.message!;
      expect(inner).to.match(/^inner scope: expected "inner" to be leak-free, but it leaked 1 async resource \(cancelled\)\n  Timeout   setTimeout\(forgotten, 50000 ms\)/);
      expect(run.passed('chai plugin not.leakFree passes for a leaky report')).to.equal(true);
    });
  });
});
