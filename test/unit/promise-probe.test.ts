import { expect } from 'chai';
import { createHook, type AsyncHook, type HookCallbacks } from 'node:async_hooks';

const { probeSkipsPromises } = require('../../dist/context/async-hook.js') as typeof import('../../dist/context/async-hook.js');

type Callbacks = HookCallbacks & { trackPromises?: boolean };

/** What a Node that has `trackPromises` does: every resource but promises. */
function honoursTheOption(callbacks: Callbacks): AsyncHook {
  return createHook({
    init(asyncId, type, triggerAsyncId, resource) {
      if (type === 'PROMISE' && callbacks.trackPromises === false) return;
      callbacks.init?.(asyncId, type, triggerAsyncId, resource);
    },
  });
}

/** What Node 20 does: the unknown option is ignored, promises reach the hook. */
function ignoresTheOption(callbacks: Callbacks): AsyncHook {
  return createHook({ init: callbacks.init });
}

/** A runtime whose hooks never fire (Bun's createHook is a no-op). */
function seesNothing(): AsyncHook {
  const hook: AsyncHook = { enable: () => hook, disable: () => hook };
  return hook;
}

describe('the trackPromises probe', function () {
  it('turns the fast path on for hooks that keep promises out when asked', function () {
    expect(probeSkipsPromises(honoursTheOption)).to.equal(true);
  });

  it('leaves it off where the option is ignored', function () {
    expect(probeSkipsPromises(ignoresTheOption)).to.equal(false);
  });

  it('leaves it off where hooks see nothing at all', function () {
    expect(probeSkipsPromises(seesNothing)).to.equal(false);
  });

  it('leaves it off, without throwing, where the option is rejected', function () {
    const rejects = (): AsyncHook => {
      throw new TypeError('unknown option trackPromises');
    };
    expect(probeSkipsPromises(rejects)).to.equal(false);
  });

  it('disables its probe hook whatever it finds', function () {
    const enabled = new Set<AsyncHook>();
    const counting = (callbacks: Callbacks): AsyncHook => {
      const real = ignoresTheOption(callbacks);
      const hook: AsyncHook = {
        enable: () => (enabled.add(hook), real.enable(), hook),
        disable: () => (enabled.delete(hook), real.disable(), hook),
      };
      return hook;
    };
    probeSkipsPromises(counting);
    expect(enabled.size).to.equal(0);
  });
  // In a real run, the choice is checked against this Node in test/unit/context.test.ts.
});
