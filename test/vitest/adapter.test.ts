import { expect } from 'chai';
import { expectExitedOnItsOwn } from '../support/mocha';
import { ensureVitestInstalled, nodesAtLeast, runVitest, type VitestMajor, type VitestRun } from './support';
import { expectValidReport } from '../support/report-schema';

const FILES = ['timers.test.js', 'concurrent.test.js', 'fake-timers.test.js', 'network.test.js', 'second.test.js'];

const LEAKING = [
  'fake timers leaks a real timer while fake timers are installed',
  'fake timers left installed over a real leak leaks a real interval and never restores real timers',
  'network leaks a server and a client socket',
  'orders fails by itself and leaks',
  'orders leaks a timeout',
  'orders leaks an immediate loop',
  'orders retries the payment',
  'second file leaks a timeout',
  'side by side leaks an interval while the others run',
];

interface Target {
  major: VitestMajor;
  node?: string;
  label: string;
}

function targets(): Target[] {
  const list: Target[] = [
    { major: 3, label: `Vitest 3 on Node ${process.versions.node}` },
    { major: 4, label: `Vitest 4 on Node ${process.versions.node}` },
  ];
  for (const { node, major } of nodesAtLeast(22)) list.push({ major: 5, node, label: `Vitest 5 on Node ${major}` });
  return list;
}

function describeRun(target: Target, pool: 'threads' | 'forks'): void {
  describe(`${target.label}, pool ${pool}`, function () {
    let run: VitestRun;

    before(async function () {
      this.timeout(400_000);
      ensureVitestInstalled(target.major);
      run = await runVitest({ major: target.major, node: target.node, pool, files: FILES, report: true });
    });

    it('fails exactly the leaking tests, each as itself, and runs all the others', function () {
      expect(run.failedTitles(), run.stderr).to.deep.equal(LEAKING);
      expect(run.tests).to.have.length(24);
      for (const test of run.tests) {
        if (!LEAKING.includes(test.fullName)) expect(test.status, test.fullName).to.equal('passed');
      }
      expect(run.code).to.equal(1);
      expectExitedOnItsOwn(run);
    });

    it("carries the core's report: type, description, creation site, what was done", function () {
      const [message] = run.test('orders retries the payment').failureMessages;
      expect(message).to.match(/^LeakError: test leaked 1 async resource \(cancelled\)/);
      expect(message).to.include('Timeout   setInterval(fn, 5 ms) — cleared with clearInterval');
      expect(message).to.match(/\n\s+at timers\.test\.js:9:5/);
      expect(message).to.include('hint: clear timers in the test or an afterEach');
      expect(run.test('orders leaks an immediate loop').failureMessages[0]).to.match(
        /Immediate setImmediate\(spin\) — cleared with clearImmediate\n\s+at Immediate\.spin \(timers\.test\.js:18:7\)/,
      );
    });

    it('counts cleanup done in afterEach hooks, top level or inside describe, and in onTestFinished', function () {
      expect(run.test('orders cleanup in afterEach is not a leak').status).to.equal('passed');
      expect(run.test('orders cleanup in a root-level afterEach of the file is not a leak either').status).to.equal('passed');
      expect(run.test('side by side cleans up with onTestFinished').status).to.equal('passed');
      expect(run.test('network a server opened by beforeEach is closed by the cleanup the hook returns').status).to.equal('passed');
    });

    it('keeps the test’s own error first and intact when it also leaks', function () {
      const messages = run.test('orders fails by itself and leaks').failureMessages;
      expect(messages).to.have.length(2);
      expect(messages[0]).to.match(/^AssertionError: expected 1 to be 2/);
      expect(messages[1]).to.match(/^LeakError: test leaked 1 async resource \(cancelled\)\n\s+Timeout\s+setInterval\(alsoLeaked, 1000 ms\)/);
    });

    it('gives each concurrent test only what it created', function () {
      const [message] = run.test('side by side leaks an interval while the others run').failureMessages;
      expect(message).to.match(/^LeakError: test leaked 1 async resource/);
      expect(message).to.include('setInterval(leakedBySlowTest, 1000 ms)');
      expect(run.test('side by side is clean, running beside the leaky one').status).to.equal('passed');
    });

    it('reports sockets and servers with their sites', function () {
      const [message] = run.test('network leaks a server and a client socket').failureMessages;
      expect(message).to.match(/^LeakError: test leaked 3 async resources \(all cancelled\)/);
      expect(message).to.match(/TCPSERVERWRAP TCP server listening on 127\.0\.0\.1:\d+ — closed\n\s+at network\.test\.js:7:43/);
      expect(message).to.match(/TCPWRAP\s+TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ — destroyed\n\s+at network\.test\.js:8:\d+/);
    });

    it('is not fooled by fake timers, and still cancels real timers while they are installed', function () {
      expect(run.test('fake timers schedules fake timers and restores real ones in afterEach').status).to.equal('passed');
      expect(run.test('fake timers never restored leaves fake timers installed').status).to.equal('passed');
      expect(
        run.test('fake timers left installed over a real leak finds the real interval cleared, though fake timers were installed').status,
      ).to.equal('passed');
    });

    it('writes the JSON report per worker and merges it (globalSetup)', function () {
      const report = run.report;
      expect(report, 'no merged report').to.be.an('object');
      expectValidReport(report);
      expect(report.totals.entries).to.equal(24);
      // One of them failed on its own: its leaks are not why it failed.
      expect(report.totals.failedByLeaks).to.equal(LEAKING.length - 1);
      const own = report.entries.find((e: any) => e.title.join(' ') === 'orders fails by itself and leaks');
      expect(own).to.include({ runnerOutcome: 'failed', outcome: 'failed', failedByLeaks: false });
      const files = new Set(report.entries.map((e: any) => e.file.split(/[\\/]/).pop()));
      expect([...files].sort()).to.deep.equal([...FILES].sort());
      const entry = report.entries.find((e: any) => e.title.join(' > ') === 'orders > retries the payment');
      expect(entry).to.include({ runner: 'vitest', kind: 'test', file: 'timers.test.js', runnerOutcome: 'passed', outcome: 'failed', failedByLeaks: true });
      expect(entry.report.leaks[0]).to.include({ type: 'Timeout', description: 'setInterval(fn, 5 ms)', cancelled: true });
      expect(entry.report.leaks[0].stack).to.match(/^at timers\.test\.js:9:5/);
    });
  });
}

