import { plural } from '../tracker/text';
import type { ReportTotals } from '../tracker/report-format';

/** The totals in two lines for a person. */
export function summaryLines(totals: ReportTotals): [string, string] {
  const all = totals.failed > totals.failedByLeaks ? ` (${totals.failed} failed in all)` : '';
  return [
    `${plural(totals.entries, 'test or suite', 'tests and suites')}: ${totals.failedByLeaks} failed because of leaks${all}`,
    [
      `${plural(totals.leaks, 'resource')} kept the process alive in ${plural(totals.withLeaks, 'test or suite', 'tests or suites')}`,
      `${totals.withUnrefOnly} left only unref'd or idle ones`,
      `${totals.outlived} outlived ${totals.outlived === 1 ? 'its test' : 'their tests'}`,
      plural(totals.cleanupErrors, 'failed cleanup'),
    ].join('; '),
  ];
}
