import { processWide } from '../context/process-wide';
import { recordInternalError } from '../context/internal-errors';
import { readStack, userFrameSite, type ReadStack } from '../context/stack';
import { creationSite } from './creation-site';
import type { EarlierWork } from './report';
import type { LeftWork, NotedWork } from './noted-work';
import type { ResourceRecord, Scope } from './scope';

/**
 * "Passes alone, fails together": work an ended test left behind that ran while a later test
 * was open. Nothing here runs per resource or per clean test: a scope an adapter runs joins a
 * set while open; the few things the library leaves running at a test's end (an unref'd or
 * ignored timer, an immediate it never stops) get their callback wrapped then; and the work
 * an ended scope does is already seen where it creates a resource or a promise.
 */

/** Said per test; more are noted, since work naming no user frame (Node's, a library's) is left out then. */
const MAX_SAID = 5;
const MAX_NOTED = 10;
const WATCHED = Symbol('async-isolation.left-by');
/** Scopes of tests and suites an adapter runs, while they are open. */
const running = processWide('running-scopes', () => new Set<Scope>());
/** How many callbacks of watched work are running now (what they create is said with them). */
let inWatched = 0;

/** @internal a scope an adapter runs (a test's, a suite's): work of earlier ones is noted on it. */
export function startRunning(scope: Scope): void {
  running.add(scope);
}

/** @internal the scope ended. */
export function stopRunning(scope: Scope): void {
  running.delete(scope);
}

/**
 * The scopes open now that no other open one runs inside: the test running, not its suite.
 * Tests run side by side (`test.concurrent`) are each one of them.
 */
function innermostOpen(): Scope[] {
  const open: Scope[] = [];
  for (const scope of running) if (scope.state === 'open' && scope.options.mode !== 'off') open.push(scope);
  if (open.length < 2) return open;
  const outer = new Set<Scope>();
  for (const scope of open) for (let p = scope.parent; p !== undefined; p = p.parent) outer.add(p);
  return open.filter((scope) => !outer.has(scope));
}

function note(noted: NotedWork): void {
  try {
    for (const scope of innermostOpen()) {
      const list = (scope.earlierWork ??= []);
      if (list.length >= MAX_NOTED || list.some((n) => n.work === noted.work || (n.key !== undefined && n.key === noted.key))) continue;
      list.push(noted);
    }
  } catch (error) {
    recordInternalError('noting work an earlier test left', error);
  }
}

/** Read when the test it ran during ends, not while it runs. */
function lazySite(read: () => { text: string; hasUserFrame: boolean }): () => string {
  let site: string | undefined;
  return () => (site ??= userFrameSite(read()));
}

/** How a person knows the earlier test: its runner's own title. */
function titleOf(scope: Scope): string {
  return scope.owner?.title ?? scope.name;
}

const CALLBACK_KEYS: Record<string, string> = { Timeout: '_onTimeout', Immediate: '_onImmediate' };

/**
 * For a timer or immediate of `scope` the library leaves running past the scope's end: its
 * callback, when it runs, says so to the scope open then. Other resources are seen through what
 * their callbacks create ({@link noteLateResource}).
 */
export function watchLeftWork(scope: Scope, record: ResourceRecord): void {
  const key = CALLBACK_KEYS[record.type];
  if (key === undefined) return;
  try {
    const resource = record.resource as Record<string, unknown>;
    const callback = resource[key] as ((...args: unknown[]) => unknown) & { [WATCHED]?: true };
    if (typeof callback !== 'function' || callback[WATCHED]) return;
    const depth = scope.options.stackDepth;
    const work: LeftWork = {
      by: titleOf(scope),
      what: record.type === 'Timeout' ? 'timer' : 'immediate',
      site: lazySite(() => creationSite(record, depth)),
    };
    const watched = function (this: unknown, ...args: unknown[]): unknown {
      note({ work });
      inWatched++;
      try {
        return Reflect.apply(callback, this, args);
      } finally {
        inWatched--;
      }
    };
    // Reports describe a timer by its callback's name.
    Object.defineProperty(watched, 'name', { value: callback.name, configurable: true });
    Object.defineProperty(watched, WATCHED, { value: true });
    resource[key] = watched;
  } catch (error) {
    recordInternalError(`watching a ${record.type} left by "${scope.name}"`, error);
  }
}

/** A callback of the ended `scope` ran and created `record` (unless it is watched work, noted already). */
export function noteLateResource(scope: Scope, record: ResourceRecord): void {
  if (inWatched > 0 || running.size === 0) return;
  const depth = scope.options.stackDepth;
  const by = titleOf(scope);
  note({ work: { by, what: 'callback', site: lazySite(() => readStack(record, depth)) }, created: record.type, key: `${by}\0${record.type}` });
}

/** A continuation of the ended `scope` ran where the user's code awaited (its stack read already). */
export function noteLateContinuation(scope: Scope, stack: ReadStack): void {
  if (inWatched > 0 || running.size === 0) return;
  const site = userFrameSite(stack);
  note({ work: { by: titleOf(scope), what: 'continuation', site: () => site } });
}

const PHRASES: Record<EarlierWork['what'], [string, string]> = {
  timer: ['a timer', 'fired'],
  immediate: ['an immediate', 'ran'],
  continuation: ['a continuation (await/then)', 'ran'],
  callback: ['a callback', 'ran'],
};

/** The scope's noted work as report data, or undefined when none ran. */
export function earlierWorkOf(scope: Scope): EarlierWork[] | undefined {
  const noted = scope.earlierWork;
  if (noted === undefined) return undefined;
  const seen = new Set<string>();
  const list: EarlierWork[] = [];
  // A callback that created a timer or immediate which then ran too is said by that one alone.
  const watchedSites = new Set(noted.filter((n) => n.created === undefined).map((n) => `${n.work.by}\0${n.work.site()}`));
  for (const { work, created } of noted) {
    const site = work.site();
    // Work with no user frame is Node's or a library's own: nothing for a person to look at.
    if (site === '' || list.length === MAX_SAID) continue;
    if (created !== undefined && watchedSites.has(`${work.by}\0${site}`)) continue;
    const [thing, verb] = PHRASES[work.what];
    const where = created ? ` (creating ${/^[AEIOU]/.test(created) ? 'an' : 'a'} ${created} at ${site})` : ` (${site})`;
    const description = created ? `${thing} left by ${JSON.stringify(work.by)} ${verb}${where}` : `${thing} left by ${JSON.stringify(work.by)}${where} ${verb}`;
    if (seen.has(description)) continue;
    seen.add(description);
    list.push({ by: work.by, what: work.what, site, description });
  }
  return list.length > 0 ? list : undefined;
}
