import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the child after this long (a hang is a failure, not a stuck suite). */
  timeoutMs?: number;
  /** Kill the child as soon as its stderr matches: for a run expected to hang after saying so. */
  killWhenStderr?: RegExp;
  /** The node binary: the one running the tests unless NODE_BINARY says otherwise. */
  node?: string;
}

/** Runs `node args...` to completion and collects its output. */
export function runNode(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.node ?? process.execPath, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ASYNC_ISOLATION: undefined, ASYNC_ISOLATION_REPORT: undefined, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (options.killWhenStderr?.test(stderr)) child.kill('SIGKILL');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, durationMs: performance.now() - started });
    });
  });
}
