// Vitest config of the benchmark runs. BENCH_VITEST_SETUP names a setupFiles module (the
// async-isolation one in its variant); BENCH_SUITE the one suite file to run.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const suites = fileURLToPath(new URL('../suites/', import.meta.url));
const setup = process.env.BENCH_VITEST_SETUP;

export default defineConfig({
  test: {
    root: suites,
    include: [`**/${process.env.BENCH_SUITE ?? '*'}.bench.js`],
    globals: true,
    setupFiles: setup ? [setup] : [],
    watch: false,
  },
});
