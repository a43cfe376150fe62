/**
 * node:test entry point: `node --test --import async-isolation/node-test`. Every test that
 * leaves something running fails as itself, with a report of what leaked; what leaked is
 * cancelled so each test process exits on its own.
 *
 * @packageDocumentation
 */
import { globalOptions } from './tracker/config';

// Loaded only when needed: with ASYNC_ISOLATION=off, and in processes that run no test file
// (forks and workers of one inherit the --import), the run costs no more than this file.
if (
  globalOptions().mode !== 'off' &&
  (require('./adapters/node-test/test-process') as typeof import('./adapters/node-test/test-process')).isTestFileProcess()
) {
  (require('./adapters/clients/instrument') as typeof import('./adapters/clients/instrument')).instrumentClientsWhenTracked();
  (require('./adapters/node-test/install') as typeof import('./adapters/node-test/install')).installNodeTestAdapter();
}
