import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Loads an optional peer dependency (pg, kafkajs) the way the user's project sees it: from the
 * working directory first, else from beside this library. Throws a clear error when missing.
 */
export function loadPeer<T>(name: string, where: string): T {
  for (const base of [join(process.cwd(), 'noop.js'), __filename]) {
    try {
      return createRequire(base)(name) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException)?.code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  throw new Error(`${where} needs the "${name}" package, which is not installed: npm install ${name}`);
}
