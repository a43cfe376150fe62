import { totalsOf, type ReportFile } from '../tracker/report-format';
import { fileOf, findingsOf, type Finding } from './findings';
import { summaryLines } from './summary';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function code(text: string): string {
  return text ? `\`${text.replace(/`/g, "'")}\`` : '';
}

function row(finding: Finding, report: ReportFile): string {
  const { entry } = finding;
  const where = finding.site ? `${finding.site.file}:${finding.site.line}:${finding.site.column}` : '';
  const outcome = entry.failedByLeaks ? 'failed by leaks' : entry.outcome;
  return `| ${cell(entry.title.join(' › '))} | ${cell(fileOf(entry, report) ?? '')} | ${outcome} | ${finding.what} | ${cell(finding.text)} | ${code(where)} |`;
}

/** A summary to append to `$GITHUB_STEP_SUMMARY`: the totals, then one table row a finding. */
export function formatMarkdown(report: ReportFile): string {
  const [headline, detail] = summaryLines(totalsOf(report.entries));
  const lines = [`### async-isolation: ${headline}`, '', detail];
  const findings = findingsOf(report);
  if (findings.length > 0) {
    lines.push('', '| Test or suite | File | Outcome | What | Details | Created at |', '| --- | --- | --- | --- | --- | --- |');
    for (const finding of findings) lines.push(row(finding, report));
  }
  return lines.join('\n') + '\n';
}
