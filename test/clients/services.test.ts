import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runNode } from '../support/run';

const SERVICES = join(ROOT, 'test', 'support', 'services.ts');

/** Runs `expression` (a promise over the services module `s`) in a fresh process; prints its outcome. */
function evaluate(expression: string, env: NodeJS.ProcessEnv) {
  const script = `const s = require(${JSON.stringify(SERVICES)}); (${expression}).then((v) => process.stdout.write(JSON.stringify(v)), (e) => process.stdout.write('error: ' + e.message));`;
  return runNode(['--require', 'tsx/cjs', '-e', script], { env, timeoutMs: 30000 });
}

describe('test services (test/support/services.ts)', function () {
  it('names the Debian package when kcat is missing', async function () {
    const empty = mkdtempSync(join(tmpdir(), 'async-isolation-empty-path-'));
    try {
      const run = await evaluate('s.kafka()', { PATH: empty, ASYNC_ISOLATION_KAFKA_BROKERS: '' });
      expect(run.stdout).to.equal(
        'error: kcat not found on PATH: install the Debian package "kcat" (apt-get install -y kcat) for its mock Kafka cluster, or set ASYNC_ISOLATION_KAFKA_BROKERS to a running broker',
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('uses servers given in ASYNC_ISOLATION_PG_URL / ASYNC_ISOLATION_KAFKA_BROKERS instead of starting its own', async function () {
    const run = await evaluate('Promise.all([s.postgres().then((p) => p.url), s.kafka()])', {
      ASYNC_ISOLATION_PG_URL: 'postgres://someone@db.example:6543/app',
      ASYNC_ISOLATION_KAFKA_BROKERS: 'broker.example:9093,other:9094',
    });
    expect(JSON.parse(run.stdout)).to.deep.equal([
      'postgres://someone@db.example:6543/app',
      { brokers: 'broker.example:9093,other:9094', port: 9093 },
    ]);
  });
});
