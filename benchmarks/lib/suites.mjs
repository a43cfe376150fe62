// Suite-level workloads: whole runner processes, variants alternated round by round, the
// first `warmup` rounds discarded, medians compared with the runner alone.
import { createRequire } from 'node:module';
import { timeProcess } from './process.mjs';
import { median, round } from './stats.mjs';
import { variantsFor } from './variants.mjs';

const require = createRequire(import.meta.url);
const { workloadSizes } = require('../suites/size.js');

function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function childEnv(extra, scale) {
  const env = { ...process.env, BENCH_SCALE: String(scale), ...extra };
  // The bench's own environment must not leak into the runs.
  for (const key of ['ASYNC_ISOLATION_REPORT', 'NODE_OPTIONS', 'FORCE_COLOR']) delete env[key];
  if (!('ASYNC_ISOLATION' in extra)) delete env.ASYNC_ISOLATION;
  return env;
}

/** Measures every variant of `runner` on `workload`. */
export async function measureSuite({ runner, workload, root, dist, node, runs, warmup, referenceRuns, scale, maxRunMs, log }) {
  const variants = variantsFor(runner, root, dist, workload);
  const times = new Map(variants.map((v) => [v.id, []]));
  const cpuTimes = new Map(variants.map((v) => [v.id, []]));
  const failures = new Map();
  const timedOut = new Set();
  for (let round = 0; round < warmup + runs; round++) {
    for (const variant of rotate(variants, round)) {
      if (failures.has(variant.id) || timedOut.has(variant.id)) continue;
      // The runners' own detectors are reference lines, several times slower: they run only in
      // the last `referenceRuns` rounds (warm by then: the runner itself has run before).
      if (variant.role === 'reference' && round < warmup + runs - Math.min(referenceRuns, runs)) continue;
      const result = await timeProcess(node, variant.args, { cwd: root, env: childEnv(variant.env, scale), timeoutMs: maxRunMs });
      if (result.timedOut) {
        // A detector this slow is not re-run: its ratio is reported as a lower bound.
        timedOut.add(variant.id);
        log(`  ${runner}/${workload} ${variant.label}: stopped after ${Math.round(maxRunMs / 1000)} s`);
        continue;
      }
      if (result.code !== 0) {
        failures.set(variant.id, `exit ${result.code ?? result.signal}: ${(result.stderr || result.stdout).trim().slice(-600)}`);
        log(`  ${runner}/${workload} ${variant.label}: FAILED (${failures.get(variant.id).split('\n')[0]})`);
        continue;
      }
      if (round >= warmup) {
        times.get(variant.id).push(result.ms);
        if (result.cpuMs !== undefined) cpuTimes.get(variant.id).push(result.cpuMs);
      }
    }
  }
  const tests = workloadSizes(scale)[workload].tests;
  const baseline = times.get('plain');
  const baseMedian = baseline.length > 0 ? median(baseline) : undefined;
  const baseCpu = cpuTimes.get('plain');
  const baseCpuMedian = baseCpu.length > 0 ? median(baseCpu) : undefined;
  const results = variants.map((v) => {
    const ms = times.get(v.id);
    const out = { id: v.id, label: v.label, role: v.role, runsMs: ms.map((t) => round(t, 1)) };
    if (failures.has(v.id)) out.error = failures.get(v.id);
    if (timedOut.has(v.id)) {
      out.stoppedAfterMs = maxRunMs;
      if (baseMedian !== undefined) out.ratioAtLeast = round(maxRunMs / baseMedian, 1);
    }
    if (ms.length > 0) {
      const m = median(ms);
      out.medianMs = round(m, 1);
      if (baseMedian !== undefined) {
        out.ratio = round(m / baseMedian, 3);
        out.perTestUs = round(((m - baseMedian) * 1000) / tests, 1);
      }
      const cpu = cpuTimes.get(v.id);
      if (cpu.length > 0 && baseCpuMedian !== undefined) {
        out.cpuMedianMs = round(median(cpu), 1);
        out.cpuRatio = round(median(cpu) / baseCpuMedian, 3);
        out.perTestCpuUs = round(((median(cpu) - baseCpuMedian) * 1000) / tests, 1);
      }
    }
    return out;
  });
  const line = results
    .map((r) =>
      r.ratioAtLeast !== undefined
        ? `${r.label} > ${r.ratioAtLeast}x (stopped)`
        : `${r.label} ${r.medianMs ?? '-'} ms${r.ratio ? ` (${r.ratio}x${r.cpuRatio ? `, cpu ${r.cpuRatio}x` : ''})` : ''}`,
    )
    .join(', ');
  log(`  ${runner}/${workload}: ${line}`);
  return { runner, workload, tests, variants: results };
}
