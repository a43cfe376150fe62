// BEFORE: a shared circuit breaker. The first test trips it (and leaves its 30 s retry timer
// running); the second test inherits an open breaker and fails for a reason of the first.
const assert = require('node:assert');
const { paymentsBreaker } = require('./services');

describe('payments (before)', function () {
  it('opens the breaker after 3 failures', function () {
    for (let i = 0; i < 3; i++) paymentsBreaker.recordFailure();
    assert.strictEqual(paymentsBreaker.state, 'open');
  });

  it('starts with a closed breaker', function () {
    assert.strictEqual(paymentsBreaker.state, 'closed');
  });
});
