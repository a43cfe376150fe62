// Promise-heavy: every test awaits thousands of times through nested async functions.
const { tests: TESTS, awaits: AWAITS } = require('./size').sizes.promise;

async function leaf(i) {
  return i & 1;
}

async function step(i) {
  return (await leaf(i)) + (await Promise.resolve(i));
}

describe('promise-heavy', () => {
  for (let t = 0; t < TESTS; t++) {
    it(`awaits ${AWAITS} times (#${t})`, async () => {
      let sum = 0;
      for (let i = 0; i < AWAITS; i++) sum += await step(i);
      if (sum < 0) throw new Error('unreachable');
    });
  }
});
