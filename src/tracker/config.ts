import type { Leak } from './report';
import { IsolationUsageError, describeValue } from './errors';
import type { StateKind } from './state-report';

/**
 * - `fail`: leaks are cancelled, reported, and fail the test.
 * - `warn`: leaks are cancelled and reported; nothing fails.
 * - `manual`: leaks are cancelled and recorded; failing is left to the user's own assertion.
 * - `off`: no hooks are installed at all; `enter`/`exit` still work and report nothing.
 */
export type IsolationMode = 'fail' | 'warn' | 'manual' | 'off';

/** What to do with what a test left alive that keeps nothing alive: see {@link IsolationOptions.unref}. */
export type UnrefPolicy = 'ignore' | 'cancel' | 'fail';

/** Every {@link StateKind}. */
export const STATE_KINDS: readonly StateKind[] = [
  'env', 'cwd', 'umask', 'exitCode', 'listeners', 'globals', 'console', 'timers', 'stackTraceLimit', 'defaultMaxListeners',
];

/** Options accepted by {@link configure} (process-wide) and by `enter()` (per scope). */
export interface IsolationOptions {
  /** What a leak does. Default `fail`, or the `ASYNC_ISOLATION` environment variable. */
  mode?: IsolationMode;
  /**
   * Resources that keep nothing alive (unref'd, or idle: a zlib stream with no write pending, a
   * socket with no file descriptor yet): `ignore` (default) lists them in the JSON report and
   * leaves them alone; `cancel` cancels them and says so on stderr; `fail` cancels them and
   * fails the test.
   */
  unref?: UnrefPolicy;
  /** Work a test's callbacks still do after the test ended: `warn` (default) reports it; `fail` fails the test too. */
  outlived?: 'warn' | 'fail';
  /** How many creation-stack frames a leak keeps (default 6). */
  stackDepth?: number;
  /** async_hooks types never reported, e.g. `['Immediate']`. */
  ignoreTypes?: string[];
  /** A leak whose creation stack contains one of these (substring or RegExp) is not reported, e.g. `'node_modules/some-lib'`. */
  ignorePaths?: Array<string | RegExp>;
  /** A leak for which this returns true is not reported. */
  ignore?: (leak: Leak) => boolean;
  /** How long `exit` waits, at most, for closes already under way before it cancels (default 200 ms). */
  settleTimeoutMs?: number;
  /** How long `exit` waits, at most, for each cleanup (`defer`, `track`, services) that returned a promise (default 5000 ms). */
  cleanupTimeoutMs?: number;
  /**
   * What a change to process-wide state a test leaves behind does (environment variables, cwd,
   * umask, exitCode, `process` listeners, globals, console methods, fake timers,
   * `Error.stackTraceLimit`, `EventEmitter.defaultMaxListeners`): it is put back in every mode
   * but `off` and told on stderr; `fail` also fails the test, `manual` leaves failing to your
   * own assertion on the report.
   * Default `off`, or the `ASYNC_ISOLATION_STATE` environment variable.
   */
  state?: IsolationMode;
  /**
   * State left out of the check: a kind (`'env'`, `'globals'`, `'listeners'`...) or one name
   * of a kind (`'env.DEBUG'`, `'globals.fetch'`, `'listeners.SIGINT'`, `'console.error'`).
   */
  ignoreState?: string[];
}

/** Fully resolved options. */
export interface ResolvedOptions {
  mode: IsolationMode;
  unref: UnrefPolicy;
  outlived: 'warn' | 'fail';
  stackDepth: number;
  ignoreTypes: ReadonlySet<string>;
  ignorePaths: ReadonlyArray<string | RegExp>;
  ignore: ((leak: Leak) => boolean) | undefined;
  settleTimeoutMs: number;
  cleanupTimeoutMs: number;
  state: IsolationMode;
  /** Kinds left out whole, and names left out per kind. */
  ignoreState: IgnoredState;
}

/** {@link IsolationOptions.ignoreState}, parsed. */
export interface IgnoredState {
  readonly kinds: ReadonlySet<StateKind>;
  /** `kind.name` strings. */
  readonly names: ReadonlySet<string>;
}

const NOTHING_IGNORED: IgnoredState = { kinds: new Set(), names: new Set() };

const MODES: readonly IsolationMode[] = ['fail', 'warn', 'manual', 'off'];

function modeFromEnv(variable: string, fallback: IsolationMode): IsolationMode {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if ((MODES as readonly string[]).includes(value)) return value as IsolationMode;
  process.emitWarning(
    `${variable}=${JSON.stringify(raw)} is not one of ${MODES.join('|')}; using "${fallback}"`,
    { code: 'ASYNC_ISOLATION_ENV' },
  );
  return fallback;
}

function defaults(): ResolvedOptions {
  return {
    mode: modeFromEnv('ASYNC_ISOLATION', 'fail'),
    unref: 'ignore',
    outlived: 'warn',
    stackDepth: 6,
    ignoreTypes: new Set(),
    ignorePaths: [],
    ignore: undefined,
    settleTimeoutMs: 200,
    cleanupTimeoutMs: 5000,
    // Opt-in: putting state back changes what later tests see, and suites pass state between
    // tests on purpose (a global one test sets for the next, fake timers left installed).
    state: modeFromEnv('ASYNC_ISOLATION_STATE', 'off'),
    ignoreState: NOTHING_IGNORED,
  };
}