describe('Vitest adapter: leaks fail the leaking test itself', function () {
  for (const target of targets()) {
    describeRun(target, 'threads');
    describeRun(target, 'forks');
  }

  it('runs Vitest 5 on Node >= 22 (set ASYNC_ISOLATION_NODE22 / _NODE24 / _NODE26 when the suite runs on Node 20)', function () {
    if (nodesAtLeast(22).length === 0) this.skip();
  });

  describe("what a test's server-accepted sockets start, and requests on pooled connections", function () {
    it('fail the test that owns the server, and the test that left a request in flight', async function () {
      this.timeout(120_000);
      const run = await runVitest({ major: 4, pool: 'threads', files: ['accepted.test.js'] });
      expect(run.failedTitles(), run.stderr).to.deep.equal([
        'accepted sockets a server-side data handler leaves an interval',
        'requests on a pooled keep-alive connection leaves a fetch in flight on the pooled connection',
      ]);
      expect(run.test('accepted sockets a server-side data handler leaves an interval').failureMessages[0]).to.match(
        /^LeakError: test leaked 1 async resource \(cancelled\)\n\s+Timeout\s+setInterval\(serverPoll, 100 ms\) — cleared with clearInterval\n\s+at \S+ \(accepted\.test\.js:22:9\)/,
      );
      expect(run.test('requests on a pooled keep-alive connection leaves a fetch in flight on the pooled connection').failureMessages[0]).to.match(
        /UndiciRequest HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow in flight — aborted\n\s+at accepted\.test\.js:58:5/,
      );
      expect(run.test('requests on a pooled keep-alive connection reuses the pooled connection with a fetch read to its end').status).to.equal('passed');
      expectExitedOnItsOwn(run);
    });
  });

  describe('a test that times out', function () {
    it("fails with Vitest's timeout and with what its abort listeners left running", async function () {
      this.timeout(120_000);
      const run = await runVitest({ major: 4, pool: 'threads', files: ['abort.test.js'] });
      const messages = run.test('times out, and its abort listener leaks').failureMessages;
      expect(messages, run.stderr).to.have.length(2);
      const [timeout, leak] = messages as [string, string];
      expect(timeout).not.to.include('LeakError');
      expect(leak).to.match(/^LeakError: test leaked 1 async resource \(cancelled\)/);
      expect(leak).to.include('setTimeout(afterAbort, 30000 ms)');
      expectExitedOnItsOwn(run);
    });
  });

  describe('one worker running several files (isolate: false)', function () {
    it('checks every file on Vitest >= 4.1', async function () {
      const run = await runVitest({ major: 4, pool: 'threads', files: ['second.test.js', 'concurrent.test.js'], args: ['--no-isolate', '--maxWorkers=1'] });
      expect(run.failedTitles()).to.deep.equal(['second file leaks a timeout', 'side by side leaks an interval while the others run']);
    });

    it('says so on Vitest 3, where only the first file of a worker can be checked', async function () {
      this.timeout(400_000);
      ensureVitestInstalled(3);
      const run = await runVitest({
        major: 3,
        pool: 'threads',
        files: ['second.test.js', 'concurrent.test.js'],
        args: ['--no-isolate', '--poolOptions.threads.singleThread'],
      });
      expect(run.stderr).to.include('with isolate: false on this Vitest version only the first test file of each worker is checked');
      expect(run.failedTitles()).to.have.length(1);
    });
  });
});
