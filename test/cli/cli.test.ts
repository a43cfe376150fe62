import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMocha } from '../support/mocha';
import { expectValidReport } from '../support/report-schema';
import type { RunResult } from '../support/run';
import { CLI, cli } from './run-cli';

const MOCHA_SPECS = join('test', 'fixtures', 'mocha');

function expectNoStack(run: RunResult): void {
  expect(run.stderr).not.to.match(/^\s+at /m);
}

/** A report written by a real Mocha run of fixture specs. */
async function mochaReport(dir: string, name: string, specs: string[], env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<string> {
  const path = join(dir, name);
  await runMocha(specs, { env: { ...env, ASYNC_ISOLATION_REPORT: path }, args });
  return path;
}

describe('the async-isolation command line', function () {
  this.timeout(120_000);
  let dir: string;
  let leaky: string;
  let warned: string;
  let clean: string;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'async-isolation-cli-'));
    [leaky, warned, clean] = await Promise.all([
      mochaReport(dir, 'leaky.json', ['timers.spec.js', 'outlived.spec.js', 'retries.spec.js']),
      mochaReport(dir, 'warned.json', ['timers.spec.js'], { ASYNC_ISOLATION: 'warn' }),
      mochaReport(dir, 'clean.json', ['timers.spec.js'], {}, ['--grep', 'clean test']),
    ]);
  });

  describe('report', function () {
    it('summarises the totals and each test that leaked, with its creation sites; exit code 1', async function () {
      const run = await cli(['report', leaky]);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stdout).to.match(
        /^async-isolation: 18 tests and suites: 3 failed because of leaks\n  4 resources kept the process alive in 4 tests or suites; 1 left only unref'd or idle ones; 1 outlived its test; 0 failed cleanups\n/,
      );
      expect(run.stdout).to.include(
        [
          '✖ orders › retries the payment — failed because of its leaks',
          '  mocha, timers.spec.js',
          '  test leaked 1 async resource (cancelled)',
          '    Timeout   setInterval(fn, 5 ms) — cleared with clearInterval',
          '      at Context.<anonymous> (timers.spec.js:7:5)',
          '    hint: clear timers in the test or an afterEach',
        ].join('\n'),
      );
      expect(run.stdout).to.include(
        [
          '⚠ outlived › leaves a continuation that creates a timer after it ended — not failing',
          '  mocha, outlived.spec.js',
          '  outlived: Timeout setTimeout(createdLate, 60000 ms) created after the scope ended — cleared with clearTimeout',
          '      at outlived.spec.js:6:21',
        ].join('\n'),
      );
      expect(run.stdout).to.include('⚠ retries › leaks on its first attempt only, then passes — retried after failing on its own, and leaked');
      expect(run.stdout).not.to.include('clean test');
    });

    it('exits 0 when leaks were only reported (warn mode), and says so', async function () {
      const run = await cli(['report', warned]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.include('0 failed because of leaks');
      expect(run.stdout).to.include('⚠ orders › retries the payment — not failing (mode warn)');
    });

    it('exits 0 on a clean report and lists no test', async function () {
      const run = await cli(['report', clean]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.equal(
        "async-isolation: 2 tests and suites: 0 failed because of leaks\n  0 resources kept the process alive in 0 tests or suites; 0 left only unref'd or idle ones; 0 outlived their tests; 0 failed cleanups\n",
      );
    });

    it('--format github: an annotation at each creation site, paths relative to the working directory', async function () {
      const run = await cli(['report', leaky, '--format', 'github']);
      expect(run.code, run.stderr).to.equal(1);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines).to.include(
        `::error file=${MOCHA_SPECS}/timers.spec.js,line=7,col=5,title=async-isolation%3A orders › retries the payment leaked::` +
          'Timeout setInterval(fn, 5 ms) — cleared with clearInterval%0Aat Context.<anonymous> (timers.spec.js:7:5)',
      );
      expect(lines).to.include(
        `::warning file=${MOCHA_SPECS}/outlived.spec.js,line=6,col=21,title=async-isolation%3A outlived › leaves a continuation that creates a timer after it ended did async work after it ended::` +
          'Timeout setTimeout(createdLate, 60000 ms) created after the scope ended — cleared with clearTimeout%0Aat outlived.spec.js:6:21',
      );
      expect(lines.every((l) => /^::(error|warning) file=[^,]+,line=\d+,col=\d+,title=[^:]+::\S/.test(l)), run.stdout).to.equal(true);
      const warnedRun = await cli(['report', warned, '--format', 'github']);
      expect(warnedRun.stdout).to.match(/^::warning file=test\/fixtures\/mocha\/timers\.spec\.js,line=7,col=5,/);
      expect((await cli(['report', clean, '--format', 'github'])).stdout).to.equal('');
    });

    it('--format markdown: the totals and a table for $GITHUB_STEP_SUMMARY', async function () {
      const run = await cli(['report', leaky, '--format', 'markdown']);
      expect(run.code, run.stderr).to.equal(1);
      const lines = run.stdout.split('\n');
      expect(lines[0]).to.equal('### async-isolation: 18 tests and suites: 3 failed because of leaks');
      expect(lines).to.include('| Test or suite | File | Outcome | What | Details | Created at |');
      expect(lines).to.include(
        `| orders › retries the payment | ${MOCHA_SPECS}/timers.spec.js | failed by leaks | leak | Timeout setInterval(fn, 5 ms) — cleared with clearInterval | \`${MOCHA_SPECS}/timers.spec.js:7:5\` |`,
      );
    });

    it('--format json: the findings with their sites, and the totals', async function () {
      const run = await cli(['report', leaky, '--format', 'json']);
      expect(run.code, run.stderr).to.equal(1);
      const out = JSON.parse(run.stdout);
      const report = JSON.parse(readFileSync(leaky, 'utf8'));
      expect(out.totals).to.deep.equal(report.totals);
      const payment = out.findings.find((f: any) => f.title.at(-1) === 'retries the payment');
      expect(payment).to.deep.include({
        level: 'error',
        what: 'leak',
        runner: 'mocha',
        file: `${MOCHA_SPECS}/timers.spec.js`,
        outcome: 'failed',
        runnerOutcome: 'passed',
        failedByLeaks: true,
        site: { file: `${MOCHA_SPECS}/timers.spec.js`, line: 7, column: 5 },
      });
    });
  });

  describe('merge', function () {
    it('merging a report with itself changes nothing, retried attempts included', async function () {
      const out = join(dir, 'twice.json');
      const run = await cli(['merge', leaky, leaky, '-o', out]);
      expect(run.code, run.stderr).to.equal(0);
      const report = JSON.parse(readFileSync(leaky, 'utf8'));
      const merged = JSON.parse(readFileSync(out, 'utf8'));
      expectValidReport(merged);
      const retried = report.entries.filter((e: any) => e.title.at(-1) === 'leaks on its first attempt only, then passes');
      expect(retried.map((e: any) => e.runnerOutcome)).to.deep.equal(['retried', 'passed']);
      expect(merged.entries).to.deep.equal(report.entries);
      expect(merged.totals).to.deep.equal(report.totals);
    });

    it('merging a part that is already in the merge changes nothing; without -o it writes to stdout', async function () {
      const both = join(dir, 'both.json');
      expect((await cli(['merge', leaky, warned, '-o', both])).code).to.equal(0);
      const again = await cli(['merge', both, warned]);
      expect(again.code, again.stderr).to.equal(0);
      const merged = JSON.parse(readFileSync(both, 'utf8'));
      expect(JSON.parse(again.stdout).entries).to.deep.equal(merged.entries);
      // The same tests in both parts (the same file, run twice): one set of entries, the first part's.
      expect(merged.entries).to.deep.equal(JSON.parse(readFileSync(leaky, 'utf8')).entries);
    });
  });

  describe('bad input: a clear message and exit code 2, never a stack trace', function () {
    async function expectBadInput(args: string[], message: string | RegExp): Promise<RunResult> {
      const run = await cli(args);
      expect(run.code, run.stderr).to.equal(2);
      if (typeof message === 'string') expect(run.stderr).to.include(message);
      else expect(run.stderr).to.match(message);
      expectNoStack(run);
      expect(run.stdout).to.equal('');
      return run;
    }

    it('a missing file', async function () {
      const missing = join(dir, 'missing.json');
      await expectBadInput(['report', missing], `async-isolation: ${missing}: no such file\n`);
      await expectBadInput(['merge', leaky, missing, '-o', join(dir, 'x.json')], `${missing}: no such file`);
    });

    it('a directory, a file that is not JSON, JSON that is not a report, a report of another format version', async function () {
      await expectBadInput(['report', dir], `${dir}: is a directory, not a report file`);
      const text = join(dir, 'text.json');
      writeFileSync(text, 'FAIL orders.test.js\n');
      await expectBadInput(['report', text], /: not an async-isolation report: not JSON \(/);
      const other = join(dir, 'other.json');
      writeFileSync(other, JSON.stringify({ stats: { tests: 3 } }));
      await expectBadInput(['report', other], `${other}: not an async-isolation report: it has no "version": 2`);
      const old = join(dir, 'v1.json');
      writeFileSync(old, JSON.stringify({ version: 1, node: 'v20.0.0', createdAt: '', totals: {}, entries: [] }));
      await expectBadInput(['merge', old], 'it is format version 1, written by another version of async-isolation; this one reads version 2');
      const broken = join(dir, 'broken.json');
      const report = JSON.parse(readFileSync(leaky, 'utf8'));
      report.entries[1].report = null;
      writeFileSync(broken, JSON.stringify(report));
      await expectBadInput(['report', broken], 'not an async-isolation report: entries[1].report is not a leak report');
    });

    it('an unknown format, command or option; no file; options of the other command', async function () {
      const format = await expectBadInput(['report', leaky, '--format', 'xml'], 'unknown --format "xml": use text, github, markdown or json');
      expect(format.stderr).to.include('usage: async-isolation report');
      await expectBadInput(['show', leaky], 'unknown command "show": use report or merge');
      await expectBadInput(['report', leaky, '--bogus'], "Unknown option '--bogus'");
      await expectBadInput(['report'], 'report needs at least one report file');
      await expectBadInput(['merge', '-o', join(dir, 'none.json')], 'merge needs at least one report file');
      await expectBadInput(['merge', leaky, '--format', 'github'], '--format is for report');
      await expectBadInput(['report', leaky, '-o', join(dir, 'r.json')], '-o is for merge');
      await expectBadInput([], 'usage: async-isolation report');
    });

    it('an output path that cannot be written', async function () {
      await expectBadInput(['merge', leaky, '-o', join(leaky, 'merged.json')], `cannot write ${join(leaky, 'merged.json')}: `);
    });

    it('a reader that stops early (| head): no EPIPE error, the exit code unchanged', async function () {
      const report = JSON.parse(readFileSync(leaky, 'utf8')) as { entries: { title: string[] }[] };
      // Far more than a pipe holds, so the writes outlive the reader.
      const one = report.entries;
      report.entries = Array.from({ length: 400 }, (_, n) => one.map((e) => ({ ...e, title: [...e.title, `copy ${n}`] }))).flat();
      const big = join(dir, 'big.json');
      writeFileSync(big, JSON.stringify(report));
      const child = spawn(process.execPath, [CLI, 'report', big], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout.once('data', () => child.stdout.destroy());
      const [code] = (await once(child, 'close')) as [number | null];
      expect(stderr).to.equal('');
      expect(code).to.equal(1);
    });

    it('--help prints the usage and exits 0', async function () {
      const run = await cli(['--help']);
      expect(run.code).to.equal(0);
      expect(run.stdout).to.match(/^usage: async-isolation report <report\.json>\.\.\. \[--format text\|github\|markdown\|json\]/);
    });
  });
});
