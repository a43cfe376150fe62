import { currentScope } from '../../tracker/current-scope';
import { endScope, isPending } from '../../tracker/lifecycle';
import type { IsolationOptions } from '../../tracker/config';
import { recordInternalError } from '../../context/internal-errors';
import { formatReport, LeakError, type LeakReport } from '../../tracker/report';
import { notify, notifyReport } from '../warn';
import { judge, type Verdict } from '../judge';
import { noteError } from '../earlier-note';
import {
  describeBlocks,
  titlePath,
  type CircusDescribeBlock,
  type CircusEvent,
  type CircusState,
  type CircusTest,
} from './circus';
import { FileScopes } from './scopes';
import { wrapInScope } from './wrap';

const MATCHERS = Symbol.for('$$jest-matchers-object');

/** Where a describe block's leaks come from, as the subject of its report. */
function blockSubject(block: CircusDescribeBlock, hooks = 'beforeAll/afterAll'): string {
  return block.parent ? `${hooks} of describe "${titlePath(block).join(' ')}"` : `the test file's top-level ${hooks}`;
}

/** The hooks the block's leaks came from, when every leak is marked with one (by its hook's scope). */
function leakingHooks(report: LeakReport): string[] | undefined {
  const hooks = new Set(report.leaks.map((leak) => leak.scope));
  if (hooks.has(undefined)) return undefined;
  const named = ['beforeAll', 'afterAll'].filter((hook) => hooks.has(hook));
  return named.length > 0 ? named : undefined;
}

/** How the block's own tests did: Jest heads the block's failure "Test suite failed to run". */
function testsOutcome(block: CircusDescribeBlock): string {
  let passed = 0;
  let failed = 0;
  const count = (entry: CircusDescribeBlock): void => {
    for (const child of entry.children) {
      if (child.type === 'describeBlock') count(child);
      else if (child.status === 'done') child.errors.length > 0 ? failed++ : passed++;
    }
  };
  count(block);
  if (passed + failed === 0) return 'none of its tests ran';
  const ran = passed + failed === 1 ? 'its test ran' : `its ${passed + failed} tests ran`;
  return failed === 0 ? `${ran} and passed` : `${ran} (${passed} passed, ${failed} failed)`;
}

/**
 * A block's leaks fail the file, as a failing afterAll hook does (Jest lets nothing else fail
 * there), under Jest's "Test suite failed to run": the message's first line says which block,
 * which hook, and that its tests did run.
 */
function blockLeakError(block: CircusDescribeBlock, report: LeakReport): LeakError {
  const hooks = leakingHooks(report);
  // One hook named in the first line: each leak need not repeat it.
  const shown = hooks?.length === 1 ? { ...report, leaks: report.leaks.map(({ scope: _, ...leak }) => leak) } : report;
  const text = formatReport(shown, blockSubject(block, hooks?.join(' and ')));
  const [first, ...rest] = text.split('\n');
  return new LeakError(report, [`${first}; ${testsOutcome(block)}`, ...rest].join('\n'));
}

/**
 * Jest 30 prints a file-level error as its message followed by the stack frames it finds in
 * `stack`; Jest 29 prints `stack` alone. The whole report stays in `stack` (where both look for
 * the frames) and `message` keeps its first line, so the report is printed once, whole.
 */
function fileLevelError(error: LeakError): LeakError {
  error.message = error.message.split('\n', 1)[0]!;
  return error;
}

// After the test's own errors: those stay first and untouched.
function failTest(test: CircusTest, { error, note }: Verdict): undefined {
  if (error) test.errors.push(error);
  else if (note !== undefined) test.errors.push(noteError(note));
  return undefined;
}

/**
 * Follows one test file through jest-circus's events: wraps every test and hook function so
 * the user's code runs in its scope, ends a test's scope at `test_done` (after every afterEach
 * hook) and a describe block's at `run_describe_finish` (after its afterAll hooks).
 */
export class FileSession {
  private readonly scopes: FileScopes;
  private state: CircusState | undefined;
  private sawEvents = false;
  /** Whether the file has `test.concurrent` tests, which Jest 30 runs side by side. */
  private sideBySide = false;

  constructor(
    private readonly testPath: string,
    fileTitle: string,
    options: IsolationOptions | undefined,
    private readonly globalOf: () => Record<symbol, any> | null | undefined,
  ) {
    this.scopes = new FileScopes(testPath, fileTitle, options, globalOf);
  }

  /** Jest awaits the handler for every asynchronous event, so a test ends before the next starts. */
  handle(event: CircusEvent, state: CircusState): Promise<void> | void {
    this.sawEvents = true;
    switch (event.name) {
      case 'run_start':
        this.state = state;
        return this.wrapAll(state.rootDescribeBlock);
      case 'test_done':
        return event.test ? this.finishTest(event.test) : undefined;
      case 'run_describe_finish':
        return event.describeBlock ? this.finishBlock(event.describeBlock) : undefined;
      case 'error':
        return this.returnLateError(event.error, state);
      default:
        return undefined;
    }
  }

