import events = require('node:events');
import type { IgnoredState } from './config';
import type { StateChange, StateKind } from './state-report';
import { closeEnvLog, openEnvLog, type EnvWatch } from './env-writes';
import { closeUmaskLog, openUmaskLog, type UmaskLog } from './umask-writes';
import { listenerSitesOpen, removalOf, siteOf, watchListenerSites } from './listener-sites';
import { recordInternalError } from '../context/internal-errors';
import { errorMessage, plural } from './text';

/** What the check needs of a scope: its name, its parents (to tell nesting from side by side), its options. */
export interface StateScope {
  readonly name: string;
  readonly parent: StateScope | undefined;
  readonly options: { readonly ignoreState: IgnoredState };
}

/**
 * The global object a test's code sees, whose `process`, `console`, `Error`, `Date` and `Math`
 * are checked: Node's own, or a Jest environment's (which has its own copy of `process`).
 */
export type StateRealm = Record<string, any>;

type Env = Record<string, string | undefined>;

/** What a scope's state was when it started. */
export interface StateBaseline {
  readonly scope: StateScope;
  readonly realm: StateRealm;
  /** The realm's `process` when the scope started (a test may swap the global for another). */
  readonly process: any;
  readonly ignored: IgnoredState;
  /** Another scope that is not its ancestor or descendant was open meanwhile (concurrent tests). */
  overlapped: boolean;
  env?: { object: Env; watch: EnvWatch | undefined; copy: Env | undefined };
  cwd?: string;
  /** Changes watched as they are made (Node's own process), or the value read at the start. */
  umask?: { log: UmaskLog } | { value: number };
  exitCode?: unknown;
  listeners?: { emitter: NodeJS.EventEmitter; names: Array<string | symbol>; lists: Function[][] };
  globals?: { keys: string[]; values: unknown[] };
  console?: { object: unknown; methods: unknown[] };
  timers?: unknown[];
  stackTraceLimit?: unknown;
  defaultMaxListeners?: number;
}

const open = new Set<StateBaseline>();

/** Sentinel for a global defined with a getter: Node's lazily loaded ones change on first use. */
const ACCESSOR = Symbol('accessor');

const CONSOLE_METHODS = [
  'log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table', 'group', 'groupCollapsed', 'groupEnd',
  'time', 'timeEnd', 'timeLog', 'count', 'assert',
] as const;

const onGlobal = (realm: StateRealm): any => realm;
const onProcess = (_realm: StateRealm, proc: any): any => proc;

/** Where fake timers (sinon's, Jest's, Vitest's) and replaced clocks and randomness show. */
const TIMER_SLOTS: ReadonlyArray<readonly [holder: (realm: StateRealm, proc: any) => any, key: string, label: string]> = [
  ...[
    'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'Date',
    // Faked by @sinonjs/fake-timers too; its uninstall leaves them as own properties.
    'performance', 'Intl',
  ].map(
    (key) => [onGlobal, key, key] as const,
  ),
  [onProcess, 'nextTick', 'process.nextTick'],
  [onProcess, 'hrtime', 'process.hrtime'],
  [(r) => r.Date, 'now', 'Date.now'],
  [(r) => r.Math, 'random', 'Math.random'],
];
const TIMER_GLOBALS = new Set(TIMER_SLOTS.filter(([holder]) => holder === onGlobal).map(([, key]) => key));

/** Globals that tools own and fill in as tests run (istanbul's coverage counters, the runners' state). */
const TOOL_GLOBAL = /^(?:__coverage__$|__vitest|__VITEST|__jest|__mocha)/;

/** Per realm: the own property names it had at its first check (Node's, the runner's). */
const firstNames = new WeakMap<object, ReadonlySet<string>>();

function namesAtFirstCheck(realm: StateRealm): ReadonlySet<string> {
  let names = firstNames.get(realm);
  if (names === undefined) firstNames.set(realm, (names = new Set(Object.getOwnPropertyNames(realm))));
  return names;
}

/** Per realm: which enumerable globals are accessors (reading them could load a Node module). */
const accessorKeys = new WeakMap<object, Map<string, boolean>>();

