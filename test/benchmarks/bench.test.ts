import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runNode, type RunResult } from '../support/run';

// A smoke test of `npm run bench`: tiny workloads, one run, checks the files it writes are
// well formed. Never asserts on speed: timings on a shared machine prove nothing in a test.

const RUN = join(ROOT, 'benchmarks', 'run.mjs');
const NODE_MAJOR = process.versions.node.split('.')[0];

function bench(args: string[], out: string): Promise<RunResult> {
  return runNode([RUN, '--out', out, ...args], { timeoutMs: 120000 });
}

describe('benchmarks/run.mjs (smoke, tiny workloads)', function () {
  this.timeout(150000);
  let out: string;
  let run: RunResult;
  let json: any;

  before(async function () {
    out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    run = await bench(['--runners', 'mocha', '--runs', '1', '--warmup', '0', '--scale', '0.005', '--micro-scale', '0.005', '--startup-runs', '1'], out);
    json = JSON.parse(readFileSync(join(out, `${NODE_MAJOR}.json`), 'utf8'));
  });

  after(function () {
    rmSync(out, { recursive: true, force: true });
  });

  it('exits 0 and prints the markdown table', function () {
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('| workload | runner | runner alone (median) |');
    expect(run.stdout).to.include("an empty async hook (Node's floor)");
    expect(run.stdout).to.equal(readFileSync(join(out, `${NODE_MAJOR}.md`), 'utf8'));
  });

  it('writes JSON with the Node version and, per workload, medians and ratios of every variant', function () {
    expect(json.node).to.equal(process.version);
    expect(json.nodeMajor).to.equal(Number(NODE_MAJOR));
    expect(json.suites.map((s: any) => s.workload)).to.deep.equal(['promise', 'callback', 'http', 'requests', 'trivial']);
    for (const suite of json.suites) {
      expect(suite.runner).to.equal('mocha');
      expect(suite.variants.map((v: any) => v.role)).to.deep.equal(['baseline', 'isolation', 'off', 'floor']);
      for (const variant of suite.variants) {
        expect(variant.error, `${suite.workload} ${variant.label}`).to.equal(undefined);
        expect(variant.runsMs).to.have.length(1);
        expect(variant.medianMs).to.be.a('number').above(0);
        expect(variant.ratio).to.be.a('number').above(0);
      }
      expect(suite.variants[0].ratio).to.equal(1);
    }
  });

  it('measures the start-up each entry point adds to its runner, from paired runs', function () {
    expect(json.startup.map((row: any) => row.id)).to.deep.equal(['mocha', 'node-test', 'jest', 'vitest']);
    for (const row of json.startup) {
      expect(row.error, row.label).to.equal(undefined);
      expect(row.pairs).to.equal(1);
      expect(row.plainCpuMs).to.be.a('number').above(0);
      expect(row.withCpuMs).to.be.a('number').above(0);
      expect(row.addedCpuMs).to.be.a('number');
    }
    expect(run.stdout).to.include('| entry point | runner alone | with the entry | added |');
  });

  it('prints every target of the issue with the Node version and the measured value', function () {
    expect(run.stdout).to.include('| target | Node | measured | met |');
    for (const workload of ['promise', 'callback', 'http', 'requests']) {
      expect(run.stdout).to.match(new RegExp(`\\| ${workload} workload <= [\\d.]+x[^|]* \\| ${process.version} \\| [^|]*CPU [\\d.]+x`));
    }
    for (const entry of ['Mocha', 'node:test', 'Jest', 'Vitest']) {
      expect(run.stdout).to.match(new RegExp(`\\| start-up: ${entry} .* adds <= 10 ms \\| ${process.version} \\| [-+][\\d.]+ ms CPU`));
    }
    // Judged on CPU time, with the wall-time difference beside it.
    expect(run.stdout).to.match(new RegExp(`\\| per-test overhead in mocha <= 20 us \\| ${process.version} \\| CPU [-\\d.]+ us, wall [-\\d.]+ us`));
    const trivial = json.suites.find((s: any) => s.workload === 'trivial').variants.find((v: any) => v.role === 'isolation');
    expect(trivial.perTestCpuUs).to.be.a('number');
  });

  it('writes the microbenchmarks: per-scope cost, hook cost per resource type, memory, live timers', function () {
    const micro = json.micro;
    expect(micro.scopeEnterExitUs.median).to.be.a('number').above(0);
    expect(micro.hookCost.map((h: any) => h.id)).to.deep.equal(['hook-timeout', 'hook-immediate', 'hook-promise', 'hook-connect']);
    for (const hook of micro.hookCost) {
      expect(hook.plainMs).to.be.a('number').above(0);
      expect(hook.isolationMs).to.be.a('number').above(0);
    }
    expect(micro.scopeMemory.bytesPerScope).to.be.a('number');
    const timers = micro.liveTimers.isolation;
    expect(timers.leaks, 'every live timer reported').to.equal(timers.timers);
    expect(timers.stillAlive, 'every live timer cancelled').to.equal(0);
  });

  it('writes a well-formed SVG chart with one bar per measured ratio', function () {
    const svg = readFileSync(join(out, 'chart.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
    expect(svg.trimEnd().endsWith('</svg>')).to.equal(true);
    expect(svg).to.include(`Node ${process.version}`);
    // Every opened element is closed (self-closing or with its end tag).
    const opened = (svg.match(/<(rect|text|line|svg|style|title)\b[^>]*>/g) ?? []).filter((tag) => !tag.endsWith('/>')).length;
    const closed = (svg.match(/<\/(rect|text|line|svg|style|title)>/g) ?? []).length;
    expect(opened).to.equal(closed);
    const bars = (svg.match(/<rect [^>]*fill="#2563eb"><title>/g) ?? []).length;
    expect(bars).to.equal(json.suites.length);
  });

  it('benchmarks/report.mjs rebuilds the same markdown and chart from the JSON', async function () {
    const markdown = readFileSync(join(out, `${NODE_MAJOR}.md`), 'utf8');
    const svg = readFileSync(join(out, 'chart.svg'), 'utf8');
    rmSync(join(out, `${NODE_MAJOR}.md`));
    rmSync(join(out, 'chart.svg'));
    const rebuilt = await runNode([join(ROOT, 'benchmarks', 'report.mjs'), '--out', out]);
    expect(rebuilt.code, rebuilt.stderr).to.equal(0);
    expect(readFileSync(join(out, `${NODE_MAJOR}.md`), 'utf8')).to.equal(markdown);
    expect(readFileSync(join(out, 'chart.svg'), 'utf8')).to.equal(svg);
  });

  it('rejects bad options with a clear message and exit code 2', async function () {
    const bad = await bench(['--runs', '0'], out);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('--runs: expected an integer >= 1, got "0"');
    const unknown = await bench(['--workloads', 'promise,nope'], out);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('--workloads: expected a comma-separated subset of promise,callback,http,requests,trivial');
    const flag = await bench(['--fast'], out);
    expect(flag.code).to.equal(2);
    expect(flag.stderr).to.include('unknown option --fast');
  });
});
