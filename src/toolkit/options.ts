import { IsolationUsageError, describeValue } from '../tracker/errors';

/** The largest delay `setTimeout` honours; above it Node fires after 1 ms instead. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A non-empty string, or an {@link IsolationUsageError} naming `where`. */
export function checkName(where: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new IsolationUsageError(`${where}: name must be a non-empty string, got ${describeValue(name)}`);
  }
  return name;
}

/**
 * An options object (or undefined) whose keys are all in `known`; returns it as a record.
 * Unknown keys are errors: a misspelt `timout` must not be silently ignored.
 */
export function checkOptions(where: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new IsolationUsageError(`${where}: options must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new IsolationUsageError(`${where}: unknown option "${key}" (known: ${known.join(', ')})`);
    }
  }
  return options as Record<string, unknown>;
}

/** A timeout in milliseconds: 0 up to {@link MAX_TIMEOUT_MS}, or Infinity for none. */
export function checkTimeout(where: string, value: unknown): number {
  const valid =
    typeof value === 'number' && value >= 0 && (value === Infinity || (Number.isFinite(value) && value <= MAX_TIMEOUT_MS));
  if (!valid) {
    throw new IsolationUsageError(
      `${where}: option "timeout" must be a number of milliseconds from 0 to ${MAX_TIMEOUT_MS}, or Infinity, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** A function, `false`, or undefined (for options such as `close` and `reset`). */
export function checkHook<F>(where: string, key: string, value: unknown): F | false | undefined {
  if (value === undefined || value === false || typeof value === 'function') return value as F | false | undefined;
  throw new IsolationUsageError(`${where}: option "${key}" must be a function or false, got ${describeValue(value)}`);
}
