import { runInScope, runInternal } from '../../context/context';
import { createScope } from '../../tracker/lifecycle';
import type { Scope } from '../../tracker/scope';
import type { ScopeOwner } from '../../tracker/scope-owner';
import type { Task, VitestApi } from './api';

/** The open scope of each running test (one per try: a retry gets a fresh scope). */
const testScopes = new WeakMap<object, Scope>();
/** Hook functions already made to run in their test's scope, and the adapter's own hooks. */
const scopedHooks = new WeakSet<Function>();

/** `describe > test` names, outermost first (the file is left out). */
function titlePath(test: Task): string[] {
  const names: string[] = [];
  for (let task = test; task && !('filepath' in task); task = task.suite) names.unshift(String(task.name));
  return names;
}

/** The test's own outcome, before its leaks are judged (its result is not final yet). */
function outcomeOf(test: Task): string {
  const state = test.result?.state;
  if (state === 'fail') return 'failed';
  if (state === 'skip') return 'skipped';
  return 'passed';
}

/** A Vitest test, as the owner of its scope. */
class VitestOwner implements ScopeOwner {
  readonly runner = 'vitest';
  readonly kind = 'test';
  readonly title: string;

  constructor(
    readonly test: Task,
    readonly titlePath: string[],
  ) {
    this.title = titlePath.join(' > ');
  }

  get file(): string | undefined {
    return this.test.file?.filepath;
  }

  outcome(): string {
    return outcomeOf(this.test);
  }
}

/** Opens the scope of a test's try: its beforeEach hooks, body and afterEach hooks. */
export function openTestScope(test: Task): Scope {
  const owner = new VitestOwner(test, titlePath(test));
  // Created outside any scope: a test never becomes the child of another one.
  const scope = runInternal(() => createScope(owner.title, undefined, undefined, undefined, owner));
  testScopes.set(test, scope);
  return scope;
}

/** Lets go of a test's scope once it is ending: nothing of the test runs after that. */
export function forgetTestScope(test: Task): void {
  testScopes.delete(test);
}

/** Runs `run` in the test's open scope, or as it is when the test has none. */
export function inTestScope<T>(test: Task, run: () => T): T {
  const scope = testScopes.get(test);
  return scope !== undefined && scope.state === 'open' ? runInScope(scope, run) : run();
}

/** Marks one of the adapter's own hooks: it never runs in a test's scope. */
export function ownHook<T extends Function>(hook: T): T {
  scopedHooks.add(hook);
  return hook;
}

function scopedHook(hook: Function): Function {
  if (typeof hook !== 'function' || scopedHooks.has(hook)) return hook;
  const scoped = function scopedHook(this: unknown, ...args: any[]) {
    const test = args[0]?.task;
    return test ? inTestScope(test, () => hook.apply(this, args)) : hook.apply(this, args);
  };
  // Vitest keeps a hook's timeouts and stack under symbol keys of the function itself.
  Object.assign(scoped, hook);
  scopedHooks.add(scoped);
  return scoped;
}

const EACH_HOOKS = ['beforeEach', 'afterEach'] as const;

/**
 * Makes the beforeEach/afterEach hooks of every suite around `test` run in the scope of the
 * test they run for. Each hook is replaced once; the check per test is a walk up its suites.
 */
export function scopeEachHooks(api: VitestApi, test: Task): void {
  for (let suite = test.suite ?? test.file; suite; suite = 'filepath' in suite ? undefined : suite.suite ?? suite.file) {
    const hooks = api.suiteHooks(suite);
    if (hooks === undefined) continue;
    for (const name of EACH_HOOKS) {
      const list = hooks[name];
      if (!Array.isArray(list)) continue;
      for (let i = 0; i < list.length; i++) list[i] = scopedHook(list[i]!) as (typeof list)[number];
    }
  }
}
