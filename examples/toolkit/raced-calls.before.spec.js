// BEFORE: the test only checks the HTTP answer; the order service publishes to the queue 30 ms
// later, after the test has ended (or a fixed sleep races it). The publish lands in whichever
// test runs next.
const assert = require('node:assert');
const { once } = require('node:events');
const { createOrderService, post } = require('./services');

describe('orders (before)', function () {
  it('accepts an order', async function () {
    const published = [];
    const server = createOrderService({ publish: async (topic, msg) => published.push([topic, msg]) });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    assert.strictEqual(await post(server, '/orders/1'), 202);
    await new Promise((resolve) => server.close(resolve));
  });
});
