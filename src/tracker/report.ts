import { resourceKinds } from './resource-kinds';
import type { StateChange, StateReport } from './state-report';
import { plural } from './text';

/** One resource a scope left alive at exit. */
export interface Leak {
  /** The async_hooks type, e.g. `Timeout`, `TCPWRAP`; `UndiciRequest` or `ClientRequest` for an HTTP request in flight. */
  type: string;
  /** For a person: `setInterval(fn, 5 ms)`, `TCP socket a -> b`. */
  description: string;
  /**
   * Creation site, one `at …(file:line:col)` frame a line, without Node's, the test runner's and
   * this library's frames. When all that is left is a package's (under `node_modules`: a
   * library's timer re-armed from its own callback), a `via a callback of …, created` line
   * follows, then the frames of the nearest resource up the chain of creators that names the
   * user's code.
   */
  stack: string;
  /** Whether the resource kept the event loop alive. Unref'd and idle ones are listed apart. */
  ref: boolean;
  /** Why a ref'd resource kept nothing alive anyway: `no write pending`, `no file descriptor yet`. */
  idle?: string;
  /** Whether the library stopped it. */
  cancelled: boolean;
  /** What was done, e.g. `cleared with clearInterval`, `destroyed`. */
  cancelledBy?: string;
  /** Why cancelling failed, when it did. */
  cancelError?: string;
  /** The nested scope it came from, when not the reported scope itself. */
  scope?: string;
}

/** Work done by a scope's callbacks after the scope had ended. */
export interface OutlivedWork {
  type: string;
  description: string;
  stack: string;
  /** Whether the library stopped it (resources only; a continuation cannot be stopped). */
  cancelled: boolean;
  cancelledBy?: string;
  /**
   * Whether `stack` names a frame of the user's code (see {@link Leak.stack}). Only such work is
   * printed, told to `onOutlived` listeners, cancelled, or fails a test with `outlived: 'fail'`.
   */
  userFrame: boolean;
}

/** Work an earlier test (or suite) left that ran while this one was open. */
export interface EarlierWork {
  /** The earlier test's or suite's name. */
  by: string;
  /** `timer` (it fired), `immediate`, `continuation` (await/then), or `callback` (seen by what it created). */
  what: 'timer' | 'immediate' | 'continuation' | 'callback';
  /** `file:line` where the user's code created it (for a callback: where it created something); '' when unknown. */
  site: string;
  /** For a person: `a timer left by "creates the order" (test/orders.spec.js:30) fired`. */
  description: string;
}

/** What {@link exit} found for a scope. */
export interface LeakReport {
  name: string;
  /** Ref'd resources still alive at exit: these fail the test in `fail` mode. */
  leaks: Leak[];
  /**
   * Resources alive at exit that keep nothing alive (unref'd or idle): left alone by default;
   * cancelled with `unref: 'cancel'`, cancelled and failing with `unref: 'fail'`.
   */
  unref: Leak[];
  /** Promises the scope created (Node < 24.14; newer Node does not report promises, to stay cheap). */
  promises: { created: number };
  /** Work the scope's callbacks did after exit; filled in as it happens. */
  outlived: OutlivedWork[];
  /** Cleanups (`defer`, `track`, signal listeners) that failed or timed out. */
  cleanupErrors: string[];
  /**
   * Work earlier tests left that ran while this scope was open (at most five); present only
   * when some did. Said in the test's failure, whatever failed it; a test that passes says nothing.
   */
  earlierWork?: EarlierWork[];
  /** Errors inside the library itself while this scope was open. */
  internalErrors: string[];
  /** Set by `allowLeaks(reason)`: the leaks are reported but do not fail. */
  allowed?: string;
  /** Process-wide state the scope changed and did not put back (it has been put back since). */
  state: StateReport;
  /**
   * Whether this report fails its test under the scope's mode (Mocha sets it later too, when
   * outlived work fails the test under `outlived: 'fail'`).
   */
  failed: boolean;
  mode: string;
  durationMs: number;
}

const HINTS: Record<string, string> = {
  timer: 'clear timers in the test or an afterEach',
  socket: 'close clients with end()/close()/destroy()',
  server: 'close servers with server.close()',
  process: 'kill child processes or wait for their exit',
  watcher: 'close watchers with close()',
  stream: 'close streams with close()/destroy()',
  worker: 'end workers with worker.terminate()',
  port: 'close message ports with port.close()',
  request: 'await each response to its end, or abort the request (AbortSignal)',
};

