/**
 * kafkajs adapter: `import { isolatedProducer, isolatedConsumer, isolatedAdmin } from 'async-isolation/kafkajs'`.
 *
 * The adapter switches on by itself with any framework adapter (or `enter()`): a producer,
 * consumer or admin a test leaves connected is one leak, `kafkajs consumer group=… brokers=…`,
 * closed with `disconnect()` (a running consumer is stopped first); none of its broker sockets,
 * request-timeout intervals, retry timers or crash-restart loops survive. This entry point adds
 * the isolated fixtures, and `instrumentKafkajs` for a kafkajs copy loaded where the adapter
 * cannot see it (a bundle).
 *
 * @packageDocumentation
 */
import { enableClientInstrumentation } from './adapters/clients/instrument';
import { patchKafkajsModule } from './adapters/kafkajs/instrument';

export { isolatedProducer, isolatedConsumer, isolatedAdmin } from './adapters/kafkajs/fixtures';

/** Instruments a loaded `kafkajs` module (what `require('kafkajs')` returned). Idempotent. */
export function instrumentKafkajs(kafkajs: unknown): void {
  patchKafkajsModule(kafkajs);
}

enableClientInstrumentation();