function isAccessor(realm: StateRealm, key: string): boolean {
  let known = accessorKeys.get(realm);
  if (known === undefined) accessorKeys.set(realm, (known = new Map()));
  const cached = known.get(key);
  // A getter can turn into a value (Node's lazy globals do on first use): look again.
  if (cached === false) return false;
  const descriptor = Object.getOwnPropertyDescriptor(realm, key);
  const accessor = descriptor !== undefined && !('value' in descriptor);
  known.set(key, accessor);
  return accessor;
}

function readGlobals(realm: StateRealm, keys: string[]): unknown[] {
  const values = new Array<unknown>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    values[i] = isAccessor(realm, key) ? ACCESSOR : realm[key];
  }
  return values;
}

function readTimers(realm: StateRealm, proc: unknown): unknown[] {
  return TIMER_SLOTS.map(([holder, key]) => holder(realm, proc)?.[key]);
}

function readConsole(realm: StateRealm): { object: unknown; methods: unknown[] } {
  const object = realm.console;
  return { object, methods: CONSOLE_METHODS.map((name) => (object as any)?.[name]) };
}

function isWithin(inner: StateScope, outer: StateScope): boolean {
  for (let s: StateScope | undefined = inner; s !== undefined; s = s.parent) if (s === outer) return true;
  return false;
}

/**
 * Takes what `scope` starts from, for every kind of state its options check. Cheap on purpose
 * (it runs for every test): the environment is watched for writes instead of read, listeners
 * and globals are compared by identity, and no stack is captured.
 */
export function captureState(scope: StateScope, realm: StateRealm): StateBaseline {
  const { kinds } = scope.options.ignoreState;
  const proc = realm.process;
  const baseline: StateBaseline = { scope, realm, process: proc, ignored: scope.options.ignoreState, overlapped: false };
  for (const other of open) {
    if (!isWithin(scope, other.scope)) {
      other.overlapped = true;
      baseline.overlapped = true;
    }
  }
  if (!kinds.has('env') && proc?.env !== null && typeof proc?.env === 'object') {
    // Opened whatever the realm: the first check of the process (never one inside a Jest test
    // file, whose `process` is Jest's copy) is the one that starts watching Node's own.
    const watch = openEnvLog();
    const object = proc.env as Env;
    const watched = watch !== undefined && object === watch.proxy;
    if (watch !== undefined && !watched) closeEnvLog(watch);
    baseline.env = { object, watch: watched ? watch : undefined, copy: watched ? undefined : { ...object } };
  }
  if (!kinds.has('cwd') && typeof proc?.cwd === 'function') baseline.cwd = proc.cwd();
  if (!kinds.has('umask') && typeof proc?.umask === 'function') {
    const log = openUmaskLog(proc);
    baseline.umask = log !== undefined ? { log } : { value: proc.umask() };
  }
  if (!kinds.has('exitCode') && proc) baseline.exitCode = proc.exitCode;
  if (!kinds.has('listeners') && typeof proc?.eventNames === 'function') {
    watchListenerSites(proc);
    const names = proc.eventNames() as Array<string | symbol>;
    baseline.listeners = { emitter: proc, names, lists: names.map((name) => proc.rawListeners(name)) };
  }
  if (!kinds.has('globals')) {
    namesAtFirstCheck(realm);
    const keys = Object.keys(realm);
    baseline.globals = { keys, values: readGlobals(realm, keys) };
  }
  if (!kinds.has('console')) baseline.console = readConsole(realm);
  if (!kinds.has('timers')) baseline.timers = readTimers(realm, proc);
  if (!kinds.has('stackTraceLimit')) baseline.stackTraceLimit = realm.Error?.stackTraceLimit;
  if (!kinds.has('defaultMaxListeners')) baseline.defaultMaxListeners = events.defaultMaxListeners;
  open.add(baseline);
  if (baseline.listeners) listenerSitesOpen(1);
  return baseline;
}

