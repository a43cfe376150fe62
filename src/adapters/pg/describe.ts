import { plural } from '../../tracker/text';

/** What a pg connection is to, from a Client's connection parameters or a Pool's options. */
interface Target {
  host?: unknown;
  port?: unknown;
  database?: unknown;
  application_name?: unknown;
}

function fromConnectionString(options: any): Target | undefined {
  if (typeof options?.connectionString !== 'string') return undefined;
  try {
    const url = new URL(options.connectionString);
    return {
      host: options.host ?? (url.hostname.replace(/^\[|\]$/g, '') || undefined),
      port: options.port ?? (url.port || undefined),
      database: options.database ?? (decodeURIComponent(url.pathname.slice(1)) || undefined),
      application_name: options.application_name ?? url.searchParams.get('application_name') ?? undefined,
    };
  } catch {
    return undefined;
  }
}

function target(given: Target | undefined): string {
  const params = fromConnectionString(given) ?? given;
  const host = typeof params?.host === 'string' && params.host !== '' ? params.host : 'localhost';
  const port = params?.port ?? 5432;
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const database = typeof params?.database === 'string' ? `/${params.database}` : '';
  const app = typeof params?.application_name === 'string' && params.application_name !== '' ? ` (${params.application_name})` : '';
  return `${where}${database}${app}`;
}

/** `pg.Client 127.0.0.1:5432/orders (orders-test)` */
export function describePgClient(client: any): string {
  return `pg.Client ${target(client?.connectionParameters)}`;
}

/** `pg.Pool 127.0.0.1:5432/orders (orders-test) with 2 connections (1 idle, 1 checked out)` */
export function describePgPool(pool: any): string {
  const clients: any[] = Array.isArray(pool?._clients) ? pool._clients : [];
  const idle = Array.isArray(pool?._idle) ? pool._idle.length : 0;
  const params = clients[0]?.connectionParameters ?? pool?.options;
  const parts = [`${idle} idle`];
  if (clients.length - idle > 0) parts.push(`${clients.length - idle} checked out`);
  const waiting = Array.isArray(pool?._pendingQueue) ? pool._pendingQueue.length : 0;
  if (waiting > 0) parts.push(`${waiting} waiting`);
  return `pg.Pool ${target(params)} with ${plural(clients.length, 'connection')} (${parts.join(', ')})`;
}
