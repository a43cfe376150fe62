export type KafkaClientRole = 'producer' | 'consumer' | 'admin';

/** What the instrumentation keeps about a kafkajs client to describe it. */
export interface KafkaClientInfo {
  readonly role: KafkaClientRole;
  readonly groupId: string | undefined;
  /** kafkajs's Cluster of this client (each client has its own), when it could be read. */
  readonly cluster: unknown;
}

function address(connectionPool: any): string | undefined {
  const host = connectionPool?.host;
  const port = connectionPool?.port;
  if (typeof host !== 'string') return undefined;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The brokers the client talks to: its seed broker and those the metadata told it about. */
function brokers(cluster: any): string[] {
  const pool = cluster?.brokerPool;
  const found = new Set<string>();
  const seed = address(pool?.seedBroker?.connectionPool);
  if (seed) found.add(seed);
  for (const broker of Object.values<any>(pool?.brokers ?? {})) {
    const at = address(broker?.connectionPool);
    if (at) found.add(at);
  }
  return [...found];
}

/** `kafkajs consumer group=orders brokers=127.0.0.1:39411` */
export function describeKafkaClient(info: KafkaClientInfo): string {
  const parts = [`kafkajs ${info.role}`];
  if (info.groupId !== undefined) parts.push(`group=${info.groupId}`);
  const list = brokers(info.cluster);
  parts.push(`brokers=${list.length > 0 ? list.join(',') : '?'}`);
  return parts.join(' ');
}
