import Module from 'node:module';
import { processWide } from '../../context/process-wide';
import { whenResourcesTracked } from '../../tracker/resource-intake';
import { recordInternalError } from '../../context/internal-errors';
import type { ClientDeclaration } from './declaration';
import { CLIENTS } from './declarations';
import { patchMethod } from './patch-method';

type Patch = (exports: unknown) => void;

/** The declared files by their base name (`client.js`), with the path each must end with. */
function byBaseName(clients: readonly ClientDeclaration[]): Map<string, Array<[suffix: string, patch: Patch]>> {
  const index = new Map<string, Array<[string, Patch]>>();
  for (const client of clients) {
    for (const [path, patch] of Object.entries(client.files)) {
      const base = path.slice(path.lastIndexOf('/') + 1);
      if (!index.has(base)) index.set(base, []);
      index.get(base)!.push([`/${path}`, patch]);
    }
  }
  return index;
}

const declaredFiles = byBaseName(CLIENTS);

/**
 * The one module-load seam: instruments `exports` if `filename` is a file a client declaration
 * names; anything else is ignored after a look-up of its base name. Fed by Node's loader and by
 * Jest's registry alike, for every module they load. Never throws.
 */
export function clientModuleLoaded(filename: string, exports: unknown): void {
  if (typeof filename !== 'string') return;
  const candidates = declaredFiles.get(filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1));
  if (candidates === undefined) return;
  const path = filename.includes('\\') ? filename.replace(/\\/g, '/') : filename;
  try {
    for (const [suffix, patch] of candidates) if (path.endsWith(suffix)) patch(exports);
  } catch (error) {
    recordInternalError(`instrumenting ${filename}`, error);
  }
}

const state = processWide('clients.instrumentation', () => ({ enabled: false }));

type Compile = (this: NodeJS.Module, content: string, filename: string, ...rest: unknown[]) => unknown;

/**
 * Switches client instrumentation on for Node's own module loading: copies of the declared
 * clients already loaded (in `require.cache`) are patched now, later ones as they are compiled.
 * An ESM `import pg from 'pg'` reaches the same CommonJS files (the clients' classes are
 * CommonJS, required from their index), on Node 20, 22 and 24 alike. Idempotent.
 */
export function enableClientInstrumentation(): void {
  if (state.enabled) return;
  state.enabled = true;
  try {
    // Inside Jest's registry `node:module` is Jest's own stand-in (no _compile): Jest's loads
    // come through clientModuleLoaded from the Jest adapter instead.
    const proto = (Module as unknown as { prototype: { _compile?: Compile } }).prototype;
    const patched = patchMethod<Compile>(proto, '_compile', (original) =>
      function _compile(this: NodeJS.Module, content: string, filename: string, ...rest: unknown[]) {
        const result = original.call(this, content, filename, ...rest);
        clientModuleLoaded(filename, this.exports);
        return result;
      },
    );
    if (!patched) return;
    for (const [filename, loaded] of Object.entries(require.cache)) {
      if (loaded?.loaded) clientModuleLoaded(filename, loaded.exports);
    }
  } catch (error) {
    recordInternalError('switching on pg/kafkajs instrumentation', error);
  }
}

/** Switches client instrumentation on as soon as resources are tracked (what every entry point asks). */
export function instrumentClientsWhenTracked(): void {
  whenResourcesTracked('pg and kafkajs instrumentation', enableClientInstrumentation);
}