let global: ResolvedOptions = defaults();

function oneOf<T extends string>(where: string, key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new IsolationUsageError(
      `${where}: option "${key}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describeValue(value)}`,
    );
  }
  return value as T;
}

function nonNegativeInteger(where: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new IsolationUsageError(
      `${where}: option "${key}" must be a non-negative integer, got ${describeValue(value)}`,
    );
  }
  return value;
}

const KNOWN_KEYS = new Set<string>([
  'mode', 'unref', 'outlived', 'stackDepth', 'ignoreTypes', 'ignorePaths', 'ignore', 'settleTimeoutMs',
  'cleanupTimeoutMs', 'state', 'ignoreState',
]);

function ignoredState(where: string, value: unknown): IgnoredState {
  const kinds = new Set<StateKind>();
  const names = new Set<string>();
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new IsolationUsageError(
      `${where}: option "ignoreState" must be an array of state kinds or "kind.name" strings, got ${describeValue(value)}`,
    );
  }
  for (const entry of value as string[]) {
    const dot = entry.indexOf('.');
    const kind = dot < 0 ? entry : entry.slice(0, dot);
    if (!(STATE_KINDS as readonly string[]).includes(kind) || dot === entry.length - 1) {
      throw new IsolationUsageError(
        `${where}: option "ignoreState" has ${JSON.stringify(entry)}; use one of ${STATE_KINDS.join(', ')}, or "kind.name" (e.g. "env.DEBUG")`,
      );
    }
    if (dot < 0) kinds.add(kind as StateKind);
    else names.add(entry);
  }
  return { kinds, names };
}

/**
 * Validates `options` (from `where`, for the error message) and merges them over `base`.
 * Throws {@link IsolationUsageError} naming the option for anything of the wrong type.
 */
export function resolveOptions(where: string, options: unknown, base: ResolvedOptions = global): ResolvedOptions {
  if (options === undefined) return base;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new IsolationUsageError(`${where}: options must be an object, got ${describeValue(options)}`);
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new IsolationUsageError(
        `${where}: unknown option "${key}" (known: ${[...KNOWN_KEYS].join(', ')})`,
      );
    }
  }
  const out: ResolvedOptions = { ...base };
  if (given.mode !== undefined) out.mode = oneOf(where, 'mode', given.mode, MODES);
  if (given.unref !== undefined) out.unref = oneOf(where, 'unref', given.unref, ['ignore', 'cancel', 'fail'] as const);
  if (given.outlived !== undefined) out.outlived = oneOf(where, 'outlived', given.outlived, ['warn', 'fail'] as const);
  if (given.stackDepth !== undefined) out.stackDepth = nonNegativeInteger(where, 'stackDepth', given.stackDepth);
  if (given.settleTimeoutMs !== undefined) {
    out.settleTimeoutMs = nonNegativeInteger(where, 'settleTimeoutMs', given.settleTimeoutMs);
  }
  if (given.cleanupTimeoutMs !== undefined) {
    out.cleanupTimeoutMs = nonNegativeInteger(where, 'cleanupTimeoutMs', given.cleanupTimeoutMs);
  }
  if (given.state !== undefined) out.state = oneOf(where, 'state', given.state, MODES);
  if (given.ignoreState !== undefined) out.ignoreState = ignoredState(where, given.ignoreState);
  if (given.ignoreTypes !== undefined) {
    const types = given.ignoreTypes;
    if (!Array.isArray(types) || !types.every((t) => typeof t === 'string')) {
      throw new IsolationUsageError(
        `${where}: option "ignoreTypes" must be an array of async_hooks type names, got ${describeValue(types)}`,
      );
    }
    out.ignoreTypes = new Set(types as string[]);
  }
  if (given.ignorePaths !== undefined) {
    const paths = given.ignorePaths;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' || p instanceof RegExp)) {
      throw new IsolationUsageError(
        `${where}: option "ignorePaths" must be an array of strings or RegExps, got ${describeValue(paths)}`,
      );
    }
    out.ignorePaths = paths as Array<string | RegExp>;
  }
  if (given.ignore !== undefined) {
    if (typeof given.ignore !== 'function') {
      throw new IsolationUsageError(`${where}: option "ignore" must be a function, got ${describeValue(given.ignore)}`);
    }
    out.ignore = given.ignore as (leak: Leak) => boolean;
  }
  return out;
}

/** Sets process-wide defaults for every scope entered from now on. */
export function configure(options: IsolationOptions): void {
  global = resolveOptions('configure()', options);
}

/** The process-wide options in force. */
export function globalOptions(): ResolvedOptions {
  return global;
}

/** Back to the defaults (and the environment): for tests of the library itself. */
export function resetConfiguration(): void {
  global = defaults();
}
