import { IsolationUsageError } from '../../tracker/errors';
import type { Scope } from '../../tracker/scope';
import { owningScope } from './client-context';

/** The scope an isolated fixture created now belongs to; throws outside every scope. */
export function fixtureOwner(where: string): Scope {
  const owner = owningScope();
  if (owner === undefined || owner.state !== 'open') {
    throw new IsolationUsageError(
      `${where} was called outside any test or scope: call it in a test, a beforeEach/before hook, or inside withIsolation()`,
    );
  }
  return owner;
}
