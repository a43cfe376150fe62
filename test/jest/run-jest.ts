import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, ROOT, runNode, type RunOptions, type RunResult } from '../support/run';
import { ensureRunnerInstalled, runnerDir } from '../support/runners';

export const JEST_FIXTURES = join(FIXTURES, 'jest');

/** A Jest installation the fixtures run under. */
export interface JestVersion {
  name: string;
  /** The `jest` package folder. */
  home: string;
  /** Installs it when its node_modules is missing (a fresh clone). */
  install?: () => Promise<void>;
}

export const JEST_VERSIONS: JestVersion[] = [
  { name: 'Jest 30', home: join(ROOT, 'node_modules', 'jest') },
  {
    name: 'Jest 29',
    home: join(runnerDir('jest29'), 'node_modules', 'jest'),
    install: async () => void ensureRunnerInstalled('jest29', 'jest'),
  },
];

export interface AssertionResult {
  fullName: string;
  title: string;
  status: 'passed' | 'failed' | 'pending' | 'todo';
  failureMessages: string[];
  invocations?: number;
}

export interface FileResult {
  name: string;
  status: 'passed' | 'failed';
  message: string;
  assertionResults: AssertionResult[];
}

export interface JestJson {
  success: boolean;
  numTotalTests: number;
  numFailedTests: number;
  numPassedTests: number;
  numRuntimeErrorTestSuites: number;
  testResults: FileResult[];
}

export interface JestRun extends RunResult {
  json: JestJson;
  /** The result of the test with this full name (describe titles and test title, space-separated). */
  test(fullName: string): AssertionResult;
  /** The result of the fixture file whose path ends with `file`. */
  file(file: string): FileResult;
  failedNames(): string[];
}

/**
 * Runs real Jest in a child process on fixture files (paths relative to test/fixtures/jest,
 * whose jest.config.js says `testEnvironment: 'async-isolation/jest'`), with `--json`.
 */
export async function runJest(
  version: JestVersion,
  files: string[],
  options: RunOptions & { args?: string[] } = {},
): Promise<JestRun> {
  // A fresh cache each run: no timings from an earlier run make Jest choose in-band by itself.
  const cache = mkdtempSync(join(tmpdir(), 'async-isolation-jest-cache-'));
  const args = [
    join(version.home, 'bin', 'jest.js'),
    '--ci',
    '--no-watchman',
    '--json',
    '--cacheDirectory',
    cache,
    ...(options.args ?? []),
    '--',
    ...files.map((f) => `[\\\\/]${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
  ];
  const result = await runNode(args, { timeoutMs: 60000, ...options, cwd: options.cwd ?? JEST_FIXTURES });
  let json: JestJson;
  try {
    json = JSON.parse(result.stdout) as JestJson;
  } catch {
    throw new Error(`jest printed no JSON (exit ${result.code}, signal ${result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  const all = () => json.testResults.flatMap((f) => f.assertionResults);
  return {
    ...result,
    json,
    test(fullName) {
      const found = all().find((t) => t.fullName === fullName);
      if (!found) throw new Error(`no test "${fullName}" in: ${all().map((t) => t.fullName).join(' | ')}`);
      return found;
    },
    file(file) {
      const found = json.testResults.find((f) => f.name.endsWith(file));
      if (!found) throw new Error(`no file ${file} in: ${json.testResults.map((f) => f.name).join(' | ')}`);
      return found;
    },
    failedNames: () => all().filter((t) => t.status === 'failed').map((t) => t.fullName).sort(),
  };
}

/** What Jest prints when something kept it alive after the run (in band, or in a worker). */
export const DID_NOT_EXIT = /did not exit one second|failed to exit gracefully|force exited/;
