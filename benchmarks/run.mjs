#!/usr/bin/env node
// `npm run bench`: suite-level workloads under Mocha, Jest and Vitest (with and without
// async-isolation, and the runners' own leak detectors as reference lines), the start-up cost
// of each entry point, and microbenchmarks. Writes results/<node-major>.json and .md and results/chart.svg.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, UsageError, USAGE } from './lib/options.mjs';
import { measureSuite } from './lib/suites.mjs';
import { measureMicro } from './lib/micro.mjs';
import { measureStartup } from './lib/startup.mjs';
import { runForOutput } from './lib/process.mjs';
import { toMarkdown } from './lib/markdown.mjs';
import { toSvg } from './lib/chart.mjs';
import { adaptersPresent } from './lib/variants.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

function log(line) {
  process.stderr.write(line + '\n');
}

/**
 * A private copy of dist/: `npm run build` deletes and rewrites dist/, and a rebuild during a
 * long bench must not break the runs. It lives under node_modules so its requires resolve.
 */
function snapshotDist(source) {
  if (!existsSync(join(source, 'index.js'))) throw new UsageError(`${source} is not a built library (no index.js): run \`npm run build\` first`);
  const target = join(root, 'node_modules', '.cache', 'async-isolation-bench', `dist-${process.pid}`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  cpSync(source, target, { recursive: true });
  return target;
}

async function nodeInfo(node) {
  const version = (await runForOutput(node, ['-p', 'process.version'], { cwd: root })).trim();
  return { version, major: Number(version.slice(1).split('.')[0]) };
}

function writeChart(out) {
  const results = readdirSync(out)
    .filter((f) => /^\d+\.json$/.test(f))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
    .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')));
  writeFileSync(join(out, 'chart.svg'), toSvg(results));
}

async function main() {
  const options = parseOptions(process.argv.slice(2), process.env, join(here, 'results'));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const { version, major } = await nodeInfo(options.node);
  const dist = snapshotDist(options.dist ?? join(root, 'dist'));
  try {
    const adapters = adaptersPresent(dist);
    log(`async-isolation benchmarks on Node ${version} (${options.node})`);
    const missing = Object.entries(adapters).filter(([, present]) => !present).map(([name]) => name);
    if (missing.length > 0) log(`  no adapter built for ${missing.join(', ')}: only the runner and its own detector are measured there`);
    const result = {
      node: version,
      nodeMajor: major,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model?.trim() ?? 'unknown',
      date: new Date().toISOString(),
      options: { runs: options.runs, warmup: options.warmup, startupRuns: options.startupRuns, referenceRuns: Math.min(options.referenceRuns, options.runs), scale: options.scale, microScale: options.microScale, maxRunSeconds: options.maxRunMs / 1000 },
      adapters,
      suites: [],
      startup: undefined,
      micro: undefined,
    };
    const ctx = {
      root,
      dist,
      node: options.node,
      runs: options.runs,
      warmup: options.warmup,
      referenceRuns: options.referenceRuns,
      scale: options.scale,
      microScale: options.microScale,
      maxRunMs: options.maxRunMs,
      startupRuns: options.startupRuns,
      adapters,
      log,
    };
    if (options.suites) {
      for (const workload of options.workloads) {
        for (const runner of options.runners) result.suites.push(await measureSuite({ ...ctx, runner, workload }));
      }
    }
    if (options.startup) result.startup = await measureStartup(ctx);
    if (options.micro) result.micro = await measureMicro(ctx);
    mkdirSync(options.out, { recursive: true });
    const markdown = toMarkdown(result);
    writeFileSync(join(options.out, `${major}.json`), JSON.stringify(result, null, 2) + '\n');
    writeFileSync(join(options.out, `${major}.md`), markdown);
    writeChart(options.out);
    process.stdout.write(markdown);
    log(`wrote ${join(options.out, `${major}.json`)}, ${major}.md and chart.svg`);
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
}

main().catch((error) => {
  if (error instanceof UsageError) {
    log(`bench: ${error.message}`);
    process.exitCode = 2;
  } else {
    log(error?.stack ?? String(error));
    process.exitCode = 1;
  }
});