/** Collects the changes found, each put back as it is found. */
class Changes {
  readonly list: StateChange[] = [];
  constructor(private readonly ignored: IgnoredState) {}

  /** Records a change and runs `restore`; a change ignored by name is neither told nor restored. */
  add(kind: StateKind, name: string, description: string, restore: () => void): void {
    if (this.ignored.names.has(`${kind}.${name}`)) return;
    const change: StateChange = { kind, name, description, restored: true };
    try {
      restore();
    } catch (error) {
      change.restored = false;
      change.restoreError = errorMessage(error);
    }
    this.list.push(change);
  }
}

function diffEnvObjects(before: Env, now: Env, changes: Changes, target: Env, what: string): void {
  for (const key of Object.keys(now)) {
    if (!(key in before)) changes.add('env', key, `${what}.${key} set`, () => void delete target[key]);
    else if (now[key] !== before[key]) changes.add('env', key, `${what}.${key} changed`, () => void (target[key] = before[key]));
  }
  for (const key of Object.keys(before)) {
    if (!(key in now)) changes.add('env', key, `${what}.${key} deleted`, () => void (target[key] = before[key]));
  }
}

function checkEnv(base: NonNullable<StateBaseline['env']>, proc: any, changes: Changes): void {
  const now = proc.env as Env;
  if (now !== base.object) {
    // The whole object was swapped (`process.env = { ...env }`): named by what differs.
    const before = base.copy ?? { ...base.object };
    const names: string[] = [];
    for (const key of new Set([...Object.keys(now ?? {}), ...Object.keys(before)])) {
      if (now?.[key] !== before[key]) names.push(key);
    }
    const detail = names.length > 0 ? ` (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''} differ)` : '';
    changes.add('env', 'process.env', `process.env replaced${detail}`, () => {
      proc.env = base.object;
    });
  }
  if (base.watch !== undefined) {
    const real = base.watch.real;
    for (const [key, before] of base.watch.log) {
      const value = real[key];
      if (value === before) continue;
      const what = before === undefined ? 'set' : value === undefined ? 'deleted' : 'changed';
      changes.add('env', key, `process.env.${key} ${what}`, () => {
        if (before === undefined) delete real[key];
        else real[key] = before;
      });
    }
  } else if (base.copy !== undefined) {
    diffEnvObjects(base.copy, base.object, changes, base.object, 'process.env');
  }
}

function checkListeners(base: NonNullable<StateBaseline['listeners']>, changes: Changes): void {
  const { emitter } = base;
  const names = emitter.eventNames();
  let same = names.length === base.names.length;
  for (let i = 0; same && i < names.length; i++) {
    const index = base.names.indexOf(names[i]!);
    if (index < 0) same = false;
    else {
      const before = base.lists[index]!;
      const now = emitter.rawListeners(names[i]!);
      same = now.length === before.length && now.every((l, j) => l === before[j]);
    }
  }
  if (same) return;
  for (const name of new Set([...base.names, ...names])) {
    const index = base.names.indexOf(name);
    const before = index < 0 ? [] : base.lists[index]!;
    const now = emitter.rawListeners(name);
    const added = now.filter((l) => !before.includes(l));
    const theirs = added.filter((l) => siteOf((l as any).listener ?? l)?.notUsers === true);
    const users = added.filter((l) => !theirs.includes(l));
    // Node removes listeners of its own as it goes (the ES module loader's exit check): only
    // those user code removed are told and put back.
    const removed = before.filter((l) => !now.includes(l) && removalOf((l as any).listener ?? l)?.notUsers === false);
    const label = typeof name === 'symbol' ? String(name) : `'${name}'`;
    const key = String(name);
    if (users.length > 0) {
      const at = users.map((l) => siteOf((l as any).listener ?? l)?.at).filter(Boolean);
      const where = at.length > 0 ? ` (at ${[...new Set(at)].join(', ')})` : '';
      changes.add('listeners', key, `${plural(users.length, `${label} listener`)} added${where}`, () => {
        for (const l of users) emitter.removeListener(name, l as (...args: any[]) => void);
      });
    }
    if (removed.length > 0) {
      changes.add('listeners', key, `${plural(removed.length, `${label} listener`)} removed`, () => {
        // Back in their old order, with what libraries added since after them.
        const current = emitter.rawListeners(name);
        const back = before.filter((l) => removed.includes(l) || current.includes(l));
        const keep = current.filter((l) => theirs.includes(l) || !before.includes(l));
        emitter.removeAllListeners(name);
        for (const l of [...back, ...keep]) emitter.on(name, l as (...args: any[]) => void);
      });
    }
  }
}

