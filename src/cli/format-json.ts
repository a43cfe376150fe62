import { totalsOf, type ReportFile } from '../tracker/report-format';
import { fileOf, findingsOf } from './findings';

/** The findings as JSON for other tools: what `--format github` annotates, with the totals. */
export function formatJson(report: ReportFile): string {
  const findings = findingsOf(report).map(({ entry, level, what, text, stack, site }) => ({
    level,
    what,
    runner: entry.runner,
    kind: entry.kind,
    file: fileOf(entry, report) ?? null,
    title: entry.title,
    outcome: entry.outcome,
    runnerOutcome: entry.runnerOutcome,
    failedByLeaks: entry.failedByLeaks,
    text,
    stack,
    site: site ?? null,
  }));
  return JSON.stringify({ totals: totalsOf(report.entries), findings }, null, 2) + '\n';
}
