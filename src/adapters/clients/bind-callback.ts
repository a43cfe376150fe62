import { AsyncResource } from 'node:async_hooks';

/**
 * Binds a trailing callback argument to the caller's async context. A client calls it from its
 * socket's events, which run in the client's own context; the user's callback belongs to the
 * user (what it creates is the test's), as an `await` on the client's promise would. Call it
 * in the caller's context, before entering the client's.
 */
export function bindTrailingCallback(args: unknown[]): unknown[] {
  const last = args.length - 1;
  if (last < 0 || typeof args[last] !== 'function') return args;
  const bound = args.slice();
  bound[last] = AsyncResource.bind(args[last] as (...a: unknown[]) => unknown);
  return bound;
}
