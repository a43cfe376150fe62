// The targets, checked against one Node version's results.

/** Worst-workload ratio allowed for async-isolation on this Node major. */
export function ratioTarget(nodeMajor) {
  return nodeMajor >= 24 ? 1.1 : 1.25;
}

export const PER_TEST_TARGET_US = 20;
/** Heap growth per finished scope that still counts as flat (allocator noise). */
export const FLAT_HEAP_BYTES_PER_SCOPE = 16;

/**
 * The ratio a target is judged on: CPU time where it was measured (the library's whole cost,
 * all threads, and far less moved by other load on the machine than wall time), else wall.
 */
function judged(variant) {
  return variant.cpuRatio ?? variant.ratio;
}

function both(variant) {
  return variant.cpuRatio === undefined ? `${variant.ratio}x` : `CPU ${variant.cpuRatio}x, wall ${variant.ratio}x`;
}

export const STARTUP_TARGET_MS = 10;

/**
 * A workload's ratio as the target judges it. On Node >= 24 the ratio itself. On Node 20/22,
 * where any async hook sees every promise, the ratio over Node's floor (an empty hook, measured
 * under Mocha); the runners measured without a floor are judged on their plain ratio, which
 * can only be stricter (the floor is never below 1).
 */
function judgedAgainstFloor(variant, floor, nodeMajor) {
  const ratio = judged(variant);
  if (nodeMajor >= 24 || floor === undefined) return { value: ratio, text: both(variant) };
  const value = Math.round((ratio / judged(floor)) * 1000) / 1000;
  return { value, text: `${value}x of the floor (${both(variant)}; floor ${both(floor)})` };
}

/** Each target with the measured value and whether it is met. */
export function checkTargets(result) {
  const checks = [];
  const target = ratioTarget(result.nodeMajor);
  // The trivial-tests workload is judged per test (microseconds), not by its ratio: an empty
  // test costs the runner itself only ~30 us, so any fixed cost is a large fraction of it.
  for (const workload of [...new Set(result.suites.map((s) => s.workload))].filter((w) => w !== 'trivial')) {
    const measured = result.suites
      .filter((s) => s.workload === workload)
      .flatMap((s) => {
        const variant = s.variants.find((v) => v.role === 'isolation' && v.ratio !== undefined);
        const floor = s.variants.find((v) => v.role === 'floor' && v.ratio !== undefined);
        return variant === undefined ? [] : [{ runner: s.runner, ...judgedAgainstFloor(variant, floor, result.nodeMajor) }];
      });
    if (measured.length === 0) continue;
    const worst = measured.reduce((a, b) => (b.value > a.value ? b : a));
    checks.push({
      target: `${workload} workload <= ${target}x${result.nodeMajor >= 24 ? '' : " of Node's floor"} (worst runner)`,
      measured: `${worst.text} (${worst.runner})`,
      met: worst.value <= target,
    });
  }
  for (const row of result.startup ?? []) {
    if (row.error !== undefined) {
      checks.push({ target: `start-up: ${row.label} adds <= ${STARTUP_TARGET_MS} ms`, measured: 'failed', met: false });
      continue;
    }
    checks.push({
      target: `start-up: ${row.label} adds <= ${STARTUP_TARGET_MS} ms`,
      measured: `${row.addedCpuMs < 0 ? '' : '+'}${row.addedCpuMs} ms CPU (quartiles ${row.addedQuartilesMs[0]} .. ${row.addedQuartilesMs[1]}; ${row.plainCpuMs} ms alone)`,
      met: row.addedCpuMs <= STARTUP_TARGET_MS,
    });
  }
  const off = result.suites.flatMap((s) => s.variants.filter((v) => v.role === 'off' && v.ratio !== undefined));
  if (off.length > 0) {
    const worst = Math.max(...off.map(judged));
    // Whole-process timings jitter by a few percent: "1.00" means within that noise.
    checks.push({ target: 'ASYNC_ISOLATION=off: ratio 1.00 (± 0.05)', measured: off.map(both).join('; '), met: worst <= 1.05 });
  }
  const micro = result.micro;
  if (micro) {
    checks.push({
      target: `enter+exit of a clean scope <= ${PER_TEST_TARGET_US} us`,
      measured: `${micro.scopeEnterExitUs.median} us`,
      met: micro.scopeEnterExitUs.median <= PER_TEST_TARGET_US,
    });
    checks.push({
      target: `heap flat over ${micro.scopeMemory.scopes} scopes`,
      measured: `${micro.scopeMemory.bytesPerScope} bytes/scope`,
      met: micro.scopeMemory.bytesPerScope <= FLAT_HEAP_BYTES_PER_SCOPE,
    });
    const t = micro.liveTimers.isolation;
    checks.push({
      target: `${t.timers} live timers tracked and cancelled`,
      measured: `${t.leaks} reported, ${t.stillAlive} left alive; create ${t.createMs} ms, exit ${t.exitMs} ms`,
      met: t.leaks === t.timers && t.stillAlive === 0,
    });
  }
  const trivial = result.suites.flatMap((s) =>
    s.workload === 'trivial' ? s.variants.filter((v) => v.role === 'isolation' && v.perTestUs !== undefined).map((v) => ({ ...v, runner: s.runner })) : [],
  );
  // Judged on CPU time where it was measured, like the ratios: on a busy machine the wall-time
  // difference of two 1-3 s runs swings by tens of µs per test either way.
  for (const v of trivial) {
    const perTest = v.perTestCpuUs ?? v.perTestUs;
    checks.push({
      target: `per-test overhead in ${v.runner} <= ${PER_TEST_TARGET_US} us`,
      measured: v.perTestCpuUs === undefined ? `${v.perTestUs} us` : `CPU ${v.perTestCpuUs} us, wall ${v.perTestUs} us`,
      met: perTest <= PER_TEST_TARGET_US,
    });
  }
  return checks;
}
