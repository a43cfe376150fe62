import { currentScope } from '../tracker/current-scope';
import { checkpoint } from '../tracker/checkpoint';
import { IsolationUsageError } from '../tracker/errors';
import { formatReport, LeakError, type LeakReport } from '../tracker/report';
import { assertOpen, type Scope } from '../tracker/scope';
import { TASK_TYPE } from './tracked-task';

function scopeFor(where: string): Scope {
  const scope = currentScope();
  if (scope === undefined) throw new IsolationUsageError(`${where} was called outside any test or scope`);
  assertOpen(scope, where);
  return scope;
}

function subjectOf(scope: Scope): string {
  return scope.owner === undefined ? `scope "${scope.name}"` : 'test';
}

/**
 * Finds, cancels and reports what the running test (scope) has alive now, without ending it.
 * Tracked tasks are left out: the scope's exit cancels them by design. For
 * `expect(await checkLeaks()).to.be.leakFree`.
 */
export function checkLeaks(): Promise<LeakReport> {
  try {
    return checkpoint(scopeFor('checkLeaks()'), { exclude: (r) => r.type === TASK_TYPE });
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Fails the running test if it leaks, the way `fail` mode does, whatever the mode (for the
 * manual style: `ASYNC_ISOLATION=manual` plus `afterEach(() => assertNoLeaks())`).
 *
 * - In a Mocha `afterEach`: resolves at once and marks the test; when the test ends (after the
 *   remaining afterEach hooks and the scope's cleanups) its leaks fail the test itself with a
 *   `LeakError` — a rejecting afterEach would be a hook failure that stops the Mocha run.
 * - Anywhere else (a test body, a Jest/Vitest/node:test afterEach, `withIsolation`): checks
 *   now, cancels what it finds and rejects with a `LeakError` listing each leak with its
 *   creation site. The test is marked too, so leaks made later still fail it at its end.
 *   Tracked tasks are left to the exit; a tracked service's own handles are still alive at
 *   that point and count, so prefer the afterEach form with tracked services.
 */
export async function assertNoLeaks(): Promise<void> {
  const scope = scopeFor('assertNoLeaks()');
  scope.requireLeakFree = true;
  if (scope.owner?.leaveAssertionToEnd?.() === true) return;
  const report = await checkpoint(scope, { exclude: (r) => r.type === TASK_TYPE });
  if (report.failed) throw new LeakError(report, formatReport(report, subjectOf(scope)));
}
