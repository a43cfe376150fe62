// One microbenchmark case, in its own process (run by benchmarks/run.mjs, with --expose-gc):
//   node --expose-gc benchmarks/micro.mjs <case> <plain|isolation> <scale> <dist dir>
// Prints one JSON object. `plain` never loads the library, so no hook is installed.
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { join } from 'node:path';

const [caseName, variant, rawScale, dist] = process.argv.slice(2);
const scale = Number(rawScale);
const n = (count) => Math.max(1, Math.round(count * scale));
const lib = variant === 'isolation' ? createRequire(import.meta.url)(join(dist, 'index.js')) : undefined;

function gc() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  globalThis.gc();
  globalThis.gc();
}

function heapUsed() {
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs `body` in a scope that never fails (in `isolation`), or bare (in `plain`). */
async function inScope(body) {
  if (lib === undefined) return body();
  let result;
  await lib.withIsolation('bench', async () => {
    result = await body();
  }, { mode: 'manual' });
  return result;
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// --- hook cost per resource type: the same loop, timed, with and without the library -------

async function timeouts(count) {
  for (let i = 0; i < count; i++) clearTimeout(setTimeout(noop, 10000));
}

function immediates(count) {
  return new Promise((resolve) => {
    let left = count;
    const next = () => (--left > 0 ? setImmediate(next) : resolve());
    setImmediate(next);
  });
}

async function awaits(count) {
  const leaf = async (i) => i;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += await leaf(i);
  return sum;
}

async function connects(count, port) {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
    });
  }
}

function noop() {}

const HOOK_CASES = {
  'hook-timeout': { ops: n(100000), run: (ops) => timeouts(ops) },
  'hook-immediate': { ops: n(100000), run: (ops) => immediates(ops) },
  'hook-promise': { ops: n(1000000), run: (ops) => awaits(ops) },
  'hook-connect': {
    ops: n(1000),
    run: async (ops) => {
      // The server exists before the scope, as a shared fixture would: only the clients count.
      const server = net.createServer((s) => s.on('error', noop).resume());
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address();
      try {
        const started = performance.now();
        await inScope(() => connects(ops, port));
        return performance.now() - started;
      } finally {
        server.close();
      }
    },
  },
};

async function hookCase(name) {
  const { ops, run } = HOOK_CASES[name];
  // Warm the code paths first (and install the hook), then time one pass.
  await inScope(() => run(Math.max(1, ops >> 4)));
  if (name === 'hook-connect') return { ops, ms: await run(ops) };
  const started = performance.now();
  await inScope(() => run(ops));
  return { ops, ms: performance.now() - started };
}

// --- per-scope cost and memory ----------------------------------------------------------------

/** enter+exit of clean scopes, timed in batches: median microseconds per scope. */
async function scopeCost() {
  const scopes = n(20000);
  const batch = Math.max(1, Math.min(500, Math.floor(scopes / 20)));
  // The first batches warm the JIT.
  for (let i = 0; i < batch * 2; i++) await lib.withIsolation('clean', noop);
  const perScope = [];
  for (let done = 0; done < scopes; done += batch) {
    const started = performance.now();
    for (let i = 0; i < batch; i++) await lib.withIsolation('clean', noop);
    perScope.push(((performance.now() - started) * 1000) / batch);
  }
  return { scopes, medianUs: median(perScope), minUs: Math.min(...perScope), maxUs: Math.max(...perScope) };
}

/**
 * What the state checks add to a clean scope: batches with every check on (`state: 'manual'`)
 * alternate with batches with them off; median CPU microseconds per scope of each (CPU time:
 * other processes on a busy machine do not count), and the difference.
 */
async function stateCost() {
  const scopes = n(20000);
  const batch = Math.max(1, Math.min(500, Math.floor(scopes / 20)));
  const variants = { off: { state: 'off' }, on: { state: 'manual' } };
  const perScope = { off: [], on: [] };
  for (let done = -2 * batch; done < scopes; done += batch) {
    for (const [name, options] of Object.entries(variants)) {
      const started = process.cpuUsage();
      for (let i = 0; i < batch; i++) await lib.withIsolation('clean', noop, options);
      const used = process.cpuUsage(started);
      // The first rounds warm the JIT.
      if (done >= 0) perScope[name].push((used.user + used.system) / batch);
    }
  }
  const off = median(perScope.off);
  const on = median(perScope.on);
  return { scopes, offUs: off, onUs: on, addedUs: on - off };
}

/** Heap after many finished scopes: should not grow with their number. */
async function scopeMemory() {
  const scopes = n(100000);
  const marks = [0.1, 0.5, 1].map((f) => Math.round(scopes * f));
  const heap = { 0: heapUsed() };
  let done = 0;
  for (const mark of marks) {
    for (; done < mark; done++) await lib.withIsolation('clean', noop);
    heap[mark] = heapUsed();
  }
  const first = marks[0];
  const bytesPerScope = (heap[scopes] - heap[first]) / (scopes - first);
  return { scopes, heapBytes: heap, bytesPerScope };
}

/** Creates `count` live timers (in a scope, with the library), then cancels them all. */
async function createAndCancelTimers(count) {
  const created = performance.now();
  const scope = lib?.enter('timers', { mode: 'manual' });
  const timers = [];
  for (let i = 0; i < count; i++) timers.push(setTimeout(noop, 1e7));
  const createMs = performance.now() - created;
  const heapLive = heapUsed();
  const exited = performance.now();
  let leaks = 0;
  let formatMs = 0;
  if (scope) {
    const report = await lib.exit(scope);
    leaks = report.leaks.length;
    const formatStarted = performance.now();
    lib.formatReport(report, 'test');
    formatMs = performance.now() - formatStarted;
  } else {
    for (const t of timers) clearTimeout(t);
  }
  const exitMs = performance.now() - exited;
  const stillAlive = timers.filter((t) => !t._destroyed).length;
  return { createMs, heapLive, exitMs, formatMs, leaks, stillAlive };
}

/** Many live timers in one scope: tracked, then all cancelled at exit; the heap comes back. */
async function liveTimers() {
  const count = n(100000);
  const heapBefore = heapUsed();
  // Everything (timers, scope, report) is dropped when this returns: the heap after is what stays.
  const result = await createAndCancelTimers(count);
  return { timers: count, ...result, heapBefore, heapAfter: heapUsed() };
}

const CASES = { 'scope-cost': scopeCost, 'state-cost': stateCost, 'scope-memory': scopeMemory, 'live-timers': liveTimers };

async function main() {
  if (!(scale > 0) || (variant !== 'plain' && variant !== 'isolation')) {
    throw new Error('usage: micro.mjs <case> <plain|isolation> <scale> <dist dir>');
  }
  let result;
  if (caseName in HOOK_CASES) result = await hookCase(caseName);
  else if (caseName in CASES) {
    if (lib === undefined && caseName !== 'live-timers') throw new Error(`${caseName} needs the isolation variant`);
    result = await CASES[caseName]();
  } else throw new Error(`unknown case ${caseName}`);
  process.stdout.write(JSON.stringify(result) + '\n');
}

await main();
