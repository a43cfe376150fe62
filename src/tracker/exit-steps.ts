import type { ExitStep, Scope } from './scope';

export type { ExitStep } from './scope';

/** Steps a layer above the tracker (the toolkit) adds to the exit of the scopes it worked in. */
export interface ExitStepSource {
  /** Whether `scope` has steps to run: its exit then cannot end at once. */
  has(scope: Scope): boolean;
  /** Hands over `scope`'s steps, in the order they run, and forgets them. */
  take(scope: Scope): ExitStep[];
}

const sources: ExitStepSource[] = [];

/**
 * Runs `source`'s steps in every scope's exit, after the scope's abort listeners and before
 * its deferred functions: how the toolkit attaches without the tracker loading it.
 */
export function addExitSteps(source: ExitStepSource): void {
  if (!sources.includes(source)) sources.push(source);
}

/** Whether any source has exit steps for `scope`. */
export function hasExitSteps(scope: Scope): boolean {
  return sources.some((source) => source.has(scope));
}

/** Every source's exit steps for `scope`, in the order they run. */
export function takeExitSteps(scope: Scope): ExitStep[] {
  return sources.flatMap((source) => source.take(scope));
}

/**
 * Adds a check to `scope`'s exit, run after every tracked object was closed (after each cleanup
 * of the user's own: `defer`, `track`), in the order added: how an object that owns async
 * resources of its own (a client) is looked at once the test is done with it.
 */
export function addExitCheck(scope: Scope, what: string, run: () => unknown): void {
  scope.exitChecks.push([what, run]);
}
