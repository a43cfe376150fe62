// Node's floor for any tracker built on async_hooks: one init hook that does nothing, keeping
// promises out where Node allows it (24.14 and later). Loaded with `mocha --require`.
const { createHook } = require('node:async_hooks');

createHook({ init() {}, trackPromises: false }).enable();
