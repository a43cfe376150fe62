import { createRequire } from 'node:module';
import { join } from 'node:path';

const RUNNER_FILE = /[\\/]jest-runner[\\/]build[\\/][^\\/]+\.js$/;

/** The file of the jest-runner running this process (worker or in-band), if one is loaded. */
function loadedRunnerFile(): string | undefined {
  return Object.keys(require.cache).find((key) => RUNNER_FILE.test(key));
}

/**
 * Loads a Jest package as the running Jest sees it: from the jest-runner that loaded this
 * environment first (jest-runner depends on jest-runtime and jest-environment-node, so this
 * also holds under pnpm), then from the project in the working directory, then from here.
 * Returns undefined when none of them has it.
 */
export function requireJestPackage(name: string): unknown {
  const runner = loadedRunnerFile();
  const bases = [runner, join(process.cwd(), 'package.json'), __filename].filter((b): b is string => b !== undefined);
  for (const base of bases) {
    try {
      return createRequire(base)(name);
    } catch {
      // not resolvable from there
    }
  }
  return undefined;
}

/** A CommonJS module's class whether it is exported as `default`, as `name`, or as the module. */
export function pickExport(loaded: unknown, name: string): unknown {
  const module = loaded as Record<string, unknown> | undefined;
  return module?.[name] ?? module?.default ?? module;
}
