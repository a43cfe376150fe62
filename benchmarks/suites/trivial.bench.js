// Thousands of trivial tests: measures the fixed cost each test pays to enter and leave its scope.
const { tests: TESTS } = require('./size').sizes.trivial;

describe('trivial tests', () => {
  for (let t = 0; t < TESTS; t++) {
    it(`does nothing (#${t})`, () => {});
  }
});
