import { expect } from 'chai';
import { join } from 'node:path';
import { ensureRunnerInstalled } from '../support/runners';
import { expectExitedOnItsOwn, mochaCannotStart, runMocha, type MochaRun } from '../support/mocha';

/**
 * What a run decided for each test (passed, or failed with which message's first line) and the
 * notes the adapter printed on stderr, in any order (parallel workers interleave them).
 */
function outcomes(run: MochaRun): { tests: Record<string, string>; notes: string[] } {
  const tests: Record<string, string> = {};
  for (const test of run.json.passes) tests[test.fullTitle] = 'passed';
  // After the passes: a test failed late by its own callbacks is listed as both.
  for (const test of run.json.failures) tests[test.fullTitle] = `failed: ${test.err.message?.split('\n')[0] ?? ''}`;
  const notes = run.stderr.split('\n').filter((line) => line.startsWith('async-isolation:')).sort();
  return { tests, notes };
}

/**
 * The oldest Mocha the package claims (its peer range) must behave like the newest: the same
 * tests fail, as themselves, with the same reports; suites fail as their leak-check hook.
 */
describe('Mocha adapter on Mocha 8, the oldest supported', function () {
  const groups: Array<{ name: string; specs: string[]; args?: string[] }> = [
    { name: 'timers, sockets and servers', specs: ['timers.spec.js', 'network.spec.js'] },
    { name: 'suite hooks (before/after) and beforeEach', specs: ['suites.spec.js'] },
    { name: 'own failures, timeouts and late errors', specs: ['failures.spec.js', 'retries.spec.js'] },
    { name: 'ESM specs', specs: ['esm.spec.mjs'] },
    { name: '--parallel', specs: ['parallel/*.spec.js'], args: ['--parallel', '--jobs', '2'] },
  ];
  let mocha8: string;

  before(async function () {
    this.timeout(300_000);
    mocha8 = join(ensureRunnerInstalled('mocha8', 'mocha'), 'node_modules', 'mocha', 'bin', 'mocha');
    const cannot = await mochaCannotStart(mocha8);
    if (cannot !== undefined) {
      console.log(`      skipped: ${cannot}`);
      this.skip();
    }
  });

  for (const group of groups) {
    it(`${group.name}: the same outcome as on the newest Mocha`, async function () {
      const [newest, oldest] = await Promise.all([
        runMocha(group.specs, { args: group.args }),
        runMocha(group.specs, { args: group.args, mocha: mocha8 }),
      ]);
      expect(newest.json.failures, 'nothing to compare').to.not.be.empty;
      expect(outcomes(oldest), oldest.stderr).to.deep.equal(outcomes(newest));
      expect(oldest.code).to.equal(newest.code);
      expectExitedOnItsOwn(oldest);
    });
  }
});
