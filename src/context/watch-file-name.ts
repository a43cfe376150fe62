// The module object itself (a namespace import would be a read-only copy to assign to).
import fs = require('node:fs');
import { processWide } from './process-wide';

const FILENAME = Symbol.for('async-isolation.watch-file-name');
const patched = processWide('watch-file-names', () => ({ done: false }));

/**
 * fs.watchFile() shares one watcher per file through a map inside `fs`; a watcher stopped any
 * other way than `fs.unwatchFile(filename)` stays in that map, and a later watchFile of the same
 * file gets the dead one back. So each watcher remembers its file name.
 */
export function installWatchFileNames(): void {
  if (patched.done) return;
  patched.done = true;
  const original = fs.watchFile;
  const watchFile = function watchFile(this: unknown, filename: fs.PathLike, ...rest: unknown[]) {
    const watcher = (original as (...a: unknown[]) => fs.StatWatcher).call(this, filename, ...rest);
    try {
      (watcher as unknown as Record<symbol, fs.PathLike>)[FILENAME] = filename;
    } catch {
      // a watcher that cannot be tagged is stopped the plain way
    }
    return watcher;
  };
  (fs as { watchFile: unknown }).watchFile = watchFile;
}

/** The file a `fs.watchFile()` watcher watches, if it was created after the hook was installed. */
export function watchedFile(watcher: object): fs.PathLike | undefined {
  return (watcher as Record<symbol, fs.PathLike | undefined>)[FILENAME];
}
