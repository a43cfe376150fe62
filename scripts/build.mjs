// Builds dist/: tsc emits CommonJS; each entry point (a top-level file in src/) gets a thin
// ESM wrapper that re-exports the CommonJS module, so `import` and `require` share one copy
// of the library's state (one hook, one set of scopes).
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// Built aside and swapped in, so that tests running from dist/ meanwhile never see it half-made.
const dist = join(root, 'dist');
const next = join(root, `.dist-${process.pid}`);
rmSync(next, { recursive: true, force: true });
try {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', next],
    { stdio: 'inherit', cwd: root },
  );
} catch {
  rmSync(next, { recursive: true, force: true });
  process.exit(1);
}

// The JSON Schema of the report ships beside the code (`async-isolation/report.schema.json`).
copyFileSync(join(root, 'schema', 'report.schema.json'), join(next, 'report.schema.json'));

const entries = readdirSync(join(root, 'src'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const missing = [];
for (const entry of entries) {
  writeFileSync(join(next, `${entry}.mjs`), `export * from './${entry}.js';\nexport { default } from './${entry}.js';\n`);
  writeFileSync(join(next, `${entry}.d.mts`), `export * from './${entry}.js';\n`);
  const key = entry === 'index' ? '.' : `./${entry}`;
  if (!pkg.exports[key]) missing.push(key);
}
if (missing.length > 0) {
  rmSync(next, { recursive: true, force: true });
  console.error(`build: package.json "exports" lacks ${missing.join(', ')}`);
  process.exit(1);
}
const old = join(root, `.dist-old-${process.pid}`);
try {
  renameSync(dist, old);
} catch {
  // no earlier build
}
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
