import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, FIXTURES, ROOT, runNode, type RunResult } from '../support/run';
import { ensureRunnerInstalled, runnerDir } from '../support/runners';

export type VitestMajor = 3 | 4 | 5;

/** Where each Vitest lives: 4 is the project's own; 3 and 5 have their own folders. */
function vitestDir(major: VitestMajor): string {
  return major === 4 ? ROOT : runnerDir(`vitest${major}`);
}

/** Installs a Vitest's runner folder from its committed lockfile when it is missing (a fresh clone). */
export function ensureVitestInstalled(major: VitestMajor): void {
  if (major !== 4) ensureRunnerInstalled(`vitest${major}`, 'vitest');
}

function nodeMajor(binary: string): number {
  if (binary === process.execPath) return Number(process.versions.node.split('.')[0]);
  return Number(execFileSync(binary, ['-p', 'process.versions.node'], { encoding: 'utf8' }).split('.')[0]);
}

/**
 * Node binaries of at least `minimum` to run Vitest 5 (and node:test) on: this one, and those
 * named by ASYNC_ISOLATION_NODE22 / _NODE24 / _NODE26 (which `.ci/run` sets). Deduplicated by major version.
 */
export function nodesAtLeast(minimum: number): Array<{ node: string; major: number }> {
  const found = new Map<number, string>();
  const named = [process.env.ASYNC_ISOLATION_NODE22, process.env.ASYNC_ISOLATION_NODE24, process.env.ASYNC_ISOLATION_NODE26];
  for (const binary of [process.execPath, ...named]) {
    if (!binary) continue;
    if (binary !== process.execPath && !existsSync(binary)) throw new Error(`node binary not found: ${binary}`);
    const major = nodeMajor(binary);
    if (major >= minimum && !found.has(major)) found.set(major, binary);
  }
  return [...found].map(([major, node]) => ({ node, major }));
}

export interface VitestAssertion {
  fullName: string;
  status: string;
  failureMessages: string[];
}

export interface VitestRun extends RunResult {
  files: Array<{ name: string; message: string; assertionResults: VitestAssertion[] }>;
  tests: VitestAssertion[];
  test(fullName: string): VitestAssertion;
  failedTitles(): string[];
  report: any;
}

export interface VitestRunOptions {
  major: VitestMajor;
  node?: string;
  pool: 'threads' | 'forks';
  files: string[];
  args?: string[];
  /** Ask for the JSON leak report (and merge it with the globalSetup). */
  report?: boolean;
  /** More environment for the run. */
  env?: NodeJS.ProcessEnv;
}

/** Runs real Vitest on fixture files (test/fixtures/vitest) with the JSON reporter. */
export async function runVitest(options: VitestRunOptions): Promise<VitestRun> {
  const work = mkdtempSync(join(tmpdir(), 'ai-vitest-'));
  const output = join(work, 'vitest.json');
  const reportFile = join(work, 'leaks.json');
  try {
    const bin = join(vitestDir(options.major), 'node_modules', 'vitest', 'vitest.mjs');
    const result = await runNode(
      [bin, 'run', `--pool=${options.pool}`, '--reporter=json', `--outputFile=${output}`, ...(options.args ?? []), ...options.files],
      {
        cwd: join(FIXTURES, 'vitest'),
        node: options.node,
        timeoutMs: 90_000,
        env: {
          AI_SETUP: join(DIST, 'vitest.mjs'),
          AI_GLOBAL_SETUP: options.report ? join(DIST, 'vitest.mjs') : undefined,
          ASYNC_ISOLATION_REPORT: options.report ? reportFile : undefined,
          CI: '1',
          NO_COLOR: '1',
          ...options.env,
        },
      },
    );
    let json: any;
    try {
      json = JSON.parse(readFileSync(output, 'utf8'));
    } catch {
      throw new Error(`vitest wrote no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
    const tests: VitestAssertion[] = json.testResults.flatMap((f: any) => f.assertionResults);
    return {
      ...result,
      files: json.testResults,
      tests,
      test(fullName) {
        const found = tests.find((t) => t.fullName === fullName);
        if (found === undefined) throw new Error(`no test "${fullName}" in: ${tests.map((t) => t.fullName).join(', ')}`);
        return found;
      },
      failedTitles: () => tests.filter((t) => t.status === 'failed').map((t) => t.fullName).sort(),
      report: existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
