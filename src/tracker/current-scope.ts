import { currentOwner } from '../context/context';
import type { Scope } from './scope';

/** The scope that owns the code running now, if any. */
export function currentScope(): Scope | undefined {
  // What the context carries is always a scope: only scopes are run in or entered.
  return currentOwner() as Scope | undefined;
}
