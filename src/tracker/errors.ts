/** Thrown for misuse of the API: bad arguments, exit without enter, double exit. */
export class IsolationUsageError extends TypeError {
  override name = 'IsolationUsageError';
}

/** Builds the message for a value of the wrong type: names the option and what was given. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
