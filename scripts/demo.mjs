// `npm run demo`: runs the example suite under Mocha with async-isolation and shows what it
// catches. The example leaks on purpose, so Mocha's exit code is the number of leaky tests.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const expectedFailures = 2;
const result = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--require', join(root, 'dist', 'register.js'), 'examples/mocha'],
  { cwd: root, stdio: 'inherit' },
);
if (result.status === expectedFailures) {
  console.log(
    `Demo: the ${expectedFailures} tests that leaked failed as themselves, with where each leak was created;` +
      ' the leaks were cancelled, the other tests ran, and Mocha exited on its own.',
  );
  process.exit(0);
}
console.error(`Demo: expected Mocha to exit with ${expectedFailures} (one per leaky test), got ${result.status}`);
process.exit(1);
