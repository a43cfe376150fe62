// Microbenchmarks: each case in its own process (benchmarks/micro.mjs), alternated and medianed.
import { join } from 'node:path';
import { runForOutput } from './process.mjs';
import { median, round } from './stats.mjs';

export const HOOK_CASES = [
  { id: 'hook-timeout', label: 'setTimeout + clearTimeout' },
  { id: 'hook-immediate', label: 'setImmediate (chained)' },
  { id: 'hook-promise', label: 'promise / await' },
  { id: 'hook-connect', label: 'socket connect + destroy (loopback)' },
];

function runCase(ctx, name, variant) {
  const script = join(ctx.root, 'benchmarks', 'micro.mjs');
  const env = { ...process.env };
  for (const key of ['ASYNC_ISOLATION', 'ASYNC_ISOLATION_REPORT', 'NODE_OPTIONS']) delete env[key];
  return runForOutput(ctx.node, ['--expose-gc', script, name, variant, String(ctx.microScale), ctx.dist], { cwd: ctx.root, env }).then(
    (out) => JSON.parse(out.trim().split('\n').pop()),
  );
}

/** Per resource type: the same loop with and without the library, in alternating processes. */
async function hookCosts(ctx) {
  const rows = [];
  for (const { id, label } of HOOK_CASES) {
    const ms = { plain: [], isolation: [] };
    let ops = 0;
    for (let round = 0; round < ctx.warmup + ctx.runs; round++) {
      const order = round % 2 === 0 ? ['plain', 'isolation'] : ['isolation', 'plain'];
      for (const variant of order) {
        const result = await runCase(ctx, id, variant);
        ops = result.ops;
        if (round >= ctx.warmup) ms[variant].push(result.ms);
      }
    }
    const plain = median(ms.plain);
    const isolation = median(ms.isolation);
    rows.push({
      id,
      label,
      ops,
      plainMs: round(plain, 1),
      isolationMs: round(isolation, 1),
      ratio: round(isolation / plain, 3),
      overheadUsPerOp: round(((isolation - plain) * 1000) / ops, 3),
    });
    ctx.log(`  ${label}: ${rows.at(-1).overheadUsPerOp} us/op (${rows.at(-1).ratio}x)`);
  }
  return rows;
}

async function medianOf(ctx, name, pick) {
  const values = [];
  let last;
  for (let i = 0; i < Math.max(1, ctx.runs); i++) {
    last = await runCase(ctx, name, 'isolation');
    values.push(pick(last));
  }
  return { last, median: median(values) };
}

/** All microbenchmarks. */
export async function measureMicro(ctx) {
  ctx.log('microbenchmarks');
  const cost = await medianOf(ctx, 'scope-cost', (r) => r.medianUs);
  ctx.log(`  enter+exit of a clean scope: ${round(cost.median, 2)} us (median)`);
  const state = await medianOf(ctx, 'state-cost', (r) => r.addedUs);
  ctx.log(`  state checks of a clean scope: +${round(state.median, 2)} us (median; ${round(state.last.offUs, 2)} -> ${round(state.last.onUs, 2)} us)`);
  const hooks = await hookCosts(ctx);
  const memory = await runCase(ctx, 'scope-memory', 'isolation');
  ctx.log(`  heap after ${memory.scopes} scopes: ${round(memory.bytesPerScope, 2)} bytes retained per scope`);
  const timers = await runCase(ctx, 'live-timers', 'isolation');
  const plainTimers = await runCase(ctx, 'live-timers', 'plain');
  ctx.log(`  ${timers.timers} live timers: create ${round(timers.createMs, 0)} ms, exit ${round(timers.exitMs, 0)} ms, ${timers.leaks} cancelled`);
  return {
    scopeEnterExitUs: { median: round(cost.median, 2), scopes: cost.last.scopes },
    stateChecksUs: { addedMedian: round(state.median, 2), off: round(state.last.offUs, 2), on: round(state.last.onUs, 2) },
    hookCost: hooks,
    scopeMemory: { ...memory, bytesPerScope: round(memory.bytesPerScope, 2) },
    liveTimers: { isolation: roundAll(timers), plain: roundAll(plainTimers) },
  };
}

function roundAll(obj) {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, typeof v === 'number' ? round(v, 1) : v]));
}
