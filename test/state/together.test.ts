import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, runNode, type RunResult } from '../support/run';
import { expectExitedOnItsOwn, runMocha } from '../support/mocha';
import { JEST_VERSIONS, runJest } from '../jest/run-jest';
import { ensureVitestInstalled, nodesAtLeast, runVitest, type VitestMajor } from '../vitest/support';
import { expectValidReport } from '../support/report-schema';
import { cli } from '../cli/run-cli';

// "Passes alone, fails together": the fixture's tests (test/fixtures/together-cases.cjs) each
// leave work that runs while the next one is open; the failure of that next one says so.
const CASES = 'together-cases\\.cjs';

/** How each runner joins a test's describe and test titles into the name it reports. */
type Join = ' ' | ' > ';

function leftBy(title: string, join: Join): string {
  return `left by "together${join}${title}"`;
}

/** Test titles (without the suite) and their failure as the runner shows it (undefined: passed). */
type Results = Map<string, string | undefined>;

function expectSaysWhatRan(results: Results, run: RunResult, join: Join): void {
  const failed = [...results].filter(([, failure]) => failure !== undefined).map(([title]) => title);
  expect(failed.sort(), run.stderr).to.deep.equal(['fails on its own', 'leaks an interval', 'prints the receipts', 'reads the orders']);
  // Its own failure first, then what ran meanwhile, naming the earlier test and its line.
  expect(results.get('reads the orders')).to.match(
    new RegExp(`expected no orders, got: stale order[^]*while this test ran, a timer ${leftBy('creates the order', join)} \\(\\S*${CASES}:28\\) fired`),
  );
  expect(results.get('prints the receipts')).to.match(
    new RegExp(`expected no receipts, got: late receipt[^]*while this test ran, an immediate ${leftBy('queues the receipt', join)} \\(\\S*${CASES}:45\\) ran`),
  );
  // A callback that only created that immediate is said by the immediate alone.
  expect(results.get('prints the receipts')).to.not.include('a callback');
  // Failed by its leak: the leak report, then the same sentence.
  expect(results.get('leaks an interval')).to.match(
    new RegExp(`test leaked 1 async resource[^]*while this test ran, a timer ${leftBy('starts a poller', join)} \\(\\S*${CASES}:69\\) fired`),
  );
  // Failed for its own reasons with no earlier work running: nothing added.
  expect(results.get('fails on its own')).to.include('the total is wrong');
  expect(results.get('fails on its own')).to.not.include('while this test ran');
  // Earlier work ran during a test that passed: nothing said anywhere.
  expect(results.get('passes while the refresh runs')).to.equal(undefined);
  expect(run.stdout + run.stderr).to.not.include(leftBy('schedules a refresh', join));
  expectExitedOnItsOwn(run);
}

