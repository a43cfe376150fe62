import { namesUserFrame, type LeakReport } from './report';

/** The format version of the report file; `schema/report.schema.json` describes this one. */
export const REPORT_VERSION = 2;

/** One test's or suite's entry in the machine-readable report. */
export interface ReportEntry {
  /** `mocha`, `jest`, `vitest` or `node:test`. */
  runner: string;
  kind: 'test' | 'suite';
  /** The test file, relative to the report's `cwd`; null when the runner named none. */
  file: string | null;
  /** Title path, outermost suite first. */
  title: string[];
  /**
   * What the runner said of the test's own code, before its leaks were judged: `passed`,
   * `failed`, `skipped`, `pending`, `retried`, `not run`; `ended` for a suite.
   */
  runnerOutcome: string;
  /** The final outcome: `failed` when its leaks failed it, else {@link ReportEntry.runnerOutcome}. */
  outcome: string;
  /**
   * Whether its leaks are what failed it: they fail it (`report.failed`) and the runner had
   * nothing against its own code. False for a test that failed on its own and leaked too (its
   * `report.failed` says whether the leaks would have failed it), and for a retried attempt.
   */
  failedByLeaks: boolean;
  report: LeakReport;
}

/** Counts over every entry of a report. */
export interface ReportTotals {
  /** Tests and suites listed. */
  entries: number;
  /** Entries whose final `outcome` is `failed`, on their own or by their leaks. */
  failed: number;
  /** Entries that failed because of their leaks alone. */
  failedByLeaks: number;
  /** Entries that left at least one resource keeping the process alive (failing or not). */
  withLeaks: number;
  /** Entries that left only resources keeping nothing alive (unref'd or idle). */
  withUnrefOnly: number;
  /** Resources keeping the process alive, over all entries (`report.leaks`). */
  leaks: number;
  /** Resources keeping nothing alive, over all entries (`report.unref`). */
  unref: number;
  /** Work done after its test or suite had ended that names a user frame, over all entries. */
  outlived: number;
  /** Cleanups that failed or timed out, over all entries. */
  cleanupErrors: number;
}

/** The whole file written at `ASYNC_ISOLATION_REPORT`. */
export interface ReportFile {
  version: typeof REPORT_VERSION;
  /** The Node.js version(s) that ran the tests, comma-separated when merged from several. */
  node: string;
  /** The directory that entries' `file` and every creation stack are relative to. */
  cwd: string;
  createdAt: string;
  totals: ReportTotals;
  entries: ReportEntry[];
}

/** Whether a test or suite failed because of its leaks alone. */
export function failedByLeaksAlone(runnerOutcome: string, report: LeakReport): boolean {
  return report.failed && runnerOutcome !== 'failed' && runnerOutcome !== 'retried';
}

export function totalsOf(entries: ReportEntry[]): ReportTotals {
  const count = (keep: (e: ReportEntry) => boolean): number => entries.filter(keep).length;
  const sum = (of: (r: LeakReport) => unknown[]): number => entries.reduce((n, e) => n + of(e.report).length, 0);
  return {
    entries: entries.length,
    failed: count((e) => e.outcome === 'failed'),
    failedByLeaks: count((e) => e.failedByLeaks),
    withLeaks: count((e) => e.report.leaks.length > 0),
    withUnrefOnly: count((e) => e.report.leaks.length === 0 && e.report.unref.length > 0),
    leaks: sum((r) => r.leaks),
    unref: sum((r) => r.unref),
    outlived: sum((r) => r.outlived.filter(namesUserFrame)),
    cleanupErrors: sum((r) => r.cleanupErrors),
  };
}

/** A report file of `entries`, with its totals. */
export function reportFileOf(entries: ReportEntry[], node: string, cwd: string): ReportFile {
  return { version: REPORT_VERSION, node, cwd, createdAt: new Date().toISOString(), totals: totalsOf(entries), entries };
}
