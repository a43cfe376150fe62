import diagnosticsChannel = require('node:diagnostics_channel');
import { recordInternalError } from './internal-errors';

/** undici requests (Node's fetch, and the undici package) whose response headers have arrived. */
const responding = new WeakSet<object>();
let subscribed = false;

function requestOf(message: unknown): object | undefined {
  const request = (message as { request?: unknown } | null)?.request;
  return typeof request === 'object' && request !== null ? request : undefined;
}

/** Told about each HTTP client request as it is created, in its creator's context. */
export type RequestListener = (client: 'undici' | 'node:http', request: object) => void;

function tellCreated(client: 'undici' | 'node:http', onRequest: RequestListener): (message: unknown) => void {
  return (message) => {
    try {
      const request = requestOf(message);
      if (request !== undefined) onRequest(client, request);
    } catch (error) {
      recordInternalError(`tracking a ${client} request`, error);
    }
  };
}

/**
 * Tells `onRequest` about every HTTP client request as it is created. A request rides on
 * whichever pooled keep-alive connection is free, often one an earlier test opened: no resource
 * of its own is created then, so the request itself is what a test can leave in flight.
 * node:http publishes its creations on Node 22 and later; on older lines nothing arrives
 * (its later `start` channel runs in whichever context handed the request a socket).
 */
export function installRequestTracking(onRequest: RequestListener): void {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe('undici:request:create', tellCreated('undici', onRequest));
  diagnosticsChannel.subscribe('http.client.request.created', tellCreated('node:http', onRequest));
  diagnosticsChannel.subscribe('undici:request:headers', (message) => {
    try {
      const request = requestOf(message);
      if (request !== undefined) responding.add(request);
    } catch (error) {
      recordInternalError('tracking an HTTP response', error);
    }
  });
}

/** Whether an undici request's response has begun (its body is then the caller's to read). */
export function responseStarted(request: object): boolean {
  return responding.has(request);
}
