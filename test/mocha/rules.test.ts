import { expect } from 'chai';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMocha, expectExitedOnItsOwn, type MochaRun } from '../support/mocha';
import { expectValidReport } from '../support/report-schema';
import { FIXTURES } from '../support/run';
import { nodeHttpPublishesCreatedRequests } from '../support/http-channels';

type TestReports = { entries: Array<{ title: string[]; report: { leaks: any[]; unref: any[] } }> };

/** Runs Mocha on one fixture spec with the JSON report on; returns the run and the report. */
async function runMochaReporting(spec: string): Promise<[MochaRun, TestReports]> {
  const path = join(mkdtempSync(join(tmpdir(), 'async-isolation-report-')), 'r.json');
  const result = await runMocha([spec], { env: { ASYNC_ISOLATION_REPORT: path } });
  return [result, JSON.parse(readFileSync(path, 'utf8'))];
}

/** What the JSON report says of the test with this title. */
function reportOf(report: TestReports, title: string): TestReports['entries'][number]['report'] {
  return report.entries.find((e) => e.title.at(-1) === title)!.report;
}

describe('Mocha adapter: attribution rules', function () {
  let run: MochaRun;

  describe('suites and hooks', function () {
    before(async function () {
      run = await runMocha(['suites.spec.js']);
    });

    it('reports what before() left running against the suite, after its tests passed', function () {
      expect(run.passed('a suite that leaks from before() passes: the suite owns what before() made')).to.equal(true);
      expect(run.passed('a suite that leaks from before() passes too')).to.equal(true);
      const suiteFailure = run.json.failures.find((f) => f.fullTitle.startsWith('a suite that leaks from before()'))!;
      expect(suiteFailure.title).to.equal('"after all" hook: async-isolation leak check');
      expect(suiteFailure.err.message).to.match(/^suite leaked 1 async resource \(cancelled\)/);
      expect(suiteFailure.err.message).to.include('setInterval(suitePoller, 1000 ms) — cleared with clearInterval');
      expect(suiteFailure.err.message).to.include('(suites.spec.js:3:5)');
    });

    it('counts cleanup in after()', function () {
      expect(run.passed('a suite that cleans up in after() passes')).to.equal(true);
      expect(run.json.failures.some((f) => f.fullTitle.startsWith('a suite that cleans up'))).to.equal(false);
    });

    it('gives beforeEach resources to the test', function () {
      const message = run.failure('beforeEach resources belong to the test fails because of its beforeEach')!.err.message!;
      expect(message).to.include('setTimeout(fromBeforeEach, 60000 ms)');
    });

    it('keeps running later suites', function () {
      expect(run.passed('a later suite still runs')).to.equal(true);
      expect(run.json.stats.failures).to.equal(2);
    });
  });

  describe('failures, timeouts and late errors', function () {
    before(async function () {
      run = await runMocha(['failures.spec.js']);
    });

    it("keeps a failing test's own error first and intact, and still cancels its leaks", function () {
      const failure = run.failure('failures throws and leaks')!;
      expect(failure.err.message).to.equal("the test's own failure");
      expect(run.stderr).to.match(/failures throws and leaks \(test failed; its leaks were cancelled\):\n\s+it leaked 1 async resource \(cancelled\)/);
    });

    it('cancels and reports what a timed-out test left', function () {
      expect(run.failure('failures times out and leaks')!.err.message).to.match(/^Timeout of 50ms exceeded/);
      expect(run.stderr).to.include('setInterval(poll, 10 ms) — cleared with clearInterval');
    });

    it('fails the test whose continuation threw after it ended, not the running one', function () {
      expect(run.failure('failures leaves a continuation that throws after it ended')!.err.message).to.equal(
        'rejected after its test ended',
      );
      expect(run.failure('failures leaves a tick that throws after it ended')!.err.message).to.equal(
        'thrown after its test ended',
      );
      expect(run.passed('failures runs while the earlier continuations throw, and passes')).to.equal(true);
      expect(run.failure('failures runs while the earlier continuations throw, and passes')).to.equal(undefined);
    });

    it('fails a test on an unhandled rejection inside it (Mocha alone would lose it)', function () {
      expect(run.failure('failures rejects inside the test without awaiting')!.err.message).to.include('unhandled inside the test');
    });

    it('cancels a timer created after its test ended and reports it against that test', function () {
      expect(run.passed('failures runs when the late timer is created, and passes')).to.equal(true);
      expect(run.stderr).to.match(
        /async work outlived its test "failures leaves a continuation that creates a timer after it ended":\n\s+Timeout setTimeout\(createdLate, 60000 ms\) created after the scope ended — cleared with clearTimeout\n\s+at failures\.spec\.js:\d+:\d+/,
      );
    });

    it('runs every test and exits on its own', function () {
      expect(run.json.stats.tests).to.equal(9);
      expect(run.passed('failures is the last test')).to.equal(true);
      expectExitedOnItsOwn(run);
    });
  });

  describe('after a test fails through an uncaught exception', function () {
    before(async function () {
      this.timeout(60000);
      run = await runMocha(['uncaught-context.spec.js']);
    });

    it("runs later tests' server-side callbacks in their own context, not the failed test's", function () {
      expect(run.failure('after an uncaught exception fails with an uncaught exception')!.err.message).to.equal('boom');
      expect(run.failure('after an uncaught exception fails with an exception thrown from a timer')!.err.message).to.equal('boom from a timer');
      expect(run.passed('after an uncaught exception a later test: its server answers after a 20 ms timer'), run.stderr).to.equal(true);
      expect(run.passed('after an uncaught exception a later test: its timer still fires'), run.stderr).to.equal(true);
      expect(run.stderr).not.to.include('outlived');
    });

    it('still blames a later leak on the later test', function () {
      expect(run.failure('after an uncaught exception, leaks a later test that leaks an interval is the one blamed')!.err.message).to.include(
        'setInterval(leftRunning, 1000 ms) — cleared with clearInterval',
      );
      expect(run.json.stats.failures).to.equal(4);
      expectExitedOnItsOwn(run);
    });
  });

  describe('an error thrown while a test is being judged', function () {
    it('fails that test alone and the run goes on', async function () {
      run = await runMocha(['closing.spec.js']);
      const failure = run.failure('an error while the test is being judged throws from a timer while its socket is still closing')!;
      expect(failure.err.message).to.equal('thrown while the test was being judged');
      expect(run.passed('an error while the test is being judged throws from a timer while its socket is still closing')).to.equal(false);
      expect(run.passed('an error while the test is being judged runs next')).to.equal(true);
      expect(run.passed('an error while the test is being judged runs last')).to.equal(true);
      expect(run.json.stats.failures).to.equal(1);
      expectExitedOnItsOwn(run);
    });
  });

  describe('spec formats', function () {
    it('works for ESM specs, including allowLeaks() imported from the package', async function () {
      run = await runMocha(['esm.spec.mjs']);
      expect(run.json.failures.map((f) => f.fullTitle)).to.deep.equal(['an ESM spec leaks an interval after an await']);
      expect(run.failure('an ESM spec leaks an interval after an await')!.err.message).to.include(
        'setInterval(pollAfterAwait, 100 ms) — cleared with clearInterval\n    at Context.<anonymous> (esm.spec.mjs:11:5)',
      );
      expect(run.passed('an ESM spec may allow its leaks')).to.equal(true);
      expect(run.stderr).to.include('(allowed by allowLeaks("documented exception"): not failing)');
    });

    it('works for TypeScript specs through tsx, with TypeScript line numbers', async function () {
      run = await runMocha(['typescript.spec.ts'], { args: ['--require', 'tsx/cjs'] });
      const message = run.failure('a TypeScript spec leaks a server')!.err.message!;
      expect(message).to.match(/HTTP server listening on 127\.0\.0\.1:\d+ — closed\n\s+at <anonymous> \(typescript\.spec\.ts:11:12\)/);
      expect(message).not.to.include('async-isolation');
      expect(run.passed('a TypeScript spec closes its server')).to.equal(true);
    });

    it('leaves a retried attempt\'s leaks to the note and judges the passing attempt alone', async function () {
      run = await runMocha(['retries.spec.js']);
      expect(run.json.stats.failures).to.equal(0);
      expect(run.stderr).to.include('(test retried; its leaks were cancelled)');
    });
  });

  describe("outlived: 'fail'", function () {
    let path: string;

    it('fails the test that left the work behind, not the running one', async function () {
      path = join(mkdtempSync(join(tmpdir(), 'async-isolation-report-')), 'r.json');
      run = await runMocha(['outlived.spec.js'], { args: ['--require', './strict-outlived.js'], env: { ASYNC_ISOLATION_REPORT: path } });
      const failure = run.failure('outlived leaves a continuation that creates a timer after it ended')!;
      expect(failure.err.message).to.match(
        /^async work outlived its test: Timeout setTimeout\(createdLate, 60000 ms\) created after the scope ended\n\s+at outlived\.spec\.js:6:21/,
      );
      expect(run.failure('outlived opens the gate and passes')).to.equal(undefined);
      expect(run.json.stats.failures).to.equal(1);
    });

    it('says so in the JSON report: the test failed because of its leaks', function () {
      const report = JSON.parse(readFileSync(path, 'utf8'));
      expectValidReport(report);
      const entry = report.entries.find((e: { title: string[] }) => e.title.at(-1) === 'leaves a continuation that creates a timer after it ended');
      expect(entry).to.include({ runnerOutcome: 'passed', outcome: 'failed', failedByLeaks: true });
      expect(entry.report.outlived[0].description).to.equal('setTimeout(createdLate, 60000 ms) created after the scope ended');
      expect(report.totals).to.include({ failed: 1, failedByLeaks: 1, leaks: 0 });
    });
  });

  describe("a library's own late work", function () {
    it("lets an immediate a library schedules after the test ended run, says nothing, and keeps it in the report", async function () {
      const [run, report] = await runMochaReporting('late-library-work.spec.js');
      expect(run.passed("a library's own late work then finds the library's cleanup has run"), run.stderr).to.equal(true);
      expect(run.stderr).not.to.include('outlived');
      const first = (report as any).entries.find((e: any) => e.title.at(-1) === 'is answered before the library has finished');
      expect(first.report.outlived.map((w: any) => [w.type, w.userFrame, w.cancelled])).to.deep.equal([['Immediate', false, false]]);
      expectExitedOnItsOwn(run);
    });
  });

  describe('late work and work still finishing', function () {
    it('never stops an immediate an ended test left, and says once when more was cancelled than is listed', async function () {
      const run = await runMocha(['late-work.spec.js']);
      expect(run.passed('then finds the stream closed'), run.stderr).to.equal(true);
      expect(run.stderr).to.match(/Immediate setImmediate\(destroySSL\) created after the scope ended\n/);
      expect(run.stderr).not.to.include('clearImmediate');
      expect(run.stderr).to.include(
        'async work outlived "leaves a callback behind that starts 12 timers": more of it was cancelled than the report lists (the first 10)',
      );
      expect(run.stderr.match(/Timeout setTimeout\(lateTimer, 60000 ms\) created after the scope ended — cleared/g)).to.have.length(10);
      expect(run.json.stats.failures).to.equal(0);
      expectExitedOnItsOwn(run);
    });

    it('lets a chain of immediates that ends by itself finish before judging', async function () {
      const run = await runMocha(['immediate-chain.spec.js']);
      expect(run.json.stats.failures, run.stderr).to.equal(0);
      expect(run.json.stats.passes).to.equal(4);
    });
  });

  describe('modes', function () {
    it('ASYNC_ISOLATION=warn reports on stderr and fails nothing', async function () {
      run = await runMocha(['timers.spec.js'], { env: { ASYNC_ISOLATION: 'warn' } });
      expect(run.json.stats.failures).to.equal(0);
      expect(run.code).to.equal(0);
      expect(run.stderr).to.include('orders retries the payment (not failing):');
      expectExitedOnItsOwn(run);
    });

    it('ASYNC_ISOLATION=manual fails nothing unasserted, and says what it cancelled', async function () {
      run = await runMocha(['timers.spec.js'], { env: { ASYNC_ISOLATION: 'manual' } });
      expect(run.json.stats.failures).to.equal(0);
      expect(run.stderr).to.match(/orders retries the payment \(not failing\):\n\s+it leaked 1 async resource \(cancelled\)/);
      expectExitedOnItsOwn(run);
    });

    it('ASYNC_ISOLATION=off installs nothing: leaks neither fail nor get cancelled', async function () {
      run = await runMocha(['timers.spec.js'], { env: { ASYNC_ISOLATION: 'off' }, args: ['--exit'] });
      expect(run.json.stats.failures).to.equal(0);
      expect(run.stderr).not.to.include('async-isolation');
    });

    it('an unknown ASYNC_ISOLATION value warns and falls back to fail', async function () {
      run = await runMocha(['timers.spec.js'], { env: { ASYNC_ISOLATION: 'loud' } });
      expect(run.stderr).to.include('ASYNC_ISOLATION="loud" is not one of fail|warn|manual|off; using "fail"');
      expect(run.json.stats.failures).to.equal(3);
    });
  });

  describe('what keeps nothing alive is left alone', function () {
    let report: TestReports;
    const entry = (title: string) => reportOf(report, title);

    before(async function () {
      this.timeout(60000);
      [run, report] = await runMochaReporting('liveness.spec.js');
    });

    it('counts the entries that left only what keeps nothing alive apart from those that leaked', function () {
      expectValidReport(report);
      const totals = (report as any).totals;
      expect(totals.withUnrefOnly).to.be.at.least(3);
      expect(totals).to.include({ withLeaks: 4, failedByLeaks: 4, failed: 4 });
    });

    it("never clears Node's own Date-header cache timer", function () {
      expect(run.passed('what keeps nothing alive serves once')).to.equal(true);
      expect(run.failure('what keeps nothing alive gets a fresh Date header 3 s later')).to.equal(undefined);
      expect(run.passed('what keeps nothing alive gets a fresh Date header 3 s later')).to.equal(true);
    });

    it("leaves an unref'd socket open, and lists it in the JSON report only", function () {
      expect(run.passed("what keeps nothing alive keeps an unref'd socket for a later test")).to.equal(true);
      expect(run.passed('what keeps nothing alive finds the socket still open')).to.equal(true);
      const unref = entry("keeps an unref'd socket for a later test").unref;
      expect(unref.some((l) => l.type === 'TCPWRAP' && l.ref === false && l.cancelled === false)).to.equal(true);
      expect(run.stderr).not.to.include("unref'd socket");
    });

    it('passes a test that keeps an idle zlib stream, listed as idle', function () {
      expect(run.passed('what keeps nothing alive reuses a deflate stream')).to.equal(true);
      const [stream] = entry('reuses a deflate stream').unref;
      expect(stream).to.include({ type: 'ZLIB', description: 'zlib DeflateRaw stream', ref: false, idle: 'no write pending', cancelled: false });
      expect(stream.stack).to.match(/^at Context\.<anonymous> \(liveness\.spec\.js:\d+:\d+\)/);
    });

    it('passes a test whose socket never got a file descriptor', function () {
      expect(run.passed('what keeps nothing alive connects through a lookup that never answers')).to.equal(true);
      const [socket] = entry('connects through a lookup that never answers').unref;
      expect(socket).to.include({ type: 'TCPWRAP', ref: false, idle: 'no file descriptor yet', cancelled: false });
    });

    it('passes a node:http request that never got a socket or a file descriptor', function () {
      for (const title of ['builds a request through an agent that never assigns a socket', 'starts a request whose lookup never answers']) {
        expect(run.passed(`what keeps nothing alive ${title}`), run.stderr).to.equal(true);
      }
      const request = entry('builds a request through an agent that never assigns a socket').unref.find((l) => l.type === 'ClientRequest');
      // Node 20 publishes no channel for node:http requests: nothing to list there.
      if (request !== undefined) expect(request).to.include({ ref: false, idle: 'no socket yet', cancelled: false });
    });

    it('passes a test that leaves a socket paused by an unread response, listed as idle', function () {
      for (const title of ['reads one chunk of a large response, then pauses', 'awaits a fetch and leaves its large body unread']) {
        expect(run.passed(`what a paused socket keeps alive ${title}`), run.stderr).to.equal(true);
        const socket = entry(title).unref.find((l) => l.type === 'TCPWRAP');
        expect(socket, title).to.include({ ref: false, idle: 'paused: not reading, nothing to write', cancelled: false });
      }
      expect(run.stderr).not.to.include('paused socket');
    });

    it('still fails and cancels what keeps the process alive', function () {
      expect(run.failure('what keeps the process alive leaves the timer of a lazily created singleton')!.err.message).to.include(
        'setInterval(sweepCache, 1000 ms) — cleared with clearInterval\n    at sharedCache (liveness.spec.js:',
      );
      expect(run.failure('what keeps the process alive leaves a timer that process.nextTick started')!.err.message).to.include(
        'setTimeout(tickScheduled, 1000 ms) — cleared with clearTimeout',
      );
      expect(run.failure('what keeps the process alive leaves a listening server')!.err.message).to.match(
        /TCP server listening on 127\.0\.0\.1:\d+ — closed/,
      );
      expect(run.failure('what keeps the process alive leaves a connected socket')!.err.message).to.match(
        /^test leaked 2 async resources \(both cancelled\)\n\s+TCPWRAP\s+TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ — destroyed/,
      );
      expect(run.json.stats.failures).to.equal(4);
      expectExitedOnItsOwn(run);
    });
  });

  describe("an unref'd TLS socket keeps nothing alive", function () {
    let report: TestReports;

    before(async function () {
      this.timeout(30000);
      [run, report] = await runMochaReporting('tls-unref.spec.js');
    });

    // A TLS socket's handle is a TLSWrap with no hasRef() of its own: the TCP handle under it says
    // whether it holds the loop (undici and Node's agents unref their idle keep-alive sockets).
    it('is left open for a later test, and listed in the JSON report only', function () {
      expect(run.passed("an unref'd TLS socket is kept for a later test"), run.stderr).to.equal(true);
      expect(run.passed("an unref'd TLS socket finds it still open"), run.stderr).to.equal(true);
      const socket = reportOf(report, 'is kept for a later test').unref.find((l) => l.type === 'TLSWRAP');
      expect(socket).to.include({ ref: false, cancelled: false });
      expectExitedOnItsOwn(run);
    });
  });

  describe("work done in callbacks of sockets a test's server accepted", function () {
    before(async function () {
      this.timeout(30000);
      run = await runMocha(['accepted.spec.js'], { timeoutMs: 20000 });
    });

    it('belongs to the test that owns the server: cancelled, and that test fails', function () {
      const message = run.failure('accepted sockets a server-side handler calls done(), then starts an interval')!.err.message!;
      expect(message).to.match(/^test leaked 4 async resources \(all cancelled\)/);
      expect(message).to.match(/setInterval\(anonymous, 100 ms\) — cleared with clearInterval\n\s+at Socket\.<anonymous> \(accepted\.spec\.js:13:\d+\)/);
      expect(run.failure('accepted sockets a server-side data handler leaves an interval, all else closed')!.err.message).to.match(
        /^test leaked 1 async resource \(cancelled\)\n\s+Timeout\s+setInterval\(serverPoll, 100 ms\) — cleared with clearInterval\n\s+at Socket\.<anonymous> \(accepted\.spec\.js:20:\d+\)/,
      );
    });

    it('belongs to the suite when before() made the server', function () {
      expect(run.passed('a server from before() its test connects, the server answers')).to.equal(true);
      const suite = run.json.failures.find((f) => f.fullTitle.startsWith('a server from before()'))!;
      expect(suite.title).to.equal('"after all" hook: async-isolation leak check');
      expect(suite.err.message).to.include('setInterval(suiteServerPoll, 100 ms) — cleared with clearInterval');
    });

    it('passes a server that answers after a timer, and the run exits on its own with nothing left over', function () {
      expect(run.passed('accepted sockets a server-side handler answers after a 20 ms timer')).to.equal(true);
      expect(run.json.stats.failures).to.equal(3);
      expect(run.stderr).not.to.include('outside any test');
      expect(run.stderr).not.to.include('outlived');
      expectExitedOnItsOwn(run);
    });
  });

  describe('HTTP requests left in flight on a pooled keep-alive connection', function () {
    let report: TestReports;
    const entry = (title: string) => reportOf(report, title);
    const title = (test: string) => `requests on pooled keep-alive connections ${test}`;

    before(async function () {
      this.timeout(30000);
      [run, report] = await runMochaReporting('requests.spec.js');
    });

    it('fails the test that made the request, whichever connection carries it, and aborts it', function () {
      expect(run.failure(title('leaves a fetch in flight on the pooled connection'))!.err.message).to.match(
        /^test leaked 1 async resource \(cancelled\)\n\s+UndiciRequest HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow in flight — aborted\n\s+at Context\.<anonymous> \(requests\.spec\.js:51:5\)/,
      );
      if (!nodeHttpPublishesCreatedRequests()) return;
      expect(run.failure(title('leaves an http.get in flight on the pooled socket'))!.err.message).to.match(
        /^test leaked 1 async resource \(cancelled\)\n\s+ClientRequest HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow in flight — destroyed\n\s+at Context\.<anonymous> \(requests\.spec\.js:72:10\)/,
      );
    });

    it('passes requests read to their end, on fresh and pooled connections, and leaves the idle pooled connection alone', function () {
      for (const test of [
        'opens a keep-alive connection with a fetch read to its end',
        'reuses the pooled connection with a fetch read to its end',
        'opens a keep-alive socket with http.get read to its end',
        'reuses the pooled socket with http.get read to its end',
      ]) {
        expect(run.passed(title(test)), test).to.equal(true);
      }
      const [socket] = entry('opens a keep-alive connection with a fetch read to its end').unref;
      expect(socket).to.include({ type: 'TCPWRAP', ref: false, cancelled: false });
      expect(run.json.stats.failures).to.equal(nodeHttpPublishesCreatedRequests() ? 2 : 1);
      expect(run.stderr).not.to.match(/UndiciRequest|ClientRequest|outside any test/);
      expectExitedOnItsOwn(run);
    });

    it('lists a response whose body was left unread, and does not fail its test', function () {
      expect(run.passed(title('awaits a response on the pooled connection and leaves its large body unread'))).to.equal(true);
      const [request] = entry('awaits a response on the pooled connection and leaves its large body unread').unref;
      expect(request).to.include({ type: 'UndiciRequest', idle: 'response begun, body not read to its end', cancelled: false });
    });
  });

  describe('the JSON report', function () {
    it('is written per worker under --parallel and merged at the end', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'async-isolation-report-'));
      const path = join(dir, 'leaks.json');
      run = await runMocha(['parallel/*.spec.js'], {
        args: ['--parallel', '--jobs', '2'],
        env: { ASYNC_ISOLATION_REPORT: path },
      });
      expect(run.json.stats.failures).to.equal(3);
      expect(existsSync(path)).to.equal(true);
      const report = JSON.parse(readFileSync(path, 'utf8'));
      expectValidReport(report);
      expect(report.version).to.equal(2);
      expect(report.cwd).to.equal(join(FIXTURES, 'mocha'));
      expect(report.totals).to.include({ failedByLeaks: 3, leaks: 3 });
      const tests = report.entries.filter((e: { kind: string }) => e.kind === 'test');
      expect(tests).to.have.length(6);
      const leaky = tests.find((e: { title: string[] }) => e.title.join(' > ') === 'parallel file 2 > leaks in file 2');
      expect(leaky.runner).to.equal('mocha');
      expect(leaky.file).to.equal(join('parallel', 'file2.spec.js'));
      expect(leaky).to.include({ runnerOutcome: 'passed', outcome: 'failed', failedByLeaks: true });
      expect(leaky.report.leaks[0]).to.include({ type: 'Timeout', description: 'setInterval(leakOf2, 1000 ms)', cancelled: true });
      const workers = new Set(report.entries.map((e: { file: string }) => e.file));
      expect(workers.size).to.equal(3);
    });

    it('is written in a serial run too, listing clean tests', async function () {
      const path = join(mkdtempSync(join(tmpdir(), 'async-isolation-report-')), 'r.json');
      run = await runMocha(['timers.spec.js'], { env: { ASYNC_ISOLATION_REPORT: path } });
      const report = JSON.parse(readFileSync(path, 'utf8'));
      const clean = report.entries.find((e: { title: string[] }) => e.title.at(-1) === 'clean test');
      expect(clean.report.leaks).to.deep.equal([]);
      expect(clean).to.include({ runnerOutcome: 'passed', outcome: 'passed', failedByLeaks: false });
      expect(report.totals.failedByLeaks).to.equal(3);
      expectValidReport(report);
    });
  });
});
