// Callback-heavy: chains of setImmediate, process.nextTick and fs callbacks; one promise per test.
const fs = require('node:fs');
const { tests: TESTS, immediates: IMMEDIATES, ticks: TICKS, fsCalls: FS_CALLS } = require('./size').sizes.callback;

function chain(count, schedule, done) {
  let left = count;
  const next = () => (--left > 0 ? schedule(next) : done());
  schedule(next);
}

function statChain(count, done) {
  let left = count;
  const next = (error) => {
    if (error) return done(error);
    return --left > 0 ? fs.stat(__filename, next) : done();
  };
  fs.stat(__filename, next);
}

describe('callback-heavy', () => {
  for (let t = 0; t < TESTS; t++) {
    it(`runs ${IMMEDIATES} immediates, ${TICKS} ticks, ${FS_CALLS} fs callbacks (#${t})`, () =>
      new Promise((resolve, reject) => {
        chain(IMMEDIATES, setImmediate, () =>
          chain(TICKS, process.nextTick, () => statChain(FS_CALLS, (error) => (error ? reject(error) : resolve()))),
        );
      }));
  }
});
