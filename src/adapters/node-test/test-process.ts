import { isMainThread } from 'node:worker_threads';
import { realpathSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Set in the environment of every process where the adapter runs, so that what such a process
 * starts (fork, spawn, exec: they inherit the environment and the `--import`) knows it is not a
 * test file of its own. Remove it from a child's environment to run the adapter there on purpose.
 */
export const TEST_PROCESS_MARKER = 'ASYNC_ISOLATION_TEST_PROCESS';

const PRELOAD_FLAGS = new Set(['--import', '--require', '-r']);

/** This entry's path without its extension: `import` reaches node-test.mjs, `require` node-test.js. */
function entryStem(): string {
  return join(__dirname, '..', '..', 'node-test');
}

function stemOf(path: string): string {
  return join(dirname(path), basename(path, extname(path)));
}

function resolvePreload(specifier: string): string | undefined {
  try {
    if (specifier.startsWith('file:')) return realpathSync(fileURLToPath(specifier));
    if (isAbsolute(specifier) || specifier.startsWith('.')) return realpathSync(resolve(specifier));
    return require.resolve(specifier, { paths: [process.cwd()] });
  } catch {
    return undefined;
  }
}

/** Whether this process's own command line (not NODE_OPTIONS, not a parent's) preloads this adapter. */
function preloadedOnCommandLine(): boolean {
  const args = process.execArgv;
  const stem = entryStem();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!PRELOAD_FLAGS.has(flag)) continue;
    const specifier = eq === -1 ? args[++i] : arg.slice(eq + 1);
    const path = specifier === undefined ? undefined : resolvePreload(specifier);
    if (path !== undefined && stemOf(path) === stem) return true;
  }
  return false;
}

/** `node --test --test-isolation=none`: the runner process runs the test files itself. */
function runsTestFilesInProcess(): boolean {
  const args = process.execArgv;
  return args.includes('--test') && (args.includes('--test-isolation=none') || args.includes('--experimental-test-isolation=none'));
}

/**
 * Whether this is a process where node:test runs test files: a child `node --test` started for a
 * test file (NODE_TEST_CONTEXT), the runner itself with `--test-isolation=none`, or
 * `node --import async-isolation/node-test file.js` run directly. Never a worker thread, and never
 * a process started from one where the adapter runs: those inherit NODE_TEST_CONTEXT, execArgv
 * and NODE_OPTIONS alike, and loading node:test there would append its report to their stdout.
 */
export function isTestFileProcess(): boolean {
  if (!isMainThread || process.env[TEST_PROCESS_MARKER] !== undefined) return false;
  if (process.env.NODE_TEST_CONTEXT !== undefined || runsTestFilesInProcess()) return true;
  return process.argv[1] !== undefined && preloadedOnCommandLine();
}

/** Marks this process's environment, inherited by whatever it starts. */
export function markTestFileProcess(): void {
  process.env[TEST_PROCESS_MARKER] = String(process.pid);
}
