import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DIST } from '../support/run';
import { DID_NOT_EXIT, JEST_VERSIONS, runJest, type JestRun } from './run-jest';
import { expectValidReport } from '../support/report-schema';

const MAIN_FILES = ['timers.test.js', 'network.test.js', 'suites.test.js', 'concurrent.test.js', 'fake-timers.test.js'];

function expectExitedOnItsOwn(run: JestRun): void {
  expect(run.signal, `killed by ${run.signal}: ${run.stderr}`).to.equal(null);
  expect(run.stderr).not.to.match(DID_NOT_EXIT);
}

for (const version of JEST_VERSIONS) {
  describe(`Jest adapter on ${version.name} (testEnvironment: 'async-isolation/jest')`, function () {
    this.timeout(180000);
    let run: JestRun;

    before(async function () {
      await version.install?.();
    });

    describe('late failures', function () {
      before(async function () {
        run = await runJest(version, ['late.test.js'], { args: ['--runInBand'] });
      });

      it('cancels and reports what a timed-out test left, after its timeout error', function () {
        const [timeout, leak] = run.test('times out and leaks').failureMessages;
        expect(timeout).to.include('Exceeded timeout of 100 ms');
        expect(leak).to.match(/^LeakError: test leaked 1 async resource \(cancelled\)\n\s+Timeout\s+setInterval\(poll, 10 ms\) — cleared with clearInterval/);
        expectExitedOnItsOwn(run);
      });

      it('fails the test whose continuation threw after it ended, not the running one', function () {
        expect(run.test('leaves a continuation that throws after it ended').failureMessages.join('\n')).to.include(
          'rejected after its test ended',
        );
        expect(run.test('opens the gate and passes').status).to.equal('passed');
        expect(run.test('runs last').status).to.equal('passed');
        // The only promises made in its context after it ended are jest-circus's own, handling
        // the rejection: they name no user frame, so nothing is printed for them.
        expect(run.stderr).not.to.include('async work outlived its test');
      });
    });

    describe('timers, in band', function () {
      before(async function () {
        run = await runJest(version, ['timers.test.js'], { args: ['--runInBand'] });
      });

      it('fails exactly the leaking tests, as their own failures', function () {
        expect(run.failedNames()).to.deep.equal([
          'orders fails on its own and leaks',
          'orders leaks a timeout',
          'orders leaks an immediate loop',
          'orders leaks from a done-callback test',
          'orders leaks from a generator test',
          'orders retries the payment',
        ]);
        expect(run.code).to.equal(1);
      });

      it('runs every other test and passes the clean ones, cleanup in afterEach included', function () {
        expect(run.json.numTotalTests).to.equal(13);
        for (const name of [
          'orders clean test',
          'orders clears its own timer',
          'orders leaves only an unref timer',
          'orders cleanup in afterEach is not a leak',
          'orders cleanup in the file-level afterEach is not a leak either',
          'orders cleanup in a setupFilesAfterEnv afterEach is not a leak',
          'orders runs after the leaks',
        ]) {
          expect(run.test(name).status, name).to.equal('passed');
        }
      });

      it("carries the core's report: type, description, creation site, what was cancelled", function () {
        const [message, ...rest] = run.test('orders retries the payment').failureMessages;
        expect(rest).to.deep.equal([]);
        expect(message).to.match(/^LeakError: test leaked 1 async resource \(cancelled\)\n/);
        expect(message).to.include('Timeout   setInterval(fn, 5 ms) — cleared with clearInterval');
        expect(message).to.match(/\n {4}at \S+ \(timers\.test\.js:8:5\)/);
        expect(message).to.include('hint: clear timers in the test or an afterEach');
        expect(run.test('orders leaks a timeout').failureMessages[0]).to.include(
          'setTimeout(later, 60000 ms) — cleared with clearTimeout',
        );
        expect(run.test('orders leaks an immediate loop').failureMessages[0]).to.include(
          'setImmediate(spin) — cleared with clearImmediate',
        );
      });

      it('attributes what done-callback and generator tests leave', function () {
        expect(run.test('orders leaks from a done-callback test').failureMessages[0]).to.match(
          /setInterval\(poll, 1000 ms\) — cleared with clearInterval\n\s+at .*timers\.test\.js:31:7/,
        );
        expect(run.test('orders leaks from a generator test').failureMessages[0]).to.match(
          /setInterval\(fromGenerator, 1000 ms\) — cleared with clearInterval\n\s+at .*timers\.test\.js:63:5/,
        );
      });

      it("keeps the test's own error first and intact when it also leaks", function () {
        const messages = run.test('orders fails on its own and leaks').failureMessages;
        expect(messages).to.have.length(2);
        expect(messages[0]).to.match(/^Error: expect\(received\)\.toBe\(expected\)/);
        expect(messages[0]).to.include('Received: 2');
        expect(messages[0]).to.match(/at \S+ \(.*timers\.test\.js:38:19\)/);
        expect(messages[0]).not.to.include('leaked');
        expect(messages[1]).to.match(/^LeakError: test leaked 1 async resource/);
        expect(messages[1]).to.include('setInterval(heartbeat, 1000 ms)');
      });

      it('exits on its own, with no "did not exit" message, because the leaks were cancelled', function () {
        expectExitedOnItsOwn(run);
        expect(run.durationMs).to.be.below(20000);
      });
    });

    describe('sockets and servers', function () {
      before(async function () {
        run = await runJest(version, ['network.test.js'], { args: ['--runInBand'] });
      });

      it('fails the leaking tests and passes the one that closes everything', function () {
        expect(run.failedNames()).to.deep.equal([
          'network leaks a UDP socket',
          'network leaks a server and a client socket',
          'network leaks an http server with a keep-alive connection',
        ]);
        expect(run.test('network closes everything it opens').status).to.equal('passed');
        expectExitedOnItsOwn(run);
      });

      it('reports the server, the client and the accepted socket with their creation sites', function () {
        const message = run.test('network leaks a server and a client socket').failureMessages[0];
        expect(message).to.match(/^LeakError: test leaked 3 async resources \(all cancelled\)/);
        expect(message).to.match(/TCPSERVERWRAP TCP server listening on 127\.0\.0\.1:\d+ — closed\n(\s+at .*\n)*\s+at \S+ \(network\.test\.js:12:11\)/);
        expect(message).to.match(/TCPWRAP\s+TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ — destroyed\n\s+at \S+ \(network\.test\.js:13:24\)/);
        expect(message).to.include('(accepted by a server of this scope) — destroyed');
        expect(run.test('network leaks a UDP socket').failureMessages[0]).to.match(/UDPWRAP\s+UDP socket 127\.0\.0\.1:\d+ — closed/);
      });
    });

    describe("what a test's server-accepted sockets start, and requests on pooled connections", function () {
      before(async function () {
        run = await runJest(version, ['accepted.test.js'], { args: ['--runInBand'] });
      });

      it('fails the test that owns the server, and the test that left a request in flight', function () {
        expect(run.failedNames()).to.deep.equal([
          'accepted sockets a server-side data handler leaves an interval',
          'requests on a pooled keep-alive connection leaves a fetch in flight on the pooled connection',
        ]);
        expect(run.test('accepted sockets a server-side data handler leaves an interval').failureMessages[0]).to.match(
          /^LeakError: test leaked 1 async resource \(cancelled\)\n\s+Timeout\s+setInterval\(serverPoll, 100 ms\) — cleared with clearInterval\n\s+at \S+ \(accepted\.test\.js:21:9\)/,
        );
        expect(run.test('requests on a pooled keep-alive connection leaves a fetch in flight on the pooled connection').failureMessages[0]).to.match(
          /UndiciRequest HTTP request GET http:\/\/127\.0\.0\.1:\d+\/slow in flight — aborted\n\s+at \S+ \(accepted\.test\.js:57:5\)/,
        );
        expect(run.test('requests on a pooled keep-alive connection reuses the pooled connection with a fetch read to its end').status).to.equal('passed');
        expectExitedOnItsOwn(run);
      });
    });

    describe('describe blocks: beforeAll/afterAll belong to the block, beforeEach to the test', function () {
      before(async function () {
        run = await runJest(version, ['suites.test.js'], { args: ['--runInBand'] });
      });

      it('fails the test whose beforeEach leaked, not the one whose afterEach cleaned up', function () {
        expect(run.failedNames()).to.deep.equal(['beforeEach resources belong to the test']);
        expect(run.test('beforeEach resources belong to the test').failureMessages[0]).to.match(
          /setInterval\(perTest, 1000 ms\) — cleared with clearInterval\n\s+at \S+ \(suites\.test\.js:28:13\)/,
        );
        expect(run.test('beforeEach resources with an afterEach that clears them is clean').status).to.equal('passed');
      });

      it('reports a leaking beforeAll against its describe block, and its tests pass', function () {
        expect(run.test('leaky beforeAll its tests do not own the suite timer').status).to.equal('passed');
        expect(run.test('leaky beforeAll neither does this one').status).to.equal('passed');
        const file = run.file('suites.test.js');
        expect(file.status).to.equal('failed');
        expect(file.message).to.include('beforeAll of describe "leaky beforeAll" leaked 1 async resource (cancelled); its 2 tests ran and passed');
        expect(file.message).to.include('setInterval(suitePoll, 1000 ms) — cleared with clearInterval');
        expect(file.message).to.match(/suites\.test\.js:19:5/);
      });

      it('lets a server opened in beforeAll and closed in afterAll serve the tests', function () {
        expect(run.test('a server per describe block uses the server').status).to.equal('passed');
        expect(run.file('suites.test.js').message).not.to.include('a server per describe block');
        expect(run.test('a top-level test after the suites').status).to.equal('passed');
        expectExitedOnItsOwn(run);
      });
    });

    describe('what a beforeAll/afterAll leak says (Jest heads it "Test suite failed to run")', function () {
      before(async function () {
        run = await runJest(version, ['all-hooks.test.js'], { args: ['--runInBand'] });
      });

      it('leaves every test as it was: the leaks are the blocks\', not the tests\'', function () {
        expect(run.failedNames()).to.deep.equal(['orders with a cache timer left by afterAll fails by itself']);
        expect(run.json.numPassedTests).to.equal(5);
        expect(run.file('all-hooks.test.js').status).to.equal('failed');
      });

      it('names the describe block, the hook, what leaked and how its tests did', function () {
        const printed = run.stderr.replace(/\x1b\[[0-9;]*m/g, '');
        expect(printed).to.include('● Test suite failed to run');
        expect(printed).to.include(
          'beforeAll of describe "orders with a poller started in beforeAll" leaked 1 async resource (cancelled); its 2 tests ran and passed',
        );
        expect(printed).to.match(/setInterval\(pollOrders, 1000 ms\) — cleared with clearInterval\n\s+at \S+ \(all-hooks\.test\.js:4:7\)/);
        expect(printed).to.include(
          'afterAll of describe "orders with a cache timer left by afterAll" leaked 1 async resource (cancelled); its 2 tests ran (1 passed, 1 failed)',
        );
        expect(printed).to.match(/setTimeout\(expireCache, 60000 ms\) — cleared with clearTimeout\n\s+at \S+ \(all-hooks\.test\.js:12:7\)/);
        expect(printed).to.include(
          'beforeAll and afterAll of describe "orders with both hooks leaking" leaked 2 async resources (both cancelled); its test ran and passed',
        );
        expect(printed).to.include('setTimeout(warmUp, 60000 ms) (in nested scope "beforeAll")');
        expect(printed).to.include('setTimeout(coolDown, 60000 ms) (in nested scope "afterAll")');
        expect(printed).to.include("the test file's top-level beforeAll leaked 1 async resource (cancelled); its 6 tests ran (5 passed, 1 failed)");
        expect(printed).to.include('setInterval(heartbeat, 1000 ms)');
        expectExitedOnItsOwn(run);
      });
    });

    describe('test.concurrent', function () {
      before(async function () {
        run = await runJest(version, ['concurrent.test.js']);
      });

      it('gives each concurrent test only what it created', function () {
        expect(run.failedNames()).to.deep.equal(['concurrent another leaky one', 'concurrent leaky one']);
        const leaky = run.test('concurrent leaky one').failureMessages.join('\n');
        expect(leaky).to.match(/^LeakError: test leaked 1 async resource/);
        expect(leaky).to.include('setInterval(leakyPoll, 1000 ms)');
        expect(leaky).not.to.include('lateTimer');
        expect(leaky).not.to.include('cleanPoll');
        const other = run.test('concurrent another leaky one').failureMessages.join('\n');
        expect(other).to.include('setTimeout(lateTimer, 60000 ms)');
        expect(other).not.to.include('leakyPoll');
      });

      it('passes the clean test that ran beside the leaky ones', function () {
        expect(run.test('concurrent clean one running beside it').status).to.equal('passed');
        expectExitedOnItsOwn(run);
      });
    });

    describe('fake timers', function () {
      before(async function () {
        run = await runJest(version, ['fake-timers.test.js']);
      });

      it('reports no fake timer as a leak and does not crash', function () {
        for (const name of [
          'fake timers modern fake timers left pending are no leak',
          'fake timers legacy fake timers left pending are no leak',
          'fake timers async code under fake timers',
        ]) {
          expect(run.test(name).status, name).to.equal('passed');
        }
        expect(run.stderr).not.to.include('internal error');
      });

      it('still finds a real timer made while fake timers are installed', function () {
        expect(run.failedNames()).to.deep.equal(['fake timers a real timer is still a leak while fake timers are installed']);
        expect(run.test('fake timers a real timer is still a leak while fake timers are installed').failureMessages[0]).to.include(
          'setInterval(realPoll, 1000 ms) — cleared with clearInterval',
        );
      });
    });

    describe('jest.retryTimes and test.failing', function () {
      before(async function () {
        run = await runJest(version, ['retries.test.js']);
      });

      it('checks each attempt of a retried test afresh', function () {
        const test = run.test('leaks on its first attempt only');
        expect(test.status).to.equal('passed');
        expect(test.invocations).to.equal(2);
      });

      it('fails a test.failing that leaks, and passes the clean one', function () {
        expect(run.failedNames()).to.deep.equal(['a test.failing that fails as expected but leaks']);
        expect(run.test('a test.failing that fails as expected but leaks').failureMessages[0]).to.match(
          /^LeakError: test leaked 1 async resource \(cancelled\)\n\s+Timeout\s+setInterval\(failingPoll, 1000 ms\)/,
        );
        expect(run.test('a test.failing that fails as expected and is clean').status).to.equal('passed');
      });
    });

    describe("the test file's own require('async-isolation')", function () {
      before(async function () {
        run = await runJest(version, ['allow.test.js']);
      });

      it('sees the scope of the running test: allowLeaks(), currentScope(), withIsolation()', function () {
        expect(run.file('allow.test.js').message).to.equal('');
        expect(run.test('allowLeaks() from the test file').status).to.equal('passed');
        expect(run.test('currentScope() is this test').status).to.equal('passed');
        expect(run.test('withIsolation inside a test').status).to.equal('passed');
      });

      it('still cancels and reports what an allowed test leaves', function () {
        expect(run.stderr).to.match(
          /allowLeaks\(\) from the test file \(not failing\):\n\s+it leaked 1 async resource \(cancelled\)\n\s+Timeout\s+setInterval\(allowedPoll, 1000 ms\) — cleared with clearInterval/,
        );
        expect(run.stderr).to.include('(allowed by allowLeaks("a known slow poller"): not failing)');
        expectExitedOnItsOwn(run);
      });
    });

    describe("the toolkit of the test file's own copy", function () {
      it("runs its cleanups at the end of the environment's scope: tasks cancelled, services closed", async function () {
        const run = await runJest(version, ['toolkit.test.js']);
        expect(run.failedNames()).to.deep.equal([]);
        expect(run.json.numPassedTests).to.equal(5);
        expectExitedOnItsOwn(run);
      });
    });

    describe("an onOutlived listener of the test file's own copy", function () {
      it("hears about a withIsolation scope's late work, which then goes to it instead of stderr", async function () {
        const listened = await runJest(version, ['outlived-listener.test.js']);
        expect(listened.test('tells the listener about work a withIsolation scope left running after it ended').status).to.equal('passed');
        expect(listened.stderr).not.to.include('outlived its scope');
        expectExitedOnItsOwn(listened);
      });
    });

    describe('a project environment wrapped with isolatedEnvironment()', function () {
      before(async function () {
        const environmentNode = dirname(require.resolve('jest-environment-node/package.json', { paths: [dirname(version.home)] }));
        run = await runJest(version, ['custom.test.js'], { env: { JEST_ENVIRONMENT_NODE: environmentNode } });
      });

      it("keeps the base environment's setup and events, and fails the leaking test", function () {
        expect(run.test('the wrapped environment still does its own work').status).to.equal('passed');
        expect(run.failedNames()).to.deep.equal(['and leaks still fail the test']);
        expect(run.test('and leaks still fail the test').failureMessages[0]).to.include('setInterval(customPoll, 1000 ms)');
      });
    });

    describe('options from testEnvironmentOptions.asyncIsolation', function () {
      before(async function () {
        run = await runJest(version, ['options/warn-mode.test.js', 'options/bad-options.test.js']);
      });

      it('honours mode "warn" set for one file with @jest-environment-options', function () {
        expect(run.test('leaks in warn mode').status).to.equal('passed');
        expect(run.stderr).to.match(/leaks in warn mode \(not failing\):\n\s+it leaked 1 async resource \(cancelled\)\n\s+Timeout\s+setInterval\(warnedPoll/);
      });

      it('fails a file with a bad option with a message naming the option', function () {
        const file = run.file('options/bad-options.test.js');
        expect(file.status).to.equal('failed');
        expect(file.message).to.include(
          'testEnvironmentOptions.asyncIsolation: option "mode" must be one of "fail", "warn", "manual", "off", got the string "loud"',
        );
      });
    });

    describe('client libraries in the test file registry', function () {
      before(async function () {
        run = await runJest(version, ['clients.test.js']);
      });

      it('hands every node_modules module Jest loads to the client instrumentation (pg here)', function () {
        expect(run.test('pg in the test registry is instrumented').status, run.file('clients.test.js').message).to.equal('passed');
      });
    });

    describe('several workers and the JSON report', function () {
      let reportPath: string;

      before(async function () {
        reportPath = join(mkdtempSync(join(tmpdir(), 'async-isolation-jest-report-')), 'leaks.json');
        // A part an earlier run left behind: it must not end up in this run's report.
        mkdirSync(`${reportPath}.parts`);
        const stale = {
          runner: 'jest',
          kind: 'test',
          file: '/old/stale.test.js',
          title: ['stale'],
          outcome: 'passed',
          report: { leaks: [], unref: [], outlived: [], cleanupErrors: [], internalErrors: [], failed: false },
        };
        writeFileSync(join(`${reportPath}.parts`, '1-0.json'), JSON.stringify([stale]));
        run = await runJest(version, MAIN_FILES, {
          args: ['--maxWorkers=2'],
          env: { ASYNC_ISOLATION_REPORT: reportPath },
        });
      });

      it('runs the files in more than one worker and fails the same tests', function () {
        expect(run.json.testResults).to.have.length(MAIN_FILES.length);
        expect(run.failedNames()).to.include.members([
          'orders retries the payment',
          'network leaks a UDP socket',
          'beforeEach resources belong to the test',
          'concurrent leaky one',
          'fake timers a real timer is still a leak while fake timers are installed',
        ]);
        expect(run.failedNames()).to.have.length(13);
        const parts = readdirSync(`${reportPath}.parts`).filter((n) => n.endsWith('.json'));
        expect(parts.length, parts.join(', ')).to.be.at.least(2);
      });

      it('exits on its own: no worker had to be force-exited', function () {
        expectExitedOnItsOwn(run);
      });

      it('merges every worker part of this run, and only this run, into one report', function () {
        expect(existsSync(reportPath)).to.equal(true);
        const report = JSON.parse(readFileSync(reportPath, 'utf8'));
        const files = new Set(report.entries.map((e: { file: string }) => e.file.split(/[\\/]/).pop()));
        expect([...files].sort()).to.deep.equal([...MAIN_FILES].sort());
        const tests = report.entries.filter((e: { kind: string }) => e.kind === 'test');
        expect(tests).to.have.length(run.json.numTotalTests);
        const payment = tests.find((e: { title: string[] }) => e.title.join(' ') === 'orders retries the payment');
        expectValidReport(report);
        expect(payment).to.include({ runner: 'jest', runnerOutcome: 'passed', outcome: 'failed', failedByLeaks: true, file: 'timers.test.js' });
        expect(payment.report.failed).to.equal(true);
        expect(payment.report.leaks[0]).to.include({ type: 'Timeout', description: 'setInterval(fn, 5 ms)', cancelled: true });
        const own = tests.find((e: { title: string[] }) => e.title.join(' ') === 'orders fails on its own and leaks');
        // Failed on its own: its leaks would have failed it too, but they are not why it failed.
        expect(own).to.include({ runnerOutcome: 'failed', outcome: 'failed', failedByLeaks: false });
        expect(own.report.failed).to.equal(true);
        const suite = report.entries.find((e: { kind: string; title: string[] }) => e.kind === 'suite' && e.title.join(' ') === 'leaky beforeAll');
        expect(suite.report.leaks[0]).to.include({ description: 'setInterval(suitePoll, 1000 ms)', scope: 'beforeAll' });
        // 12 tests and the "leaky beforeAll" block; the 13th failing test failed on its own.
        expect(report.totals.failedByLeaks).to.equal(13);
      });
    });
  });
}

describe('Jest adapter: what keeps nothing alive is left alone', function () {
  it("passes Node's Date-header timer, idle zlib streams, sockets with no descriptor and requests with no socket; still fails the rest", async function () {
    this.timeout(60000);
    const run = await runJest(JEST_VERSIONS[0]!, ['liveness.test.js']);
    expect(run.failedNames(), run.stderr).to.deep.equal([
      'what keeps the process alive leaves a listening server',
      'what keeps the process alive leaves a timer that process.nextTick started',
    ]);
    expect(run.json.numPassedTests).to.equal(5);
    expect(run.stderr).not.to.match(/async-isolation: .*outlived/);
  });
});

describe('Jest adapter: the control run, without async-isolation', function () {
  it('the same leaky file keeps Jest from exiting ("did not exit one second after the test run")', async function () {
    this.timeout(90000);
    // Killed once Jest says it did not exit; the time bound only ends a run that never says so.
    const run = await runJest(JEST_VERSIONS[0]!, ['timers.test.js'], {
      args: ['--runInBand'],
      env: { ASYNC_ISOLATION: 'off' },
      timeoutMs: 60000,
      killWhenStderr: DID_NOT_EXIT,
    });
    expect(run.signal).to.equal('SIGKILL');
    expect(run.stderr).to.match(DID_NOT_EXIT);
    expect(run.failedNames()).to.deep.equal(['orders fails on its own and leaks']);
  });
});

describe('Jest adapter: isolatedEnvironment() input', function () {
  it('rejects what is not an environment class with a clear message', function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { isolatedEnvironment } = require(join(DIST, 'jest.js'));
    expect(() => isolatedEnvironment(42)).to.throw(
      'isolatedEnvironment(Base): Base must be a Jest test environment class (with getVmContext), got number 42',
    );
    expect(() => isolatedEnvironment(class {})).to.throw(/must be a Jest test environment class/);
  });
});
