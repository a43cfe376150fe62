import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, ROOT, runNode, type RunResult } from '../support/run';
import { expectExitedOnItsOwn } from '../support/mocha';
import { nodesAtLeast } from '../vitest/support';
import { expectValidReport } from '../support/report-schema';

interface NodeTestResult {
  name: string;
  nesting: number;
  file: string;
  passed: boolean;
  error?: { name?: string; message: string; failureType?: string };
}

interface NodeTestRun extends RunResult {
  tests: NodeTestResult[];
  test(name: string): NodeTestResult;
  report: any;
}

const REPORTER = join(ROOT, 'test', 'node-test', 'json-reporter.mjs');

/**
 * `node --test --import async-isolation/node-test` on fixture files, as a user would run it
 * (`launch` replaces `--test`: `[]` runs one file directly).
 */
async function runNodeTest(node: string, files: string[], launch = ['--test']): Promise<NodeTestRun> {
  const work = mkdtempSync(join(tmpdir(), 'ai-node-test-'));
  const reportFile = join(work, 'leaks.json');
  try {
    const result = await runNode(
      [...launch, '--import', 'async-isolation/node-test', `--test-reporter=${REPORTER}`, ...files],
      { cwd: join(FIXTURES, 'node-test'), node, timeoutMs: 60_000, env: { ASYNC_ISOLATION_REPORT: reportFile } },
    );
    let tests: NodeTestResult[];
    let testStderr: string;
    try {
      ({ tests, stderr: testStderr } = JSON.parse(result.stdout));
    } catch {
      throw new Error(`node --test printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
    let report: any;
    try {
      report = JSON.parse(readFileSync(reportFile, 'utf8'));
    } catch {
      report = undefined;
    }
    return {
      ...result,
      stderr: result.stderr + testStderr,
      tests,
      report,
      test(name) {
        const found = tests.find((t) => t.name === name);
        if (found === undefined) throw new Error(`no test "${name}" in: ${tests.map((t) => t.name).join(', ')}`);
        return found;
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const LEAKING = [
  'a subtest owns its own leak',
  'fails by itself and leaks',
  'inner leaks',
  'leaks a server and a client socket',
  'leaks a timeout',
  'leaks an immediate loop',
  'leaks an interval while the others run',
  'retries the payment',
];

describe('node:test adapter: leaks fail the leaking test itself', function () {
  // This Node, and Node 22/24/26 when ASYNC_ISOLATION_NODE22 / _NODE24 / _NODE26 name them.
  for (const { node, major } of nodesAtLeast(0)) {
    describe(`Node ${major}`, function () {
      let run: NodeTestRun;

      before(async function () {
        run = await runNodeTest(node, ['timers.test.mjs', 'concurrent.test.mjs']);
      });

      it('fails exactly the leaking tests (a parent of a failing subtest fails too) and runs all others', function () {
        const failed = run.tests.filter((t) => !t.passed).map((t) => t.name).sort();
        expect(failed, run.stderr).to.deep.equal(LEAKING);
        expect(run.tests).to.have.length(18);
        expect(run.code).to.equal(1);
        expectExitedOnItsOwn(run);
      });

      it("fails the test with the core's report: type, description, creation site, what was done", function () {
        const error = run.test('retries the payment').error!;
        expect(error.name).to.equal('LeakError');
        expect(error.message).to.match(/^test leaked 1 async resource \(cancelled\)/);
        expect(error.message).to.include('Timeout   setInterval(fn, 5 ms) — cleared with clearInterval');
        expect(error.message).to.match(/at TestContext\.<anonymous> \((file:\/\/\/.*\/)?timers\.test\.mjs:17:5\)/);
        expect(run.test('leaks an immediate loop').error!.message).to.match(/Immediate setImmediate\(spin\) — cleared with clearImmediate\n\s+at Immediate\.spin/);
      });

      it('counts cleanup in afterEach (describe and file level) and in t.after', function () {
        expect(run.test('is not a leak').passed).to.equal(true);
        expect(run.test('is cleaned up by the file-level afterEach').passed).to.equal(true);
        expect(run.test('cleans up with t.after').passed).to.equal(true);
      });

      it('keeps the test’s own error when it also leaks, and says what leaked on stderr', function () {
        const error = run.test('fails by itself and leaks').error!;
        expect(error.name).to.match(/AssertionError/);
        expect(run.stderr).to.match(/fails by itself and leaks \(test failed; its leaks were cancelled\):\n\s+it leaked 1 async resource/);
      });

      it('gives each concurrent test and each subtest only what it created', function () {
        expect(run.test('leaks an interval while the others run').error!.message).to.include('setInterval(leakedBySlowTest, 1000 ms)');
        expect(run.test('is clean, running beside the leaky one').passed).to.equal(true);
        expect(run.test('closes what it opens').passed).to.equal(true);
        expect(run.test('inner leaks').error!.message).to.include('setTimeout(innerLeak, 60000 ms)');
        expect(run.test('inner is clean').passed).to.equal(true);
      });

      it('reports sockets and servers', function () {
        const message = run.test('leaks a server and a client socket').error!.message;
        expect(message).to.match(/^test leaked 3 async resources \(all cancelled\)/);
        expect(message).to.match(/TCPSERVERWRAP TCP server listening on 127\.0\.0\.1:\d+ — closed\n\s+at .*concurrent\.test\.mjs:21:43/);
      });

      it('writes one JSON report for the run, merged from every test process', function () {
        expect(run.report, 'no merged report').to.be.an('object');
        expectValidReport(run.report);
        expect(run.report.totals.entries).to.equal(18);
        // The 7th leaking test failed on its own.
        expect(run.report.totals.failedByLeaks).to.equal(6);
        const own = run.report.entries.find((e: any) => e.title.at(-1) === 'fails by itself and leaks');
        expect(own).to.include({ runnerOutcome: 'failed', outcome: 'failed', failedByLeaks: false });
        const files = new Set(run.report.entries.map((e: any) => e.file.split(/[\\/]/).pop()));
        expect([...files].sort()).to.deep.equal(['concurrent.test.mjs', 'timers.test.mjs']);
        const entry = run.report.entries.find((e: any) => e.title.at(-1) === 'retries the payment');
        expect(entry).to.include({ runner: 'node:test', kind: 'test', file: 'timers.test.mjs', runnerOutcome: 'passed', outcome: 'failed', failedByLeaks: true });
      });
    });
  }
});

describe('node:test adapter: what keeps nothing alive is left alone', function () {
  it('passes idle zlib streams and sockets with no file descriptor, lists them, and still fails a listening server', async function () {
    const run = await runNodeTest(process.execPath, ['liveness.test.mjs']);
    expect(run.test('reuses a deflate stream').passed, run.stderr).to.equal(true);
    expect(run.test('connects through a lookup that never answers').passed).to.equal(true);
    expect(run.test('leaves a listening server').error!.message).to.match(/TCP server listening on 127\.0\.0\.1:\d+ — closed/);
    const unref = (title: string) => run.report.entries.find((e: any) => e.title.at(-1) === title).report.unref;
    expect(unref('reuses a deflate stream')[0]).to.include({ type: 'ZLIB', idle: 'no write pending', cancelled: false });
    expect(unref('connects through a lookup that never answers')[0]).to.include({ type: 'TCPWRAP', idle: 'no file descriptor yet', cancelled: false });
    expectExitedOnItsOwn(run);
  });
});

describe("node:test adapter: work done in callbacks of sockets a test's server accepted", function () {
  for (const { node, major } of nodesAtLeast(0)) {
    it(`belongs to the test that owns the server (Node ${major})`, async function () {
      const run = await runNodeTest(node, ['accepted.test.mjs']);
      expect(run.test('a server-side data handler leaves an interval').error?.message, run.stderr).to.match(
        /^test leaked 1 async resource \(cancelled\)\n\s+Timeout\s+setInterval\(serverPoll, 100 ms\) — cleared with clearInterval\n\s+at Socket\.<anonymous> \((file:\/\/\/.*\/)?accepted\.test\.mjs:16:9\)/,
      );
      expect(run.test('a server-side handler answers after a 20 ms timer').passed).to.equal(true);
      expect(run.stderr).not.to.include('outside any test');
      expectExitedOnItsOwn(run);
    });
  }
});

describe('node:test adapter: a request left in flight on a pooled keep-alive connection', function () {
  for (const { node, major } of nodesAtLeast(0)) {
    it(`fails the test that made it (Node ${major})`, async function () {
      const run = await runNodeTest(node, ['requests.test.mjs']);
      expect(run.test('leaves a fetch in flight on the pooled connection').error?.message, run.stderr).to.match(
        /^test leaked 1 async resource \(cancelled\)\n\s+UndiciRequest HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow in flight — aborted\n\s+at TestContext\.<anonymous> \((file:\/\/\/.*\/)?requests\.test\.mjs:32:5\)/,
      );
      expect(run.test('opens a keep-alive connection with a fetch read to its end').passed).to.equal(true);
      expect(run.test('reuses the pooled connection with a fetch read to its end').passed).to.equal(true);
      expectExitedOnItsOwn(run);
    });
  }
});

describe('node:test adapter: after a test fails through an uncaught exception', function () {
  it("runs a later test's server-side callbacks in its own context", async function () {
    const run = await runNodeTest(process.execPath, ['uncaught-context.test.mjs']);
    expect(run.test('fails with an uncaught exception').error!.message).to.include('boom');
    expect(run.test('a later test: its server answers after a 20 ms timer').passed, run.stderr).to.equal(true);
    expect(run.stderr).not.to.include('outlived');
    expectExitedOnItsOwn(run);
  });
});

/** The flag with which this node runs every test file in the runner's own process, if it has one. */
async function isolationNoneFlag(node: string): Promise<string | undefined> {
  for (const flag of ['--test-isolation=none', '--experimental-test-isolation=none']) {
    if ((await runNode([flag, '-p', '1'], { node })).code === 0) return flag;
  }
  return undefined;
}

describe('node:test adapter: only in processes that run test files', function () {
  for (const { node, major } of nodesAtLeast(0)) {
    describe(`Node ${major}`, function () {
      it('stays out of what a test file forks and of its worker threads', async function () {
        const run = await runNodeTest(node, ['processes.test.mjs']);
        const failed = run.tests.filter((t) => !t.passed).map((t) => `${t.name}: ${t.error?.message}`);
        expect(failed, run.stderr).to.deep.equal([]);
        expect(run.tests).to.have.length(3);
        expect(run.code).to.equal(0);
      });

      it('prints nothing of its own in a process NODE_OPTIONS gives it to', async function () {
        const run = await runNode(['-e', 'console.log(1)'], { node, env: { NODE_OPTIONS: '--import async-isolation/node-test' } });
        expect(run.stdout).to.equal('1\n');
        expect(run.stderr).to.equal('');
        expect(run.code).to.equal(0);
      });

      it('still fails the leaking tests of a file run directly with node --import', async function () {
        const run = await runNodeTest(node, ['timers.test.mjs'], []);
        expect(run.test('retries the payment').error!.name).to.equal('LeakError');
        expect(run.test('clean test').passed).to.equal(true);
        expect(run.code).to.equal(1);
      });

      // (Forks are left out: with --test in their inherited execArgv they run as test runners themselves.)
      it('still fails the leaking tests with --test-isolation=none, and stays out of their worker threads', async function () {
        const flag = await isolationNoneFlag(node);
        if (flag === undefined) this.skip();
        const run = await runNodeTest(node, ['timers.test.mjs', 'processes.test.mjs'], ['--test', flag]);
        expect(run.test('retries the payment').error!.name).to.equal('LeakError');
        expect(run.test('clean test').passed).to.equal(true);
        expect(run.test('a worker with its own unhandledRejection handler does not crash').passed, run.stderr).to.equal(true);
      });
    });
  }
});