  /**
   * Before anything runs (Jest 29 starts `test.concurrent` bodies right after the root's
   * beforeAll hooks, before their own test_start), every function gets its scope lookup.
   */
  private wrapAll(root: CircusDescribeBlock): void {
    try {
      for (const block of describeBlocks(root)) {
        for (const hook of block.hooks) {
          const each = hook.type === 'beforeEach' || hook.type === 'afterEach';
          hook.fn = wrapInScope(hook.fn, () => {
            if (!each) return this.scopes.hook(hook);
            const test = this.runningTest();
            return test ? this.scopes.test(test) : undefined;
          });
        }
        for (const child of block.children) {
          if (child.type !== 'test') continue;
          if ((child as { concurrent?: unknown }).concurrent !== false) this.sideBySide = true;
          if (typeof child.fn !== 'function') continue;
          const test = child;
          test.fn = wrapInScope(test.fn!, () => this.scopes.test(test));
        }
      }
    } catch (error) {
      recordInternalError('wrapping Jest tests and hooks', error);
    }
  }

  /**
   * The test an each-hook runs for. Jest 30 runs `test.concurrent` tests (and their hooks)
   * side by side and tells which one is running through expect's state; otherwise it is the
   * one test Jest is running (read first: expect's state is behind the test file's global).
   */
  private runningTest(): CircusTest | undefined {
    if (this.sideBySide) {
      const identity = this.globalOf()?.[MATCHERS]?.state?.currentTestIdentity;
      if (typeof identity === 'function') {
        const test = identity();
        if (test && test.type === 'test') return test as CircusTest;
      }
    }
    return this.state?.currentlyRunningTest ?? undefined;
  }

  /**
   * jest-circus (29) gives an error thrown by a callback of a test that already ended to the
   * test running now. The handler runs in the thrower's async context: the error goes back to
   * the test that created that callback (Jest reads the errors when the file ends).
   */
  private returnLateError(error: unknown, state: CircusState): void {
    try {
      const scope = currentScope();
      const creator = scope?.state === 'ended' ? this.scopes.testOf(scope) : undefined;
      const running = state.currentlyRunningTest;
      if (creator === undefined || !running || creator === running) return;
      const index = running.errors.lastIndexOf(error);
      if (index < 0) return;
      running.errors.splice(index, 1);
      creator.errors.push(error);
      notify(`an error was thrown by a callback of "${scope!.name}" after that test ended; failing that test`);
    } catch (failure) {
      recordInternalError('attributing a late Jest error', failure);
    }
  }

  /** Returns a promise only when the scope's exit has something to wait for. */
  private finishTest(test: CircusTest): Promise<void> | undefined {
    const scope = this.scopes.open(test);
    if (scope === undefined) return undefined;
    try {
      this.scopes.forget(test);
      const verdict = judge(scope, { subject: 'test', name: scope.name });
      if (!isPending(verdict)) return failTest(test, verdict);
      return Promise.resolve(verdict).then(
        (later) => failTest(test, later),
        (error: unknown) => recordInternalError('finishing a Jest test', error),
      );
    } catch (error) {
      recordInternalError('finishing a Jest test', error);
      return undefined;
    }
  }

  private async finishBlock(block: CircusDescribeBlock): Promise<void> {
    const scope = this.scopes.open(block);
    if (scope === undefined) return;
    try {
      this.scopes.forget(block);
      const subject = blockSubject(block);
      const { error } = await judge(scope, {
        subject,
        name: subject,
        listed: (report) => block.parent !== undefined || report.leaks.length + report.unref.length + report.state.changes.length > 0,
      });
      if (error) this.state?.unhandledErrors.push(fileLevelError(blockLeakError(block, error.report)));
    } catch (error) {
      recordInternalError('finishing a Jest describe block', error);
    }
  }

  /**
   * At teardown: ends what Jest never finished (a run cut short), so nothing the file started
   * outlives it, and says so when jest-circus never called the environment at all.
   */
  async close(): Promise<void> {
    const root = this.state?.rootDescribeBlock;
    // Innermost first: a block's exit would otherwise report its nested scopes' leaks as its own.
    const left = root ? [...this.scopes.unfinished(root)] : [];
    for (const scope of left) {
      if (scope.state !== 'open') continue;
      try {
        const report = await endScope(scope);
        notifyReport(scope.name, report, 'ended with the test file');
      } catch (error) {
        recordInternalError('ending a Jest scope at teardown', error);
      }
    }
    if (!this.sawEvents) {
      notify(
        `${this.testPath}: the test runner sent no events, so no test was checked for leaks. ` +
          "async-isolation/jest needs jest-circus (Jest's default testRunner).",
      );
    }
  }
}
