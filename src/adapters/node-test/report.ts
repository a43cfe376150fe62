import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { claimRun, flushPart, mergeParts, partsDir, reportPath } from '../../tracker/report-file';

const MAX_MERGES = 20;

function snapshot(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => `${name}:${statSync(join(dir, name)).mtimeMs}`)
      .join('|');
  } catch {
    return '';
  }
}

/**
 * `node --test` loads `--import` modules only in the processes that run test files, never in
 * the runner process, so there is no single place to start and end the run: the processes of
 * one run share their parent, and each merges at exit. A merge that raced with a newer part
 * merges again, so the last process to write leaves a complete report.
 */
function mergeUntilStable(): void {
  const path = reportPath();
  if (path === undefined) return;
  flushPart();
  const dir = partsDir(path);
  for (let i = 0; i < MAX_MERGES; i++) {
    const before = snapshot(dir);
    mergeParts();
    if (snapshot(dir) === before) return;
  }
}

/** Arranges the `ASYNC_ISOLATION_REPORT` JSON report for this test process, if one is asked for. */
export function collectReportOfThisRun(nodeTest: typeof import('node:test')): void {
  const path = reportPath();
  if (path === undefined) return;
  claimRun(process.env.NODE_TEST_CONTEXT ? process.ppid : process.pid);
  // After the core's own exit hook (installed with the first entry) has flushed this part.
  nodeTest.after(() => {
    process.once('exit', mergeUntilStable);
  });
}
