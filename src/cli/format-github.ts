import type { ReportFile } from '../tracker/report-format';
import { fileOf, findingsOf, headline, type Finding } from './findings';

// GitHub Actions workflow commands: data escapes %, CR and LF; property values also : and ,.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(finding: Finding, report: ReportFile): string {
  const properties: string[] = [];
  const file = finding.site?.file ?? fileOf(finding.entry, report);
  if (file !== undefined) properties.push(`file=${escapeProperty(file)}`);
  if (finding.site) properties.push(`line=${finding.site.line}`, `col=${finding.site.column}`);
  properties.push(`title=${escapeProperty(`async-isolation: ${headline(finding)}`)}`);
  const message = finding.stack ? `${finding.text}\n${finding.stack}` : finding.text;
  return `::${finding.level} ${properties.join(',')}::${escapeData(message)}`;
}

/** One workflow command a finding, placed at the resource's creation site (paths relative to the working directory). */
export function formatGithub(report: ReportFile): string {
  return findingsOf(report)
    .map((finding) => annotation(finding, report) + '\n')
    .join('');
}
