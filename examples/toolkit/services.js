// Small services for the migration examples: what a service test suite typically drives.
const http = require('node:http');

/** A circuit breaker: opens after 3 failures, retries (half-open) 30 s later. */
class CircuitBreaker {
  constructor() {
    this.failures = 0;
    this.state = 'closed';
    this.retryTimer = undefined;
  }

  recordFailure() {
    this.failures++;
    if (this.failures >= 3 && this.state === 'closed') {
      this.state = 'open';
      this.retryTimer = setTimeout(() => (this.state = 'half-open'), 30000);
    }
  }

  /** Stops the retry timer; the breaker stays usable. */
  close() {
    clearTimeout(this.retryTimer);
  }
}

/** A module-level breaker shared by every test (the usual singleton). */
const paymentsBreaker = new CircuitBreaker();

/**
 * An HTTP order service: answers 202 at once, then publishes `order-created` to its queue a
 * little later (the cross-service step tests usually race with a sleep).
 */
function createOrderService(queue, { onPublished = () => {} } = {}) {
  const server = http.createServer((req, res) => {
    res.writeHead(202, { connection: 'close' }).end();
    setTimeout(async () => {
      await queue.publish('order-created', { path: req.url });
      onPublished(req.url);
    }, 30);
  });
  return server;
}

/** A metrics reporter: flushes every second until stopped. */
class MetricsReporter {
  constructor() {
    this.flushes = 0;
    this.timer = undefined;
  }

  start() {
    this.timer = setInterval(() => this.flushes++, 1000);
    return this;
  }

  stop() {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** A queue consumer loop: polls until its signal aborts. */
async function consume(queue, signal) {
  while (!signal?.aborted) {
    await queue.poll();
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 50);
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

/** POSTs to the server; resolves the status code once the response ended. */
function post(server, path) {
  const { port } = server.address();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject).end();
  });
}

module.exports = { CircuitBreaker, paymentsBreaker, createOrderService, MetricsReporter, consume, post };
