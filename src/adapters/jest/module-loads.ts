import { runInternal } from '../../context/context';
import { recordInternalError } from '../../context/internal-errors';
import { instrumentClientModule } from '../clients/instrument';
import { pickExport, requireJestPackage } from './jest-packages';

const RUNTIME_PATCHED = Symbol.for('async-isolation.jest-runtime-patched');
const EXEC_PATCHED = Symbol.for('async-isolation.jest-exec-patched');

type Patchable = Record<string | symbol, any>;

interface LocalModule {
  filename?: unknown;
  exports?: unknown;
}

function afterLoad(localModule: LocalModule | undefined): void {
  const filename = localModule?.filename;
  // Cheap first: only packages can be client libraries.
  if (typeof filename !== 'string' || !filename.includes('node_modules')) return;
  try {
    runInternal(() => instrumentClientModule(filename, localModule!.exports));
  } catch (error) {
    recordInternalError(`instrumenting ${filename}`, error);
  }
}

/** Wraps the method that runs one module's code in Jest's registry (its first argument is the module). */
function wrapExec(proto: Patchable, method: string): void {
  if (proto[EXEC_PATCHED] || typeof proto[method] !== 'function') return;
  const original = proto[method] as (this: unknown, localModule: LocalModule, ...rest: unknown[]) => unknown;
  proto[method] = function execModule(this: unknown, localModule: LocalModule, ...rest: unknown[]) {
    const result = original.call(this, localModule, ...rest);
    afterLoad(localModule);
    return result;
  };
  Object.defineProperty(proto, EXEC_PATCHED, { value: true });
}

/**
 * Lets the client adapters (pg, kafkajs) instrument the copies Jest loads into each test
 * file's own module registry, which never go through Node's require. Jest 29 runs each module
 * in `Runtime#_execModule`; Jest 30.5 runs it in a module executor the runtime owns, found at
 * the runtime's first `requireModule` (the seam every require goes through).
 */
export function watchJestModuleLoads(): void {
  try {
    const Runtime = pickExport(requireJestPackage('jest-runtime'), 'default') as { prototype?: Patchable } | undefined;
    const proto = Runtime?.prototype;
    if (!proto || proto[RUNTIME_PATCHED]) return;
    Object.defineProperty(proto, RUNTIME_PATCHED, { value: true });
    if (typeof proto._execModule === 'function') {
      wrapExec(proto, '_execModule');
      return;
    }
    const requireModule = proto.requireModule;
    if (typeof requireModule !== 'function') return;
    proto.requireModule = function findExecutor(this: Patchable, ...args: unknown[]) {
      const executor = this?.executor;
      if (executor && typeof executor.exec === 'function') {
        wrapExec(Object.getPrototypeOf(executor), 'exec');
        proto.requireModule = requireModule;
      }
      return requireModule.apply(this, args);
    };
  } catch (error) {
    recordInternalError('watching the modules Jest loads', error);
  }
}
