import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The parts of Mocha the adapter patches (typed loosely: they are Mocha's internals). */
export interface MochaClasses {
  Runner: { prototype: any };
  Runnable: { prototype: any };
  Hook: new (title: string, fn: () => void) => any;
}

const MOCHA_SCRIPT = /[\\/]mocha[\\/](bin|lib[\\/]nodejs)[\\/][^\\/]+$/;
const RUNNER_FILE = /[\\/]mocha[\\/]lib[\\/]runner\.c?js$/;

// Mocha up to 11 is CommonJS (module.exports = Runner); Mocha 12 is ESM ({ Runner }), which
// require() loads as the same module instance the CLI imported.
function pick(loaded: any, name: string): any {
  return loaded?.[name] ?? loaded?.default ?? loaded;
}

function fromLib(lib: string): MochaClasses {
  const load = createRequire(join(lib, 'noop.js'));
  return {
    Runner: pick(load('./runner.js'), 'Runner'),
    Runnable: pick(load('./runnable.js'), 'Runnable'),
    Hook: pick(load('./hook.js'), 'Hook'),
  };
}

function libDirs(): string[] {
  const dirs: string[] = [];
  const script = process.argv[1] ?? '';
  // The CLI (bin/mocha.js) or a parallel worker (lib/nodejs/worker.js) running now.
  if (MOCHA_SCRIPT.test(script)) dirs.push(join(dirname(script), '..', script.includes('nodejs') ? '' : 'lib'));
  const cached = Object.keys(require.cache).find((key) => RUNNER_FILE.test(key));
  if (cached !== undefined) dirs.push(dirname(cached));
  for (const base of [join(process.cwd(), 'package.json'), __filename]) {
    try {
      dirs.push(join(dirname(createRequire(base).resolve('mocha/package.json')), 'lib'));
    } catch {
      // not resolvable from there
    }
  }
  return dirs;
}

/**
 * The Mocha that is running this process: the CLI's own copy first (so the project's Mocha is
 * patched, not some other copy), else the project's, else ours.
 */
export function findMocha(): MochaClasses | undefined {
  for (const lib of libDirs()) {
    try {
      const classes = fromLib(lib);
      if (typeof classes.Runner?.prototype?.hookUp === 'function') return classes;
    } catch {
      // try the next place
    }
  }
  return undefined;
}
