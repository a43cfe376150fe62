import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, FIXTURES, runNode, type RunResult } from '../support/run';
import { expectExitedOnItsOwn, runMocha } from '../support/mocha';
import { JEST_VERSIONS, runJest } from '../jest/run-jest';
import { nodesAtLeast, runVitest } from '../vitest/support';
import { expectValidReport } from '../support/report-schema';

/** The fixture's tests (test/fixtures/state-cases.cjs) and what each one's failure must name. */
const CHANGING: Record<string, RegExp[]> = {
  'sets an environment variable': [/^(LeakError: )?test changed process state \(restored\): process\.env\.API_URL set$/m],
  'adds a process listener': [/1 'unhandledRejection' listener added \(at \S*state-cases\.cjs:37:15\)/],
  'changes the working directory': [/cwd changed \(from \S+ to \S+\)/],
  'changes umask, exitCode, stackTraceLimit and defaultMaxListeners': [
    /process\.exitCode set to 3/,
    /Error\.stackTraceLimit changed \(from \S+ to 50\)/,
    /EventEmitter\.defaultMaxListeners changed \(from 10 to 30\)/,
  ],
  'adds and replaces globals': [/global fetch replaced/, /global apiClient added/],
  'replaces console.error and Math.random': [/console\.error replaced; Math\.random replaced/],
  'leaves fake timers installed': [/fake timers still installed \(setTimeout, setInterval, .*Date.* replaced\)/],
};
const CLEAN = [
  'sees the environment as it was',
  'cleanup restoring in afterEach is not a change',
  'cleanup deletes a global its afterEach puts back',
  'sees everything put back',
];

interface Outcome {
  /** Test titles without the `state` suite, with their failure text (undefined: passed). */
  results: Map<string, string | undefined>;
  run: RunResult;
}

/** `fail` fails exactly the changing tests, naming each change; every later test sees the state put back. */
function expectFailuresNameTheChanges({ results, run }: Outcome, { mainThread = true } = {}): void {
  const changing = Object.keys(CHANGING).filter((t) => mainThread || t !== 'changes the working directory');
  const failed = [...results].filter(([, failure]) => failure !== undefined).map(([title]) => title);
  expect(failed.sort(), run.stderr).to.deep.equal([...changing].sort());
  for (const title of changing) for (const pattern of CHANGING[title]!) expect(results.get(title), title).to.match(pattern);
  if (mainThread) expect(results.get('changes umask, exitCode, stackTraceLimit and defaultMaxListeners')).to.match(/umask changed \(from 0o\d+ to 0o077\)/);
  for (const title of CLEAN) expect(results.has(title), title).to.equal(true);
  expect(run.code).to.not.equal(0);
  expectExitedOnItsOwn(run);
}

/** `warn` fails nothing, tells stderr, and still puts everything back. */
function expectWarned({ results, run }: Outcome, { told = true } = {}): void {
  for (const [title, failure] of results) expect(failure, title).to.equal(undefined);
  expect(run.code, run.stderr).to.equal(0);
  if (!told) return;
  expect(run.stderr).to.match(/changed process state \(restored\): process\.env\.API_URL set/);
  expect(run.stderr, run.stderr).to.match(/changed process state \(restored\): 1 'unhandledRejection' listener added/);
}

async function mocha(env: NodeJS.ProcessEnv): Promise<Outcome> {
  const run = await runMocha(['state.spec.js'], { env });
  const results = new Map<string, string | undefined>();
  for (const t of run.json.passes) results.set(t.fullTitle.replace(/^state /, ''), undefined);
  for (const t of run.json.failures) results.set(t.fullTitle.replace(/^state /, ''), t.err.message ?? '');
  return { results, run };
}

