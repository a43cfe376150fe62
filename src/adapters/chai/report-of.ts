import { describeValue } from '../../tracker/errors';
import type { LeakReport } from '../../tracker/report';

function isReport(value: unknown): value is LeakReport {
  const r = value as LeakReport | null;
  return r !== null && typeof r === 'object' && Array.isArray(r.leaks) && Array.isArray(r.unref) && typeof r.name === 'string';
}

/**
 * The report an assertion is about: a LeakReport (from `exit()`, `checkLeaks()`), a LeakError
 * (its `report`), an error from `withIsolation` (its `leakReport`), or a scope that ended
 * (its `report`). Otherwise a sentence saying what was given instead.
 */
export function reportOf(subject: unknown): LeakReport | string {
  if (isReport(subject)) return subject;
  if (subject !== null && typeof subject === 'object') {
    const holder = subject as { report?: unknown; leakReport?: unknown; state?: unknown; name?: unknown };
    if (isReport(holder.report)) return holder.report;
    if (isReport(holder.leakReport)) return holder.leakReport;
    if (holder.state === 'open' || holder.state === 'closing') {
      return `scope "${String(holder.name)}" has not ended yet: assert on await exit(scope), or on await checkLeaks()`;
    }
  }
  return `expected a LeakReport (from exit(), checkLeaks() or a LeakError), got ${describeValue(subject)}`;
}

/** No ref'd leak, and nothing else that fails the report (unref'd leaks under `unref: 'fail'`). */
export function isLeakFree(report: LeakReport): boolean {
  return report.leaks.length === 0 && !report.failed;
}
