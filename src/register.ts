/**
 * Mocha entry point: `mocha --require async-isolation/register` (or `require:` in .mocharc).
 * Every test that leaves something running fails as itself, with a report of what leaked;
 * what leaked is cancelled so the run goes on and the process exits on its own.
 *
 * @packageDocumentation
 */
import { installMochaAdapter } from './adapters/mocha/install';
import { loadWhyIsNodeRunningIfAsked } from './adapters/still-running';
import { globalOptions } from './tracker/config';
import { mergeParts, startMerging } from './tracker/report-file';

if (globalOptions().mode !== 'off') {
  loadWhyIsNodeRunningIfAsked();
  installMochaAdapter();
}

/** Mocha global setup: runs once in the main process, before any worker (clears old report parts). */
export function mochaGlobalSetup(): void {
  startMerging();
}

/** Mocha global teardown: merges every worker's report part into `ASYNC_ISOLATION_REPORT`. */
export function mochaGlobalTeardown(): void {
  mergeParts();
}
