import { expect } from 'chai';
import { join } from 'node:path';
import { DIST, ROOT } from '../support/run';

const { captureStack, formatStack, readStack, userFrameSite } = require(join(DIST, 'context', 'stack.js')) as typeof import('../../src/context/stack');

/** A holder whose raw stack is `frames`, one `at …` line each, as V8 would format it. */
function holder(...frames: string[]): { stack?: string } {
  return { stack: ['Error', ...frames.map((frame) => `    at ${frame}`)].join('\n') };
}

const cwd = process.cwd();
const NODE_TIMERS = 'listOnTimeout (node:internal/timers:594:17)';
const NODE_HTTP = 'utcDate (node:internal/http:28:3)';
const HOOK = 'AsyncHook.init (node:internal/async_hooks:200:9)';
const OWN = `onResource (${join(ROOT, 'dist', 'tracker', 'resource-intake.js')}:120:7)`;
const OWN_SOURCE = `onResource (${join(ROOT, 'src', 'tracker', 'resource-intake.ts')}:120:7)`;
const MOCHA = `Runner.runTests (${cwd}/node_modules/mocha/lib/runner.js:100:5)`;
const JEST = `_callCircusTest (${cwd}/node_modules/jest-circus/build/run.js:1:1)`;
const USER = `Context.<anonymous> (${cwd}/test/orders.spec.js:12:5)`;
const USER_HELPER = `startPolling (${cwd}/test/helpers/poll.js:3:10)`;
const PACKAGE = `debounced (${cwd}/node_modules/lodash/lodash.js:10:3)`;

describe('reading a creation stack (context/stack)', function () {
  it("drops Node's, the library's and the runners' frames, so the user's come first", function () {
    const read = readStack(holder(HOOK, OWN, OWN_SOURCE, NODE_TIMERS, USER, MOCHA, JEST), 5);
    expect(read.text).to.equal('at Context.<anonymous> (test/orders.spec.js:12:5)');
  });

  it('keeps at most `depth` frames, and paths relative to the working directory, file URLs too', function () {
    const read = readStack(holder(USER_HELPER, USER, `file://${cwd}/test/esm.spec.mjs:4:1`, PACKAGE), 3);
    expect(read.text.split('\n')).to.deep.equal([
      'at startPolling (test/helpers/poll.js:3:10)',
      'at Context.<anonymous> (test/orders.spec.js:12:5)',
      'at test/esm.spec.mjs:4:1',
    ]);
    expect(readStack(holder(USER_HELPER, USER), 0).text).to.equal('');
  });

  it("says a package's frame is no user frame, and keeps it in the text", function () {
    const read = readStack(holder(HOOK, PACKAGE, MOCHA), 5);
    expect(read).to.include({ text: 'at debounced (node_modules/lodash/lodash.js:10:3)', hasUserFrame: false });
    // Past `depth`, a user frame is still found.
    expect(readStack(holder(PACKAGE, PACKAGE, USER), 1).hasUserFrame).to.equal(true);
  });

  it("tells a runner's own resource (its first frame outside Node and the library is the runner's)", function () {
    expect(readStack(holder(HOOK, OWN, MOCHA, USER), 5).fromRunner).to.equal(true);
    expect(readStack(holder(HOOK, USER, MOCHA), 5).fromRunner).to.equal(false);
  });

  it("tells the library's own resource (its first frame outside Node is the library's)", function () {
    expect(readStack(holder(HOOK, OWN, USER), 5).fromOwn).to.equal(true);
    expect(readStack(holder(HOOK, OWN_SOURCE, USER), 5).fromOwn).to.equal(true);
    expect(readStack(holder(HOOK, USER, OWN), 5).fromOwn).to.equal(false);
  });

  it("tells a timer Node's own code asked for from one the user's code did, through the timers machinery", function () {
    const timer = (...callers: string[]) =>
      readStack(holder(HOOK, 'new Timeout (node:internal/timers:186:17)', 'setTimeout (node:timers:153:19)', ...callers), 5);
    expect(timer(NODE_HTTP, USER).timerOfNode).to.equal(true);
    expect(timer(USER).timerOfNode).to.equal(false);
    // The tick queue calls what it was handed: `process.nextTick(setTimeout, fn, ms)` is the caller's.
    expect(timer('process.processTicksAndRejections (node:internal/process/task_queues:85:11)', USER).timerOfNode).to.equal(false);
    expect(timer(OWN, USER).timerOfNode).to.equal(false);
  });

  it('reads a stack that cannot be read as an empty one, without throwing', function () {
    const unreadable = {
      get stack(): string {
        throw new Error('no stack here');
      },
      set stack(_value: string | undefined) {
        // what the reader writes back is dropped
      },
    };
    expect(readStack(unreadable, 5)).to.deep.equal({ text: '', fromRunner: false, fromOwn: false, hasUserFrame: false, timerOfNode: false });
    expect(readStack({}, 5).text).to.equal('');
  });

  it('replaces the raw frames by their text once read, and reads the same again', function () {
    // The raw frames keep their receivers (the timer itself) alive: the text goes in their place.
    const raw = holder(USER).stack;
    let written: unknown = 'nothing';
    const spied = {
      get stack(): string | undefined {
        return raw;
      },
      set stack(value: string | undefined) {
        written = value;
      },
    };
    readStack(spied, 5);
    expect(written).to.equal(raw);

    const captured: { stack?: string } = {};
    (function createdHere() {
      captureStack(captured, createdHere);
    })();
    const first = readStack(captured, 5);
    expect(first.text).to.match(/^at Context\.<anonymous> \(test[\\/]unit[\\/]stack\.test\.ts:\d+:\d+\)$/m);
    expect(captured.stack).to.be.a('string');
    expect(readStack(captured, 5)).to.deep.equal(first);
    expect(formatStack(captured, 5)).to.equal(first.text);
  });

  it('captures from the caller of `above`: neither it nor the frames inside it', function () {
    const captured: { stack?: string } = {};
    function innerMachinery(): void {
      captureStack(captured, outerEntry);
    }
    function outerEntry(): void {
      innerMachinery();
    }
    outerEntry();
    const text = formatStack(captured, 10);
    expect(text).not.to.include('innerMachinery');
    expect(text).not.to.include('outerEntry');
    expect(text.split('\n')[0]).to.match(/^at Context\.<anonymous> \(test[\\/]unit[\\/]stack\.test\.ts:\d+:\d+\)$/);
  });

  it("names the first user frame as file:line, past a package's frames; nothing when no frame is the user's", function () {
    expect(userFrameSite(readStack(holder(HOOK, PACKAGE, USER_HELPER, USER), 5))).to.equal('test/helpers/poll.js:3');
    expect(userFrameSite(readStack(holder(HOOK, NODE_TIMERS, PACKAGE), 5))).to.equal('');
    expect(userFrameSite({ text: 'via a callback of Immediate, created\nat Context.<anonymous> (test/a.spec.js:4:2)', hasUserFrame: true })).to.equal('test/a.spec.js:4');
  });
});
