// BEFORE: each test starts a reporter and forgets to stop it. Its interval keeps running into
// the next tests (and keeps the process alive).
const assert = require('node:assert');
const { MetricsReporter } = require('./services');

describe('metrics (before)', function () {
  it('starts a reporter', function () {
    const reporter = new MetricsReporter().start();
    assert.strictEqual(reporter.flushes, 0);
  });
});
