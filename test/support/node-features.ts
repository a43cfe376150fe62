import { expect } from 'chai';
import { createHook, type HookCallbacks } from 'node:async_hooks';

/**
 * Whether this Node's own hooks keep promises out when asked (`trackPromises: false`): watched
 * directly with a real timer and await, so the tests never lean on version numbers.
 */
export async function thisNodeSkipsPromises(): Promise<boolean> {
  const types = new Set<string>();
  const hook = createHook({ init: (_id, type) => void types.add(type), trackPromises: false } as HookCallbacks).enable();
  await new Promise((resolve) => setTimeout(resolve, 1));
  hook.disable();
  expect(types.has('Timeout'), 'the watching hook saw no timer').to.equal(true);
  return !types.has('PROMISE');
}