describe('state isolation: a test that changes process-wide state is told, and the state is put back', function () {
  describe('options', function () {
    const lib = require(join(DIST, 'index.js')) as typeof import('../../src/index');

    it('rejects a wrong state mode or ignoreState entry with an IsolationUsageError naming it', function () {
      expect(() => lib.enter('bad', { state: 'loud' as any })).to.throw(lib.IsolationUsageError, /option "state" must be one of "fail", "warn", "manual", "off", got the string "loud"/);
      expect(() => lib.enter('bad', { ignoreState: 'env' as any })).to.throw(lib.IsolationUsageError, /option "ignoreState" must be an array/);
      expect(() => lib.enter('bad', { ignoreState: ['environment'] })).to.throw(lib.IsolationUsageError, /"ignoreState" has "environment"; use one of env, cwd/);
    });

    it('puts back and reports a change made in a scope, leaving out what ignoreState names', async function () {
      const scope = lib.enter('sets two variables', { state: 'manual', ignoreState: ['env.AI_STATE_TWO'] });
      process.env.AI_STATE_ONE = '1';
      process.env.AI_STATE_TWO = '2';
      const report = await lib.exit(scope);
      expect(report.state.changes.map((c) => c.description)).to.deep.equal(['process.env.AI_STATE_ONE set']);
      expect(report.failed).to.equal(false);
      expect(process.env.AI_STATE_ONE).to.equal(undefined);
      expect(process.env.AI_STATE_TWO).to.equal('2');
      delete process.env.AI_STATE_TWO;
    });
  });

  describe('Mocha', function () {
    it('fails exactly the tests that changed state with ASYNC_ISOLATION_STATE=fail, naming each change', async function () {
      expectFailuresNameTheChanges(await mocha({ ASYNC_ISOLATION_STATE: 'fail' }));
    });

    it('warns with ASYNC_ISOLATION_STATE=warn, and later tests still see the state put back', async function () {
      expectWarned(await mocha({ ASYNC_ISOLATION_STATE: 'warn' }));
    });

    it('is off by default: nothing is told, nothing put back', async function () {
      const { results, run } = await mocha({});
      expect(run.stderr).to.not.include('changed process state');
      expect(results.get('sees everything put back')).to.match(/^carried over: API_URL/);
    });

    it('(control) with ASYNC_ISOLATION_STATE=off every change carries over into the later tests', async function () {
      const { results } = await mocha({ ASYNC_ISOLATION_STATE: 'off' });
      expect(results.get('sees everything put back')).to.match(
        /carried over: API_URL, unhandledRejection listener, cwd, umask, exitCode, stackTraceLimit, defaultMaxListeners, apiClient, fetch, console\.error, Math\.random, fake timers/,
      );
    });

    it("fails a suite whose before() hook changed state, as the suite's own failure, once its after() hooks ran", async function () {
      const run = await runMocha(['state-suite.spec.js'], { env: { ASYNC_ISOLATION_STATE: 'fail' } });
      expect(run.json.failures.map((f) => [f.fullTitle, f.err.message])).to.deep.equal([
        ['suite state "after all" hook: async-isolation leak check', 'suite changed process state (restored): process.env.SUITE_URL set'],
      ]);
      expect(run.passed('suite state sees what its suite set')).to.equal(true);
      expect(run.passed('a later suite sees the environment as it was')).to.equal(true);
    });

    it('carries the changes in the JSON report', async function () {
      const work = mkdtempSync(join(tmpdir(), 'ai-state-'));
      try {
        const file = join(work, 'report.json');
        await runMocha(['state.spec.js'], { env: { ASYNC_ISOLATION_STATE: 'fail', ASYNC_ISOLATION_REPORT: file } });
        const report = JSON.parse(readFileSync(file, 'utf8'));
        expectValidReport(report);
        const entry = report.entries.find((e: any) => e.title.join(' ') === 'state sets an environment variable');
        expect(entry.report.state).to.deep.equal({
          mode: 'fail',
          changes: [{ kind: 'env', name: 'API_URL', description: 'process.env.API_URL set', restored: true }],
        });
        expect(entry.report.failed).to.equal(true);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  });

  for (const version of JEST_VERSIONS) {
    describe(`${version.name} (the test file's own process object and globals)`, function () {
      async function jest(env: NodeJS.ProcessEnv): Promise<Outcome> {
        await version.install?.();
        const run = await runJest(version, ['state.test.js'], { env });
        const results = new Map<string, string | undefined>();
        for (const t of run.json.testResults.flatMap((f) => f.assertionResults)) {
          results.set(t.fullName.replace(/^state /, ''), t.status === 'failed' ? t.failureMessages.join('\n') : undefined);
        }
        return { results, run };
      }

      it('fails exactly the tests that changed state, naming each change', async function () {
        expectFailuresNameTheChanges(await jest({ ASYNC_ISOLATION_STATE: 'fail' }));
      });

      it('warns with ASYNC_ISOLATION_STATE=warn, and later tests still see the state put back', async function () {
        expectWarned(await jest({ ASYNC_ISOLATION_STATE: 'warn' }));
      });

      it("fails the file when a describe block's beforeAll changed state, like a failing afterAll", async function () {
        await version.install?.();
        const run = await runJest(version, ['state-suite.test.js'], { env: { ASYNC_ISOLATION_STATE: 'fail' } });
        expect(run.file('state-suite.test.js').message).to.include(
          'beforeAll/afterAll of describe "suite state" changed process state (restored): process.env.SUITE_URL set',
        );
        expect(run.failedNames()).to.deep.equal([]);
      });
    });
  }

  for (const pool of ['forks', 'threads'] as const) {
    describe(`Vitest 4, pool ${pool}`, function () {
      async function vitest(env: NodeJS.ProcessEnv): Promise<Outcome & { report: any }> {
        const run = await runVitest({ major: 4, pool, files: ['state.test.js'], env, report: true });
        const results = new Map<string, string | undefined>();
        for (const t of run.tests) {
          results.set(t.fullName.replace(/^state /, ''), t.status === 'failed' ? t.failureMessages.join('\n') : undefined);
        }
        return { results, run, report: run.report };
      }

      it('fails exactly the tests that changed state, naming each change', async function () {
        // A worker thread cannot change the working directory or the umask.
        expectFailuresNameTheChanges(await vitest({ ASYNC_ISOLATION_STATE: 'fail' }), { mainThread: pool === 'forks' });
      });

      it('warns with ASYNC_ISOLATION_STATE=warn, and later tests still see the state put back', async function () {
        const outcome = await vitest({ ASYNC_ISOLATION_STATE: 'warn' });
        // A worker thread's last writes to stderr can be lost when Vitest ends it: the report is
        // where the threads pool's changes are read.
        expectWarned(outcome, { told: pool === 'forks' });
        const changed = outcome.report.entries.filter((e: any) => e.report.state.changes.length > 0).map((e: any) => e.title.at(-1));
        const expected = Object.keys(CHANGING).filter((t) => pool === 'forks' || t !== 'changes the working directory');
        expect(changed.sort()).to.deep.equal(expected.sort());
      });
    });
  }

  for (const { node, major } of nodesAtLeast(0)) {
    describe(`node:test on Node ${major}`, function () {
      async function nodeTest(env: NodeJS.ProcessEnv): Promise<Outcome> {
        const reporter = join(__dirname, '..', 'node-test', 'json-reporter.mjs');
        const run = await runNode(['--test', '--import', 'async-isolation/node-test', `--test-reporter=${reporter}`, 'state.test.mjs'], {
          cwd: join(FIXTURES, 'node-test'),
          node,
          env,
        });
        const { tests, stderr } = JSON.parse(run.stdout) as { tests: any[]; stderr: string };
        const results = new Map<string, string | undefined>();
        const suites = new Set(['state', 'cleanup']);
        for (const t of tests) {
          if (suites.has(t.name)) continue;
          const title = t.nesting === 2 ? `cleanup ${t.name}` : t.name;
          results.set(title, t.passed ? undefined : String(t.error?.message ?? ''));
        }
        return { results, run: { ...run, stderr: run.stderr + stderr } };
      }

      it('fails exactly the tests that changed state, naming each change', async function () {
        expectFailuresNameTheChanges(await nodeTest({ ASYNC_ISOLATION_STATE: 'fail' }));
      });

      it('warns with ASYNC_ISOLATION_STATE=warn, and later tests still see the state put back', async function () {
        expectWarned(await nodeTest({ ASYNC_ISOLATION_STATE: 'warn' }));
      });
    });
  }
});
