import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { recordInternalError } from '../context/internal-errors';
import { failedByLeaksAlone, reportFileOf, type ReportEntry, type ReportFile } from './report-format';

/** An entry as an adapter records it; its final outcome is read when it is written. */
export type RecordedEntry = Omit<ReportEntry, 'outcome' | 'failedByLeaks'>;

const entries: RecordedEntry[] = [];
let exitHookInstalled = false;
let merges = false;

// Outlived work can arrive after the last flush: write (and merge) once more on the way out.
function ensureExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => (merges ? mergeParts() : flushPart()));
}

/** Where the report goes (`ASYNC_ISOLATION_REPORT`), if anywhere. */
export function reportPath(): string | undefined {
  const raw = process.env.ASYNC_ISOLATION_REPORT;
  return raw ? resolve(raw) : undefined;
}

/** Where the processes of a run put their parts of the report at `path`. */
export function partsDir(path: string): string {
  return `${path}.parts`;
}

/**
 * Keeps an entry for the report file. Entries with nothing to say are kept too (the report
 * lists every test), but only when a report was asked for.
 */
export function recordEntry(entry: RecordedEntry): void {
  if (reportPath() === undefined) return;
  // Relative like the creation stacks, so that reports of machines with other checkouts merge.
  entries.push({ ...entry, file: entry.file === null ? null : relative(process.cwd(), entry.file) });
  ensureExitHook();
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${threadId}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

// Read when written, not when recorded: outlived work under `outlived: 'fail'` fails a test later.
function judged(entry: RecordedEntry): ReportEntry {
  const { runner, kind, file, title, runnerOutcome, report } = entry;
  const failedByLeaks = failedByLeaksAlone(runnerOutcome, report);
  return { runner, kind, file, title, outcome: failedByLeaks ? 'failed' : runnerOutcome, runnerOutcome, failedByLeaks, report };
}

/** Writes this process's (this thread's) entries to its part file. */
export function flushPart(): void {
  const path = reportPath();
  if (path === undefined || entries.length === 0) return;
  try {
    writeAtomically(join(partsDir(path), `${process.pid}-${threadId}.json`), JSON.stringify(entries.map(judged)));
  } catch (error) {
    recordInternalError('writing the report part', error);
  }
}

/**
 * Called once in the process that merges (the runner's main process), before any worker
 * starts: removes parts left by an earlier run, and makes sure a run cut short by
 * `process.exit()` still leaves a merged report.
 */
export function startMerging(): void {
  const path = reportPath();
  if (path === undefined) return;
  rmSync(partsDir(path), { recursive: true, force: true });
  merges = true;
  ensureExitHook();
}

let claimedRun: number | undefined;

/**
 * For runners with no hook that runs once before their workers (Jest without a globalSetup,
 * `node --test`): every process of a run knows the run by one id (the runner's pid); the first
 * to claim it removes the parts an earlier run left and marks the folder, exclusively, so
 * processes that race never clear each other's parts.
 */
export function claimRun(runId: number): void {
  const path = reportPath();
  if (path === undefined || claimedRun === runId) return;
  claimedRun = runId;
  const dir = partsDir(path);
  const marker = `run-${runId}.id`;
  try {
    mkdirSync(dir, { recursive: true });
    const names = readdirSync(dir);
    if (names.includes(marker)) return;
    writeFileSync(join(dir, marker), '', { flag: 'wx' });
    for (const name of names) rmSync(join(dir, name), { force: true, recursive: true });
  } catch (error) {
    // EEXIST: another process of this run claimed it first.
    if ((error as NodeJS.ErrnoException)?.code !== 'EEXIST') recordInternalError('clearing old report parts', error);
  }
}

/** Merges every part (every worker's) into the report file. Returns what it wrote. */
export function mergeParts(): ReportFile | undefined {
  const path = reportPath();
  if (path === undefined) return undefined;
  merges = true;
  ensureExitHook();
  flushPart();
  try {
    const dir = partsDir(path);
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.json'));
    } catch {
      names = [];
    }
    const all: ReportEntry[] = [];
    for (const name of names.sort()) all.push(...(JSON.parse(readFileSync(join(dir, name), 'utf8')) as ReportEntry[]));
    const file = reportFileOf(all, process.version, process.cwd());
    writeAtomically(path, JSON.stringify(file, null, 2));
    return file;
  } catch (error) {
    recordInternalError('merging the report', error);
    return undefined;
  }
}
