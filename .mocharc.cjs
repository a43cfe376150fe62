// The project's own tests: TypeScript through tsx. Most of them run real runners (Mocha,
// Jest, Vitest, node:test) in child processes on the fixture suites under test/fixtures.
// `npm test` names the spec glob, so `npx mocha test/x/y.test.ts` runs just that file.
module.exports = {
  require: ['tsx/cjs'],
  timeout: 60000,
  slow: 5000,
  reporter: 'spec',
};
