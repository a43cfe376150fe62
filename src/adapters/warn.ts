import { actedOn, formatReport, type LeakReport } from '../tracker/report';
import { notify } from '../tracker/notify';

export { notify } from '../tracker/notify';

/** Whether a report has anything worth telling when it did not fail its test. */
export function hasFindings(report: LeakReport): boolean {
  return report.leaks.length + report.cleanupErrors.length > 0 || report.unref.some(actedOn) || stateChanged(report);
}

function stateChanged(report: LeakReport): boolean {
  return (report.state?.changes.length ?? 0) > 0;
}

/** For a test that failed by itself: what it also leaked. */
export function notifyReport(title: string, report: LeakReport, why: string): void {
  if (!hasFindings(report)) return;
  notify(`${title} (${why}):\n${formatReport(report, 'it')}`);
}

/**
 * For a report that did not fail its test (`warn` or `manual` mode with no assertion, or
 * `allowLeaks()`): whatever was cancelled and failed cleanups are told, since nothing is
 * cancelled or fails silently.
 */
export function notifyUnfailedReport(title: string, report: LeakReport): void {
  if (hasFindings(report)) notify(`${title} (not failing):\n${formatReport(report, 'it')}`);
}
