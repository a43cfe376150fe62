// Jest config of the benchmark runs. BENCH_JEST_ENV picks the test environment (default the
// plain node one); BENCH_SUITE the one suite file to run.
const path = require('node:path');

module.exports = {
  rootDir: path.join(__dirname, '..', 'suites'),
  testMatch: [`**/${process.env.BENCH_SUITE ?? '*'}.bench.js`],
  testEnvironment: process.env.BENCH_JEST_ENV || 'node',
  transform: {},
  cache: false,
  watchman: false,
};
