import type { Scope } from '../tracker/scope';
import { DEFAULT_WAIT_TIMEOUT_MS, EventCoordinator } from './event-coordinator';

const coordinators = new WeakMap<Scope, EventCoordinator>();
const closed = new WeakSet<Scope>();

function endedReason(scope: Scope): string {
  return `scope "${scope.name}" has ended, and its barriers with it`;
}

/** The event coordinator of `scope` (`scope.events`), created on first use. */
export function eventsOf(scope: Scope): EventCoordinator {
  let events = coordinators.get(scope);
  if (events === undefined) {
    events = new EventCoordinator(DEFAULT_WAIT_TIMEOUT_MS, 'scope.events');
    // Asked for after the scope's exit reset it: usable by nobody.
    if (closed.has(scope) || scope.state === 'ended') events.close(endedReason(scope));
    coordinators.set(scope, events);
  }
  return events;
}

/** At exit: releases the scope's pending waits with `false` and forgets its barriers for good. */
export function closeEventsOf(scope: Scope): void {
  closed.add(scope);
  coordinators.get(scope)?.close(endedReason(scope));
}

/** Whether the scope ever used `scope.events`. */
export function hasEvents(scope: Scope): boolean {
  return coordinators.has(scope);
}
