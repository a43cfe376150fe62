/**
 * Mocha entry point: `mocha --require async-isolation/register` (or `require:` in .mocharc).
 * Every test that leaves something running fails as itself, with a report of what leaked;
 * what leaked is cancelled so the run goes on and the process exits on its own.
 *
 * @packageDocumentation
 */
import { globalOptions } from './tracker/config';

// Loaded only when needed: with ASYNC_ISOLATION=off the run costs no more than this file.
const reportFile = (): typeof import('./tracker/report-file') => require('./tracker/report-file');

if (globalOptions().mode !== 'off') {
  (require('./adapters/clients/instrument') as typeof import('./adapters/clients/instrument')).instrumentClientsWhenTracked();
  (require('./adapters/still-running') as typeof import('./adapters/still-running')).loadWhyIsNodeRunningIfAsked();
  (require('./adapters/mocha/install') as typeof import('./adapters/mocha/install')).installMochaAdapter();
}

/** Mocha global setup: runs once in the main process, before any worker (clears old report parts). */
export function mochaGlobalSetup(): void {
  reportFile().startMerging();
}

/** Mocha global teardown: merges every worker's report part into `ASYNC_ISOLATION_REPORT`. */
export function mochaGlobalTeardown(): void {
  reportFile().mergeParts();
}
