/**
 * Real servers for the client adapters' tests, started once per test run when a test first asks
 * for them, and stopped when the run's process exits:
 * - a throwaway PostgreSQL cluster (Debian's `postgresql`): `initdb --auth=trust` into a temp
 *   dir, a free loopback port;
 * - librdkafka's mock Kafka cluster, served by Debian's `kcat`.
 * `ASYNC_ISOLATION_PG_URL` / `ASYNC_ISOLATION_KAFKA_BROKERS` point at servers already running
 * instead.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const START_TIMEOUT_MS = 20000;

export interface Postgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  /** Runs one query on a fresh connection (closed before it returns). */
  query<R extends object = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<R[]>;
}

export interface Kafka {
  /** `127.0.0.1:PORT` */
  brokers: string;
  port: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install the Debian package "postgresql" ' +
        '(apt-get install -y postgresql), or set ASYNC_ISOLATION_PG_URL to a running server',
    );
  }
  return join(root, versions[0]!, 'bin');
}

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (line === undefined) throw new Error('running as root, but there is no "postgres" user to run PostgreSQL as (install the "postgresql" package)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function query<R extends object>(url: string, sql: string, values?: unknown[]): Promise<R[]> {
  const client = new Client({ connectionString: url, application_name: 'async-isolation-verifier' });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as R[];
  } finally {
    await client.end();
  }
}

let postgresStarted: Promise<Postgres> | undefined;
let kafkaStarted: Promise<Kafka> | undefined;
const cleanups: Array<() => void> = [];
let exitHooked = false;

function onExit(fn: () => void): void {
  cleanups.push(fn);
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        cleanup();
      } catch {
        // best effort: the process is leaving
      }
    }
  });
}

async function launchPostgres(): Promise<Postgres> {
  const bin = postgresBinDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'async-isolation-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const options = { stdio: 'pipe' as const, timeout: START_TIMEOUT_MS, ...(user ?? {}) };
  const port = await freePort();
  const pgCtl = join(bin, 'pg_ctl');
  onExit(() => {
    if (existsSync(join(data, 'postmaster.pid'))) execFileSync(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], options);
    rmSync(dir, { recursive: true, force: true });
  });
  execFileSync(join(bin, 'initdb'), ['--auth=trust', '-U', 'postgres', '-E', 'UTF8', '-D', data], options);
  execFileSync(
    pgCtl,
    ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start'],
    options,
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return { url, query: (sql, values) => query(url, sql, values) };
}

/** The test run's PostgreSQL server (started on first use). */
export function postgres(): Promise<Postgres> {
  const given = process.env.ASYNC_ISOLATION_PG_URL;
  if (given) return Promise.resolve({ url: given, query: (sql, values) => query(given, sql, values) });
  postgresStarted ??= launchPostgres();
  return postgresStarted;
}

function findKcat(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'kcat'))) return join(dir, 'kcat');
  }
  throw new Error(
    'kcat not found on PATH: install the Debian package "kcat" (apt-get install -y kcat) for its mock Kafka cluster, ' +
      'or set ASYNC_ISOLATION_KAFKA_BROKERS to a running broker',
  );
}

const BOOTSTRAP = /bootstrap\.servers=(127\.0\.0\.1:(\d+))/;

async function launchKafka(): Promise<Kafka> {
  const kcat = findKcat();
  const dir = mkdtempSync(join(tmpdir(), 'async-isolation-kafka-'));
  const log = join(dir, 'kcat.log');
  // stderr goes to a file (it logs every connection: a pipe nobody drains would fill up and
  // block it); stdin stays open, or kcat -P would finish.
  const child: ChildProcess = spawn(kcat, ['-P', '-b', 'unused:1', '-t', 'keepalive', '-X', 'test.mock.num.brokers=1', '-d', 'mock'], {
    stdio: ['pipe', 'ignore', openSync(log, 'w')],
  });
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  onExit(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kcat exited (code ${child.exitCode}): ${readFileSync(log, 'utf8')}`);
    const match = BOOTSTRAP.exec(readFileSync(log, 'utf8'));
    if (match) return { brokers: match[1]!, port: Number(match[2]) };
    if (Date.now() > deadline) throw new Error(`kcat printed no bootstrap.servers within ${START_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The test run's Kafka mock cluster (started on first use). */
export function kafka(): Promise<Kafka> {
  const given = process.env.ASYNC_ISOLATION_KAFKA_BROKERS;
  if (given) return Promise.resolve({ brokers: given, port: Number(given.split(',')[0]!.split(':').pop()) });
  kafkaStarted ??= launchKafka();
  return kafkaStarted;
}
