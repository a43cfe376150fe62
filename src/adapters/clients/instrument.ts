import Module from 'node:module';
import { processWide } from '../../context/process-wide';
import { whenResourcesTracked } from '../../context/resource-hook';
import { recordInternalError } from '../../context/internal-errors';

// Loaded when pg or kafkajs is: a process that uses neither never compiles the patches.
const pg = (): typeof import('../pg/instrument') => require('../pg/instrument');
const kafkajs = (): typeof import('../kafkajs/instrument') => require('../kafkajs/instrument');

/** The modules that define the client classes, by the end of their path. */
const PG_CLIENT = /[\\/]pg[\\/]lib[\\/]client\.js$/;
const PG_INDEX = /[\\/]pg[\\/]lib[\\/]index\.js$/;
const PG_POOL = /[\\/]pg-pool[\\/]index\.js$/;
const KAFKAJS_CLASS = /[\\/]kafkajs[\\/]src[\\/]index\.js$/;
const KAFKAJS_INDEX = /[\\/]kafkajs[\\/]index\.js$/;

/**
 * Instruments `exports` if `filename` is one of the modules that define pg's or kafkajs's
 * clients; anything else is ignored after a string check. Called for every module a runner
 * loads (Jest's per-file registry included). Never throws.
 */
export function instrumentClientModule(filename: string, exports: unknown): void {
  if (typeof filename !== 'string' || !(filename.endsWith('index.js') || filename.endsWith('client.js'))) return;
  try {
    if (PG_CLIENT.test(filename)) pg().patchPgClient(exports);
    else if (PG_POOL.test(filename)) pg().patchPgPool(exports);
    else if (PG_INDEX.test(filename)) pg().patchPgModule(exports);
    else if (KAFKAJS_CLASS.test(filename)) kafkajs().patchKafka(exports);
    else if (KAFKAJS_INDEX.test(filename)) kafkajs().patchKafkajsModule(exports);
  } catch (error) {
    recordInternalError(`instrumenting ${filename}`, error);
  }
}

const state = processWide('clients.instrumentation', () => ({ enabled: false }));

type Compile = (this: NodeJS.Module, content: string, filename: string, ...rest: unknown[]) => unknown;

/**
 * Switches client instrumentation on for Node's own module loading: copies of pg and kafkajs
 * already loaded (in `require.cache`) are patched now, later ones as they are compiled. An ESM
 * `import pg from 'pg'` reaches the same CommonJS files (pg's and kafkajs's classes are
 * CommonJS, required from their index), on Node 20, 22 and 24 alike. Idempotent.
 */
export function enableClientInstrumentation(): void {
  if (state.enabled) return;
  state.enabled = true;
  try {
    const proto = (Module as unknown as { prototype: { _compile: Compile } }).prototype;
    const original = proto._compile;
    // Inside Jest's registry `node:module` is Jest's own stand-in: Jest's loads come through
    // instrumentClientModule instead.
    if (typeof original !== 'function') return;
    proto._compile = function _compile(this: NodeJS.Module, content: string, filename: string, ...rest: unknown[]) {
      const result = original.call(this, content, filename, ...rest);
      instrumentClientModule(filename, this.exports);
      return result;
    };
    for (const [filename, loaded] of Object.entries(require.cache)) {
      if (loaded?.loaded) instrumentClientModule(filename, loaded.exports);
    }
  } catch (error) {
    recordInternalError('switching on pg/kafkajs instrumentation', error);
  }
}

/** Switches client instrumentation on as soon as resources are tracked (what every entry point asks). */
export function instrumentClientsWhenTracked(): void {
  whenResourcesTracked('pg and kafkajs instrumentation', enableClientInstrumentation);
}
