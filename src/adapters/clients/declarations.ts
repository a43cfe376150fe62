import { kafkajsClient } from '../kafkajs/declaration';
import { pgClient } from '../pg/declaration';
import type { ClientDeclaration } from './declaration';

/** The client libraries the adapters instrument. */
export const CLIENTS: readonly ClientDeclaration[] = [pgClient, kafkajsClient];
