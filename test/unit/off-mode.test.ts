import { expect } from 'chai';
import { join } from 'node:path';
import { DIST, runNode } from '../support/run';

/** Loads `entry` with ASYNC_ISOLATION=off; prints the library files loaded and whether a hook exists. */
async function loadOff(entry: string): Promise<{ loaded: string[]; hookState: boolean }> {
  const script = `
require(${JSON.stringify(join(DIST, entry))});
const hookState = Symbol.for('async-isolation.async-hook.v1') in require('node:async_hooks');
const loaded = Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(DIST + '/')})).map((f) => f.slice(${DIST.length + 1}));
process.stdout.write(JSON.stringify({ loaded, hookState }));`;
  const run = await runNode(['-e', script], { env: { ASYNC_ISOLATION: 'off' } });
  expect(run.code, run.stderr).to.equal(0);
  return JSON.parse(run.stdout) as { loaded: string[]; hookState: boolean };
}

describe('ASYNC_ISOLATION=off', function () {
  const entries: Record<string, string[]> = {
    'register.js': [],
    'node-test.js': [],
    // Outside a Vitest worker (here) it installs nothing in any mode; it only tells where it is.
    'vitest.js': ['adapters/vitest/api.js'],
  };
  for (const [entry, also] of Object.entries(entries)) {
    it(`makes ${entry} load only the configuration and install no hook`, async function () {
      const { loaded, hookState } = await loadOff(entry);
      expect(loaded.sort()).to.deep.equal([entry, 'tracker/config.js', 'tracker/errors.js', ...also].sort());
      expect(hookState).to.equal(false);
    });
  }
});