function cancelSummary(leaks: Leak[]): string {
  const cancelled = leaks.filter((l) => l.cancelled).length;
  if (cancelled === leaks.length) return leaks.length === 1 ? 'cancelled' : leaks.length === 2 ? 'both cancelled' : 'all cancelled';
  if (cancelled === 0) return 'none could be cancelled';
  return `${cancelled} cancelled`;
}

/**
 * Whether outlived work is told to a person: it names a user frame (a report written before
 * `userFrame` existed counts as naming one).
 */
export function namesUserFrame(work: OutlivedWork): boolean {
  return work.userFrame !== false;
}

/** Whether the library cancelled the resource, or tried to. */
export function actedOn(leak: Leak): boolean {
  return leak.cancelled || leak.cancelError !== undefined;
}

function padType(type: string): string {
  return type.length >= 9 ? type : type + ' '.repeat(9 - type.length);
}

/** One leak as report lines, indented by `indent`. */
export function formatLeak(leak: Leak, indent = '  '): string {
  const outcome = leak.cancelled ? leak.cancelledBy : `not cancelled: ${leak.cancelError ?? 'unknown error'}`;
  const from = leak.scope ? ` (in nested scope "${leak.scope}")` : '';
  let text = `${indent}${padType(leak.type)} ${leak.description}${from} — ${outcome}`;
  if (leak.stack) text += '\n' + leak.stack.split('\n').map((f) => `${indent}  ${f}`).join('\n');
  return text;
}

/**
 * The report as text: `<subject> leaked N async resources (...)`, then each leak with its
 * creation site, then hints. `subject` is `test`, `suite`, or a quoted scope name.
 */
export function formatReport(report: LeakReport, subject: string): string {
  const counted = report.leaks;
  const lines: string[] = [];
  if (counted.length > 0) {
    lines.push(`${subject} leaked ${plural(counted.length, 'async resource')} (${cancelSummary(counted)})`);
    for (const leak of counted) lines.push(formatLeak(leak));
  }
  // Those left alone are in the JSON report only: a person has nothing to do about them.
  const touched = report.unref.filter(actedOn);
  if (touched.length > 0) {
    lines.push(`${counted.length > 0 ? 'and' : subject} left ${plural(touched.length, "unref'd resource")} (not keeping the process alive)`);
    for (const leak of touched) lines.push(formatLeak(leak));
  }
  for (const error of report.cleanupErrors) lines.push(`  cleanup failed: ${error}`);
  const hints = [...new Set(counted.map((l) => HINTS[resourceKinds.get(l.type)?.family ?? '']).filter(Boolean))];
  if (hints.length > 0 && counted.length > 0) lines.push(`  hint: ${hints.join('; ')}`);
  if (report.allowed !== undefined) lines.push(`  (allowed by allowLeaks(${JSON.stringify(report.allowed)}): not failing)`);
  const state = formatStateChanges(report.state?.changes ?? [], counted.length + touched.length > 0 ? 'and' : subject);
  if (state) lines.push(state);
  return lines.join('\n');
}

function stateSummary(changes: StateChange[]): string {
  const restored = changes.filter((c) => c.restored).length;
  if (restored === changes.length) return 'restored';
  return restored === 0 ? 'not restored' : `${restored} of ${changes.length} restored`;
}

/** `<subject> changed process state (restored): process.env.API_URL set; ...`, or '' when nothing changed. */
export function formatStateChanges(changes: StateChange[], subject: string): string {
  if (changes.length === 0) return '';
  const each = changes.map((c) => c.description + (c.restored ? '' : ` (not restored: ${c.restoreError ?? 'unknown error'})`));
  return `${subject} changed process state (${stateSummary(changes)}): ${each.join('; ')}`;
}

/** `while this test ran, a timer left by "…" (file:line) fired; …`, or '' when no earlier work ran. */
export function formatEarlierWork(report: LeakReport, subject = 'this test'): string {
  const work = report.earlierWork;
  return work === undefined || work.length === 0 ? '' : `while ${subject} ran, ${work.map((w) => w.description).join('; ')}`;
}

/** Thrown by `withIsolation` (and failing adapters) when a scope leaked. */
export class LeakError extends Error {
  override name = 'LeakError';
  declare readonly report: LeakReport;

  constructor(report: LeakReport, message: string) {
    super(message);
    // Not enumerable: reporters that print an error's own properties show the message only.
    Object.defineProperty(this, 'report', { value: report, enumerable: false });
    // The library's own frames say nothing useful: the report carries the creation sites.
    this.stack = `${this.name}: ${message}`;
  }
}
