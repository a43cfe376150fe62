import { expect } from 'chai';
import { join } from 'node:path';
import { DIST, FIXTURES, ROOT, runNode, type RunOptions, type RunResult } from './run';

const MOCHA_BIN = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

export interface MochaJsonTest {
  title: string;
  fullTitle: string;
  file?: string;
  err: { message?: string; stack?: string; name?: string };
}

export interface MochaJson {
  stats: { suites: number; tests: number; passes: number; pending: number; failures: number };
  tests: MochaJsonTest[];
  passes: MochaJsonTest[];
  failures: MochaJsonTest[];
  pending: MochaJsonTest[];
}

export interface MochaRun extends RunResult {
  json: MochaJson;
  /** The failure of the test with this full title (or a suite hook failure containing it). */
  failure(fullTitle: string): MochaJsonTest | undefined;
  passed(fullTitle: string): boolean;
}

/**
 * Runs real Mocha on fixture specs (paths relative to test/fixtures/mocha) with
 * async-isolation/register and the JSON reporter.
 */
export async function runMocha(
  specs: string[],
  options: RunOptions & { args?: string[]; /** Another Mocha's bin script. */ mocha?: string } = {},
): Promise<MochaRun> {
  const cwd = options.cwd ?? join(FIXTURES, 'mocha');
  const result = await runNode(
    // --no-config: the fixtures must not pick up this repository's own .mocharc (tsx, timeouts).
    [options.mocha ?? MOCHA_BIN, '--no-config', '--require', join(DIST, 'register.js'), '--reporter', 'json', ...(options.args ?? []), ...specs],
    { ...options, cwd },
  );
  let json: MochaJson;
  try {
    json = JSON.parse(result.stdout) as MochaJson;
  } catch {
    throw new Error(`mocha printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return {
    ...result,
    json,
    failure: (t) => json.failures.find((f) => f.fullTitle === t),
    passed: (t) => json.passes.some((p) => p.fullTitle === t),
  };
}

/** Asserts that the run exited on its own, neither killed nor hung. */
export function expectExitedOnItsOwn(run: RunResult): void {
  expect(run.signal, `killed by ${run.signal}: ${run.stderr}`).to.equal(null);
}

/**
 * Why this Mocha's CLI does not start on the running Node, if it does not: Mocha 8 and 9 pin
 * yargs 16.2.0, which Node 26 loads as an ES module and cannot run. Nothing of ours is involved.
 */
export async function mochaCannotStart(bin: string): Promise<string | undefined> {
  const run = await runNode([bin, '--version']);
  if (run.code === 0) return undefined;
  return `${bin} --version fails on Node ${process.versions.node}: ${run.stderr.split('\n').find((l) => /Error/.test(l)) ?? run.stderr}`;
}
