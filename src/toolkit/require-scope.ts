import { currentScope } from '../tracker/current-scope';
import { IsolationUsageError } from '../tracker/errors';
import type { Scope } from '../tracker/scope';

/**
 * The scope running now, for the toolkit's free functions (`trackTask()`...): a clear error
 * outside any test or scope.
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
