import { readStack } from '../context/stack';
import { creationSite } from './creation-site';
import { listenSite } from '../context/listen-site';
import type { Leak } from './report';
import { livenessOf, type ResourceRecord, type Scope } from './scope';
import { handleOwner } from './resource-kinds';
import { recordInternalError } from '../context/internal-errors';
import { watchLeftWork } from './earlier-work';
import { errorMessage } from './text';

/** What is left alive in a scope, split as the report wants it. */
export interface FoundLeaks {
  leaks: Leak[];
  unref: Leak[];
}

function isIgnored(scope: Scope, leak: Leak): boolean {
  const { ignorePaths, ignore } = scope.options;
  for (const pattern of ignorePaths) {
    if (typeof pattern === 'string' ? leak.stack.includes(pattern) : pattern.test(leak.stack)) return true;
  }
  if (ignore !== undefined) {
    try {
      return ignore(leak) === true;
    } catch (error) {
      recordInternalError('the "ignore" option function', error);
    }
  }
  return false;
}

/** The stdio pipes of live child processes: reported with their process, not apart. */
function childStdio(records: ResourceRecord[]): Set<unknown> {
  const stdio = new Set<unknown>();
  for (const record of records) {
    if (record.type !== 'PROCESSWRAP') continue;
    const child = handleOwner(record.resource);
    for (const stream of child?.stdio ?? []) if (stream) stdio.add(stream);
  }
  return stdio;
}

/**
 * Finds what `scope` still has alive and returns it; cancels what keeps the process alive (and,
 * as the `unref` option asks, what does not). One leak per object a person would close (a TLS
 * socket's two handles are one leak). Node's own timers are never touched. Never throws.
 */
export function findAndCancelLeaks(scope: Scope): FoundLeaks {
  const found: FoundLeaks = { leaks: [], unref: [] };
  const records = scope.records;
  const seen = new Set<object>();
  const stdio = childStdio(records);
  const { ignoreTypes, stackDepth } = scope.options;
  for (const leak of scope.ownedLeaks) {
    if (!isIgnored(scope, leak)) (leak.ref ? found.leaks : found.unref).push(leak);
  }
  for (const record of records) {
    try {
      if (livenessOf(record) === 'dead') continue;
      const subject = record.kind.subject(record.resource);
      // process.stdout/stderr/stdin are created lazily by whoever touches them first.
      if (seen.has(subject) || stdio.has(subject) || (subject as { _isStdio?: boolean })._isStdio === true) continue;
      seen.add(subject);
      if (ignoreTypes.has(record.type)) {
        watchLeftWork(scope, record);
        continue;
      }
      const created = creationSite(record, stackDepth);
      // A runner's own timer that joined the scope (enter() bleeding into the runner's code):
      // cancelling it would silently stop the run.
      if (created.fromRunner) continue;
      // Node's own lazily created timers (the HTTP Date-header cache): clearing one breaks
      // every later test.
      if (record.kind.family === 'timer' && created.timerOfNode) continue;
      const idle = record.kind.idle?.(record.resource);
      const site = listenSite(subject);
      const leak: Leak = {
        type: record.type,
        description: record.kind.describe(record.resource) + (record.accepted ? ' (accepted by a server of this scope)' : ''),
        stack: created.text || (site ? readStack(site, stackDepth).text : ''),
        ref: idle === undefined && record.kind.isRefed(record.resource),
        cancelled: false,
      };
      if (idle !== undefined) leak.idle = idle;
      // What is left running may fire during a later test: that test's failure will say so.
      if (isIgnored(scope, leak)) {
        watchLeftWork(scope, record);
        continue;
      }
      if (!leak.ref && scope.options.unref === 'ignore') {
        found.unref.push(leak);
        watchLeftWork(scope, record);
        continue;
      }
      try {
        leak.cancelledBy = record.kind.cancel(record.resource);
        leak.cancelled = true;
      } catch (error) {
        leak.cancelError = errorMessage(error);
        watchLeftWork(scope, record);
      }
      (leak.ref ? found.leaks : found.unref).push(leak);
    } catch (error) {
      recordInternalError(`checking a ${record.type} of scope "${scope.name}"`, error);
    }
  }
  return found;
}
