// `import =`, not `import * as`: the namespace helper would copy the module into a private
// object per copy of the library, and the shared state must hang off the real one.
import asyncHooks = require('node:async_hooks');

/**
 * State every copy of the library in the process must share. Jest gives each test file its own
 * module registry, so a test's `require('async-isolation')` is not the copy the environment
 * loaded; core modules are shared, so the state hangs off `node:async_hooks` itself.
 */
export function processWide<T>(key: string, create: () => T): T {
  const host = asyncHooks as unknown as Record<symbol, T | undefined>;
  const symbol = Symbol.for(`async-isolation.${key}.v1`);
  let value = host[symbol];
  if (value === undefined) {
    value = create();
    Object.defineProperty(host, symbol, { value, enumerable: false });
  }
  return value;
}
