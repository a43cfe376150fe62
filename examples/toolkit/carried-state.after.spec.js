// AFTER: each test tracks the shared breaker: at its end the retry timer is stopped (close)
// and the breaker's state is restored to what it was when the test started.
const assert = require('node:assert');
const { trackService } = require('async-isolation');
const { paymentsBreaker } = require('./services');

describe('payments (after)', function () {
  beforeEach(function () {
    trackService(paymentsBreaker, 'payments breaker');
  });

  it('opens the breaker after 3 failures', function () {
    for (let i = 0; i < 3; i++) paymentsBreaker.recordFailure();
    assert.strictEqual(paymentsBreaker.state, 'open');
  });

  it('starts with a closed breaker', function () {
    assert.strictEqual(paymentsBreaker.state, 'closed');
    assert.strictEqual(paymentsBreaker.failures, 0);
  });
});
