import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, ROOT, runNode } from '../support/run';
import { appName, CLIENT_FIXTURES, clientFixtureEnv, liveBackends, type ClientFixtureEnv } from './fixtures-env';

const PROGRAMMATIC = join(CLIENT_FIXTURES, 'programmatic');

/** A temp folder from which `pg` does not resolve (no node_modules with it in any parent). */
function folderWithoutPg(): string {
  for (const base of [tmpdir(), '/var/tmp', homedir()]) {
    const dir = mkdtempSync(join(base, 'async-isolation-no-peers-'));
    try {
      createRequire(join(dir, 'noop.js')).resolve('pg');
    } catch {
      return dir;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('every temp folder sees a node_modules with pg in a parent folder');
}

async function runScript(fixture: ClientFixtureEnv, script: string): Promise<any> {
  const result = await runNode([script], { cwd: PROGRAMMATIC, env: fixture.env, timeoutMs: 60000 });
  expect(result.signal, result.stderr).to.equal(null);
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`${script} printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

describe('client adapters used programmatically (enter/exit, withIsolation)', function () {
  let fixture: ClientFixtureEnv;

  before(async function () {
    fixture = await clientFixtureEnv({ pg: true, kafka: true });
  });

  describe('with pg and kafkajs loaded before the first scope', function () {
    let out: any;

    before(async function () {
      out = await runScript(fixture, 'scopes.cjs');
      expect(out.crashed).to.equal(undefined);
    });

    it('reports a client, a pool and a producer left open as one leak each', function () {
      const leaks = out.leaky.leaks.map((l: any) => `${l.type} ${l.description} — ${l.cancelledBy}`);
      const port = new URL(fixture.pg!.url).port;
      expect(leaks).to.deep.equal([
        `CLIENT pg.Client 127.0.0.1:${port}/postgres (${appName(fixture, 'prog-client')}) — closed with end()`,
        `CLIENT pg.Pool 127.0.0.1:${port}/postgres (${appName(fixture, 'prog-pool')}) with 1 connection (1 idle) — closed with pool.end()`,
        `CLIENT kafkajs producer brokers=${fixture.kafka!.brokers} — closed with disconnect()`,
      ]);
      expect(out.leaky.leaks[0].stack).to.match(/^at main \(scopes\.cjs:24:18\)\n(.*\n)*connected at main \(scopes\.cjs:25:16\)$/);
      expect(out.leaky.leaks[1].stack).to.equal('at main (scopes.cjs:26:16)');
      expect(out.leaky.leaks[2].stack).to.equal('at main (scopes.cjs:28:26)\nconnected at main (scopes.cjs:29:18)');
      expect(out.leaky.unref).to.deep.equal([]);
      expect(out.leaky.failed).to.equal(true);
    });

    it('leaves no broker socket behind, and no backend on the server', async function () {
      expect(out.socketsAfterLeaks).to.equal(0);
      expect(out.socketsAfterFixtures).to.equal(0);
      expect(await liveBackends(fixture)).to.deep.equal([]);
    });

    it('closes isolated fixtures at exit without reporting them', function () {
      expect(out.fixtures).to.equal('no leak reported');
    });

    it('rejects misuse of the fixtures with clear messages', function () {
      expect(out.errors).to.deep.equal({
        outsideScope:
          'IsolationUsageError: isolatedClient(config) was called outside any test or scope: call it in a test, a beforeEach/before hook, or inside withIsolation()',
        badConfig: 'IsolationUsageError: isolatedClient(config): config must be a pg config object or a connection string, got number 42',
        poolString: `IsolationUsageError: isolatedPool(config): config must be a pg Pool config object (use { connectionString }), got the string "${fixture.pg!.url}"`,
        notKafka: 'IsolationUsageError: isolatedProducer(kafka, config): kafka must be a kafkajs Kafka instance (new Kafka({ brokers })), got an object',
        noGroup: 'IsolationUsageError: isolatedConsumer(kafka, config): config.groupId must be a string, got undefined',
      });
    });
  });

  it('instruments pg and kafkajs imported (ESM) after the first scope exists', async function () {
    const leaks = await runScript(fixture, 'late-load.mjs');
    expect(leaks).to.deep.equal([
      `CLIENT pg.Client 127.0.0.1:${new URL(fixture.pg!.url).port}/postgres (${appName(fixture, 'late-client')}) — closed with end()`,
      `CLIENT kafkajs admin brokers=${fixture.kafka!.brokers} — closed with disconnect()`,
    ]);
  });

  it('closes a client hanging half-open within its bound while fake timers are installed', async function () {
    const result = await runNode(['fake-timers.cjs'], { cwd: PROGRAMMATIC, timeoutMs: 30000 });
    expect(JSON.parse(result.stdout)).to.deep.equal({
      leaks: ['CLIENT closed with end() (not done within 1000 ms), then 1 of its sockets/timers cancelled'],
      cleanupErrors: [],
    });
    expect(result.code).to.equal(0);
  });

  describe('without pg and kafkajs installed', function () {
    let project: string;

    before(function () {
      // A project with only async-isolation (and its own dependencies) in node_modules.
      project = folderWithoutPg();
      const home = join(project, 'node_modules', 'async-isolation');
      mkdirSync(home, { recursive: true });
      cpSync(DIST, join(home, 'dist'), { recursive: true });
      cpSync(join(ROOT, 'package.json'), join(home, 'package.json'));
      for (const dep of ['p-defer', 'why-is-node-running']) symlinkSync(join(ROOT, 'node_modules', dep), join(project, 'node_modules', dep));
      cpSync(join(PROGRAMMATIC, 'without-peers.cjs'), join(project, 'without-peers.cjs'));
    });

    after(function () {
      rmSync(project, { recursive: true, force: true });
    });

    it('loads every entry point and tracks leaks as usual', async function () {
      const result = await runNode(['without-peers.cjs'], { cwd: project, timeoutMs: 30000 });
      expect(result.stderr).to.equal('');
      const out = JSON.parse(result.stdout);
      expect(out.error).to.match(/^scope "no peers" leaked 1 async resource/);
      expect(out.error).to.include('setInterval(anonymous, 1000 ms)');
    });

    it('fails isolatedClient() with the package to install', async function () {
      const result = await runNode(['-e', "require('async-isolation').withIsolation('x', () => require('async-isolation/pg').isolatedClient({})).catch((e) => process.stdout.write(e.message))"], {
        cwd: project,
        timeoutMs: 30000,
      });
      expect(result.stdout).to.equal('isolatedClient(config) needs the "pg" package, which is not installed: npm install pg');
    });
  });
});
