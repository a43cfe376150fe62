// Workload sizes, in one place for the suites and for benchmarks/run.mjs (which needs the test
// counts). BENCH_SCALE (a positive number, default 1) multiplies every count, so the smoke test
// can run each suite in milliseconds. Shared by the Mocha, Jest and Vitest runs.

function parseScale(raw) {
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`BENCH_SCALE must be a positive number, got ${JSON.stringify(raw)}`);
  return scale;
}

/** Every workload's counts at `scale`. */
function workloadSizes(scale) {
  const n = (count) => Math.max(1, Math.round(count * scale));
  return {
    promise: { tests: n(100), awaits: n(20000) },
    callback: { tests: n(100), immediates: n(1000), ticks: n(2000), fsCalls: n(200) },
    http: { tests: n(100), requests: n(100) },
    requests: { tests: n(100), requests: n(20) },
    trivial: { tests: n(20000) },
  };
}

module.exports = { parseScale, workloadSizes, sizes: workloadSizes(parseScale(process.env.BENCH_SCALE ?? '1')) };
