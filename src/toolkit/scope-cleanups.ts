import { currentScope } from '../context/context';
import { IsolationUsageError } from '../tracker/errors';
import type { Scope } from '../tracker/scope';
import { addExitSteps, type ExitStep } from '../tracker/exit-steps';
import { closeEventsOf, hasEvents } from './scope-events';

/** One step of a cleanup: what it does (for the report, on failure) and the work. */
export type CleanupStep = ExitStep;

const groups = new WeakMap<Scope, CleanupStep[][]>();

/**
 * The scope running now, for the toolkit's free functions (`trackTask()`...): a clear error
 * outside any test or scope, or once the scope ended.
 */
export function requireScope(where: string): Scope {
  const scope = currentScope();
  if (scope === undefined) {
    throw new IsolationUsageError(
      `${where} was called outside any test or scope; call it inside a test, a hook or withIsolation(), or use the scope's own method`,
    );
  }
  return scope;
}

/** Throws unless `scope` is open (the toolkit can only attach cleanups to a running scope). */
export function assertOpen(scope: Scope, where: string): void {
  if (scope.state !== 'open') {
    throw new IsolationUsageError(`${where}: scope "${scope.name}" has already ended`);
  }
}

/**
 * Registers steps the scope's exit runs in order (groups run last registered first, like
 * `scope.defer`), before the scope's own deferred functions.
 */
export function addCleanup(scope: Scope, steps: CleanupStep[]): void {
  let list = groups.get(scope);
  if (list === undefined) groups.set(scope, (list = []));
  list.push(steps);
}

/**
 * The toolkit's cleanups, first releasing the scope's pending waits (so that tasks blocked on a
 * barrier can finish), then the rest, last registered first.
 */
function toolkitCleanups(scope: Scope): CleanupStep[] {
  const steps: CleanupStep[] = [];
  if (hasEvents(scope)) steps.push(['resetting scope.events', () => closeEventsOf(scope)]);
  else closeEventsOf(scope);
  const list = groups.get(scope) ?? [];
  groups.delete(scope);
  for (const group of list.reverse()) steps.push(...group);
  return steps;
}

/** Whether the scope's exit has toolkit cleanups to run (barriers, tasks, services, mocks). */
function hasToolkitCleanups(scope: Scope): boolean {
  return hasEvents(scope) || groups.has(scope);
}

// The scope's exit reaches the toolkit only through this: the tracker does not import it.
addExitSteps({ has: hasToolkitCleanups, take: toolkitCleanups });
