import { formatReport } from '../../tracker/report';
import { isLeakFree, reportOf } from './report-of';

// The few parts of chai the plugin touches, typed here so that the plugin needs no chai types.
interface ChaiAssertion {
  assert(ok: boolean, message: string, negatedMessage: string): void;
}

/** What `chai.use(plugin)` hands a plugin (chai 4, 5 and 6). */
export interface ChaiLike {
  Assertion: {
    new (subject: unknown, message?: string, ssfi?: Function, lockSsfi?: boolean): unknown;
    addProperty(name: string, getter: (this: ChaiAssertion) => void): void;
  };
  AssertionError: new (message: string, props?: object, ssfi?: Function) => Error;
  assert: object;
}

/** chai's plugin utilities (only `flag` is used). */
export interface ChaiUtilsLike {
  flag(assertion: object, key: string, value?: unknown): unknown;
}

function label(name: string): string {
  return `"${name}"`;
}

/**
 * The chai plugin: `expect(report).to.be.leakFree` and `assert.leakFree(report, message?)`.
 * The failure message lists each leak with its creation site.
 */
export function chaiLeakFree(chai: ChaiLike, utils: ChaiUtilsLike): void {
  chai.Assertion.addProperty('leakFree', function leakFree(this: ChaiAssertion) {
    const report = reportOf(utils.flag(this, 'object'));
    if (typeof report === 'string') {
      const prefix = utils.flag(this, 'message');
      throw new chai.AssertionError(prefix ? `${String(prefix)}: ${report}` : report, undefined, leakFree);
    }
    const subject = label(report.name);
    const clean = isLeakFree(report);
    this.assert(
      clean,
      clean ? '' : `expected ${subject} to be leak-free, but ${formatReport({ ...report, cleanupErrors: report.cleanupErrors ?? [] }, 'it')}`,
      `expected ${subject} to have leaked, but it is leak-free`,
    );
  });
  const assert = chai.assert as Record<string, unknown>;
  assert.leakFree = function leakFree(report: unknown, message?: string): void {
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions
    (new chai.Assertion(report, message, leakFree, true) as { to: { be: { leakFree: unknown } } }).to.be.leakFree;
  };
}
