// Preloaded (`node --require`) into the start-up runs, with and without the library alike:
// writes the process's CPU time (user + system, all its threads, in µs) to BENCH_CPU_FILE as it
// exits. Microsecond resolution, where GNU time prints hundredths of a second.
const { writeFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');

const file = process.env.BENCH_CPU_FILE;
if (isMainThread && file) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(file, String(user + system));
  });
}
