import { expect } from 'chai';
import { runMocha, expectExitedOnItsOwn, type MochaRun } from '../support/mocha';

describe('Mocha adapter: leaks fail the leaking test itself', function () {
  let run: MochaRun;

  describe('timers', function () {
    before(async function () {
      run = await runMocha(['timers.spec.js']);
    });

    it('fails exactly the leaking tests, as their own failures', function () {
      expect(run.json.failures.map((f) => f.fullTitle).sort()).to.deep.equal([
        'orders leaks a timeout',
        'orders leaks an immediate loop',
        'orders retries the payment',
      ]);
      expect(run.code).to.equal(3);
    });

    it('runs every other test, and passes the clean ones', function () {
      expect(run.json.stats.tests).to.equal(9);
      for (const title of [
        'orders clean test',
        'orders clears its own timer',
        'orders leaves only an unref timer',
        'orders cleanup in afterEach is not a leak',
        'orders cleanup in a root-level afterEach of the file is not a leak either',
        'orders runs after the leaks',
      ]) {
        expect(run.passed(title), title).to.equal(true);
      }
    });

    it('reports the interval with its creation site and what was done', function () {
      const message = run.failure('orders retries the payment')!.err.message!;
      expect(message).to.match(/^test leaked 1 async resource \(cancelled\)/);
      expect(message).to.include('Timeout   setInterval(fn, 5 ms) — cleared with clearInterval');
      expect(message).to.match(/at Context\.<anonymous> \(timers\.spec\.js:7:5\)/);
      expect(message).to.include('hint: clear timers in the test or an afterEach');
    });

    it('describes timeouts and immediates', function () {
      expect(run.failure('orders leaks a timeout')!.err.message).to.include(
        'setTimeout(later, 60000 ms) — cleared with clearTimeout',
      );
      expect(run.failure('orders leaks an immediate loop')!.err.message).to.include(
        'setImmediate(spin) — cleared with clearImmediate',
      );
    });

    it('exits on its own because the leaks were cancelled', function () {
      expectExitedOnItsOwn(run);
      expect(run.durationMs).to.be.below(10000);
    });
  });

  describe('sockets and servers', function () {
    before(async function () {
      run = await runMocha(['network.spec.js']);
    });

    it('fails the leaking tests and passes the ones that close or end', function () {
      expect(run.json.failures.map((f) => f.fullTitle).sort()).to.deep.equal([
        'network leaks a UDP socket',
        'network leaks a server and a client socket',
        'network leaks an http server with a keep-alive connection',
      ]);
      expect(run.passed('network closes everything it opens')).to.equal(true);
      expect(run.passed('network ends a socket gracefully (end() is not a leak)')).to.equal(true);
      expectExitedOnItsOwn(run);
    });

    it('reports the server, the client and the accepted socket', function () {
      const message = run.failure('network leaks a server and a client socket')!.err.message!;
      expect(message).to.match(/^test leaked 3 async resources \(all cancelled\)/);
      expect(message).to.match(/TCPSERVERWRAP TCP server listening on 127\.0\.0\.1:\d+ — closed\n\s+at Context\.<anonymous> \(network\.spec\.js:7:39\)/);
      expect(message).to.match(/TCPWRAP\s+TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ — destroyed\n\s+at Server\.<anonymous> \(network\.spec\.js:8:11\)/);
      expect(message).to.include('(accepted by a server of this scope) — destroyed');
    });

    it('reports an HTTP server and its keep-alive sockets', function () {
      const message = run.failure('network leaks an http server with a keep-alive connection')!.err.message!;
      expect(message).to.match(/HTTP server listening on 127\.0\.0\.1:\d+ — closed/);
      // The agent's idle keep-alive socket is unref'd: left to close with its server, in the JSON report only.
      expect(message).not.to.match(/TCPWRAP/);
    });

    it('reports a UDP socket', function () {
      expect(run.failure('network leaks a UDP socket')!.err.message).to.match(/UDPWRAP\s+UDP socket 127\.0\.0\.1:\d+ — closed/);
    });
  });

  describe('child processes, watchers and streams', function () {
    before(async function () {
      run = await runMocha(['processes.spec.js']);
    });

    it('fails each leaking test and kills, closes or stops what it left', function () {
      const child = run.failure('processes and watchers leaks a child process')!.err.message!;
      expect(child).to.match(/^test leaked 1 async resource \(cancelled\)/);
      expect(child).to.match(/PROCESSWRAP child process pid \d+: .*node -e setInterval.* — killed \(SIGTERM\)/);
      expect(run.failure('processes and watchers leaks an fs watcher')!.err.message).to.include('fs.watch() watcher — closed');
      expect(run.failure('processes and watchers leaks a stat watcher')!.err.message).to.include(
        'fs.watchFile(processes.spec.js) watcher — stopped with fs.unwatchFile',
      );
      expect(run.passed('processes and watchers watches the same file again after the leaked watcher was cancelled')).to.equal(true);
      // Its write is done: an idle zlib stream keeps nothing alive (listed, never cancelled).
      expect(run.passed('processes and watchers leaks a zlib stream')).to.equal(true);
      expect(run.passed('processes and watchers waits for its child')).to.equal(true);
      expect(run.failure('workers and message ports leaks a worker thread')!.err.message).to.match(
        /WORKER\s+worker thread \d+ — terminated\n\s+at Context\.<anonymous> \(processes\.spec\.js:\d+:\d+\)/,
      );
      expect(run.failure('workers and message ports leaks a message port listening for messages')!.err.message).to.include(
        'MESSAGEPORT MessagePort listening for messages — closed',
      );
      expect(run.passed('workers and message ports terminates its worker')).to.equal(true);
      expect(run.passed('workers and message ports closes its ports')).to.equal(true);
      expectExitedOnItsOwn(run);
    });
  });
});
