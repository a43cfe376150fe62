import { runInternal } from '../../context/context';
import { recordInternalError } from '../../context/internal-errors';
import { clientModuleLoaded } from '../clients/instrument';
import { patchMethod, unpatch } from '../clients/patch-method';
import { pickExport, requireJestPackage } from './jest-packages';

type Patchable = Record<string | symbol, any>;

interface LocalModule {
  filename?: unknown;
  exports?: unknown;
}

type Exec = (this: unknown, localModule: LocalModule, ...rest: unknown[]) => unknown;

function afterLoad(localModule: LocalModule | undefined): void {
  const filename = localModule?.filename;
  // Cheap first: only packages can be client libraries.
  if (typeof filename !== 'string' || !filename.includes('node_modules')) return;
  try {
    runInternal(() => clientModuleLoaded(filename, localModule!.exports));
  } catch (error) {
    recordInternalError(`instrumenting ${filename}`, error);
  }
}

/** Feeds the client module-load seam from the method that runs one module's code in Jest's registry (its first argument is the module). */
function watchExec(proto: Patchable, method: string): void {
  patchMethod<Exec>(proto, method, (original) =>
    function execModule(this: unknown, localModule: LocalModule, ...rest: unknown[]) {
      const result = original.call(this, localModule, ...rest);
      afterLoad(localModule);
      return result;
    },
  );
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
    if (!proto) return;
    if (typeof proto._execModule === 'function') {
      watchExec(proto, '_execModule');
      return;
    }
    patchMethod<(this: Patchable, ...args: unknown[]) => unknown>(proto, 'requireModule', (requireModule) =>
      function findExecutor(this: Patchable, ...args: unknown[]) {
        const executor = this?.executor;
        if (executor && typeof executor.exec === 'function') {
          watchExec(Object.getPrototypeOf(executor), 'exec');
          unpatch(proto, 'requireModule');
        }
        return requireModule.apply(this, args);
      },
    );
  } catch (error) {
    recordInternalError('watching the modules Jest loads', error);
  }
}
