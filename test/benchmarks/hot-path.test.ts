import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DIST } from '../support/run';
import { nodeHttpPublishesCreatedRequests } from '../support/http-channels';

// What the resource hook's speed-ups must not change: each one skips or delays a creation stack
// (the costly part), never the tracking itself. Real timers and sockets, through the built API.
const lib = require(join(DIST, 'index.js')) as typeof import('../../src/index');

describe('resource hook fast paths keep what reports show', function () {
  it('an immediate loop is still reported with the loop function as its creation site', async function () {
    const scope = lib.enter('immediates', { mode: 'manual' });
    (function spinForTest() {
      setImmediate(spinForTest);
    })();
    const result = await lib.exit(scope);
    expect(result.leaks).to.have.length(1);
    expect(result.leaks[0].description).to.equal('setImmediate(spinForTest)');
    expect(result.leaks[0].stack).to.match(/spinForTest \(.*hot-path\.test\.ts:\d+:\d+\)/);
    expect(result.leaks[0].cancelled).to.equal(true);
  });

  it('a keep-alive socket opened outside the scope and reused inside is not the scope\'s leak, and stays usable', async function () {
    const server = http.createServer((req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<boolean>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.reusedSocket));
        });
        req.on('error', reject);
      });
    try {
      await get();
      const scope = lib.enter('reuse', { mode: 'manual' });
      expect(await get(), 'reused inside the scope').to.equal(true);
      const report = await lib.exit(scope);
      expect(report.leaks.filter((l) => l.type === 'TCPWRAP')).to.deep.equal([]);
      expect(report.unref.filter((l) => l.type === 'TCPWRAP')).to.deep.equal([]);
      expect(await get(), 'still reused after the scope').to.equal(true);
    } finally {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a timer born unref\'d is still listed (and left alone); with unref: "fail" it fails with its creation site', async function () {
    const { setTimeout: sleep } = await import('node:timers/promises');
    const listed = lib.enter('unref born', { mode: 'manual' });
    sleep(60000, undefined, { ref: false }).catch(() => {});
    const quiet = await lib.exit(listed);
    expect(quiet.failed).to.equal(false);
    expect(quiet.unref.map((l) => [l.type, l.cancelled])).to.deep.equal([['Timeout', false]]);

    const strict = lib.enter('unref born, strict', { mode: 'fail', unref: 'fail' });
    sleep(60000, undefined, { ref: false }).catch(() => {});
    const failing = await lib.exit(strict);
    expect(failing.failed).to.equal(true);
    expect(failing.unref).to.have.length(1);
    expect(failing.unref[0].stack).to.match(/hot-path\.test\.ts:\d+:\d+/);
  });
});

describe('a node:http request keeps its whole creation site', function () {
  it('a request left in flight through nested helpers and a promise executor shows every user frame up to stackDepth', async function () {
    // Node 20 publishes no node:http request creations: there the request is not seen at all.
    if (!nodeHttpPublishesCreatedRequests()) this.skip();
    // Answers the warm-up, never /slow: that request stays in flight on the pooled socket.
    const server = http.createServer((req, res) => void (req.url === '/warm' && res.end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await new Promise<void>((resolve, reject) =>
        http.get({ host: '127.0.0.1', port, path: '/warm', agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
      );
      const scope = lib.enter('request in flight', { mode: 'manual', stackDepth: 6 });
      function sendRequest(): void {
        http.get({ host: '127.0.0.1', port, path: '/slow', agent }).on('error', () => {});
      }
      function viaClient(): void {
        sendRequest();
      }
      function callApi(): Promise<void> {
        return new Promise<void>((resolve) => {
          viaClient();
          resolve();
        });
      }
      function requestFromTest(): Promise<void> {
        return callApi();
      }
      await requestFromTest();
      const report = await lib.exit(scope);
      const request = report.leaks.find((l) => l.type === 'ClientRequest');
      expect(request, JSON.stringify(report.leaks)).to.not.equal(undefined);
      const frames = request!.stack.split('\n').map((line) => /^at (\S+)/.exec(line)?.[1]);
      expect(frames).to.deep.equal(['sendRequest', 'viaClient', '<anonymous>', 'callApi', 'requestFromTest', 'Context.<anonymous>']);
    } finally {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
