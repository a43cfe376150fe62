import { expect } from 'chai';
import { join } from 'node:path';
import { DIST } from '../support/run';

const { resourceKinds, UNDICI_REQUEST, CLIENT_REQUEST } = require(join(DIST, 'tracker', 'resource-kinds.js')) as typeof import('../../src/tracker/resource-kinds');
const { describePgClient, describePgPool } = require(join(DIST, 'adapters', 'pg', 'describe.js')) as typeof import('../../src/adapters/pg/describe');
const { describeKafkaClient } = require(join(DIST, 'adapters', 'kafkajs', 'describe.js')) as typeof import('../../src/adapters/kafkajs/describe');

function describeAs(type: string, resource: object): string {
  return resourceKinds.get(type)!.describe(resource);
}

describe('what a report calls a resource (the describe functions)', function () {
  describe('timers', function () {
    it('names the call, the callback and the delay', function () {
      const timeout = setTimeout(function retry() {}, 250);
      const interval = setInterval(function poll() {}, 50);
      const anonymous = setTimeout(() => undefined, 5);
      const immediate = setImmediate(function flush() {});
      try {
        expect(describeAs('Timeout', timeout)).to.equal('setTimeout(retry, 250 ms)');
        expect(describeAs('Timeout', interval)).to.equal('setInterval(poll, 50 ms)');
        expect(describeAs('Timeout', anonymous)).to.equal('setTimeout(anonymous, 5 ms)');
        expect(describeAs('Immediate', immediate)).to.equal('setImmediate(flush)');
      } finally {
        clearTimeout(timeout);
        clearInterval(interval);
        clearTimeout(anonymous);
        clearImmediate(immediate);
      }
    });
  });

  describe('HTTP client requests', function () {
    it('names the method and the URL of an undici request, without a doubled slash', function () {
      expect(describeAs(UNDICI_REQUEST, { method: 'GET', origin: 'http://127.0.0.1:8080/', path: '/orders?page=2' })).to.equal(
        'HTTP request GET http://127.0.0.1:8080/orders?page=2 in flight',
      );
    });

    it("names a node:http request by its Host header, or its host when it has none or can't say", function () {
      const request = (host: unknown) => ({ method: 'POST', protocol: 'https:', host: 'api.local', path: '/pay', getHeader: () => host });
      expect(describeAs(CLIENT_REQUEST, request('api.local:8443'))).to.equal('HTTP request POST https://api.local:8443/pay in flight');
      expect(describeAs(CLIENT_REQUEST, request(undefined))).to.equal('HTTP request POST https://api.local/pay in flight');
      const throwing = { ...request(''), getHeader: () => { throw new Error('headers already sent'); } };
      expect(describeAs(CLIENT_REQUEST, throwing)).to.equal('HTTP request POST https://api.local/pay in flight');
    });
  });

  describe('pg', function () {
    it('names a Client by host, port, database and application name', function () {
      const client = { connectionParameters: { host: '127.0.0.1', port: 5433, database: 'orders', application_name: 'orders-test' } };
      expect(describePgClient(client)).to.equal('pg.Client 127.0.0.1:5433/orders (orders-test)');
    });

    it("reads a connection string, brackets an IPv6 host, and falls back to pg's defaults", function () {
      const fromUrl = { connectionParameters: { connectionString: 'postgres://u:p@[::1]:6543/my%20db?application_name=api' } };
      expect(describePgClient(fromUrl)).to.equal('pg.Client [::1]:6543/my db (api)');
      // Options given beside the string win, as in pg.
      const overridden = { connectionParameters: { connectionString: 'postgres://db.local/orders', database: 'billing' } };
      expect(describePgClient(overridden)).to.equal('pg.Client db.local:5432/billing');
      expect(describePgClient({ connectionParameters: { connectionString: 'not a url' } })).to.equal('pg.Client localhost:5432');
      expect(describePgClient({})).to.equal('pg.Client localhost:5432');
      expect(describePgClient(undefined)).to.equal('pg.Client localhost:5432');
    });

    it('counts a Pool’s connections: idle, checked out and callers waiting', function () {
      const connected = { connectionParameters: { host: 'db', port: 5432, database: 'orders' } };
      const pool = { _clients: [connected, connected, connected], _idle: [connected], _pendingQueue: [{}, {}], options: {} };
      expect(describePgPool(pool)).to.equal('pg.Pool db:5432/orders with 3 connections (1 idle, 2 checked out, 2 waiting)');
      const fresh = { _clients: [], _idle: [], _pendingQueue: [], options: { host: 'db', database: 'orders' } };
      expect(describePgPool(fresh)).to.equal('pg.Pool db:5432/orders with 0 connections (0 idle)');
      expect(describePgPool({ _clients: [connected], _idle: [connected] })).to.equal('pg.Pool db:5432/orders with 1 connection (1 idle)');
      expect(describePgPool(null)).to.equal('pg.Pool localhost:5432 with 0 connections (0 idle)');
    });
  });

  describe('kafkajs', function () {
    const broker = (host: string, port: number) => ({ connectionPool: { host, port } });

    it('names the role, the group and every broker the client knows, each once', function () {
      const cluster = { brokerPool: { seedBroker: broker('127.0.0.1', 9092), brokers: { 1: broker('127.0.0.1', 9092), 2: broker('::1', 9093) } } };
      expect(describeKafkaClient({ role: 'consumer', groupId: 'orders', cluster })).to.equal(
        'kafkajs consumer group=orders brokers=127.0.0.1:9092,[::1]:9093',
      );
    });

    it('says it does not know the brokers when the cluster cannot be read', function () {
      expect(describeKafkaClient({ role: 'producer', groupId: undefined, cluster: undefined })).to.equal('kafkajs producer brokers=?');
      expect(describeKafkaClient({ role: 'admin', groupId: undefined, cluster: { brokerPool: { seedBroker: {} } } })).to.equal(
        'kafkajs admin brokers=?',
      );
    });
  });
});
