import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createServer } from 'node:net';
import { runMocha, expectExitedOnItsOwn, type MochaRun } from '../support/mocha';
import { DIST, FIXTURES, runNode } from '../support/run';
import { JEST_VERSIONS, runJest } from '../jest/run-jest';
import { runVitest } from '../vitest/support';
import { expectValidReport } from '../support/report-schema';
import { cli } from '../cli/run-cli';

// The rule: a line on stderr names a user frame and says what to change, or it is not printed
// (the JSON report keeps it). Clean suites print nothing at all.
const OUR_LINES = /^.*async-isolation:.*$/gm;

function ourLines(output: string): string[] {
  return output.match(OUR_LINES) ?? [];
}

function reportPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'async-isolation-warnings-')), 'leaks.json');
}

const { readStack } = require(join(DIST, 'context', 'stack.js')) as typeof import('../../src/context/stack');
const lib = require(join(DIST, 'index.js')) as typeof import('../../src/index');

describe('warnings name a user frame, or are not printed', function () {
  describe('what counts as a user frame', function () {
    const read = (...frames: string[]) => readStack({ stack: ['Error', ...frames.map((f) => `    at ${f}`)].join('\n') }, 6);
    const cwd = process.cwd();

    it("is none of Node's frames, its WebAssembly, a runner's or a package's under node_modules", function () {
      expect(read('processImmediate (node:internal/timers:483:21)').hasUserFrame).to.equal(false);
      expect(read('wasm://wasm/0002f80e:wasm-function[20]:0x1918', 'null.<anonymous> (wasm://wasm/0002f80e:1:6425)').hasUserFrame).to.equal(false);
      expect(read(`Runner.run (${cwd}/node_modules/mocha/lib/runner.js:1:1)`).hasUserFrame).to.equal(false);
      const library = read(`Timeout.timerExpired (${cwd}/node_modules/lodash/lodash.js:1:1)`);
      expect(library).to.include({ hasUserFrame: false, text: 'at Timeout.timerExpired (node_modules/lodash/lodash.js:1:1)' });
    });

    it("is a frame of the project's own files, even when the project itself sits under a node_modules folder", function () {
      expect(read(`Context.<anonymous> (${cwd}/test/a.spec.js:3:5)`).hasUserFrame).to.equal(true);
      const project = join(mkdtempSync(join(tmpdir(), 'async-isolation-')), 'node_modules', 'some-app');
      mkdirSync(project, { recursive: true });
      process.chdir(project);
      try {
        expect(read(`Context.<anonymous> (${project}/test/a.spec.js:3:5)`).hasUserFrame).to.equal(true);
        expect(read(`debounced (${project}/node_modules/lodash/lodash.js:1:1)`).hasUserFrame).to.equal(false);
      } finally {
        process.chdir(cwd);
      }
    });
  });

  it('a server a test logs shows the link to its creator as one short line', async function () {
    const scope = lib.enter('logs a server', { mode: 'manual' });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const shown = inspect(server, { depth: 4 });
    await new Promise((resolve) => server.close(resolve));
    await lib.exit(scope);
    expect(shown).to.include('[async-isolation record of a TCPSERVERWRAP]');
    expect(shown).not.to.include('creator');
  });

  describe('clean tests print nothing (Mocha)', function () {
    let run: MochaRun;
    let path: string;
    let report: { entries: Array<{ title: string[]; report: { outlived: any[] } }> };

    before(async function () {
      path = reportPath();
      run = await runMocha(['quiet.spec.js'], { env: { ASYNC_ISOLATION_REPORT: path } });
      report = JSON.parse(readFileSync(path, 'utf8'));
    });

    it('prints nothing for fetch tests, this.skip() in done-style tests and requests to a server of their own', function () {
      expect(ourLines(run.stderr), run.stderr).to.deep.equal([]);
      expect(run.json.stats).to.include({ tests: 10, passes: 8, pending: 2, failures: 0 });
      expect(run.code).to.equal(0);
      expectExitedOnItsOwn(run);
    });

    it('keeps what it did not print in the JSON report, and leaves it running', function () {
      expectValidReport(report);
      const outlived = report.entries.flatMap((e) => e.report.outlived);
      // undici finishing a response body with an immediate, after the test ended.
      expect(outlived.some((w) => w.type === 'Immediate'), JSON.stringify(outlived)).to.equal(true);
      for (const work of outlived) expect(work).to.include({ userFrame: false, cancelled: false });
    });

    it('and the command line reading that report lists no test and counts no outlived work', async function () {
      const read = await cli(['report', path]);
      expect(read.code, read.stderr).to.equal(0);
      expect(read.stdout).to.match(/^async-isolation: \d+ tests and suites: 0 failed because of leaks\n.*; 0 outlived their tests; 0 failed cleanups\n$/);
    });
  });

  describe('timers a library re-arms from its own callbacks (Mocha)', function () {
    let run: MochaRun;

    before(async function () {
      run = await runMocha(['library-timers.spec.js']);
    });

    it('a leak shows the library frames, then the user line that started the chain', function () {
      const message = run.failure('library timers leaves a debounced save that re-armed itself')!.err.message!;
      expect(message).to.match(
        new RegExp(
          [
            String.raw`Timeout\s+setTimeout\(timerExpired, \d+ ms\) — cleared with clearTimeout`,
            String.raw`\s+at Timeout\.timerExpired .*\(node_modules/rearm/index\.js:\d+:\d+\)`,
            String.raw`\s+via a callback of Timeout setTimeout\(timerExpired, 200 ms\), created`,
            String.raw`\s+at debounced \(node_modules/rearm/index\.js:\d+:\d+\)`,
            String.raw`\s+at Context\.<anonymous> \(library-timers\.spec\.js:8:5\)`,
          ].join('\n'),
        ),
      );
    });

    it('outlived work names the user line that started the chain, is cancelled, and says what to change', function () {
      expect(run.passed("library timers starts a poller whose first round is unref'd")).to.equal(true);
      expect(run.passed('library timers runs while the poller re-arms, and passes')).to.equal(true);
      expect(run.stderr).to.match(
        new RegExp(
          [
            String.raw`async work outlived its test "library timers starts a poller whose first round is unref'd":`,
            String.raw`\s+Timeout setTimeout\(poll, 50 ms\) created after the scope ended — cleared with clearTimeout`,
            String.raw`\s+at Timeout\.poll .*\(node_modules/rearm/index\.js:\d+:\d+\)`,
            String.raw`\s+via a callback of Timeout setTimeout\(poll, 50 ms\), created`,
            String.raw`\s+at startPoller \(node_modules/rearm/index\.js:\d+:\d+\)`,
            String.raw`\s+at Context\.<anonymous> \(library-timers\.spec\.js:16:5\)`,
            String.raw`\s+hint: .+`,
          ].join('\n'),
        ),
      );
      expect(run.json.stats.failures).to.equal(1);
      expectExitedOnItsOwn(run);
    });
  });

  describe('clean fetch tests print nothing under the other runners', function () {
    it('Jest', async function () {
      const run = await runJest(JEST_VERSIONS[0], ['fetch.test.js']);
      expect(ourLines(run.stderr), run.stderr).to.deep.equal([]);
      expect(run.json.numPassedTests).to.equal(6);
      expect(run.code).to.equal(0);
    });

    it('Vitest', async function () {
      const run = await runVitest({ major: 4, pool: 'threads', files: ['fetch.test.js'] });
      expect(ourLines(run.stderr + run.stdout), run.stderr).to.deep.equal([]);
      expect(run.tests.map((t) => t.status)).to.deep.equal(Array(6).fill('passed'));
      expect(run.code).to.equal(0);
    });

    it('node:test', async function () {
      const run = await runNode(['--test', '--test-reporter=tap', '--import', 'async-isolation/node-test', 'fetch.test.mjs'], {
        cwd: join(FIXTURES, 'node-test'),
        timeoutMs: 60_000,
      });
      expect(ourLines(run.stderr + run.stdout), run.stdout + run.stderr).to.deep.equal([]);
      expect(run.stdout).to.match(/# pass 6\b/);
      expect(run.code).to.equal(0);
    });
  });
});
