import { expect } from 'chai';
import { AsyncResource } from 'node:async_hooks';
import * as net from 'node:net';
import { once } from 'node:events';
import { enter, exit, trackService, IsolationUsageError, type LeakReport, type Scope } from '../../dist/index.js';
import { inScope, thrown } from '../support/scopes';

/** A circuit breaker with an in-memory retry queue: the kind of state that carries over. */
class PaymentClient {
  failures = 0;
  state: 'closed' | 'open' = 'closed';
  queue: Array<{ amount: number }> = [];
  byId = new Map<string, number>();
  seen = new Set<string>();
  options = { retries: 3, backoff: { ms: 10 } };
  closeCalls = 0;

  fail(): void {
    this.failures++;
    if (this.failures >= 3) this.state = 'open';
  }

  close(): void {
    this.closeCalls++;
  }
}

describe('trackService', function () {
  it('restores the own enumerable state it had when tracked, in place', async function () {
    const client = new PaymentClient();
    const queue = client.queue;
    const byId = client.byId;
    client.seen.add('before');
    const report = await inScope('breaker', () => {
      trackService(client, 'payments');
      client.fail();
      client.fail();
      client.fail();
      client.queue.push({ amount: 5 });
      client.byId.set('a', 1);
      client.seen.add('after');
      client.options.backoff.ms = 999;
      (client as unknown as Record<string, unknown>).added = true;
    });
    expect(report.cleanupErrors).to.deep.equal([]);
    expect(client.failures).to.equal(0);
    expect(client.state).to.equal('closed');
    expect(client.queue).to.equal(queue).and.to.deep.equal([]);
    expect(client.byId).to.equal(byId);
    expect([...client.byId]).to.deep.equal([]);
    expect([...client.seen]).to.deep.equal(['before']);
    expect(client.options.backoff.ms).to.equal(10);
    expect(client).to.not.have.property('added');
  });

  it('restores a replaced container and nested items', async function () {
    const client = new PaymentClient();
    client.queue.push({ amount: 1 });
    await inScope('replaced', () => {
      trackService(client, 'payments');
      client.queue[0].amount = 100;
      client.queue = [];
    });
    expect(client.queue).to.deep.equal([{ amount: 1 }]);
  });

  it('shuts a still-running service down with its close method, then resets it', async function () {
    const order: string[] = [];
    const service = {
      running: true,
      hits: 0,
      stop() {
        order.push(`stop hits=${this.hits}`);
        this.running = false;
      },
    };
    await inScope('stops', (scope) => {
      scope.trackService(service, 'orders');
      service.hits = 4;
    });
    expect(order).to.deep.equal(['stop hits=4']);
    expect(service.hits).to.equal(0);
  });

  it('prefers close, then shutdown, stop, disconnect, end', async function () {
    const calls: string[] = [];
    const service = {
      end: () => calls.push('end'),
      shutdown: () => calls.push('shutdown'),
      disconnect: () => calls.push('disconnect'),
    };
    await inScope('order', () => void trackService(service, 'svc'));
    expect(calls).to.deep.equal(['shutdown']);
  });

  it('does not close a service that says it stopped', async function () {
    const client = new PaymentClient();
    await inScope('stopped', () => {
      trackService(client, 'payments');
      (client as unknown as { closed: boolean }).closed = true;
    });
    expect(client.closeCalls).to.equal(0);
  });

  it('closes a real server it was given; the test has no leak', async function () {
    const server = net.createServer();
    const report = await inScope('server', async () => {
      trackService(server, 'http', { close: (s) => new Promise<void>((resolve) => s.close(() => resolve())) });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    });
    expect(report.leaks).to.deep.equal([]);
    expect(server.listening).to.equal(false);
  });

  it('runs the given close and reset instead', async function () {
    const calls: string[] = [];
    const client = new PaymentClient();
    await inScope('given', () => {
      trackService(client, 'payments', {
        close: (c) => calls.push(`close ${c.failures}`),
        reset: (c) => {
          calls.push('reset');
          c.failures = -1;
        },
      });
      client.fail();
    });
    expect(calls).to.deep.equal(['close 1', 'reset']);
    expect(client.failures).to.equal(-1);
    expect(client.closeCalls).to.equal(0);
  });

  it('close: false leaves a shared service running, reset: false keeps its state', async function () {
    const shared = new PaymentClient();
    await inScope('shared', () => {
      trackService(shared, 'shared', { close: false });
      shared.fail();
    });
    expect(shared.closeCalls).to.equal(0);
    expect(shared.failures).to.equal(0);
    await inScope('kept', () => {
      trackService(shared, 'kept', { reset: false });
      shared.fail();
    });
    expect(shared.closeCalls).to.equal(1);
    expect(shared.failures).to.equal(1);
  });

  it('state tracked per test: each test starts from the state at its own start', async function () {
    const shared = new PaymentClient();
    shared.fail();
    for (const name of ['first', 'second']) {
      await inScope(name, () => {
        trackService(shared, 'shared', { close: false });
        expect(shared.failures).to.equal(1);
        shared.fail();
        shared.fail();
      });
    }
    expect(shared.failures).to.equal(1);
  });

  it('a reset or close that fails is reported in cleanupErrors, not thrown', async function () {
    const frozen = Object.freeze({ count: 0 });
    const mutable = { count: 0, close: () => Promise.reject(new Error('socket already gone')) };
    const report = await inScope('fails', () => {
      trackService(mutable, 'flaky', {});
      trackService({ n: 1 }, 'counter', {
        reset: () => {
          throw new Error('cannot reset');
        },
      });
      trackService(frozen, 'frozen');
    });
    expect(report.cleanupErrors).to.deep.equal([
      'resetting service "counter": cannot reset',
      'closing service "flaky": socket already gone',
    ]);
    expect(report.failed).to.equal(false);
  });

  it('a reset that cannot write a read-only property is reported', async function () {
    const service: { version: number } = { version: 1 };
    const report = await inScope('readonly', () => {
      trackService(service, 'versioned');
      service.version = 2;
      Object.defineProperty(service, 'version', { writable: false });
    });
    expect(report.cleanupErrors).to.have.length(1);
    expect(report.cleanupErrors[0]).to.match(
      /^resetting service "versioned" \(restoring the state it had when tracked\): Cannot assign to read only property 'version'/,
    );
  });

  describe('bad input', function () {
    it('outside any test or scope: a clear error', function () {
      const error = new AsyncResource('outside').runInAsyncScope(() => thrown(() => trackService({}, 'svc')));
      expect(error).to.be.instanceOf(IsolationUsageError);
      expect(error.message).to.match(/^trackService\(\) was called outside any test or scope/);
    });

    it('names, services and options of the wrong type', async function () {
      await inScope('bad', () => {
        expect(thrown(() => trackService(null as never, 'x')).message).to.equal(
          'trackService(service, name, options): service must be an object, got null',
        );
        expect(thrown(() => trackService({}, undefined as never)).message).to.match(
          /^trackService\(service, name, options\): name must be a non-empty string, got undefined/,
        );
        expect(thrown(() => trackService({}, 'x', { close: 'stop' } as never)).message).to.equal(
          'trackService(service, name, options): option "close" must be a function or false, got the string "stop"',
        );
        expect(thrown(() => trackService({}, 'x', { reset: true } as never)).message).to.equal(
          'trackService(service, name, options): option "reset" must be a function or false, got boolean true',
        );
        expect(thrown(() => trackService({}, 'x', { clse: () => 1 } as never)).message).to.equal(
          'trackService(service, name, options): unknown option "clse" (known: close, reset)',
        );
      });
    });
  });
});
