import { AsyncResource, createHook, type AsyncHook, type HookCallbacks } from 'node:async_hooks';
import { processWide } from './process-wide';
import { recordInternalError } from './internal-errors';

/** The owner handed to a listener when the hook carries no context and has not looked it up. */
export const OWNER_NOT_READ: unique symbol = Symbol.for('async-isolation.owner-not-read.v1');

/**
 * Called for every async resource created while the hook is enabled, with the context it was
 * created in when the hook already read it to carry it over (one lookup per resource, not two:
 * on Node 20/22 that lookup runs for every promise).
 */
export type ResourceListener = (asyncId: number, type: string, triggerAsyncId: number, resource: object, owner: unknown) => void;

/** Copies the creator's context onto a new resource and returns it. */
export type Propagator = (resource: object) => unknown;

interface HookState {
  hook: AsyncHook | undefined;
  /** Copies the creator's context onto a new resource (the resource-slot context store). */
  propagate: Propagator | undefined;
  /** The resource tracker. */
  listen: ResourceListener | undefined;
}

/**
 * The one async hook of the process, whichever copy of the library installed it. It has two
 * jobs, each switched on when first needed: carrying the context where Node's
 * AsyncLocalStorage would need a second hook of its own, and telling the tracker about new
 * resources. The first copy to ask for a job provides it.
 */
const state = processWide<HookState>('async-hook', () => ({ hook: undefined, propagate: undefined, listen: undefined }));

let skipsPromises: boolean | undefined;

/** The `createHook` to probe: Node's, or a stand-in in the tests. */
export type CreateHook = (callbacks: HookCallbacks & { trackPromises?: boolean }) => AsyncHook;

// A type no tracker knows: the resource hook leaves it alone if it is already listening.
const PROBE_TYPE = 'ASYNC_ISOLATION_PROBE';

/**
 * Whether hooks made by `create` keep promises out when asked (`trackPromises: false`): a probe
 * hook must see a resource of another kind and no promise. A version that ignores the option (or
 * a runtime whose hooks see nothing at all) gets no fast path; one that rejects it throws, which
 * means the same.
 */
export function probeSkipsPromises(create: CreateHook): boolean {
  let sawPromise = false;
  let sawOther = false;
  const init = (_id: number, type: string): void => {
    if (type === 'PROMISE') sawPromise = true;
    else if (type === PROBE_TYPE) sawOther = true;
  };
  let probe: AsyncHook | undefined;
  try {
    probe = create({ init, trackPromises: false }).enable();
    void Promise.resolve();
    new AsyncResource(PROBE_TYPE);
  } catch {
    return false;
  } finally {
    probe?.disable();
  }
  return sawOther && !sawPromise;
}

/**
 * Whether this Node can keep promises out of an init hook. Where it cannot, every promise runs
 * through every hook, which is most of the library's cost on await-dense code.
 */
export function hooksCanSkipPromises(): boolean {
  return (skipsPromises ??= probeSkipsPromises(createHook as CreateHook));
}

function init(asyncId: number, type: string, triggerAsyncId: number, resource: object): void {
  try {
    const owner = state.propagate === undefined ? OWNER_NOT_READ : state.propagate(resource);
    state.listen?.(asyncId, type, triggerAsyncId, resource, owner);
  } catch (error) {
    // A throw here would end the process: no uncaughtException handler sees it.
    recordInternalError(`async hook init (${type})`, error);
  }
}

function enable(): void {
  if (state.hook !== undefined) return;
  // Promises reach the hook only when the context rides on them; tracking alone needs none.
  // The context rides on the hook exactly where Node cannot leave promises out (and ignores
  // the option), so a hook enabled for tracking first never needs them added later.
  state.hook = createHook({ init, trackPromises: state.propagate !== undefined } as HookCallbacks).enable();
}

/** Makes the hook carry the context: `propagate` runs first for every new resource. */
export function propagateContextWith(propagate: Propagator): void {
  state.propagate ??= propagate;
  enable();
}

/** Sends every new resource to `listen` (the first listener of the process stays). */
export function listenForResources(listen: ResourceListener): void {
  state.listen ??= listen;
  enable();
}

/** Whether the hook reports resources (it does not in `off` mode). */
export function listeningForResources(): boolean {
  return state.listen !== undefined;
}