function checkGlobals(base: NonNullable<StateBaseline['globals']>, realm: StateRealm, changes: Changes): void {
  const keys = Object.keys(realm);
  if (keys.length === base.keys.length) {
    let same = true;
    for (let i = 0; same && i < keys.length; i++) {
      const before = base.values[i];
      same = keys[i] === base.keys[i] && (before === ACCESSOR || TIMER_GLOBALS.has(keys[i]!) || Object.is(realm[keys[i]!], before));
    }
    if (same) return;
  }
  const start = new Map(base.keys.map((key, i) => [key, base.values[i]]));
  for (const key of keys) {
    if (TIMER_GLOBALS.has(key) || TOOL_GLOBAL.test(key)) continue;
    if (!start.has(key)) {
      // `global.x = undefined` in a cleanup: nothing a later test could see but `in`. A name
      // the realm had from the start, hidden (not enumerable), that became enumerable by being
      // assigned again (`delete global.process` then `global.process = saved`) was not added.
      if (realm[key] === undefined || namesAtFirstCheck(realm).has(key)) continue;
      changes.add('globals', key, `global ${key} added`, () => {
        if (!delete realm[key]) throw new Error(`global ${key} cannot be deleted`);
      });
      continue;
    }
    const before = start.get(key);
    if (before === ACCESSOR || Object.is(realm[key], before)) continue;
    changes.add('globals', key, `global ${key} replaced`, () => void (realm[key] = before));
  }
  const now = new Set(keys);
  for (const [key, before] of start) {
    if (now.has(key) || before === ACCESSOR || TIMER_GLOBALS.has(key) || TOOL_GLOBAL.test(key)) continue;
    changes.add('globals', key, `global ${key} deleted`, () => void (realm[key] = before));
  }
}

function checkConsole(base: NonNullable<StateBaseline['console']>, realm: StateRealm, changes: Changes): void {
  if (realm.console !== base.object) {
    changes.add('console', 'console', 'console replaced', () => void (realm.console = base.object));
    return;
  }
  const object = base.object as Record<string, unknown>;
  CONSOLE_METHODS.forEach((name, i) => {
    const before = base.methods[i];
    if (object[name] !== before) changes.add('console', name, `console.${name} replaced`, () => void (object[name] = before));
  });
}

/** The fake clock a replaced timer function or Date belongs to (@sinonjs/fake-timers marks them). */
function fakeClock(values: unknown[]): { uninstall?: () => unknown } | undefined {
  for (const value of values) {
    const clock = (value as { clock?: { uninstall?: () => unknown } } | null | undefined)?.clock;
    if (clock !== null && typeof clock === 'object' && typeof clock.uninstall === 'function') return clock;
  }
  return undefined;
}

function checkTimers(before: unknown[], realm: StateRealm, proc: unknown, changes: Changes): void {
  const now = readTimers(realm, proc);
  const replaced = TIMER_SLOTS.filter((_, i) => now[i] !== before[i]);
  if (replaced.length === 0) return;
  const putBack = (): void => {
    TIMER_SLOTS.forEach(([holder, key], i) => {
      const target = holder(realm, proc);
      if (target && target[key] !== before[i]) target[key] = before[i];
    });
  };
  const clock = fakeClock(now);
  const dateReplaced = replaced.some(([holder, key]) => holder === onGlobal && key === 'Date');
  // Date.now belongs to whichever Date is installed: one replaced Date is one change.
  const told = replaced.filter(([, , label]) => label !== 'Date.now' || !dateReplaced);
  if (clock !== undefined) {
    const labels = told.map(([, , label]) => label);
    changes.add('timers', 'fake timers', `fake timers still installed (${labels.join(', ')} replaced)`, () => {
      // The clock's own uninstall puts back everything it faked (performance.now too).
      clock.uninstall!();
      putBack();
    });
    return;
  }
  for (const [holder, key, label] of told) {
    const i = TIMER_SLOTS.findIndex(([h, k]) => h === holder && k === key);
    const what = holder === onGlobal ? `global ${label}` : label;
    changes.add('timers', label, `${what} replaced`, () => void (holder(realm, proc)[key] = before[i]));
  }
}

