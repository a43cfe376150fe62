// AFTER: the test hands the reporter to its scope: stopped when the test ends, whatever happens.
const assert = require('node:assert');
const { trackService } = require('async-isolation');
const { MetricsReporter } = require('./services');

describe('metrics (after)', function () {
  it('starts a reporter', function () {
    const reporter = trackService(new MetricsReporter().start(), 'metrics');
    assert.strictEqual(reporter.flushes, 0);
  });
});
