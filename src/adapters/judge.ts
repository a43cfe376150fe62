import { endScopeNowOrLater, isPending } from '../tracker/lifecycle';
import { formatEarlierWork, formatReport, LeakError, type LeakReport } from '../tracker/report';
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

/** The ended scope's report, and what to add to its test's failure. */
export interface Verdict {
  report: LeakReport;
  /** Fails the test when it leaked; says too what earlier tests left that ran meanwhile, if any did. */
  error: LeakError | undefined;
  /**
   * For a test the runner failed by itself: what earlier tests left that ran while it was open,
   * for the adapter to add to the runner's own failure. Undefined when none ran or it passed.
   */
  note: string | undefined;
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
  const earlier = formatEarlierWork(report, `this ${owner?.kind ?? 'test'}`);
  const note = earlier !== '' && owner?.outcome() === 'failed' ? earlier : undefined;
  if (report.failed) {
    const message = [formatReport(report, about.subject), earlier].filter(Boolean).join('\n');
    return { report, error: new LeakError(report, message), note };
  }
  notifyUnfailedReport(about.name, report);
  return { report, error: undefined, note };
}
