// Command-line flags (and their environment twins) of benchmarks/run.mjs.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const WORKLOADS = ['promise', 'callback', 'http', 'requests', 'trivial'];
export const RUNNERS = ['mocha', 'jest', 'vitest'];

export const USAGE = `usage: node benchmarks/run.mjs [options]
  --workloads a,b   ${WORKLOADS.join(',')} (default all; env BENCH_WORKLOADS)
  --runners a,b     ${RUNNERS.join(',')} (default all; env BENCH_RUNNERS)
  --runs N          measured runs per variant (default 3; env BENCH_RUNS)
  --warmup N        runs per variant discarded first (default 1; env BENCH_WARMUP)
  --reference-runs N  measured runs of jest --detectOpenHandles / vitest --detectAsyncLeaks,
                    which are many times slower (default 1, at most --runs; env BENCH_REFERENCE_RUNS)
  --scale X         multiplies every workload's size (default 1; env BENCH_SCALE)
  --micro-scale X   multiplies the microbenchmarks' counts (default 1; env BENCH_MICRO_SCALE)
  --max-run-seconds S  a run taking longer is stopped, its ratio reported as a lower bound
                    (default 30; env BENCH_MAX_RUN_SECONDS): detectAsyncLeaks on the promise
                    workload takes many minutes
  --startup-runs N  pairs of start-up runs per entry point, alone and with it (default 10;
                    env BENCH_STARTUP_RUNS)
  --no-suites       no suite workloads
  --no-micro        no microbenchmarks
  --no-startup      no start-up measurement
  --node PATH       Node binary to benchmark under (default this one; env BENCH_NODE)
  --out DIR         where results go (default benchmarks/results; env BENCH_OUT)
  --dist DIR        the built library to measure (default dist/; env BENCH_DIST), e.g. to A/B a change
  --help`;

class UsageError extends Error {}
export { UsageError };

function list(name, raw, allowed) {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = items.filter((i) => !allowed.includes(i));
  if (items.length === 0 || unknown.length > 0) {
    throw new UsageError(`--${name}: expected a comma-separated subset of ${allowed.join(',')}, got ${JSON.stringify(raw)}`);
  }
  return items;
}

function count(name, raw, min) {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

function positive(name, raw) {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name}: expected a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

/** Parses argv (flags win over environment variables). Throws UsageError on bad input. */
export function parseOptions(argv, env, defaultOut) {
  const raw = {
    workloads: env.BENCH_WORKLOADS,
    runners: env.BENCH_RUNNERS,
    runs: env.BENCH_RUNS,
    warmup: env.BENCH_WARMUP,
    'reference-runs': env.BENCH_REFERENCE_RUNS,
    scale: env.BENCH_SCALE,
    'micro-scale': env.BENCH_MICRO_SCALE,
    node: env.BENCH_NODE,
    out: env.BENCH_OUT,
    dist: env.BENCH_DIST,
    'max-run-seconds': env.BENCH_MAX_RUN_SECONDS,
    'startup-runs': env.BENCH_STARTUP_RUNS,
  };
  const flags = { suites: true, micro: true, startup: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') flags.help = true;
    else if (arg === '--no-suites') flags.suites = false;
    else if (arg === '--no-micro') flags.micro = false;
    else if (arg === '--no-startup') flags.startup = false;
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (!(name in raw)) throw new UsageError(`unknown option ${arg}\n${USAGE}`);
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      raw[name] = value;
    } else {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  const node = resolve(raw.node ?? process.execPath);
  if (!existsSync(node)) throw new UsageError(`--node: no such file ${node}`);
  if (!flags.suites && !flags.micro && !flags.startup) throw new UsageError('--no-suites, --no-micro and --no-startup together leave nothing to run');
  return {
    help: flags.help,
    suites: flags.suites,
    micro: flags.micro,
    startup: flags.startup,
    startupRuns: raw['startup-runs'] === undefined ? 10 : count('startup-runs', raw['startup-runs'], 1),
    workloads: raw.workloads === undefined ? WORKLOADS : list('workloads', raw.workloads, WORKLOADS),
    runners: raw.runners === undefined ? RUNNERS : list('runners', raw.runners, RUNNERS),
    runs: raw.runs === undefined ? 3 : count('runs', raw.runs, 1),
    warmup: raw.warmup === undefined ? 1 : count('warmup', raw.warmup, 0),
    referenceRuns: raw['reference-runs'] === undefined ? 1 : count('reference-runs', raw['reference-runs'], 1),
    scale: raw.scale === undefined ? 1 : positive('scale', raw.scale),
    microScale: raw['micro-scale'] === undefined ? 1 : positive('micro-scale', raw['micro-scale']),
    node,
    out: resolve(raw.out ?? defaultOut),
    dist: raw.dist === undefined ? undefined : resolve(raw.dist),
    maxRunMs: (raw['max-run-seconds'] === undefined ? 30 : positive('max-run-seconds', raw['max-run-seconds'])) * 1000,
  };
}
