// BEFORE: the test starts a consumer loop "in the background" and never stops it.
const assert = require('node:assert');
const { consume } = require('./services');

describe('consumer (before)', function () {
  it('polls the queue', async function () {
    let polls = 0;
    consume({ poll: async () => polls++ });
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.strictEqual(polls, 1);
  });
});
