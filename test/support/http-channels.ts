import * as diagnosticsChannel from 'node:diagnostics_channel';
import * as http from 'node:http';

let published: boolean | undefined;

/** Whether this Node tells `http.client.request.created` about each node:http request (22 and later). */
export function nodeHttpPublishesCreatedRequests(): boolean {
  if (published !== undefined) return published;
  let seen = false;
  const listener = (): void => void (seen = true);
  diagnosticsChannel.subscribe('http.client.request.created', listener);
  try {
    // A lookup that never answers: no connection is ever made.
    const request = http.request({ host: 'example.invalid', agent: false, lookup: () => undefined });
    request.on('error', () => undefined);
    request.destroy();
  } finally {
    diagnosticsChannel.unsubscribe('http.client.request.created', listener);
  }
  return (published = seen);
}
