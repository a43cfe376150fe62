#!/usr/bin/env node
// Rewrites results/<major>.md and results/chart.svg from the results/<major>.json files already
// there (after editing the report code, or to merge JSON files measured on other machines).
//   node benchmarks/report.mjs [--out DIR]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toMarkdown } from './lib/markdown.mjs';
import { toSvg } from './lib/chart.mjs';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
if (args.length > 0 && (outIndex !== 0 || args.length !== 2)) {
  process.stderr.write('usage: node benchmarks/report.mjs [--out DIR]\n');
  process.exit(2);
}
const out = resolve(outIndex === 0 ? args[1] : join(dirname(fileURLToPath(import.meta.url)), 'results'));
const files = readdirSync(out)
  .filter((f) => /^\d+\.json$/.test(f))
  .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
if (files.length === 0) {
  process.stderr.write(`no <node-major>.json results in ${out}: run \`npm run bench\` first\n`);
  process.exit(1);
}
const results = files.map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')));
for (const result of results) writeFileSync(join(out, `${result.nodeMajor}.md`), toMarkdown(result));
writeFileSync(join(out, 'chart.svg'), toSvg(results));
process.stdout.write(results.map(toMarkdown).join('\n'));
