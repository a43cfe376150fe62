// Runs one whole process and times it from spawn to exit.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// GNU time, where present, adds the CPU time of the process and all its children (workers):
// on a busy machine it moves much less than wall time.
const GNU_TIME = '/usr/bin/time';
const hasGnuTime = process.platform === 'linux' && existsSync(GNU_TIME);
const timeDir = hasGnuTime ? mkdtempSync(join(tmpdir(), 'async-isolation-bench-')) : undefined;
process.on('exit', () => timeDir && rmSync(timeDir, { recursive: true, force: true }));
let timeFiles = 0;

function cpuMsFrom(file) {
  try {
    const match = /BENCH_CPU (\S+) (\S+)/.exec(readFileSync(file, 'utf8'));
    return match ? (Number(match[1]) + Number(match[2])) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const TAIL = 2000;

/**
 * Spawns `node args`; returns wall time (ms), CPU time (ms, user + system of the process and
 * its children, when GNU time is available), exit code and the tail of its output. Kills the
 * whole process group after `timeoutMs` (`timedOut` is then true).
 */
export function timeProcess(node, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const timeFile = hasGnuTime ? join(timeDir, `${timeFiles++}.txt`) : undefined;
    const [command, commandArgs] = hasGnuTime
      ? [GNU_TIME, ['-f', 'BENCH_CPU %U %S', '-o', timeFile, node, ...args]]
      : [node, args];
    const started = process.hrtime.bigint();
    // Its own process group, so a run that is cut short takes its workers with it.
    const child = spawn(command, commandArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let timedOut = false;
    let stdout = '';
    let stderr = '';
    // Keep only the tails: a 20,000-test reporter output is not worth holding.
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout = (stdout + d).slice(-TAIL)));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-TAIL)));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const cpuMs = timeFile ? cpuMsFrom(timeFile) : undefined;
      resolve({ ms, cpuMs, code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs `node args` to completion and returns its stdout (rejects on a non-zero exit). */
export async function runForOutput(node, args, options) {
  const started = process.hrtime.bigint();
  const chunks = [];
  const result = await new Promise((resolve, reject) => {
    const child = spawn(node, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-TAIL)));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  if (result.code !== 0) {
    const took = Number(process.hrtime.bigint() - started) / 1e6;
    throw new Error(`${args.join(' ')} exited with ${result.code ?? result.signal} after ${took.toFixed(0)} ms:\n${result.stderr}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}
