// AFTER: the loop is a tracked task: it gets an AbortSignal, is cancelled when the test ends,
// and would be reported if it ignored the cancellation.
const assert = require('node:assert');
const { trackTask } = require('async-isolation');
const { consume } = require('./services');

describe('consumer (after)', function () {
  it('polls the queue', async function () {
    let polls = 0;
    trackTask((signal) => consume({ poll: async () => polls++ }, signal), { name: 'consumer' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.strictEqual(polls, 1);
  });
});
