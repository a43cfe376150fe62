import { expect } from 'chai';
import { ROOT } from '../support/run';
import { runMocha, expectExitedOnItsOwn } from '../support/mocha';

// Each migration pattern of docs/toolkit.md: the "before" spec fails with a leak report, the
// "after" spec passes.
const PATTERNS: Array<{ name: string; leak: RegExp }> = [
  { name: 'untracked-service', leak: /setInterval\(anonymous, 1000 ms\) — cleared with clearInterval\n    at MetricsReporter\.start/ },
  { name: 'raced-calls', leak: /setTimeout\(anonymous, 30 ms\) — cleared with clearTimeout\n    at Server\.<anonymous> \(examples\/toolkit\/services\.js/ },
  { name: 'background-task', leak: /setTimeout\(anonymous, 50 ms\) — cleared with clearTimeout\n(.*\n)*    at consume \(examples\/toolkit\/services\.js/ },
  { name: 'carried-state', leak: /setTimeout\(anonymous, 30000 ms\) — cleared with clearTimeout\n    at CircuitBreaker\.recordFailure/ },
];

describe('toolkit examples (examples/toolkit)', function () {
  for (const { name, leak } of PATTERNS) {
    describe(name, function () {
      it('before: fails with a leak report', async function () {
        const run = await runMocha([`examples/toolkit/${name}.before.spec.js`], { cwd: ROOT });
        expectExitedOnItsOwn(run);
        expect(run.code).to.be.at.least(1);
        const leakErrors = run.json.failures.filter((f) => f.err.name === 'LeakError' || /^test leaked/.test(f.err.message ?? ''));
        expect(leakErrors, run.stdout).to.have.length(1);
        expect(leakErrors[0].err.message).to.match(/^test leaked 1 async resource \(cancelled\)/);
        expect(leakErrors[0].err.message).to.match(leak);
      });

      it('after: passes', async function () {
        const run = await runMocha([`examples/toolkit/${name}.after.spec.js`], { cwd: ROOT });
        expectExitedOnItsOwn(run);
        expect(run.json.failures, JSON.stringify(run.json.failures, null, 2)).to.deep.equal([]);
        expect(run.json.passes.length).to.be.at.least(1);
        expect(run.code).to.equal(0);
      });
    });
  }

  it('carried-state before: the second test inherits the open breaker', async function () {
    const run = await runMocha(['examples/toolkit/carried-state.before.spec.js'], { cwd: ROOT });
    expect(run.failure('payments (before) starts with a closed breaker')!.err.message).to.match(/'open'/);
  });
});
