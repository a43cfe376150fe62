/**
 * chai plugin: `chai.use(require('async-isolation/chai'))` (or `import leakFree from
 * 'async-isolation/chai'; chai.use(leakFree)`), then
 *
 * - `expect(report).to.be.leakFree` / `assert.leakFree(report)`: the message lists each leak
 *   with its creation site;
 * - `await assertNoLeaks()`: fails the running test if it leaks (for `ASYNC_ISOLATION=manual`
 *   with an `afterEach`), the same way `fail` mode does;
 * - `await checkLeaks()`: the running test's leaks now, as a report.
 *
 * @packageDocumentation
 */
import { chaiLeakFree } from './adapters/chai/leak-free';
import { assertNoLeaks, checkLeaks } from './toolkit/assert-no-leaks';
import type { LeakReport } from './tracker/report';
import { instrumentClientsWhenTracked } from './adapters/clients/instrument';

instrumentClientsWhenTracked();

export { chaiLeakFree, assertNoLeaks, checkLeaks };
export type { ChaiLike, ChaiUtilsLike } from './adapters/chai/leak-free';
export default chaiLeakFree;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    interface Assertion {
      /** Asserts a LeakReport (or LeakError, or ended scope) has no leak. */
      leakFree: Assertion;
    }
    interface AssertStatic {
      /** Asserts a LeakReport (or LeakError, or ended scope) has no leak. */
      leakFree(report: LeakReport | Error | object, message?: string): void;
    }
  }
}

// chai plugins are handed over as the module itself (`chai.use(require(...))`), and Node's ESM
// import of a CommonJS module gives `module.exports` as the default export: make it the plugin,
// carrying the named exports (read from it by the generated .mjs wrapper).
module.exports = Object.defineProperty(
  Object.assign(chaiLeakFree, { chaiLeakFree, assertNoLeaks, checkLeaks, default: chaiLeakFree }),
  '__esModule',
  { value: true },
);
