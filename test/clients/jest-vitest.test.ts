import { expect } from 'chai';
import { join } from 'node:path';
import { JEST_VERSIONS, runJest, type JestRun } from '../jest/run-jest';
import { ROOT, runNode, type RunResult } from '../support/run';
import { appName, CLIENT_FIXTURES, clientFixtureEnv, liveBackends, type ClientFixtureEnv } from './fixtures-env';

const JEST_30 = JEST_VERSIONS[0]!;

interface VitestAssertion {
  fullName: string;
  status: string;
  failureMessages: string[];
}

interface VitestRun extends RunResult {
  test(fullName: string): VitestAssertion;
}

/** Runs Vitest (the project's, 4.1) on the client fixtures, with the JSON reporter. */
async function runVitest(env: NodeJS.ProcessEnv): Promise<VitestRun> {
  const result = await runNode([join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=json'], {
    cwd: join(CLIENT_FIXTURES, 'vitest'),
    env,
    timeoutMs: 60000,
  });
  let json: { testResults: Array<{ assertionResults: VitestAssertion[] }> };
  try {
    json = JSON.parse(result.stdout);
  } catch {
    throw new Error(`vitest printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  const all = json.testResults.flatMap((f) => f.assertionResults);
  return {
    ...result,
    test(fullName) {
      const found = all.find((t) => t.fullName === fullName);
      if (!found) throw new Error(`no test "${fullName}" in: ${all.map((t) => t.fullName).join(' | ')}`);
      return found;
    },
  };
}

function firstLine(messages: string[]): string {
  return messages.join('\n').split('\n').slice(0, 2).join('\n');
}

describe('client adapters under Jest and Vitest, against real servers', function () {
  let fixture: ClientFixtureEnv;

  before(async function () {
    fixture = await clientFixtureEnv({ pg: true, kafka: true });
  });

  describe('Jest 30 (clients loaded in the test file registry)', function () {
    let jest: JestRun;
    let backendsAfter: string[];

    before(async function () {
      jest = await runJest(JEST_30, ['pg.test.js', 'kafkajs.test.js'], { cwd: join(CLIENT_FIXTURES, 'jest'), env: fixture.env });
      backendsAfter = await liveBackends(fixture);
    });

    it('reports a leaked pg client as one leak, and the server drops its backend', function () {
      const leaked = jest.test('leaks a connected client');
      expect(leaked.status).to.equal('failed');
      expect(firstLine(leaked.failureMessages)).to.match(
        new RegExp(`^LeakError: test leaked 1 async resource \\(cancelled\\)\\n  CLIENT    pg\\.Client 127\\.0\\.0\\.1:\\d+/postgres \\(${appName(fixture, 'jest-leaked-client')}\\) — closed with end\\(\\)$`),
      );
      expect(jest.test('finds the leaked client backend gone from the server').status).to.equal('passed');
      expect(backendsAfter).to.deep.equal([]);
    });

    it('gives a beforeAll pool to its describe block: no test fails, and a forgotten one fails the block', function () {
      expect(jest.test('a suite that owns a pool opens the pool connection lazily in its first test').status).to.equal('passed');
      expect(jest.test('a suite that owns a pool still has the suite pool connected between tests').status).to.equal('passed');
      expect(jest.test('a suite that forgets to end its pool queries through the suite pool').status).to.equal('passed');
      const file = jest.file('pg.test.js');
      expect(file.message).to.include('describe "a suite that forgets to end its pool" leaked 1 async resource (cancelled)');
      expect(file.message).to.include(`pg.Pool 127.0.0.1:${new URL(fixture.pg!.url).port}/postgres (${appName(fixture, 'jest-forgotten-pool')}) with 1 connection (1 idle) — closed with pool.end()`);
      expect(file.message).not.to.include('jest-suite-pool');
      expect(jest.test('finds the forgotten pool backends gone from the server').status).to.equal('passed');
    });

    it('closes an isolated client without reporting it', function () {
      expect(jest.test('uses an isolated client and leaves it open').status).to.equal('passed');
    });

    it('reports a leaked kafkajs producer as one leak, leaving no broker socket', function () {
      const leaked = jest.test('leaks a connected producer');
      expect(firstLine(leaked.failureMessages)).to.equal(
        `LeakError: test leaked 1 async resource (cancelled)\n  CLIENT    kafkajs producer brokers=${fixture.kafka!.brokers} — closed with disconnect()`,
      );
      expect(jest.test('finds no broker socket left').status).to.equal('passed');
    });
  });

  describe('Vitest 4.1 (clients imported as ESM)', function () {
    let vitest: VitestRun;
    let backendsAfter: string[];

    before(async function () {
      vitest = await runVitest(fixture.env);
      backendsAfter = await liveBackends(fixture);
    });

    it('reports a leaked pg client as one leak, and the server drops its backend', function () {
      const leaked = vitest.test('leaks a connected client');
      expect(leaked.status).to.equal('failed');
      expect(firstLine(leaked.failureMessages)).to.equal(
        `LeakError: test leaked 1 async resource (cancelled)\n  CLIENT    pg.Client 127.0.0.1:${new URL(fixture.pg!.url).port}/postgres (${appName(fixture, 'vitest-leaked-client')}) — closed with end()`,
      );
      expect(vitest.test('finds the leaked client backend gone from the server').status).to.equal('passed');
      expect(backendsAfter).to.deep.equal([]);
    });

    it('never blames a beforeAll pool on the test that opened its connection', function () {
      expect(vitest.test('a suite that owns a pool opens the pool connection lazily in its first test').status).to.equal('passed');
      expect(vitest.test('a suite that owns a pool still has the suite pool connected between tests').status).to.equal('passed');
    });

    it('closes an isolated client without reporting it', function () {
      expect(vitest.test('uses an isolated client and leaves it open').status).to.equal('passed');
      expect(vitest.test('finds the isolated client closed').status).to.equal('passed');
    });

    it('reports a leaked kafkajs producer as one leak, leaving no broker socket', function () {
      expect(firstLine(vitest.test('leaks a connected producer').failureMessages)).to.equal(
        `LeakError: test leaked 1 async resource (cancelled)\n  CLIENT    kafkajs producer brokers=${fixture.kafka!.brokers} — closed with disconnect()`,
      );
      expect(vitest.test('finds no broker socket left').status).to.equal('passed');
    });
  });
});
