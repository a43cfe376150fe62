import { readFileSync } from 'node:fs';
import { REPORT_VERSION, type ReportFile } from '../tracker/report-format';
import { InputError } from './input-error';
import { errorMessage } from '../tracker/text';

const REPORT_ARRAYS = ['leaks', 'unref', 'outlived', 'cleanupErrors', 'internalErrors'] as const;

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why `value` is not a report this version reads, or undefined when it is one. */
function notAReport(value: unknown): string | undefined {
  if (!isObject(value)) return 'its top level is not an object';
  if (value.version !== REPORT_VERSION) {
    if (typeof value.version === 'number' && Array.isArray(value.entries)) {
      return `it is format version ${value.version}, written by another version of async-isolation; this one reads version ${REPORT_VERSION}`;
    }
    return `it has no "version": ${REPORT_VERSION}`;
  }
  if (typeof value.cwd !== 'string') return 'it has no "cwd"';
  if (!Array.isArray(value.entries)) return 'it has no "entries" list';
  for (const [i, entry] of value.entries.entries()) {
    const where = `entries[${i}]`;
    if (!isObject(entry)) return `${where} is not an object`;
    if (typeof entry.runner !== 'string' || (entry.kind !== 'test' && entry.kind !== 'suite')) return `${where} has no runner or kind`;
    if (!Array.isArray(entry.title) || !entry.title.every((t: unknown) => typeof t === 'string')) return `${where}.title is not a list of strings`;
    if (typeof entry.outcome !== 'string' || typeof entry.failedByLeaks !== 'boolean') return `${where} has no outcome or failedByLeaks`;
    if (!isObject(entry.report) || !REPORT_ARRAYS.every((key) => Array.isArray(entry.report[key]))) return `${where}.report is not a leak report`;
  }
  return undefined;
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a report file';
  if (code === 'EACCES') return 'cannot be read (permission denied)';
  return `cannot be read (${errorMessage(error)})`;
}

/** Reads and checks a report file written at `ASYNC_ISOLATION_REPORT` or by `merge`. */
export function readReport(path: string): ReportFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: ${describeReadError(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not an async-isolation report: not JSON (${(error as Error).message})`);
  }
  const why = notAReport(value);
  if (why !== undefined) throw new InputError(`${path}: not an async-isolation report: ${why}`);
  return value as ReportFile;
}
