import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actedOn, namesUserFrame } from '../tracker/report';
import type { ReportEntry, ReportFile } from '../tracker/report-format';

/** Where a resource was created, its file relative to the directory the command runs in. */
export interface Site {
  file: string;
  line: number;
  column: number;
}

/** One thing a report tells about one test or suite, for a person or an annotation. */
export interface Finding {
  entry: ReportEntry;
  /** `error` for what fails its test (or would have, had it not failed on its own), `warning` for what was only reported. */
  level: 'error' | 'warning';
  what: 'leak' | 'unref' | 'outlived' | 'earlier work' | 'cleanup error' | 'internal error';
  /** `Timeout setInterval(poll, 1000 ms) — cleared with clearInterval`. */
  text: string;
  /** Creation stack, one frame a line (empty when there is none). */
  stack: string;
  site: Site | undefined;
}

const FRAME_SITE = /(?:\(|^at )([^()]+?):(\d+):(\d+)\)?$/;

/** The first frame of `stack` that names a place in a file, relative to `cwd`. */
export function siteOf(stack: string, reportCwd: string, cwd = process.cwd()): Site | undefined {
  for (const frame of stack.split('\n')) {
    const match = FRAME_SITE.exec(frame.trim());
    if (!match) continue;
    let file = match[1]!;
    if (file.startsWith('file://')) file = fileURLToPath(file);
    return { file: relative(cwd, resolve(reportCwd, file)), line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

/** The entry's test file, relative to `cwd`. */
export function fileOf(entry: ReportEntry, report: ReportFile, cwd = process.cwd()): string | undefined {
  return entry.file === null ? undefined : relative(cwd, resolve(report.cwd, entry.file));
}

function outcomeText(cancelled: boolean, cancelledBy: string | undefined, cancelError: string | undefined): string {
  if (cancelled) return ` — ${cancelledBy ?? 'cancelled'}`;
  return cancelError === undefined ? '' : ` — not cancelled: ${cancelError}`;
}

/** Everything worth telling in `report`, entry by entry: what failed a test, and what was only reported. */
export function findingsOf(report: ReportFile): Finding[] {
  const findings: Finding[] = [];
  for (const entry of report.entries) {
    const r = entry.report;
    // A failed test's leaks are errors (they fail it, or would have); with no leaks, what failed
    // it is its unref'd resources (`unref: 'fail'`) or outlived work (`outlived: 'fail'`).
    const failing = (isLeak: boolean): 'error' | 'warning' =>
      entry.outcome === 'failed' && r.failed && (isLeak || r.leaks.length === 0) ? 'error' : 'warning';
    const add = (what: Finding['what'], level: Finding['level'], text: string, stack = ''): void => {
      findings.push({ entry, level, what, text, stack, site: siteOf(stack, report.cwd) });
    };
    for (const leak of r.leaks) {
      add('leak', failing(true), `${leak.type} ${leak.description}${outcomeText(leak.cancelled, leak.cancelledBy, leak.cancelError)}`, leak.stack);
    }
    for (const leak of r.unref.filter(actedOn)) {
      add('unref', failing(false), `${leak.type} ${leak.description}${outcomeText(leak.cancelled, leak.cancelledBy, leak.cancelError)}`, leak.stack);
    }
    for (const work of r.outlived.filter(namesUserFrame)) {
      add('outlived', failing(false), `${work.type} ${work.description}${outcomeText(work.cancelled, work.cancelledBy, undefined)}`, work.stack);
    }
    // Said of a test that failed, as its failure said it: of one that passed, it tells nothing.
    if (entry.outcome === 'failed') {
      for (const work of r.earlierWork ?? []) add('earlier work', 'warning', work.description, work.site ? `at ${work.site}:1` : '');
    }
    for (const error of r.cleanupErrors) add('cleanup error', 'warning', error);
    for (const error of r.internalErrors) add('internal error', 'warning', error);
  }
  return findings;
}

/** What a finding says of its test or suite, as a headline: `orders › pays leaked`. */
export function headline(finding: Finding): string {
  const verb = {
    leak: 'leaked',
    unref: "left an unref'd resource",
    outlived: 'did async work after it ended',
    'earlier work': "failed while an earlier test's work ran",
    'cleanup error': 'had a cleanup fail',
    'internal error': 'hit an async-isolation internal error',
  }[finding.what];
  return `${finding.entry.title.join(' › ') || '(root suite)'} ${verb}`;
}
