import { formatReport } from '../tracker/report';
import { totalsOf, type ReportEntry, type ReportFile } from '../tracker/report-format';
import { findingsOf, type Finding } from './findings';
import { summaryLines } from './summary';

function verdict(entry: ReportEntry): string {
  if (entry.failedByLeaks) return 'failed because of its leaks';
  if (entry.report.failed) return `${entry.runnerOutcome === 'retried' ? 'retried after failing on its own' : 'failed on its own'}, and leaked`;
  if (entry.outcome === 'failed') return 'failed on its own';
  if (entry.report.allowed !== undefined) return `not failing: allowLeaks(${JSON.stringify(entry.report.allowed)})`;
  return entry.report.leaks.length > 0 ? `not failing (mode ${entry.report.mode})` : 'not failing';
}

function indent(text: string, by: string): string {
  return text.split('\n').map((line) => by + line).join('\n');
}

// Paths as the report has them (relative to its `cwd`), like the creation stacks below them.
function entryText(entry: ReportEntry, findings: Finding[]): string {
  const lines = [
    `${entry.outcome === 'failed' ? '✖' : '⚠'} ${entry.title.join(' › ') || '(root suite)'} — ${verdict(entry)}`,
    `  ${entry.runner}${entry.file === null ? '' : `, ${entry.file}`}`,
  ];
  // The same words as the failure message the runner printed.
  const told = formatReport(entry.report, entry.kind);
  if (told) lines.push(indent(told, '  '));
  for (const finding of findings) {
    if (finding.what === 'earlier work') lines.push(`  while it ran: ${finding.text}`);
    if (finding.what !== 'outlived' && finding.what !== 'internal error') continue;
    lines.push(`  ${finding.what}: ${finding.text}`);
    if (finding.stack) lines.push(indent(finding.stack, '      '));
  }
  return lines.join('\n');
}

/** The report for a person: totals, then each test or suite with something to tell. */
export function formatText(report: ReportFile): string {
  const byEntry = new Map<ReportEntry, Finding[]>();
  for (const finding of findingsOf(report)) byEntry.set(finding.entry, [...(byEntry.get(finding.entry) ?? []), finding]);
  const [headline, detail] = summaryLines(totalsOf(report.entries));
  const parts = [`async-isolation: ${headline}\n  ${detail}`];
  for (const [entry, findings] of byEntry) parts.push(entryText(entry, findings));
  return parts.join('\n\n') + '\n';
}
