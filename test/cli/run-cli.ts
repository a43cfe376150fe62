import { join } from 'node:path';
import { DIST, ROOT, runNode, type RunResult } from '../support/run';

export const CLI = join(DIST, 'cli', 'main.js');

/** Runs `async-isolation args...` from the repository root, as a CI step would. */
export function cli(args: string[]): Promise<RunResult> {
  return runNode([CLI, ...args], { cwd: ROOT });
}
