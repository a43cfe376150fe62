import type { ExitStep, Scope } from './scope';

export type { ExitStep } from './scope';

/**
 * Adds steps to `scope`'s exit, run after its abort listeners and before its deferred
 * functions: how the toolkit attaches its cleanups without the tracker loading it. Groups run
 * last added first; `first` steps run before every group. Kept on the scope itself, so that
 * every copy of the library (Jest loads one per test file) adds to the same exit.
 */
export function addExitSteps(scope: Scope, steps: readonly ExitStep[], { first = false } = {}): void {
  const added = (scope.addedExitSteps ??= { first: [], groups: [] });
  if (first) added.first.push(...steps);
  else added.groups.push([...steps]);
}

/**
 * Whether steps added to `scope` now would still run: not once its exit has taken them (a
 * toolkit object first asked for after that is closed from the start).
 */
export function acceptsExitSteps(scope: Scope): boolean {
  return scope.state !== 'ended' && scope.addedExitSteps !== null;
}

/** Whether `scope` has added exit steps to run: its exit then cannot end at once. */
export function hasExitSteps(scope: Scope): boolean {
  return scope.addedExitSteps != null;
}

/** Hands over `scope`'s added exit steps, in the order they run; later ones are no longer accepted. */
export function takeExitSteps(scope: Scope): ExitStep[] {
  const added = scope.addedExitSteps;
  scope.addedExitSteps = null;
  if (added == null) return [];
  return [...added.first, ...added.groups.reverse().flat()];
}

/**
 * Adds a check to `scope`'s exit, run after every tracked object was closed (after each cleanup
 * of the user's own: `defer`, `track`), in the order added: how an object that owns async
 * resources of its own (a client) is looked at once the test is done with it.
 */
export function addExitCheck(scope: Scope, what: string, run: () => unknown): void {
  scope.exitChecks.push([what, run]);
}
