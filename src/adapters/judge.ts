import { endScopeNowOrLater, isPending } from '../tracker/lifecycle';
import { formatReport, LeakError, type LeakReport } from '../tracker/report';
import { recordEntry, reportPath } from '../tracker/report-file';
import type { Scope } from '../tracker/scope';
import { notifyUnfailedReport } from './warn';

/**
 * What an adapter tells about the test (or suite) whose scope it ends, beyond its scope's owner
 * (runner, kind, file, title path and outcome come from there).
 */
export interface Judgement {
  /** Who leaked, as the report's first word: `test`, `suite`, a describe block... */
  subject: string;
  /** How a note on stderr names it. */
  name: string;
  /** Whether the report file lists it (default: always). */
  listed?: (report: LeakReport) => boolean;
}

/** The ended scope's report, and the error that fails its test when it leaked. */
export interface Verdict {
  report: LeakReport;
  error: LeakError | undefined;
}

/**
 * Every adapter's end of a test: ends its scope, lists it in the JSON report, and returns the
 * `LeakError` to fail it with; a report that fails nothing is told on stderr when worth it.
 * The verdict comes at once (not as a promise) when the scope had nothing to wait for: a clean
 * test then costs its runner no extra turn.
 */
export function judge(scope: Scope, about: Judgement): Verdict | Promise<Verdict> {
  const ended = endScopeNowOrLater(scope);
  return isPending(ended) ? Promise.resolve(ended).then((report) => verdictOn(scope, report, about)) : verdictOn(scope, ended, about);
}

function verdictOn(scope: Scope, report: LeakReport, about: Judgement): Verdict {
  const owner = scope.owner;
  // Read once the scope ended: an error thrown meanwhile counts in the outcome.
  if (owner !== undefined && reportPath() !== undefined && (about.listed?.(report) ?? true)) {
    const { runner, kind, file } = owner;
    recordEntry({ runner, kind, file: file ?? null, title: [...owner.titlePath], runnerOutcome: owner.outcome(), report });
  }
  if (report.failed) return { report, error: new LeakError(report, formatReport(report, about.subject)) };
  notifyUnfailedReport(about.name, report);
  return { report, error: undefined };
}
