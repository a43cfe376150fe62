import { types } from 'node:util';
import { processWide } from '../context/process-wide';

/**
 * What a state check learns about `process.env` while it is open: for each variable written
 * or deleted through `process.env`, its value before the first write (undefined: it was unset).
 */
export type EnvLog = Map<string, string | undefined>;

interface EnvWrites {
  /** The environment Node made (reading each of its variables crosses into C++). */
  readonly real: Record<string, string | undefined>;
  /** What `process.env` is set to: `real` behind traps that fill the open logs. */
  readonly proxy: Record<string, string | undefined>;
  readonly open: Set<EnvLog>;
}

function note(open: Set<EnvLog>, real: Record<string, string | undefined>, key: string | symbol): void {
  if (typeof key !== 'string' || open.size === 0) return;
  const before = real[key];
  for (const log of open) if (!log.has(key)) log.set(key, before);
}

function createEnvWrites(): EnvWrites | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(process, 'env');
  if (descriptor === undefined || !('value' in descriptor) || !descriptor.writable || !descriptor.configurable) return undefined;
  const real = descriptor.value as Record<string, string | undefined>;
  // Not Node's own: a Jest test file's copy of `process` (seen from the file's own copy of the
  // library) has its environment behind a Proxy of Jest's.
  if (real === null || typeof real !== 'object' || types.isProxy(real)) return undefined;
  const open = new Set<EnvLog>();
  // Only writes are trapped; every read goes straight to Node's own object. Writes use it as
  // the receiver, so its conversions (values to strings, TZ resetting the time zone) still run.
  const proxy = new Proxy(real, {
    set(target, key, value) {
      note(open, target, key);
      (target as Record<string | symbol, unknown>)[key] = value;
      return true;
    },
    deleteProperty(target, key) {
      note(open, target, key);
      return delete (target as Record<string | symbol, unknown>)[key];
    },
    defineProperty(target, key, attributes) {
      note(open, target, key);
      return Reflect.defineProperty(target, key, attributes);
    },
  });
  Object.defineProperty(process, 'env', { ...descriptor, value: proxy });
  return { real, proxy, open };
}

let writes: EnvWrites | undefined | null = null;

/**
 * Starts watching writes to `process.env` (once per process): reading the whole environment
 * at every test's start and end would cost more than the rest of a clean test. Undefined when
 * `process.env` cannot be replaced, or is not Node's own at that moment.
 */
function envWrites(): EnvWrites | undefined {
  if (writes === null) {
    // Shared by every copy of the library (Jest's per-file registries): one proxy, one set of logs.
    writes = processWide('env-writes', () => createEnvWrites() ?? false) || undefined;
  }
  return writes;
}

/** The environment object a log watches, and the one Node made. */
export interface EnvWatch {
  readonly log: EnvLog;
  readonly proxy: object;
  readonly real: Record<string, string | undefined>;
}

/** Opens a log of writes to `process.env`, or undefined when they cannot be watched. */
export function openEnvLog(): EnvWatch | undefined {
  const shared = envWrites();
  if (shared === undefined) return undefined;
  const log: EnvLog = new Map();
  shared.open.add(log);
  return { log, proxy: shared.proxy, real: shared.real };
}

/** Stops filling a log. */
export function closeEnvLog(watch: EnvWatch): void {
  envWrites()?.open.delete(watch.log);
}
