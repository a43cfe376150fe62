// AFTER: the service signals a barrier when it published; the test waits for that event
// (bounded) instead of sleeping, and the queue is a mock that records the call.
const assert = require('node:assert');
const { once } = require('node:events');
const { currentScope, mockService, trackService } = require('async-isolation');
const { createOrderService, post } = require('./services');

describe('orders (after)', function () {
  it('accepts an order and publishes it', async function () {
    const events = currentScope().events;
    events.createBarrier('published', { timeout: 1000 });
    const queue = mockService('queue', { publish: 'ok' });
    const server = trackService(
      createOrderService(queue, { onPublished: (path) => events.signal('published', path) }),
      'orders',
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');

    assert.strictEqual(await post(server, '/orders/1'), 202);
    assert.strictEqual(await events.waitFor('published'), true, 'order-created was never published');
    assert.deepStrictEqual(queue.publish.calls, [['order-created', { path: '/orders/1' }]]);
  });
});
