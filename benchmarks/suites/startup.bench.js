// Start-up: one empty test, so that a run is the runner's (and the library's) fixed cost.
describe('start-up', () => {
  it('does nothing', () => {});
});
