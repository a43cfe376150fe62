// The processes compared for each runner and workload: the runner alone (the baseline), with
// async-isolation, with async-isolation switched off, with an empty async hook (what Node
// charges any async_hooks tracker before its own code runs; Mocha only, the cheapest runner) and
// the runner's own leak detector.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {object} Variant
 * @property {string} id         stable key in the JSON
 * @property {string} label      column/legend text
 * @property {'baseline'|'isolation'|'off'|'floor'|'reference'} role
 * @property {string[]} args     node arguments
 * @property {Record<string,string>} env
 */

function mocha(root, dist, suite) {
  const bin = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const base = [bin, '--no-config', '--no-package', '--reporter', 'dot', '--timeout', '0'];
  const file = join(root, 'benchmarks', 'suites', `${suite}.bench.js`);
  const register = join(dist, 'register.js');
  return [
    { id: 'plain', label: 'mocha', role: 'baseline', args: [...base, file], env: {} },
    { id: 'isolation', label: 'mocha + async-isolation', role: 'isolation', args: [...base, '--require', register, file], env: {} },
    {
      id: 'off',
      label: 'mocha + async-isolation (ASYNC_ISOLATION=off)',
      role: 'off',
      args: [...base, '--require', register, file],
      env: { ASYNC_ISOLATION: 'off' },
    },
    {
      id: 'emptyHook',
      label: 'mocha + an empty async hook',
      role: 'floor',
      args: [...base, '--require', join(root, 'benchmarks', 'lib', 'empty-hook.cjs'), file],
      env: {},
    },
  ];
}

function jest(root, dist, suite) {
  const bin = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
  // In band for every variant: --detectOpenHandles forces it, and the comparison stays fair.
  const base = [bin, '--config', join(root, 'benchmarks', 'config', 'jest.config.cjs'), '--runInBand', '--verbose=false', '--silent'];
  const env = { BENCH_SUITE: suite };
  const variants = [{ id: 'plain', label: 'jest', role: 'baseline', args: base, env }];
  const environment = join(dist, 'jest.js');
  if (existsSync(environment)) {
    variants.push({ id: 'isolation', label: 'jest + async-isolation', role: 'isolation', args: base, env: { ...env, BENCH_JEST_ENV: environment } });
  }
  variants.push({ id: 'detectOpenHandles', label: 'jest --detectOpenHandles', role: 'reference', args: [...base, '--detectOpenHandles'], env });
  return variants;
}

function vitest(root, dist, suite) {
  const bin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const base = [bin, 'run', '--config', join(root, 'benchmarks', 'config', 'vitest.config.mjs'), '--reporter', 'dot'];
  const env = { BENCH_SUITE: suite };
  const variants = [{ id: 'plain', label: 'vitest', role: 'baseline', args: base, env }];
  const setup = join(dist, 'vitest.js');
  if (existsSync(setup)) {
    variants.push({ id: 'isolation', label: 'vitest + async-isolation', role: 'isolation', args: base, env: { ...env, BENCH_VITEST_SETUP: setup } });
  }
  variants.push({ id: 'detectAsyncLeaks', label: 'vitest --detectAsyncLeaks', role: 'reference', args: [...base, '--detectAsyncLeaks'], env });
  return variants;
}

const BY_RUNNER = { mocha, jest, vitest };

/** The variants of `runner` on `suite`; `dist` is the snapshot of the built library. */
export function variantsFor(runner, root, dist, suite) {
  return BY_RUNNER[runner](root, dist, suite);
}

/** Which adapters the built library has. */
export function adaptersPresent(dist) {
  return {
    mocha: existsSync(join(dist, 'register.js')),
    jest: existsSync(join(dist, 'jest.js')),
    vitest: existsSync(join(dist, 'vitest.js')),
    nodeTest: existsSync(join(dist, 'node-test.js')),
  };
}
