// Start-up: what each entry point adds to one process of its runner, on a file with one empty
// test. Runner alone and with the entry alternate run by run; each pair's CPU difference is
// one sample (a slow spell of the machine hits both halves of a pair), and the median of the
// samples is the cost. CPU time comes from the process itself at exit (µs resolution).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { timeProcess } from './process.mjs';
import { median, round } from './stats.mjs';

/** Each entry point: the runner's own command line, and the same with the entry added. */
function startupEntries(root, dist) {
  const probe = ['--require', join(root, 'benchmarks', 'lib', 'cpu-at-exit.cjs')];
  const suites = join(root, 'benchmarks', 'suites');
  const benchFile = join(suites, 'startup.bench.js');
  const mocha = [join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--no-package', '--reporter', 'dot'];
  const jest = [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', join(root, 'benchmarks', 'config', 'jest.config.cjs'), '--runInBand', '--silent'];
  // Threads, not forks: the workers' CPU time is then the measured process's own.
  const vitest = [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(root, 'benchmarks', 'config', 'vitest.config.mjs'), '--reporter', 'dot', '--pool', 'threads'];
  const suite = { BENCH_SUITE: 'startup' };
  return [
    {
      id: 'mocha',
      label: 'Mocha `--require async-isolation/register`',
      plain: { args: [...probe, ...mocha, benchFile], env: {} },
      with: { args: [...probe, ...mocha, '--require', join(dist, 'register.js'), benchFile], env: {} },
    },
    {
      id: 'node-test',
      label: 'node:test `node --import async-isolation/node-test`',
      plain: { args: [...probe, join(suites, 'startup.test.mjs')], env: {} },
      with: { args: [...probe, '--import', pathToFileURL(join(dist, 'node-test.mjs')).href, join(suites, 'startup.test.mjs')], env: {} },
    },
    {
      id: 'jest',
      label: "Jest `testEnvironment: 'async-isolation/jest'`",
      plain: { args: [...probe, ...jest], env: suite },
      with: { args: [...probe, ...jest], env: { ...suite, BENCH_JEST_ENV: join(dist, 'jest.js') } },
    },
    {
      id: 'vitest',
      label: "Vitest `setupFiles: ['async-isolation/vitest']`",
      plain: { args: [...probe, ...vitest], env: suite },
      with: { args: [...probe, ...vitest], env: { ...suite, BENCH_VITEST_SETUP: join(dist, 'vitest.js') } },
    },
  ];
}

function childEnv(extra, cpuFile) {
  const env = { ...process.env, ...extra, BENCH_CPU_FILE: cpuFile };
  for (const key of ['ASYNC_ISOLATION', 'ASYNC_ISOLATION_REPORT', 'NODE_OPTIONS', 'FORCE_COLOR']) delete env[key];
  return env;
}

async function cpuMsOf(ctx, run, cpuFile) {
  rmSync(cpuFile, { force: true });
  const result = await timeProcess(ctx.node, run.args, { cwd: ctx.root, env: childEnv(run.env, cpuFile), timeoutMs: ctx.maxRunMs });
  if (result.code !== 0 || result.timedOut) {
    throw new Error(`exit ${result.timedOut ? 'timed out' : (result.code ?? result.signal)}: ${(result.stderr || result.stdout).trim().slice(-600)}`);
  }
  return Number(readFileSync(cpuFile, 'utf8')) / 1000;
}

/** Quartiles of a list (for how far the samples spread). */
function quartiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))];
  return [at(0.25), at(0.75)];
}

/** Start-up cost of every entry point whose adapter is built. */
export async function measureStartup(ctx) {
  ctx.log(`start-up (${ctx.startupRuns} pairs per entry point)`);
  const dir = mkdtempSync(join(tmpdir(), 'async-isolation-startup-'));
  const cpuFile = join(dir, 'cpu');
  const rows = [];
  try {
    for (const entry of startupEntries(ctx.root, ctx.dist)) {
      if (ctx.adapters[entry.id === 'node-test' ? 'nodeTest' : entry.id] === false) continue;
      const plain = [];
      const added = [];
      const withEntry = [];
      try {
        for (let round = 0; round < ctx.warmup + ctx.startupRuns; round++) {
          const order = round % 2 === 0 ? ['plain', 'with'] : ['with', 'plain'];
          const ms = {};
          for (const side of order) ms[side] = await cpuMsOf(ctx, entry[side], cpuFile);
          if (round < ctx.warmup) continue;
          plain.push(ms.plain);
          withEntry.push(ms.with);
          added.push(ms.with - ms.plain);
        }
      } catch (error) {
        rows.push({ id: entry.id, label: entry.label, error: String(error.message ?? error) });
        ctx.log(`  ${entry.id}: FAILED (${String(error.message ?? error).split('\n')[0]})`);
        continue;
      }
      const [low, high] = quartiles(added);
      const row = {
        id: entry.id,
        label: entry.label,
        pairs: added.length,
        plainCpuMs: round(median(plain), 1),
        withCpuMs: round(median(withEntry), 1),
        addedCpuMs: round(median(added), 1),
        addedQuartilesMs: [round(low, 1), round(high, 1)],
      };
      rows.push(row);
      ctx.log(`  ${entry.id}: ${row.plainCpuMs} ms alone, +${row.addedCpuMs} ms CPU with the entry (quartiles ${row.addedQuartilesMs.join(' .. ')})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
