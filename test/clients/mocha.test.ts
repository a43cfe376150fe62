import { expect } from 'chai';
import { expectExitedOnItsOwn, runMocha, type MochaRun } from '../support/mocha';
import { appName, CLIENT_FIXTURES, clientFixtureEnv, escapeRegExp, liveBackends, type ClientFixtureEnv } from './fixtures-env';

const LEAK_CHECK_HOOK = '"after all" hook: async-isolation leak check';

function run(fixture: ClientFixtureEnv, specs: string[], options: { env?: NodeJS.ProcessEnv; args?: string[] } = {}): Promise<MochaRun> {
  return runMocha(specs, { cwd: CLIENT_FIXTURES, env: { ...fixture.env, ...options.env }, args: options.args, timeoutMs: 90000 });
}

describe('client adapters under Mocha, against real servers', function () {
  describe('pg (a throwaway PostgreSQL cluster)', function () {
    let fixture: ClientFixtureEnv;
    let mocha: MochaRun;
    let backendsAfter: string[];

    before(async function () {
      fixture = await clientFixtureEnv({ pg: true });
      mocha = await run(fixture, ['mocha/pg.spec.js']);
      backendsAfter = await liveBackends(fixture);
    });

    it('fails exactly the tests that leaked a client or a pool, and the suite that forgot its pool', function () {
      expect(mocha.json.failures.map((f) => f.fullTitle).sort()).to.deep.equal([
        `pg a suite that forgets to end its pool ${LEAK_CHECK_HOOK}`,
        'pg creates a timer in a query callback: the test leaked it, not the client',
        'pg ends its client, but its end listener starts a timer',
        'pg leaks a connected client',
        'pg leaks a pool with a client still checked out',
      ]);
      expect(mocha.json.stats.tests).to.equal(15);
      expectExitedOnItsOwn(mocha);
    });

    it('reports a leaked client as one leak, described and closed with end(), where it was created and connected', function () {
      const message = mocha.failure('pg leaks a connected client')!.err.message!;
      expect(message).to.match(
        new RegExp(
          '^test leaked 1 async resource \\(cancelled\\)\\n' +
            `  CLIENT    pg\\.Client 127\\.0\\.0\\.1:\\d+/postgres \\(${escapeRegExp(appName(fixture, 'leaked-client'))}\\) — closed with end\\(\\)\\n` +
            '    at Context\\.<anonymous> \\(mocha/pg\\.spec\\.js:19:20\\)\\n' +
            '    connected at Context\\.<anonymous> \\(mocha/pg\\.spec\\.js:20:18\\)$',
        ),
      );
    });

    it('reports a leaked pool as one leak with its connections, closed with pool.end() despite checked-out clients', function () {
      const message = mocha.failure('pg leaks a pool with a client still checked out')!.err.message!;
      expect(message).to.match(/^test leaked 1 async resource \(cancelled\)\n/);
      expect(message).to.include(
        `pg.Pool 127.0.0.1:${new URL(fixture.pg!.url).port}/postgres (${appName(fixture, 'leaked-pool')}) with 2 connections (0 idle, 2 checked out) — closed with pool.end()`,
      );
      expect(message).to.include('at Context.<anonymous> (mocha/pg.spec.js:36:18)');
      expect(message).not.to.match(/TCPWRAP|Timeout/);
    });

    it('has the server drop the leaked backends before the next test runs', function () {
      expect(mocha.passed('pg finds the leaked client backend gone from the server')).to.equal(true);
      expect(mocha.passed('pg finds the leaked pool backends gone from the server')).to.equal(true);
    });

    it('leaves no backend of the run on the server (pg_stat_activity)', function () {
      expect(backendsAfter).to.deep.equal([]);
    });

    it('passes tests that end their client or pool', function () {
      expect(mocha.passed('pg ends its own client')).to.equal(true);
      expect(mocha.passed('pg ends its own pool')).to.equal(true);
    });

    it("blames a timer made in a query callback on the test, not on the client it came from", function () {
      const message = mocha.failure('pg creates a timer in a query callback: the test leaked it, not the client')!.err.message!;
      expect(message).to.match(/^test leaked 1 async resource \(cancelled\)\n  Timeout   setInterval\(poll, 1000 ms\) — cleared with clearInterval\n/);
      expect(message).not.to.include('CLIENT');
    });

    it('reports what a client the test closed still left running, as itself', function () {
      const message = mocha.failure('pg ends its client, but its end listener starts a timer')!.err.message!;
      expect(message).to.match(/^test leaked 1 async resource \(cancelled\)\n/);
      expect(message).to.include(
        `Timeout   setInterval(heartbeat, 1000 ms) (left running by pg.Client 127.0.0.1:${new URL(fixture.pg!.url).port}/postgres (${appName(fixture, 'listener-client')}) after it was closed) — cleared with clearInterval`,
      );
      expect(message).to.include('at Client.<anonymous> (mocha/pg.spec.js:');
      expect(message).not.to.include('CLIENT');
    });

    it('gives the connections a suite pool opens inside a test to the suite: no test fails', function () {
      for (const title of [
        'opens the pool connection lazily in its first test',
        'checks out and releases a client',
        'still has the suite pool connected between tests',
      ]) {
        expect(mocha.passed(`pg a suite that owns a pool ${title}`), title).to.equal(true);
      }
      expect(mocha.failure(`pg a suite that owns a pool ${LEAK_CHECK_HOOK}`)).to.equal(undefined);
    });

    it('checks a suite pool when the suite ends: one suite leak if it was not ended', function () {
      expect(mocha.passed('pg a suite that forgets to end its pool queries through the suite pool')).to.equal(true);
      const message = mocha.failure(`pg a suite that forgets to end its pool ${LEAK_CHECK_HOOK}`)!.err.message!;
      expect(message).to.match(/^suite leaked 1 async resource \(cancelled\)\n/);
      expect(message).to.include(`(${appName(fixture, 'forgotten-pool')}) with 1 connection (1 idle) — closed with pool.end()`);
      expect(message).to.include('at Context.<anonymous> (mocha/pg.spec.js:109:14)');
      expect(mocha.passed('pg after that suite finds the forgotten pool backends gone from the server')).to.equal(true);
    });

    it('closes isolated fixtures at the end of their test without reporting them', function () {
      expect(mocha.passed('pg uses isolated fixtures and leaves them open')).to.equal(true);
      expect(mocha.passed('pg finds the isolated fixtures closed')).to.equal(true);
    });

    it('(control) with the library off, the same server-side checks find the leaked backends', async function () {
      const off = await run(fixture, ['mocha/pg.spec.js'], { env: { ASYNC_ISOLATION: 'off' }, args: ['--exit'] });
      expect(off.failure('pg finds the leaked client backend gone from the server')?.err.message).to.match(/1 !== 0|expected/i);
      expect(off.failure('pg finds the leaked pool backends gone from the server')).not.to.equal(undefined);
    });
  });

  describe('kafkajs (the kcat mock Kafka cluster)', function () {
    let fixture: ClientFixtureEnv;
    let mocha: MochaRun;

    before(async function () {
      fixture = await clientFixtureEnv({ kafka: true });
      mocha = await run(fixture, ['mocha/kafkajs.spec.js']);
    });

    function onlyLeak(title: string): string {
      const message = mocha.failure(title)?.err.message;
      expect(message, `${title} should fail: ${mocha.stderr}`).to.be.a('string');
      expect(message).to.match(/^test leaked 1 async resource \(cancelled\)\n  CLIENT    /);
      expect(message).not.to.match(/TCPWRAP|Timeout/);
      return message!;
    }

    it('fails exactly the tests that left a client connected (or retrying, or restarting)', function () {
      expect(mocha.json.failures.map((f) => f.fullTitle).sort()).to.deep.equal([
        'kafkajs leaks a connected producer',
        'kafkajs leaks a running consumer',
        'kafkajs leaks an admin client',
        'kafkajs leaves a consumer restarting itself after a crash',
        'kafkajs leaves a producer retrying a connection that fails',
      ]);
      expectExitedOnItsOwn(mocha);
    });

    it('reports each leaked client as one leak: role, group, brokers, closed with disconnect(), where it was created and connected', function () {
      const brokers = escapeRegExp(fixture.kafka!.brokers);
      const sites = (created: string, connected: string) =>
        `\\n    at Context\\.<anonymous> \\(mocha/kafkajs\\.spec\\.js:${created}\\)\\n    connected at Context\\.<anonymous> \\(mocha/kafkajs\\.spec\\.js:${connected}\\)$`;
      expect(onlyLeak('kafkajs leaks a connected producer')).to.match(
        new RegExp(`CLIENT    kafkajs producer brokers=${brokers} — closed with disconnect\\(\\)${sites('29:28', '30:20')}`),
      );
      expect(onlyLeak('kafkajs leaks a running consumer')).to.match(
        new RegExp(`CLIENT    kafkajs consumer group=leaky-${fixture.runId} brokers=${brokers} — closed with disconnect\\(\\) \\(stopping it first\\)${sites('40:28', '41:20')}`),
      );
      expect(onlyLeak('kafkajs leaks an admin client')).to.match(
        new RegExp(`CLIENT    kafkajs admin brokers=${brokers} — closed with disconnect\\(\\)${sites('54:25', '55:17')}`),
      );
    });

    it('stops the retry timers of a failed connect and the restart loop of a crashed consumer', function () {
      expect(onlyLeak('kafkajs leaves a producer retrying a connection that fails')).to.match(
        /CLIENT    kafkajs producer brokers=127\.0\.0\.1:1 — closed with disconnect\(\)/,
      );
      expect(onlyLeak('kafkajs leaves a consumer restarting itself after a crash')).to.include(
        `kafkajs consumer group=crashing-${fixture.runId}`,
      );
      expect(mocha.passed('kafkajs finds no retry timer left')).to.equal(true);
      expect(mocha.passed('kafkajs finds no restart loop left')).to.equal(true);
    });

    it('leaves no broker socket and no timer in the process after each leak is cancelled', function () {
      expect(mocha.passed('kafkajs finds no broker socket or timer left by the producer')).to.equal(true);
      expect(mocha.passed('kafkajs finds no broker socket or timer left by the consumer')).to.equal(true);
    });

    it('passes a test that disconnects its clients, and tests using a suite-owned producer', function () {
      expect(mocha.passed('kafkajs disconnects its own producer and consumer')).to.equal(true);
      expect(mocha.passed('kafkajs a suite that shares a producer sends through the suite producer')).to.equal(true);
      expect(mocha.passed('kafkajs a suite that shares a producer sends again to a new topic (metadata, maybe a new connection)')).to.equal(true);
      expect(mocha.failure(`kafkajs a suite that shares a producer ${LEAK_CHECK_HOOK}`)).to.equal(undefined);
    });

    it('closes isolated producer, consumer and admin at the end of their test without reporting them', function () {
      expect(mocha.passed('kafkajs uses isolated fixtures and leaves them connected')).to.equal(true);
      expect(mocha.passed('kafkajs finds the isolated fixtures closed')).to.equal(true);
    });

    it('(control) with the library off, the socket check finds the leaked producer socket', async function () {
      const off = await run(fixture, ['mocha/kafkajs.spec.js'], {
        env: { ASYNC_ISOLATION: 'off' },
        args: ['--exit', '--grep', 'leaks a connected producer|left by the producer'],
      });
      expect(off.failure('kafkajs finds no broker socket or timer left by the producer')?.err.message).to.match(/sockets to the broker/);
    });
  });

  describe('fake timers still installed when a test ends', function () {
    it('closes a client hanging half-open within its bound, in real time, and fails the test', async function () {
      const mocha = await runMocha(['mocha/fake-timers.spec.js'], { cwd: CLIENT_FIXTURES, timeoutMs: 30000 });
      const message = mocha.failure('pg under fake timers leaks a client connecting to a half-open server')?.err.message;
      expect(message, mocha.stderr).to.match(
        /^test leaked 1 async resource \(cancelled\)\n  CLIENT    pg\.Client 127\.0\.0\.1:\d+\/half-open — closed with end\(\) \(not done within 1000 ms\), then 1 of its sockets\/timers cancelled\n/,
      );
      expect(mocha.stderr).not.to.include('did not finish');
      expectExitedOnItsOwn(mocha);
    });
  });

  describe('ESM imports of pg and kafkajs', function () {
    it('instruments them like require() does', async function () {
      const fixture = await clientFixtureEnv({ pg: true, kafka: true });
      const mocha = await run(fixture, ['mocha/esm.spec.mjs']);
      expect(mocha.json.failures.map((f) => f.fullTitle).sort()).to.deep.equal([
        'esm leaks a client from a default import',
        'esm leaks a kafkajs producer',
        'esm leaks a pool from a named import',
      ]);
      expect(mocha.failure('esm leaks a client from a default import')!.err.message).to.include(
        `CLIENT    pg.Client 127.0.0.1:${new URL(fixture.pg!.url).port}/postgres (${appName(fixture, 'esm-client')}) — closed with end()`,
      );
      expect(mocha.failure('esm leaks a pool from a named import')!.err.message).to.include('with 1 connection (1 idle) — closed with pool.end()');
      expect(mocha.failure('esm leaks a kafkajs producer')!.err.message).to.include(`kafkajs producer brokers=${fixture.kafka!.brokers}`);
      expect(await liveBackends(fixture)).to.deep.equal([]);
      expectExitedOnItsOwn(mocha);
    });
  });
});
