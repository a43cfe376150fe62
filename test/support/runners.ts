import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run';

/** A folder under test/runners holding another major of a runner, with its own lock file. */
export function runnerDir(name: string): string {
  return join(ROOT, 'test', 'runners', name);
}

/**
 * Installs `test/runners/<name>` from its committed lock file (`npm ci`) when `pkg` is missing
 * there (a fresh clone, CI). Returns the folder.
 */
export function ensureRunnerInstalled(name: string, pkg: string): string {
  const dir = runnerDir(name);
  if (existsSync(join(dir, 'node_modules', pkg, 'package.json'))) return dir;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--prefix', dir, '--no-audit', '--no-fund'], { stdio: 'pipe', timeout: 300_000 });
  return dir;
}
