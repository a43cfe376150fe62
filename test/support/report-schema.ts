import Ajv2020 from 'ajv/dist/2020';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from './run';

// The copy the package ships, so that a build that forgot it fails here too.
const schema = JSON.parse(readFileSync(join(DIST, 'report.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/**
 * Asserts that a report file read from a real run matches `schema/report.schema.json`, and what
 * a schema cannot say: an entry is `failedByLeaks` when its report failed it and its runner
 * did not, and the totals add up.
 */
export function expectValidReport(report: any): void {
  const valid = validate(report);
  expect(valid, `report does not match schema/report.schema.json:\n${JSON.stringify(validate.errors, null, 2)}`).to.equal(true);
  const entries: any[] = report.entries;
  const failedAlone = (e: any) => e.report.failed && e.runnerOutcome !== 'failed' && e.runnerOutcome !== 'retried';
  for (const e of entries) expect(e.failedByLeaks, e.title.join(' > ')).to.equal(failedAlone(e));
  const sum = (key: string) => entries.reduce((n, e) => n + e.report[key].length, 0);
  expect(report.totals).to.deep.equal({
    entries: entries.length,
    failed: entries.filter((e) => e.outcome === 'failed').length,
    failedByLeaks: entries.filter(failedAlone).length,
    withLeaks: entries.filter((e) => e.report.leaks.length > 0).length,
    withUnrefOnly: entries.filter((e) => e.report.leaks.length === 0 && e.report.unref.length > 0).length,
    leaks: sum('leaks'),
    unref: sum('unref'),
    // Work that names no user frame is listed, never counted where a person reads the totals.
    outlived: entries.reduce((n, e) => n + e.report.outlived.filter((w: any) => w.userFrame !== false).length, 0),
    cleanupErrors: sum('cleanupErrors'),
  });
}
