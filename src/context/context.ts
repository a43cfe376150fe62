import { AsyncLocalStorage, executionAsyncResource } from 'node:async_hooks';
import { hooksCanSkipPromises, propagateContextWith } from './async-hook';
import { processWide } from './process-wide';

/**
 * What the context carries: the owner of the running code (a scope, to the tracker). This layer
 * reads only whether it has ended and, for one entered with `enter()`, where its entering code
 * ran before.
 */
export interface ContextOwner {
  /** `'ended'` once the owner is done. */
  readonly state: string;
  /** Set for an owner entered with `enter()`. */
  readonly entry?: { readonly resumesIn: ContextOwner | undefined } | undefined;
}

/** Where the owner of the running code is kept. */
interface ContextStore {
  get(): ContextOwner | undefined;
  run<T>(owner: ContextOwner | undefined, fn: () => T): T;
  enterWith(owner: ContextOwner | undefined): void;
  /** Makes sure the context is carried across async boundaries from now on. */
  activate(): void;
}

/**
 * Node's AsyncLocalStorage, where the resource hook can leave promises out (probed, not read
 * from the version): the hook then sees no promise, and where the storage runs on
 * AsyncContextFrame it needs no async hook either, so awaits cost next to nothing.
 */
function asyncLocalStorage(): ContextStore {
  const storage = new AsyncLocalStorage<ContextOwner | undefined>();
  return {
    get: () => storage.getStore(),
    run: (owner, fn) => storage.run(owner, fn),
    enterWith: (owner) => storage.enterWith(owner),
    activate: () => undefined,
  };
}

/**
 * The scope kept in a slot on the running async resource, and copied onto every new one by the
 * library's own async hook: what AsyncLocalStorage does on Node 20 and 22, minus the second hook
 * it would add. Every promise runs through every hook there; with one hook, which reads the
 * creator's slot once, Mocha's promise benchmark on Node 20 went from 1.20 s to 1.00 s of CPU
 * (0.38 s without the library, 0.75 s with an empty hook alone).
 */
function resourceSlot(): ContextStore {
  const slot = Symbol.for('async-isolation.scope.v1');
  type Slotted = Record<symbol, ContextOwner | undefined>;
  let propagating = false;
  const activate = (): void => {
    if (propagating) return;
    propagating = true;
    propagateContextWith((resource) => {
      const owner = (executionAsyncResource() as Slotted)[slot];
      // Set even when undefined: every promise then has the same shape, which keeps Node's
      // own promise hooks reading them fast.
      (resource as Slotted)[slot] = owner;
      return owner;
    });
  };
  return {
    get: () => (executionAsyncResource() as Slotted)[slot],
    run(owner, fn) {
      activate();
      const resource = executionAsyncResource() as Slotted;
      const previous = resource[slot];
      resource[slot] = owner;
      try {
        return fn();
      } finally {
        resource[slot] = previous;
      }
    },
    enterWith(owner) {
      activate();
      (executionAsyncResource() as Slotted)[slot] = owner;
    },
    activate,
  };
}

let store: ContextStore | undefined;

/**
 * The process's one store, shared by every copy of the library. Chosen on first use, not at
 * load: the choice asks the async-hook module, which may itself still be loading.
 */
function contextStore(): ContextStore {
  return (store ??= processWide('context-store', () => (hooksCanSkipPromises() ? asyncLocalStorage() : resourceSlot())));
}

/**
 * Sets up the context before anything asks for it from inside the async hook (the store is
 * chosen with a probe hook, which must not run there).
 */
export function activateContext(): void {
  contextStore().activate();
}

/**
 * The owner of code that runs in `scope`'s context. A scope entered with `enter()` holds every
 * continuation of its entering code: its own callbacks, and also its caller's code after
 * `await helper()`, which cannot be told apart. Once such a scope ended, that code runs where
 * the entering code ran before `enter()`, so a caller never finds its own work taken for the
 * scope's. A scope run with `runInScope()` gave its caller its context back when `fn` returned:
 * code still running in it after it ended is its own outlived work.
 */
export function ownerOf(scope: ContextOwner | undefined): ContextOwner | undefined {
  while (scope !== undefined && scope.state === 'ended' && scope.entry !== undefined) scope = scope.entry.resumesIn;
  return scope;
}

/** The owner of the code running now, if any (the tracker's `currentScope()`). */
export function currentOwner(): ContextOwner | undefined {
  return ownerOf(contextStore().get());
}

/** Runs `fn` with `scope` as the owner of everything it (and what it spawns) creates. */
export function runInScope<T>(scope: ContextOwner, fn: () => T): T {
  return contextStore().run(scope, fn);
}

/** Runs `fn` outside every scope: what it creates belongs to no test. */
export function runInternal<T>(fn: () => T): T {
  // Not AsyncLocalStorage#exit(): on Node 20/22 it disables and re-enables the storage's async
  // hook (two promise-hook swaps) on every call; an undefined store is the same thing, cheaply.
  return contextStore().run(undefined, fn);
}

/**
 * Makes `scope` the owner of the rest of the current synchronous execution and of its
 * continuations (the programmatic `enter()` style). Passing undefined clears it.
 */
export function enterScope(scope: ContextOwner | undefined): void {
  contextStore().enterWith(scope);
}
