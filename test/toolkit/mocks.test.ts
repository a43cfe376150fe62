import { expect } from 'chai';
import { AsyncResource } from 'node:async_hooks';
import { inspect } from 'node:util';
import { enter, exit, mockService, IsolationUsageError, type LeakReport, type MockService, type Scope } from '../../dist/index.js';
import { inScope, thrown } from '../support/scopes';

describe('mockService', function () {
  it('methods are async stubs that resolve what the shape says and record their calls', async function () {
    await inScope('shape', async () => {
      const payments = mockService('payments', {
        charge: { ok: true },
        refund: async (id: string) => ({ refunded: id }),
      });
      const pending = payments.charge(10, 'EUR');
      expect(pending).to.be.instanceOf(Promise);
      expect(await pending).to.deep.equal({ ok: true });
      expect(await payments.refund('r1')).to.deep.equal({ refunded: 'r1' });
      expect(payments.charge.calls).to.deep.equal([[10, 'EUR']]);
      expect(payments.charge.callCount).to.equal(1);
      expect(payments.refund.lastCall).to.deep.equal(['r1']);
      expect(payments.$calls).to.deep.equal([
        { method: 'charge', args: [10, 'EUR'] },
        { method: 'refund', args: ['r1'] },
      ]);
      expect(payments.$name).to.equal('payments');
      expect(payments.charge.name).to.equal('payments.charge');
    });
  });

  it('can be given results: resolves, rejects, implement', async function () {
    await inScope('results', async () => {
      const payments = mockService('payments', ['charge']);
      expect(await payments.charge()).to.equal(undefined);
      payments.charge.resolves({ id: 1 });
      expect(await payments.charge()).to.deep.equal({ id: 1 });
      payments.charge.rejects(new Error('card declined'));
      let error: Error | undefined;
      await payments.charge().catch((e: Error) => (error = e));
      expect(error?.message).to.equal('card declined');
      payments.charge.implement((amount: number) => ({ charged: amount * 2 }));
      expect(await payments.charge(4)).to.deep.equal({ charged: 8 });
      payments.charge.implement(() => {
        throw new Error('sync throw becomes a rejection');
      });
      let rejected: Error | undefined;
      await payments.charge().catch((e: Error) => (rejected = e));
      expect(rejected?.message).to.equal('sync throw becomes a rejection');
    });
  });

  it('without a shape, any method name is a stub; await and inspect are not fooled', async function () {
    await inScope('open', async () => {
      const inventory = mockService('inventory');
      inventory.reserve.resolves(true);
      expect(await inventory.reserve('sku', 2)).to.equal(true);
      expect(await inventory.release()).to.equal(undefined);
      expect(inventory.$calls.map((c) => c.method)).to.deep.equal(['reserve', 'release']);
      expect((inventory as unknown as { then?: unknown }).then).to.equal(undefined);
      expect(await Promise.resolve(inventory)).to.equal(inventory);
      expect(inspect(inventory)).to.be.a('string');
      expect(inventory.$calls.map((c) => c.method)).to.deep.equal(['reserve', 'release']);
    });
  });

  it('is reset at scope exit: calls forgotten, results back to the shape', async function () {
    let payments!: MockService<{ charge: { ok: boolean } }>;
    await inScope('first', async () => {
      payments = mockService('payments', { charge: { ok: true } });
      payments.charge.resolves({ ok: false });
      await payments.charge(1);
    });
    expect(payments.charge.calls).to.deep.equal([]);
    expect(payments.$calls).to.deep.equal([]);
    expect(await payments.charge()).to.deep.equal({ ok: true });
  });

  it('$reset() and method.reset() reset on demand', async function () {
    await inScope('manual', async (scope) => {
      const mail = scope.mockService('mail', { send: 'queued' });
      mail.send.resolves('sent');
      await mail.send('a');
      mail.send.reset();
      expect(mail.send.calls).to.deep.equal([]);
      expect(mail.$calls).to.have.length(1);
      expect(await mail.send('b')).to.equal('queued');
      mail.$reset();
      expect(mail.$calls).to.deep.equal([]);
    });
  });

  it('mocks of concurrent scopes are isolated from each other', async function () {
    const seen: number[] = [];
    await Promise.all(
      [1, 2].map((n) =>
        inScope(`scope-${n}`, async () => {
          const queue = mockService('queue', { publish: n });
          await new Promise((resolve) => setTimeout(resolve, 5 * n));
          seen.push(await queue.publish());
          expect(queue.publish.callCount).to.equal(1);
        }),
      ),
    );
    expect(seen.sort()).to.deep.equal([1, 2]);
  });

  describe('bad input', function () {
    it('outside any test or scope: a clear error', function () {
      const error = new AsyncResource('outside').runInAsyncScope(() => thrown(() => mockService('x')));
      expect(error).to.be.instanceOf(IsolationUsageError);
      expect(error.message).to.match(/^mockService\(\) was called outside any test or scope/);
    });

    it('bad names, shapes and reserved method names', async function () {
      await inScope('bad', () => {
        expect(thrown(() => mockService('')).message).to.equal(
          'mockService("", shape): name must be a non-empty string, got the string ""',
        );
        expect(thrown(() => mockService('svc', 5 as never)).message).to.equal(
          'mockService("svc", shape): shape must be an object of methods (name: implementation or result) or an array of method names, got number 5',
        );
        expect(thrown(() => mockService('svc', ['ok', 3] as never)).message).to.equal(
          'mockService("svc", shape): shape[1] must be a method name, got number 3',
        );
        expect(thrown(() => mockService('svc', { then: 1 })).message).to.equal(
          'mockService("svc", shape): "then" is reserved and cannot be a method name',
        );
        const mock = mockService('svc', ['go']);
        expect(thrown(() => mock.go.implement(3 as never)).message).to.equal(
          'svc.go.implement(fn): fn must be a function, got number 3',
        );
      });
    });
  });
});
