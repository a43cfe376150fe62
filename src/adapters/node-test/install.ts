import type { Scope } from '../../tracker/scope';
import { notifyReport } from '../warn';
import { judge } from '../judge';
import { closeTestScope, openTestScope, ownFunction, scopeOf, scopeTestFunctions, type TestContext } from './scopes';
import { collectReportOfThisRun } from './report';
import { markTestFileProcess } from './test-process';

const INSTALLED = Symbol.for('async-isolation.node-test-installed');

/**
 * Ends the test's scope. It runs as the test's last `after` hook, registered from the root
 * afterEach: after every afterEach hook (the file's own run after the root's) and after the
 * `t.after()` cleanups the test registered itself.
 */
async function finishTest(t: TestContext, scope: Scope): Promise<void> {
  closeTestScope(t);
  const { report, error, note } = await judge(scope, { subject: 'test', name: scope.name });
  // Its own first error is the one node:test shows: the note goes under it, as a diagnostic.
  if (note !== undefined) t.diagnostic(note);
  if (error === undefined) return;
  // node:test keeps a test's first error only: one that failed by itself shows that one.
  if (scope.owner?.outcome() === 'failed') notifyReport(scope.name, report, 'test failed; its leaks were cancelled');
  throw error;
}

/**
 * Installs the adapter in this test process: root hooks (an `--import`ed module that calls
 * node:test's hooks at top level adds them to the root test, so they apply to every test of
 * the file, subtests included).
 */
export function installNodeTestAdapter(): void {
  const state = globalThis as Record<symbol, unknown>;
  if (state[INSTALLED]) return;
  state[INSTALLED] = true;
  markTestFileProcess();
  const nodeTest = require('node:test') as typeof import('node:test');
  scopeTestFunctions();
  nodeTest.beforeEach(
    ownFunction(function asyncIsolationStart(t: TestContext) {
      openTestScope(t);
    }),
  );
  nodeTest.afterEach(
    ownFunction(function asyncIsolationCheck(t: TestContext) {
      const scope = scopeOf(t);
      if (scope === undefined) return;
      t.after(ownFunction(() => finishTest(t, scope)));
    }),
  );
  collectReportOfThisRun(nodeTest);
}
