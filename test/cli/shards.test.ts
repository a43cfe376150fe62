import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JEST_VERSIONS, runJest } from '../jest/run-jest';
import { expectValidReport } from '../support/report-schema';
import { runVitest } from '../vitest/support';
import { cli } from './run-cli';

/** An entry with what differs between two runs of the same tests left out: timings, ports, promise counts. */
function comparable(entry: any): string {
  const { durationMs, promises, ...report } = entry.report;
  const port = (leak: any) => ({ ...leak, description: leak.description.replace(/(127\.0\.0\.1|localhost):\d+/g, '$1:PORT') });
  return JSON.stringify({ ...entry, report: { ...report, leaks: report.leaks.map(port), unref: report.unref.map(port) } });
}

/** The entries of a report, up to order and timings. */
function entriesOf(report: any): string[] {
  return report.entries.map(comparable).sort();
}

/**
 * Runs the same files unsharded and as two shards (`--shard=1/2`, `--shard=2/2`, one report
 * each), merges the shards' reports with `async-isolation merge` and compares.
 */
async function expectShardsMergeIntoTheWhole(run: (args: string[]) => Promise<any>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'async-isolation-shards-'));
  const [whole, first, second] = await Promise.all([run([]), run(['--shard=1/2']), run(['--shard=2/2'])]);
  const parts = [first, second].map((report, i) => {
    expect(report.entries.length, `shard ${i + 1} ran no test`).to.be.greaterThan(0);
    const path = join(dir, `shard-${i + 1}.json`);
    writeFileSync(path, JSON.stringify(report));
    return path;
  });
  const out = join(dir, 'all.json');
  const merge = await cli(['merge', ...parts, '-o', out]);
  expect(merge.code, merge.stderr).to.equal(0);
  const merged = JSON.parse(readFileSync(out, 'utf8'));
  expectValidReport(merged);
  expect(entriesOf(merged)).to.deep.equal(entriesOf(whole));
  expect(merged.totals).to.deep.equal(whole.totals);
  expect(merged.totals.failedByLeaks).to.be.greaterThan(0);
  // The merged report says the same as the unsharded one, exit code included.
  const wholePath = join(dir, 'whole.json');
  writeFileSync(wholePath, JSON.stringify(whole));
  const [fromShards, fromWhole] = await Promise.all([cli(['report', out]), cli(['report', wholePath])]);
  expect(fromShards.code).to.equal(1);
  const tests = (stdout: string) => stdout.trimEnd().split('\n\n').slice(1).sort();
  expect(tests(fromShards.stdout)).to.deep.equal(tests(fromWhole.stdout));
}

describe('async-isolation merge: reports of --shard runs merge into the unsharded run’s', function () {
  this.timeout(300_000);

  it('Jest --shard=1/2 and --shard=2/2', async function () {
    const files = ['timers.test.js', 'suites.test.js', 'concurrent.test.js', 'fake-timers.test.js'];
    await expectShardsMergeIntoTheWhole(async (args) => {
      const path = join(mkdtempSync(join(tmpdir(), 'async-isolation-jest-shard-')), 'leaks.json');
      await runJest(JEST_VERSIONS[0]!, files, { args: ['--maxWorkers=2', ...args], env: { ASYNC_ISOLATION_REPORT: path } });
      return JSON.parse(readFileSync(path, 'utf8'));
    });
  });

  it('Vitest --shard=1/2 and --shard=2/2', async function () {
    const files = ['timers.test.js', 'concurrent.test.js', 'fake-timers.test.js', 'second.test.js'];
    await expectShardsMergeIntoTheWhole(async (args) => {
      const run = await runVitest({ major: 4, pool: 'threads', files, args, report: true });
      expect(run.report, `no report (exit ${run.code}):\n${run.stderr}`).to.be.an('object');
      return run.report;
    });
  });
});
