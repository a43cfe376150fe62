import { formatReport, type LeakReport, type OutlivedWork } from '../tracker/report';

/** Writes a note for a person to stderr, never to stdout (where reporters write JSON). */
export function notify(text: string): void {
  process.stderr.write(`async-isolation: ${text.split('\n').join('\n  ')}\n`);
}

/** Whether a report has anything worth telling when it did not fail its test. */
export function hasFindings(report: LeakReport): boolean {
  return report.leaks.length + report.unref.length + report.cleanupErrors.length > 0;
}

/** For a report that did not fail its test (warn mode, or the test failed by itself). */
export function notifyReport(title: string, report: LeakReport, why: string): void {
  if (!hasFindings(report)) return;
  notify(`${title} (${why}):\n${formatReport(report, 'it')}`);
}

/** For work a test's callbacks did after the test ended. */
export function notifyOutlived(title: string, work: OutlivedWork): void {
  const outcome = work.cancelled ? ` — ${work.cancelledBy}` : '';
  const stack = work.stack ? '\n' + work.stack.split('\n').map((f) => `    ${f}`).join('\n') : '';
  notify(`async work outlived its test "${title}":\n  ${work.type} ${work.description}${outcome}${stack}`);
}
