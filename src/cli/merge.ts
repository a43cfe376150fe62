import { reportFileOf, type ReportEntry, type ReportFile } from '../tracker/report-format';

/** Which test or suite an entry is about, in any report of the same suite. */
function identity(entry: ReportEntry): string {
  return JSON.stringify([entry.runner, entry.kind, entry.file, entry.title]);
}

function groupByIdentity(entries: ReportEntry[]): Map<string, ReportEntry[]> {
  const groups = new Map<string, ReportEntry[]>();
  for (const entry of entries) {
    const key = identity(entry);
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  return groups;
}

/**
 * Merges the reports of CI shards or machines. One test may have several entries in a report
 * (each retried attempt): for each test the merge keeps the entries of the report that has the
 * most of them, so merging a report that is already part of the merge changes nothing.
 */
export function mergeReports(reports: ReportFile[]): ReportFile {
  const merged = new Map<string, ReportEntry[]>();
  for (const report of reports) {
    for (const [key, group] of groupByIdentity(report.entries)) {
      if (group.length > (merged.get(key)?.length ?? 0)) merged.set(key, group);
    }
  }
  const nodes = [...new Set(reports.flatMap((r) => r.node.split(', ')))];
  return reportFileOf([...merged.values()].flat(), nodes.join(', '), reports[0]?.cwd ?? process.cwd());
}