function checkValues(base: StateBaseline, realm: StateRealm, changes: Changes): void {
  const proc = base.process;
  if (proc !== undefined && realm.process !== proc) {
    changes.add('globals', 'process', 'global process replaced', () => {
      realm.process = proc;
    });
  }
  if (base.cwd !== undefined) {
    const now = proc.cwd();
    if (now !== base.cwd) changes.add('cwd', 'cwd', `cwd changed (from ${base.cwd} to ${now})`, () => proc.chdir(base.cwd));
  }
  const umask = base.umask;
  const before = umask === undefined ? undefined : 'log' in umask ? umask.log.before : umask.value;
  if (before !== undefined) {
    const now = proc.umask();
    const octal = (n: number) => `0o${n.toString(8).padStart(3, '0')}`;
    if (now !== before) changes.add('umask', 'umask', `umask changed (from ${octal(before)} to ${octal(now)})`, () => proc.umask(before));
  }
  if ('exitCode' in base && proc.exitCode !== base.exitCode) {
    changes.add('exitCode', 'exitCode', `process.exitCode set to ${String(proc.exitCode)}`, () => {
      proc.exitCode = base.exitCode;
    });
  }
  if ('stackTraceLimit' in base && realm.Error?.stackTraceLimit !== base.stackTraceLimit) {
    const now = realm.Error.stackTraceLimit;
    changes.add('stackTraceLimit', 'stackTraceLimit', `Error.stackTraceLimit changed (from ${String(base.stackTraceLimit)} to ${String(now)})`, () => {
      realm.Error.stackTraceLimit = base.stackTraceLimit;
    });
  }
  if (base.defaultMaxListeners !== undefined && events.defaultMaxListeners !== base.defaultMaxListeners) {
    const now = events.defaultMaxListeners;
    changes.add(
      'defaultMaxListeners',
      'defaultMaxListeners',
      `EventEmitter.defaultMaxListeners changed (from ${base.defaultMaxListeners} to ${now})`,
      () => void (events.defaultMaxListeners = base.defaultMaxListeners!),
    );
  }
}

function guarded(base: StateBaseline, what: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    recordInternalError(`checking ${what} of scope "${base.scope.name}"`, error);
  }
}

/**
 * Compares the state now with what the scope started from, puts back every change, and says
 * what changed. Nothing is compared (or put back) for a scope that ran side by side with
 * another one: what changed could be the other's, still under way.
 */
export function restoreState(base: StateBaseline): StateChange[] {
  if (!open.delete(base)) return [];
  if (base.listeners) listenerSitesOpen(-1);
  if (base.env?.watch !== undefined) closeEnvLog(base.env.watch);
  if (base.umask !== undefined && 'log' in base.umask) closeUmaskLog(base.umask.log);
  if (base.overlapped) return [];
  const changes = new Changes(base.ignored);
  const { realm } = base;
  if (base.env) guarded(base, 'process.env', () => checkEnv(base.env!, base.process, changes));
  if (base.listeners) guarded(base, 'process listeners', () => checkListeners(base.listeners!, changes));
  if (base.globals) guarded(base, 'globals', () => checkGlobals(base.globals!, realm, changes));
  if (base.console) guarded(base, 'console', () => checkConsole(base.console!, realm, changes));
  if (base.timers) guarded(base, 'timers', () => checkTimers(base.timers!, realm, base.process, changes));
  guarded(base, 'process values', () => checkValues(base, realm, changes));
  return changes.list;
}
