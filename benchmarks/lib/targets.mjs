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

/** Each target with the measured value and whether it is met. */
export function checkTargets(result) {
  const checks = [];
  // The trivial-tests workload is judged per test (microseconds), not by its ratio: an empty
  // test costs the runner itself only ~30 us, so any fixed cost is a large fraction of it.
  const isolation = result.suites.flatMap((s) =>
    s.workload === 'trivial'
      ? []
      : s.variants.filter((v) => v.role === 'isolation' && v.ratio !== undefined).map((v) => ({ ...v, runner: s.runner, workload: s.workload })),
  );
  if (isolation.length > 0) {
    const worst = isolation.reduce((a, b) => (judged(b) > judged(a) ? b : a));
    const target = ratioTarget(result.nodeMajor);
    checks.push({
      target: `worst workload (promise, callback, http) <= ${target}x`,
      measured: `${both(worst)} (${worst.runner}, ${worst.workload})`,
      met: judged(worst) <= target,
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
  for (const v of trivial) {
    checks.push({
      target: `per-test overhead in ${v.runner} <= ${PER_TEST_TARGET_US} us`,
      measured: `${v.perTestUs} us`,
      met: v.perTestUs <= PER_TEST_TARGET_US,
    });
  }
  return checks;
}
