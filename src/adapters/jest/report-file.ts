import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { recordInternalError } from '../../tracker/internal-errors';
import { mergeParts, reportPath } from '../../tracker/report-file';

const WORKER_SCRIPT = /[\\/]jest-worker[\\/]build[\\/](?:workers[\\/])?processChild\.js$/;

/**
 * What every process of one Jest run shares: the Jest process itself. A jest-worker child
 * process is its child; a worker thread or an in-band run is in it.
 */
function runId(): number {
  return isMainThread && WORKER_SCRIPT.test(process.argv[1] ?? '') ? process.ppid : process.pid;
}

let claimed = false;

/**
 * Jest has no hook that runs once before its workers (without a globalSetup in the user's
 * config), so the first worker of a run to write removes parts an earlier run left behind,
 * marking the folder with the run's id.
 */
function forgetEarlierRuns(path: string): void {
  if (claimed) return;
  claimed = true;
  const dir = `${path}.parts`;
  const marker = `run-${runId()}.id`;
  try {
    mkdirSync(dir, { recursive: true });
    const names = readdirSync(dir);
    if (names.includes(marker)) return;
    writeFileSync(join(dir, marker), '', { flag: 'wx' });
    for (const name of names) rmSync(join(dir, name), { force: true, recursive: true });
  } catch (error) {
    // Another worker of this run claimed the folder first.
    if ((error as NodeJS.ErrnoException)?.code !== 'EEXIST') recordInternalError('clearing old report parts', error);
  }
}

/**
 * Writes this worker's part of `ASYNC_ISOLATION_REPORT` and merges every part into the file.
 * Each test file's teardown does it, and each worker once more as it exits: the last worker to
 * exit writes the complete report.
 */
export function writeJestReport(): void {
  const path = reportPath();
  if (path === undefined) return;
  forgetEarlierRuns(path);
  mergeParts();
}
