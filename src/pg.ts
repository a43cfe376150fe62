/**
 * pg adapter: `import { isolatedClient, isolatedPool } from 'async-isolation/pg'`.
 *
 * The adapter switches on by itself with any framework adapter (or `enter()`): a `pg.Client`
 * a test leaves connected is one leak, `pg.Client host:port/database (application_name)`,
 * ended with `end()`; a Pool it leaves open is one leak, ended with `pool.end()`; a Pool a suite
 * creates in `before` is the suite's, even when a test opens its connections. This entry point
 * adds the isolated fixtures, and `instrumentPg` for a pg copy loaded where the adapter cannot
 * see it (a bundle).
 *
 * @packageDocumentation
 */
import { enableClientInstrumentation } from './adapters/clients/instrument';
import { patchPgModule } from './adapters/pg/instrument';

export { isolatedClient, isolatedPool } from './adapters/pg/fixtures';

/** Instruments a loaded `pg` module (what `require('pg')` returned). Idempotent. */
export function instrumentPg(pg: unknown): void {
  patchPgModule(pg);
}

enableClientInstrumentation();