describe('passes alone, fails together: a failing test says what earlier tests left that ran during it', function () {
  describe('Mocha', function () {
    it('adds the sentence to the test’s own error and to the leak error', async function () {
      const run = await runMocha(['together.spec.js']);
      const results: Results = new Map();
      for (const t of run.json.passes) results.set(t.title, undefined);
      for (const t of run.json.failures) {
        results.set(t.title, t.err.message ?? '');
        // The stack a reporter prints holds it too, between the message and the frames.
        if (/while this test ran/.test(t.err.message ?? '') && !t.err.stack?.startsWith('LeakError')) expect(t.err.stack).to.match(/while this test ran[^\n]*\n\s+at /);
      }
      expectSaysWhatRan(results, run, ' ');
    });

    it('carries it in the JSON report, and `async-isolation report` shows it for the tests that failed', async function () {
      const work = mkdtempSync(join(tmpdir(), 'ai-together-'));
      try {
        const file = join(work, 'report.json');
        const run = await runMocha(['together.spec.js'], { env: { ASYNC_ISOLATION_REPORT: file } });
        expect(run.code).to.equal(4);
        const report = JSON.parse(readFileSync(file, 'utf8'));
        expectValidReport(report);
        const entry = (title: string) => report.entries.find((e: any) => e.title.join(' ') === `together ${title}`);
        // The fixture lies outside the run's working directory: its path stays absolute.
        const site = `${join(FIXTURES, 'together-cases.cjs')}:28`;
        expect(entry('reads the orders').report.earlierWork).to.deep.equal([
          { by: 'together creates the order', what: 'timer', site, description: `a timer left by "together creates the order" (${site}) fired` },
        ]);
        // Carried for a test that passed too (it is a fact), but said nowhere.
        expect(entry('passes while the refresh runs').report.earlierWork[0].by).to.equal('together schedules a refresh');
        expect(entry('fails on its own').report.earlierWork).to.equal(undefined);
        const shown = await cli(['report', file]);
        expect(shown.stdout).to.include(
          `✖ together › reads the orders — failed on its own\n  mocha, together.spec.js\n  while it ran: a timer left by "together creates the order" (${site}) fired`,
        );
        expect(shown.stdout).to.not.include('schedules a refresh');
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  });

  for (const version of JEST_VERSIONS) {
    it(`${version.name}: adds it after the test's own errors, and to the leak error`, async function () {
      await version.install?.();
      const run = await runJest(version, ['together.test.js']);
      const results: Results = new Map();
      for (const t of run.json.testResults.flatMap((f) => f.assertionResults)) {
        results.set(t.title, t.status === 'failed' ? t.failureMessages.join('\n') : undefined);
      }
      expectSaysWhatRan(results, run, ' ');
    });
  }

  for (const major of [3, 4] as VitestMajor[]) {
    it(`Vitest ${major}: adds it after the test's own errors, and to the leak error`, async function () {
      ensureVitestInstalled(major);
      const run = await runVitest({ major, pool: 'forks', files: ['together.test.js'] });
      const results: Results = new Map();
      for (const t of run.tests) results.set(t.fullName.replace(/^together /, ''), t.status === 'failed' ? t.failureMessages.join('\n') : undefined);
      expectSaysWhatRan(results, run, ' > ');
    });
  }

  for (const { node, major } of nodesAtLeast(22)) {
    it(`Vitest 5 on Node ${major}: adds it after the test's own errors, and to the leak error`, async function () {
      ensureVitestInstalled(5);
      const run = await runVitest({ major: 5, node, pool: 'forks', files: ['together.test.js'] });
      const results: Results = new Map();
      for (const t of run.tests) results.set(t.fullName.replace(/^together /, ''), t.status === 'failed' ? t.failureMessages.join('\n') : undefined);
      expectSaysWhatRan(results, run, ' > ');
    });
  }

  for (const { node, major } of nodesAtLeast(0)) {
    it(`node:test on Node ${major}: a diagnostic under the test's own error (spec reporter), and in the leak error`, async function () {
      const run = await runNode(['--test', '--import', 'async-isolation/node-test', '--test-reporter=spec', 'together.test.mjs'], {
        cwd: join(FIXTURES, 'node-test'),
        node,
        env: { NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      // Each test's line with what the reporter printed under it; Node >= 22 prints the errors
      // again (from Node 22 on, only there) in the summary of failing tests: that part comes first.
      const [body = '', summary = ''] = run.stdout.split('\n✖ failing tests:\n');
      const results: Results = new Map();
      let current: { title: string; failed: boolean; text: string[] } | undefined;
      const flush = () => current && results.set(current.title, current.failed ? current.text.join('\n') : undefined);
      for (const line of body.split('\n')) {
        const header = /^ {2}([✔✖]) (.+?) \(\d/.exec(line);
        if (header) {
          flush();
          current = { title: header[2]!, failed: header[1] === '✖', text: [] };
        } else if (!/^\S/.test(line)) current?.text.push(line);
      }
      flush();
      for (const part of summary.split(/\ntest at .*\n/)) {
        const title = /^✖ (.+?) \(\d/.exec(part)?.[1];
        if (title !== undefined && results.get(title) !== undefined) results.set(title, `${part}\n${results.get(title)}`);
      }
      expectSaysWhatRan(results, run, ' > ');
      expect(results.get('reads the orders')).to.match(/(^|\n) {2}ℹ while this test ran, a timer/);
    });
  }
});
