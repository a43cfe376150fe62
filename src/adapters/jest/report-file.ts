import { isMainThread } from 'node:worker_threads';
import { claimRun, mergeParts, reportPath } from '../../tracker/report-file';

const WORKER_SCRIPT = /[\\/]jest-worker[\\/]build[\\/](?:workers[\\/])?processChild\.js$/;

/**
 * What every process of one Jest run shares: the Jest process itself. A jest-worker child
 * process is its child; a worker thread or an in-band run is in it.
 */
function runId(): number {
  return isMainThread && WORKER_SCRIPT.test(process.argv[1] ?? '') ? process.ppid : process.pid;
}

/**
 * Writes this worker's part of `ASYNC_ISOLATION_REPORT` and merges every part into the file.
 * Each test file's teardown does it, and each worker once more as it exits: the last worker to
 * exit writes the complete report.
 */
export function writeJestReport(): void {
  const path = reportPath();
  if (path === undefined) return;
  // Jest has no hook that runs once before its workers (without a globalSetup in the config).
  claimRun(runId());
  mergeParts();
}
