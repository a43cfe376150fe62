import type { Scope } from '../tracker/scope';
import { acceptsExitSteps, addExitSteps } from '../tracker/exit-steps';
import { DEFAULT_WAIT_TIMEOUT_MS, EventCoordinator } from './event-coordinator';

const coordinators = new WeakMap<Scope, EventCoordinator>();

function endedReason(scope: Scope): string {
  return `scope "${scope.name}" has ended, and its barriers with it`;
}

/**
 * The event coordinator of `scope` (`scope.events`), created on first use. The scope's exit
 * releases its pending waits with `false` and forgets its barriers for good, before any other
 * step of the toolkit (so that tasks blocked on a barrier can finish).
 */
export function eventsOf(scope: Scope): EventCoordinator {
  let events = coordinators.get(scope);
  if (events === undefined) {
    const created = new EventCoordinator(DEFAULT_WAIT_TIMEOUT_MS, 'scope.events');
    if (acceptsExitSteps(scope)) addExitSteps(scope, [['resetting scope.events', () => created.close(endedReason(scope))]], { first: true });
    // Asked for after the scope's exit reset it: usable by nobody.
    else created.close(endedReason(scope));
    coordinators.set(scope, (events = created));
  }
  return events;
}
