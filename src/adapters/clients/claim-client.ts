import { checkAtExit } from './check-at-exit';
import { markProcessOwned, openClientContext, owningScope, ownershipOf, PROCESS_OWNED, type ClientContext, type ClientKind } from './client-context';

/**
 * The one ownership rule of every client: a client connected now (or a pool created now) is
 * owned by the running scope, or, when the running code is a client's own work, by that
 * client's owner; connected outside every scope, it belongs to the process. A client whose
 * context is still open keeps it (connected again in the same scope). Returns the client's
 * context, or undefined when the process owns it or its would-be owner has ended.
 */
export function claimClient<C extends object>(client: C, kind: ClientKind<C>, above: Function): ClientContext<C> | undefined {
  const owner = owningScope();
  if (owner === undefined) {
    markProcessOwned(client);
    return undefined;
  }
  const existing = ownershipOf(client);
  if (existing !== undefined && existing !== PROCESS_OWNED && existing.scope.state === 'open') return existing;
  return openClientContext(client, kind, owner, above, checkAtExit);
}
