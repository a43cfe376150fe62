import type { Client, ClientConfig, Pool, PoolConfig } from 'pg';
import { markFixture } from '../clients/client-context';
import { fixtureOwner } from '../clients/fixture-scope';
import { enableClientInstrumentation } from '../clients/instrument';
import { loadPeer } from '../clients/load-peer';
import { IsolationUsageError, describeValue } from '../../tracker/errors';
import { patchPgModule } from './instrument';

interface PgModule {
  Client: new (config?: string | ClientConfig) => Client;
  Pool: new (config?: PoolConfig) => Pool;
}

function loadPg(where: string): PgModule {
  enableClientInstrumentation();
  const pg = loadPeer<PgModule>('pg', where);
  patchPgModule(pg);
  return pg;
}

function checkConfig(where: string, config: unknown): void {
  if (config === undefined || typeof config === 'string') return;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new IsolationUsageError(`${where}: config must be a pg config object or a connection string, got ${describeValue(config)}`);
  }
}

/**
 * A connected `pg.Client` for the running test (or suite, in a `before` hook): ended when that
 * scope exits, never reported as a leak. Rejects with pg's own error when it cannot connect.
 */
export async function isolatedClient(config?: string | ClientConfig): Promise<Client> {
  const where = 'isolatedClient(config)';
  checkConfig(where, config);
  fixtureOwner(where);
  const pg = loadPg(where);
  const client = new pg.Client(config);
  const connected = client.connect();
  markFixture(client);
  await connected;
  return client;
}

/**
 * A `pg.Pool` for the running test (or suite, in a `before` hook): ended when that scope exits,
 * even with clients still checked out, and never reported as a leak.
 */
export function isolatedPool(config?: PoolConfig): Pool {
  const where = 'isolatedPool(config)';
  checkConfig(where, config);
  if (typeof config === 'string') {
    throw new IsolationUsageError(`${where}: config must be a pg Pool config object (use { connectionString }), got ${describeValue(config)}`);
  }
  fixtureOwner(where);
  const pg = loadPg(where);
  const pool = new pg.Pool(config);
  markFixture(pool);
  return pool;
}
