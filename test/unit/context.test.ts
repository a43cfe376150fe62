import { expect } from 'chai';
import { join } from 'node:path';
import { thisNodeSkipsPromises } from '../support/node-features';
import { DIST, FIXTURES, runNode } from '../support/run';

describe('the async context', function () {
  let result: { seen: Record<string, boolean>; leaked: string[] | undefined; skipsPromises: boolean };

  before(async function () {
    const run = await runNode([join(FIXTURES, 'context', 'carried.js')], { env: { ASYNC_ISOLATION_DIST: DIST } });
    expect(run.stderr).to.equal('');
    expect(run.code).to.equal(0);
    result = JSON.parse(run.stdout) as typeof result;
  });

  it('is carried through awaits, timers, immediates, ticks, fs and socket callbacks, tracking or not', function () {
    const lost = Object.entries(result.seen).filter(([, kept]) => !kept).map(([where]) => where);
    expect(lost).to.deep.equal([]);
    expect(Object.keys(result.seen)).to.have.length(21);
  });

  it('still attributes a timer made after an await once tracking starts later in the process', function () {
    expect(result.leaked).to.deep.equal(['Timeout']);
  });

  it('leaves promises out of the hook exactly where Node allows it', async function () {
    expect(result.skipsPromises).to.equal(await thisNodeSkipsPromises());
  });
});

describe('the async context after an uncaught exception', function () {
  const run = (mode: string) => runNode([join(FIXTURES, 'context', 'uncaught.js'), mode], { env: { ASYNC_ISOLATION_DIST: DIST } });

  it("is the thrower's for every uncaughtException listener, and no one's for what runs next", async function () {
    const result = await run('handled');
    expect(result.code, result.stderr).to.equal(0);
    const seen = JSON.parse(result.stdout) as Record<string, string>;
    expect(seen.listener).to.equal('the scope that threw');
    expect(seen.serverSideData).not.to.equal('the scope that threw');
  });

  it('is left at once where an exception capture callback handles it', async function () {
    const result = await run('captured');
    expect(result.code, result.stderr).to.equal(0);
    const seen = JSON.parse(result.stdout) as Record<string, string>;
    expect(seen.listener).to.equal('none');
    expect(seen.serverSideData).not.to.equal('the scope that threw');
  });

  it('still ends the process when no one handles the exception', async function () {
    const result = await run('unhandled');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('Error: boom');
    expect(result.stdout).to.equal('');
  });
});

describe('ending a scope from an adapter (endScopeNowOrLater)', function () {
  // Internal modules of the same build the public API comes from: one copy of the state.
  const lifecycle = require('../../dist/tracker/lifecycle.js') as typeof import('../../dist/tracker/lifecycle.js');
  const context = require('../../dist/context/context.js') as typeof import('../../dist/context/context.js');

  it('hands back the report itself when nothing of the scope is alive', function () {
    const scope = lifecycle.createScope('clean');
    context.runInScope(scope, () => clearTimeout(setTimeout(() => undefined, 1000)));
    const ended = lifecycle.endScopeNowOrLater(scope);
    expect(ended).not.to.be.instanceOf(Promise);
    expect(ended).to.include({ failed: false, name: 'clean' });
    expect(scope.state).to.equal('ended');
  });

  it('takes the full exit, finding and cancelling leaks, when something is alive', async function () {
    const scope = lifecycle.createScope('leaky');
    context.runInScope(scope, () => setTimeout(() => undefined, 60_000));
    const ended = lifecycle.endScopeNowOrLater(scope);
    expect(ended).to.be.instanceOf(Promise);
    const report = await ended;
    expect(report.leaks.map((leak) => leak.type)).to.deep.equal(['Timeout']);
    expect(report.leaks[0]!.cancelled).to.equal(true);
  });
});
