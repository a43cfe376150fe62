import { claimClient } from '../clients/claim-client';
import { runAsClient, noteCreation, noteUserClose, type ClientKind } from '../clients/client-context';
import { isPatched, patchMethod } from '../clients/patch-method';
import { recordInternalError } from '../../context/internal-errors';
import { describeKafkaClient, type KafkaClientInfo, type KafkaClientRole } from './describe';

const INFO = Symbol.for('async-isolation.kafkajs-client.v1');
const KAFKAJS_FRAMES = /node_modules[\\/]kafkajs[\\/]/;
// A running consumer's disconnect() first waits for its in-flight fetch (up to maxWaitTimeInMs)
// and leaves its group: worth a little wait, so the next test's consumer need not rebalance.
const GRACEFUL_MS = 3000;
/** Methods that start no work of the client's: left as they are. */
const PASSIVE = new Set(['on', 'logger', 'isIdempotent', 'paused', 'events']);

interface KafkaClient {
  [INFO]?: KafkaClientInfo;
  [method: string]: unknown;
}

const kinds = new Map<KafkaClientRole, ClientKind<KafkaClient>>(
  (['producer', 'consumer', 'admin'] as const).map((role) => [
    role,
    {
      label: `kafkajs ${role}`,
      describe: (client: KafkaClient) => describeKafkaClient(client[INFO]!),
      closeMethod: role === 'consumer' ? 'disconnect() (stopping it first)' : 'disconnect()',
      close: (client: KafkaClient) => (client.disconnect as () => Promise<void>)(),
      gracefulMs: GRACEFUL_MS,
      libraryFrames: KAFKAJS_FRAMES,
    },
  ]),
);

/**
 * A client's owner is the scope that connects it; everything it then does (its sockets, the
 * request-timeout intervals, retries, a consumer's fetch loop and restarts after a crash)
 * happens in its own context. Connected outside every scope, it belongs to the process.
 */
function connecting(client: KafkaClient, original: Function): Function {
  return function connect(...args: unknown[]) {
    try {
      const context = claimClient(client, kinds.get(client[INFO]!.role)!, connect);
      if (context !== undefined) {
        // Perhaps connected again after a disconnect() in the same scope: open again.
        context.closedByUser = false;
        context.userClose = undefined;
      }
    } catch (error) {
      recordInternalError('instrumenting a kafkajs connect()', error);
    }
    return runAsClient(client, () => original.apply(client, args));
  };
}

function method(client: KafkaClient, original: Function, name: string): Function {
  if (name === 'connect') return connecting(client, original);
  if (name === 'disconnect') {
    return function disconnect(...args: unknown[]) {
      const result = runAsClient(client, () => original.apply(client, args));
      noteUserClose(client, result);
      return result;
    };
  }
  if (name === 'transaction') {
    // The transaction's own send()/commit() are the producer's work too.
    return function transaction(...args: unknown[]) {
      const started = runAsClient(client, () => original.apply(client, args)) as Promise<Record<string, unknown>>;
      return started.then((tx) => {
        if (tx !== null && typeof tx === 'object') wrapMethods(tx, client, tx);
        return tx;
      });
    };
  }
  return asClient(client, original, name, client);
}

function asClient(client: KafkaClient, original: Function, name: string, self: object): Function {
  return {
    [name](...args: unknown[]) {
      return runAsClient(client, () => original.apply(self, args));
    },
  }[name]!;
}

function wrapMethods(target: Record<string, unknown>, client: KafkaClient, self: object): void {
  for (const name of Object.keys(target)) {
    if (!PASSIVE.has(name)) patchMethod(target, name, (original) => asClient(client, original, name, self));
  }
}

/**
 * Instruments one producer, consumer or admin (kafkajs builds them as plain objects of
 * closures, so their own methods are replaced). Idempotent.
 */
export function instrumentKafkaClient(client: unknown, info: KafkaClientInfo): void {
  const target = client as KafkaClient;
  if (target === null || typeof target !== 'object' || target[INFO] !== undefined) return;
  if (typeof target.connect !== 'function' || typeof target.disconnect !== 'function') return;
  Object.defineProperty(target, INFO, { value: info });
  for (const name of Object.keys(target)) {
    if (!PASSIVE.has(name)) patchMethod(target, name, (original) => method(target, original, name));
  }
}

/** The description of the private `createCluster` of a Kafka instance (kafkajs 2.x). */
const CREATE_CLUSTER = 'private:Kafka:createCluster';

/**
 * Calls `create()` (a `kafka.producer()`-like call) and returns the cluster it built, read by
 * briefly wrapping the instance's private cluster factory: it knows the brokers. Undefined
 * when this kafkajs has no such factory.
 */
function withCluster<T>(kafka: any, create: () => T): { client: T; cluster: unknown } {
  const key = Object.getOwnPropertySymbols(kafka ?? {}).find((s) => s.description === CREATE_CLUSTER);
  const factory = key === undefined ? undefined : kafka[key];
  if (typeof factory !== 'function') return { client: create(), cluster: undefined };
  let cluster: unknown;
  kafka[key!] = (...args: unknown[]) => (cluster = factory(...args));
  try {
    return { client: create(), cluster };
  } finally {
    kafka[key!] = factory;
  }
}

function creating(role: KafkaClientRole, original: Function): Function {
  return function create(this: unknown, ...args: unknown[]) {
    const { client, cluster } = withCluster(this, () => original.apply(this, args));
    try {
      if (client !== null && typeof client === 'object') noteCreation(client, create);
      const options = args[0] as { groupId?: unknown } | undefined;
      const groupId = role === 'consumer' && typeof options?.groupId === 'string' ? options.groupId : undefined;
      instrumentKafkaClient(client, { role, groupId, cluster });
    } catch (error) {
      recordInternalError(`instrumenting kafka.${role}()`, error);
    }
    return client;
  };
}

/** Patches kafkajs's Kafka class (kafkajs/src/index.js) in place. */
export function patchKafka(Kafka: unknown): void {
  const proto = (Kafka as { prototype?: any } | undefined)?.prototype;
  if (typeof Kafka !== 'function' || !proto || isPatched(proto, 'producer')) return;
  if (typeof proto.producer !== 'function' || typeof proto.consumer !== 'function') return;
  for (const role of ['producer', 'consumer', 'admin'] as const) patchMethod(proto, role, (original) => creating(role, original));
}

/** Patches a loaded `kafkajs` module (its index exports `{ Kafka }`). */
export function patchKafkajsModule(kafkajs: unknown): void {
  const exports = kafkajs as { Kafka?: unknown } | undefined;
  if (exports && typeof exports === 'object') patchKafka(exports.Kafka);
}

/** Whether `client` is already instrumented. */
export function isInstrumentedKafkaClient(client: unknown): boolean {
  return client !== null && typeof client === 'object' && (client as KafkaClient)[INFO] !== undefined;
}
