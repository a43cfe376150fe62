import * as chai from 'chai';
import { AsyncResource } from 'node:async_hooks';
import { join } from 'node:path';
import { withIsolation, enter, exit, configure, type LeakReport, type Scope } from '../../dist/index.js';
import { DIST, runNode } from '../support/run';
import type {} from '../../dist/chai.js'; // its global Chai types (leakFree)

// The CommonJS entry is the plugin itself, like other chai plugins.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const plugin = require('../../dist/chai.js');
chai.use(plugin);
const { expect, assert } = chai;

function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an assertion failure');
}

function leakyReport(name: string): Promise<LeakReport> {
  return new AsyncResource('chai-test').runInAsyncScope(async () => {
    const scope = enter(name);
    setInterval(function refresh() {}, 1000);
    return exit(scope);
  });
}

describe('async-isolation/chai', function () {
  it('the CommonJS module is the plugin and carries the named exports', function () {
    expect(plugin).to.be.a('function');
    expect(plugin.default).to.equal(plugin);
    expect(plugin.chaiLeakFree).to.equal(plugin);
    expect(plugin.assertNoLeaks).to.be.a('function');
    expect(plugin.checkLeaks).to.be.a('function');
  });

  it('the ESM entry: default import is the plugin, named imports work', async function () {
    const script = `
      const entry = ${JSON.stringify(join(DIST, 'chai.mjs'))};
      const mod = await import(entry);
      console.log(typeof mod.default, mod.default === mod.chaiLeakFree, typeof mod.assertNoLeaks, typeof mod.checkLeaks);
    `;
    const run = await runNode(['--input-type=module', '-e', script]);
    expect(run.stderr).to.equal('');
    expect(run.stdout.trim()).to.equal('function true function function');
  });

  it('leakFree passes for a clean report and fails listing each leak with its creation site', async function () {
    const clean = await withIsolation('clean', (scope: Scope) => scope);
    expect(clean.report).to.be.leakFree;
    assert.leakFree(clean.report!);
    const report = await leakyReport('refresher');
    const error = failure(() => expect(report).to.be.leakFree);
    expect(error.name).to.equal('AssertionError');
    expect(error.message).to.match(
      /^expected "refresher" to be leak-free, but it leaked 1 async resource \(cancelled\)\n  Timeout   setInterval\(refresh, 1000 ms\) — cleared with clearInterval\n    at .*chai\.test\.ts:\d+:\d+\)/,
    );
    expect(failure(() => assert.leakFree(report, 'after refresh')).message).to.match(/^after refresh: expected "refresher" to be leak-free/);
  });

  it('negated: fails for a clean report', async function () {
    const report = await leakyReport('leaky');
    expect(report).to.not.be.leakFree;
    const clean = await withIsolation('clean', (scope: Scope) => scope);
    expect(failure(() => expect(clean).to.not.be.leakFree).message).to.equal('expected "clean" to have leaked, but it is leak-free');
  });

  it('accepts a LeakError, an error from withIsolation, and an ended scope', async function () {
    const leakError = await withIsolation('leaks', () => void setTimeout(() => {}, 50000)).catch((e: unknown) => e);
    expect(failure(() => expect(leakError).to.be.leakFree).message).to.match(/^expected "leaks" to be leak-free/);
    const own = await withIsolation('throws', () => {
      setTimeout(() => {}, 50000);
      throw new Error('own failure');
    }).catch((e: unknown) => e);
    expect(failure(() => expect(own).to.be.leakFree).message).to.match(/^expected "throws" to be leak-free/);
  });

  it('counts unref leaks when the scope was told to fail on them', async function () {
    configure({ unref: 'fail' });
    try {
      const report = await new AsyncResource('chai-test').runInAsyncScope(async () => {
        const scope = enter('unref');
        setTimeout(() => {}, 50000).unref();
        return exit(scope);
      });
      expect(report.leaks).to.have.length(0);
      expect(failure(() => expect(report).to.be.leakFree).message).to.match(/left 1 unref'd resource/);
    } finally {
      configure({ unref: 'ignore' });
    }
  });

  it('a value that is no report: a readable message, negated or not', async function () {
    expect(failure(() => expect(42).to.be.leakFree).message).to.equal(
      'expected a LeakReport (from exit(), checkLeaks() or a LeakError), got number 42',
    );
    expect(failure(() => expect(null).to.not.be.leakFree).message).to.match(/got null$/);
    expect(failure(() => expect(new Error('plain')).to.be.leakFree).message).to.match(/got an object$/);
    await new AsyncResource('chai-test').runInAsyncScope(async () => {
      const scope = enter('still-open');
      try {
        expect(failure(() => expect(scope).to.be.leakFree).message).to.equal(
          'scope "still-open" has not ended yet: assert on await exit(scope), or on await checkLeaks()',
        );
      } finally {
        await exit(scope);
      }
    });
  });
});
