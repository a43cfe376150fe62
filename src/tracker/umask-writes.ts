import { processWide } from '../context/process-wide';

/** What a state check learns about the umask while it is open: its value before the first change. */
export interface UmaskLog {
  before: number | undefined;
}

interface UmaskWrites {
  readonly umask: (mask?: string | number) => number;
  readonly original: (mask?: string | number) => number;
  readonly open: Set<UmaskLog>;
}

function createUmaskWrites(): UmaskWrites | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(process, 'umask');
  if (descriptor === undefined || typeof descriptor.value !== 'function' || !descriptor.writable) return undefined;
  const original = descriptor.value as UmaskWrites['original'];
  const open = new Set<UmaskLog>();
  const umask = function umask(this: unknown, ...args: [mask?: string | number]): number {
    const previous = original.apply(this, args);
    if (args[0] !== undefined && open.size > 0) for (const log of open) log.before ??= previous;
    return previous;
  };
  Object.defineProperty(process, 'umask', { ...descriptor, value: umask });
  return { umask, original, open };
}

let writes: UmaskWrites | undefined | null = null;

/**
 * Starts watching `process.umask(mask)` calls (once per process): reading the umask means two
 * system calls (set and set back), at every test's start and end. Undefined when
 * `process.umask` cannot be replaced.
 */
function umaskWrites(): UmaskWrites | undefined {
  if (writes === null) writes = processWide('umask-writes', () => createUmaskWrites() ?? false) || undefined;
  return writes;
}

/** Opens a log of umask changes made through `proc.umask`, when it is the watched one. */
export function openUmaskLog(proc: { umask?: unknown }): UmaskLog | undefined {
  const shared = umaskWrites();
  if (shared === undefined || proc.umask !== shared.umask) return undefined;
  const log: UmaskLog = { before: undefined };
  shared.open.add(log);
  return log;
}

/** Stops filling a log. */
export function closeUmaskLog(log: UmaskLog): void {
  umaskWrites()?.open.delete(log);
}
