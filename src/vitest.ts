/**
 * Vitest entry point: `test: { setupFiles: ['async-isolation/vitest'] }` in the Vitest config.
 * Every test that leaves something running fails as itself, with a report of what leaked;
 * what leaked is cancelled so the run goes on and the workers exit on their own.
 *
 * Listed in `globalSetup` as well, it merges the workers' parts of the `ASYNC_ISOLATION_REPORT`
 * JSON report into one file at the end of the run.
 *
 * @packageDocumentation
 */
import { inVitestWorker } from './adapters/vitest/api';
import { globalOptions } from './tracker/config';

// Loaded only when needed: with ASYNC_ISOLATION=off the run costs no more than these files.
const reportFile = (): typeof import('./tracker/report-file') => require('./tracker/report-file');

if (inVitestWorker() && globalOptions().mode !== 'off') {
  (require('./adapters/clients/instrument') as typeof import('./adapters/clients/instrument')).instrumentClientsWhenTracked();
  (require('./adapters/vitest/install') as typeof import('./adapters/vitest/install')).installVitestAdapter();
}

/**
 * Vitest globalSetup: runs once in the main process, before any worker (clears old report
 * parts); returns the teardown, which merges every worker's part into `ASYNC_ISOLATION_REPORT`.
 * It is the module's own export: Vitest takes a module's default export as its globalSetup,
 * and the ESM entry's default export is this module's `module.exports`.
 */
function asyncIsolationGlobalSetup(): () => void {
  reportFile().startMerging();
  return asyncIsolationGlobalSetup.teardown;
}

namespace asyncIsolationGlobalSetup {
  /** The merge at the end of the run (the teardown returned by the global setup). */
  export function teardown(): void {
    reportFile().mergeParts();
  }
}

export = asyncIsolationGlobalSetup;
