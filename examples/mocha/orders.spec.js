// A small service test suite with the leaks people write every day. Run it with
//   npx mocha --require async-isolation/register examples/mocha
// (or `npm run demo` in this repository).
const net = require('node:net');
const assert = require('node:assert');

function startPaymentGateway() {
  const server = net.createServer((socket) => socket.on('data', () => socket.write('ok\n')));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('orders', function () {
  let gateway;

  before(async function () {
    gateway = await startPaymentGateway();
  });

  after(function () {
    gateway.close();
  });

  it('creates an order', async function () {
    const order = { id: 1, total: 42 };
    assert.strictEqual(order.total, 42);
  });

  it('retries the payment', async function () {
    // Leak: a retry loop nobody stops.
    setInterval(function retryPayment() {}, 5);
  });

  it('charges the card', async function () {
    // Leak: a client connection nobody closes.
    const client = net.connect(gateway.address().port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    client.write('charge 42\n');
  });

  it('refunds an order', async function () {
    const client = net.connect(gateway.address().port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    client.end();
  });
});
