import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FIXTURES } from '../support/run';
import { kafka, postgres, type Kafka, type Postgres } from '../support/services';

export const CLIENT_FIXTURES = join(FIXTURES, 'clients');

/** The servers a fixture run talks to, and the environment that tells the fixture about them. */
export interface ClientFixtureEnv {
  /** Prefix of every application_name the run's pg connections use. */
  runId: string;
  env: NodeJS.ProcessEnv;
  pg: Postgres | undefined;
  kafka: Kafka | undefined;
}

/** Starts (once per test run) the servers a fixture needs, and names this run. */
export async function clientFixtureEnv(needs: { pg?: boolean; kafka?: boolean }): Promise<ClientFixtureEnv> {
  const runId = `ai${randomBytes(4).toString('hex')}`;
  const pg = needs.pg ? await postgres() : undefined;
  const broker = needs.kafka ? await kafka() : undefined;
  return {
    runId,
    pg,
    kafka: broker,
    env: {
      CLIENTS_RUN_ID: runId,
      ASYNC_ISOLATION_PG_URL: pg?.url,
      ASYNC_ISOLATION_KAFKA_BROKERS: broker?.brokers,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    },
  };
}

/** application_names of the run's connections the server still has (pg_stat_activity). */
export async function liveBackends(fixture: ClientFixtureEnv): Promise<string[]> {
  const rows = await fixture.pg!.query<{ application_name: string }>(
    "select application_name from pg_stat_activity where application_name like $1 || '-%' order by 1",
    [fixture.runId],
  );
  return rows.map((r) => r.application_name);
}

/** The application_name the fixture gave a connection. */
export function appName(fixture: ClientFixtureEnv, what: string): string {
  return `${fixture.runId}-${what}`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
