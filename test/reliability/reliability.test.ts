import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMocha, expectExitedOnItsOwn } from '../support/mocha';
import { FIXTURES, runNode } from '../support/run';

const cwd = join(FIXTURES, 'reliability');

describe('reliability', function () {
  describe('faults inside the library', function () {
    it('never kill the run nor replace the test\'s own error; they are reported with context', async function () {
      const path = join(mkdtempSync(join(tmpdir(), 'async-isolation-internal-')), 'report.json');
      const run = await runMocha(['internal-errors.spec.js'], { cwd, env: { ASYNC_ISOLATION_REPORT: path } });
      expectExitedOnItsOwn(run);
      expect(run.json.stats.tests).to.equal(3);
      expect(run.passed('a fault inside the library survives a broken Error.captureStackTrace in its hook')).to.equal(true);
      expect(
        run.failure("a fault inside the library survives a resource that breaks while being checked, keeping the test's own error")!
          .err.message,
      ).to.equal('own error');
      expect(run.passed('a fault inside the library runs after the faults')).to.equal(true);
      expect(run.stderr).to.include('async-isolation: internal error in async hook init (Timeout): Error: captureStackTrace is broken');
      expect(run.stderr).to.match(/internal error in checking a Timeout of scope "a fault inside the library survives a resource that breaks[^"]*": Error: hasRef is broken/);
      // Each fault is also in the report of the test it happened in.
      const entries = JSON.parse(readFileSync(path, 'utf8')).entries as { title: string[]; report: { internalErrors: string[] } }[];
      const internalErrorsOf = (title: string): string[] => entries.find((e) => e.title.at(-1) === title)!.report.internalErrors;
      expect(internalErrorsOf('survives a broken Error.captureStackTrace in its hook')).to.satisfy((errors: string[]) =>
        errors.some((error) => error.startsWith('async hook init (Timeout): Error: captureStackTrace is broken')),
      );
      expect(internalErrorsOf('runs after the faults')).to.deep.equal([]);
    });

    it('bound cleanups that never finish and report cleanups that throw, without failing the test', async function () {
      const run = await runMocha(['cleanup-hangs.spec.js'], { cwd });
      expectExitedOnItsOwn(run);
      expect(run.json.stats.passes).to.equal(3);
      expect(run.stderr).to.include('cleanup failed: closing tracked stuck client did not finish within 100 ms');
      expect(run.stderr).to.include('cleanup failed: scope.defer(flush): flush failed');
    });
  });

  describe('fake timers (@sinonjs/fake-timers)', function () {
    it('cause no false leak, and an exit while they are installed does not hang', async function () {
      const run = await runMocha(['fake-timers.spec.js'], { cwd });
      expectExitedOnItsOwn(run);
      expect(run.passed('fake timers installed per test and uninstalled in afterEach uses fake timers only: no leak')).to.equal(true);
      expect(run.failure('fake timers leaves fake timers installed while a real timer leaks')!.err.message).to.match(
        /^test leaked 1 async resource \(cancelled\)\n\s+Timeout\s+setInterval\(anonymous, 1000 ms\) — cleared with clearInterval/,
      );
      expect(run.passed('fake timers still runs, with the clock uninstalled')).to.equal(true);
    });
  });

  describe('process.exit() inside a test', function () {
    it('still leaves a merged report of what ran before it', async function () {
      const path = join(mkdtempSync(join(tmpdir(), 'async-isolation-exit-')), 'report.json');
      const run = await runNode(
        [join(cwd, '..', '..', '..', 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--require', join(cwd, '..', '..', '..', 'dist', 'register.js'), 'process-exit.spec.js'],
        { cwd, env: { ASYNC_ISOLATION_REPORT: path } },
      );
      expect(run.code).to.equal(3);
      const report = JSON.parse(readFileSync(path, 'utf8'));
      const entry = report.entries.find((e: { title: string[] }) => e.title.at(-1) === 'leaks before the exit');
      expect(entry.report.leaks[0].description).to.equal('setInterval(beforeExit, 1000 ms)');
    });
  });

  describe('after the run', function () {
    async function stillRunning(env: NodeJS.ProcessEnv) {
      const run = await runNode(
        [join(cwd, '..', '..', '..', 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--require', join(cwd, '..', '..', '..', 'dist', 'register.js'), 'module-load-leak.spec.js'],
        { cwd, env, timeoutMs: 4000 },
      );
      expect(run.signal, 'the module-level interval keeps the process alive').to.equal('SIGKILL');
      return run;
    }

    it('says what still holds the process, without blaming a test', async function () {
      const run = await stillRunning({});
      expect(run.stdout).to.include('1 passing');
      expect(run.stderr).to.include('async-isolation: the test run has ended but the process is still running, held by 1 x Timeout.');
      expect(run.stderr).to.include('Run with ASYNC_ISOLATION_WHY=1 to see where they were created.');
    });

    it('with ASYNC_ISOLATION_WHY=1, says where it was created', async function () {
      const run = await stillRunning({ ASYNC_ISOLATION_WHY: '1' });
      expect(run.stderr).to.include('Where they were created:');
      expect(run.stderr).to.match(/module-load-leak\.spec\.js:3 +- setInterval\(function keepsProcessAlive/);
    });
  });

  describe('scale', function () {
    async function scale(name: string): Promise<Record<string, number | boolean>> {
      const run = await runNode(['--expose-gc', join(cwd, 'scale.js'), name], { cwd, timeoutMs: 120000 });
      expect(run.code, run.stderr).to.equal(0);
      return JSON.parse(run.stdout);
    }

    it('100,000 scopes in one process keep the heap flat', async function () {
      const result = await scale('scopes');
      expect(result.growthMiB).to.be.below(2);
    });

    it('100,000 live timers in one scope are all reported and cancelled', async function () {
      const result = await scale('timers');
      expect(result).to.include({ leaks: 100000, allCancelled: true, active: 0 });
    });

    it('1,000 sockets in one scope are all reported and destroyed', async function () {
      const result = await scale('sockets');
      expect(result).to.deep.equal({ leaks: 1000, allDestroyed: true });
    });

    it('deep promise recursion inside a scope', async function () {
      const result = await scale('recursion');
      expect(result).to.deep.equal({ result: 20000, leaks: 0 });
    });
  });
});
