import type { Admin, AdminConfig, Consumer, ConsumerConfig, Kafka, Producer, ProducerConfig } from 'kafkajs';
import { markFixture } from '../clients/client-context';
import { fixtureOwner } from '../clients/fixture-scope';
import { enableClientInstrumentation } from '../clients/instrument';
import { IsolationUsageError, describeValue } from '../../tracker/errors';
import { instrumentKafkaClient, isInstrumentedKafkaClient } from './instrument';
import type { KafkaClientRole } from './describe';

interface Connectable {
  connect(): Promise<void>;
}

async function isolated<T extends Connectable>(role: KafkaClientRole, kafka: unknown, config: unknown): Promise<T> {
  const where = `isolated${role[0]!.toUpperCase()}${role.slice(1)}(kafka, config)`;
  if (kafka === null || typeof kafka !== 'object' || typeof (kafka as Record<string, unknown>)[role] !== 'function') {
    throw new IsolationUsageError(`${where}: kafka must be a kafkajs Kafka instance (new Kafka({ brokers })), got ${describeValue(kafka)}`);
  }
  if (config !== undefined && (config === null || typeof config !== 'object' || Array.isArray(config))) {
    throw new IsolationUsageError(`${where}: config must be an object, got ${describeValue(config)}`);
  }
  if (role === 'consumer' && typeof (config as { groupId?: unknown } | undefined)?.groupId !== 'string') {
    throw new IsolationUsageError(`${where}: config.groupId must be a string, got ${describeValue((config as { groupId?: unknown } | undefined)?.groupId)}`);
  }
  fixtureOwner(where);
  enableClientInstrumentation();
  const client = (kafka as Record<string, (config: unknown) => T>)[role]!(config);
  if (!isInstrumentedKafkaClient(client)) {
    // A kafkajs copy the adapter did not see load: the client itself still can be instrumented.
    const groupId = (config as { groupId?: string } | undefined)?.groupId;
    instrumentKafkaClient(client, { role, groupId, cluster: undefined });
  }
  const connected = client.connect();
  markFixture(client);
  await connected;
  return client;
}

/** A connected kafkajs producer for the running test (or suite): disconnected when that scope exits, never reported. */
export function isolatedProducer(kafka: Kafka, config?: ProducerConfig): Promise<Producer> {
  return isolated<Producer>('producer', kafka, config);
}

/**
 * A connected kafkajs consumer for the running test (or suite): subscribe and `run()` it as
 * usual; stopped and disconnected when that scope exits, never reported.
 */
export function isolatedConsumer(kafka: Kafka, config: ConsumerConfig): Promise<Consumer> {
  return isolated<Consumer>('consumer', kafka, config);
}

/** A connected kafkajs admin client for the running test (or suite): disconnected when that scope exits, never reported. */
export function isolatedAdmin(kafka: Kafka, config?: AdminConfig): Promise<Admin> {
  return isolated<Admin>('admin', kafka, config);
}
