import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ROOT, runNode } from '../support/run';
import { ensureRunnerInstalled } from '../support/runners';
import { mochaCannotStart } from '../support/mocha';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * What a newcomer does: `npm pack`, install the tarball into a fresh project next to Mocha,
 * run `mocha --require async-isolation/register`.
 */
/** The packed tarball, made once for every test here. */
let tarball: string | undefined;

function pack(): string {
  if (tarball !== undefined) return tarball;
  const work = mkdtempSync(join(tmpdir(), 'async-isolation-pack-'));
  execFileSync(NPM, ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: ROOT, stdio: 'pipe' });
  return (tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!));
}

/**
 * A fresh project with the packed package and this Mocha installed by plain `npm install`,
 * which refuses (ERESOLVE) a Mocha outside the package's peer range.
 */
function freshProject(name: string, mocha: string): string {
  const project = join(dirname(pack()), name);
  mkdirSync(join(project, 'test'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name, private: true }));
  try {
    execFileSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', pack(), `mocha@${mocha}`], {
      cwd: project,
      stdio: 'pipe',
    });
  } catch (error) {
    throw new Error(`npm install beside mocha@${mocha} failed:\n${(error as { stderr?: Buffer }).stderr}`);
  }
  writeFileSync(
    join(project, 'test', 'cjs.spec.js'),
    `describe('cjs', function () {
  it('is clean', function () {});
  it('leaks', function () { setInterval(function poll() {}, 10); });
});
`,
  );
  return project;
}

function installedVersion(pkg: string, dir = ROOT): string {
  return (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Targets of the relative links and images in a markdown file (anchors and URLs left out). */
function relativeLinks(markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  return targets.filter((t) => !/^[a-z][a-z+.-]*:/i.test(t) && !t.startsWith('#')).map((t) => t.split('#')[0]!);
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !relative(dir, file).includes('node_modules'));
}

describe('the packed package in a fresh project', function () {
  this.timeout(180000);
  let project: string;

  before(function () {
    project = freshProject('project', installedVersion('mocha'));
    writeFileSync(
      join(project, 'test', 'esm.spec.mjs'),
      `import { allowLeaks } from 'async-isolation';
describe('esm', function () {
  it('leaks a socket server', async function () {
    const { createServer } = await import('node:net');
    await new Promise((resolve) => createServer().listen(0, '127.0.0.1', resolve));
  });
  it('allows', function () { allowLeaks('on purpose'); setTimeout(() => {}, 60000); });
});
`,
    );
  });

  it('fails exactly the leaking tests and exits on its own', async function () {
    const run = await runNode(
      [join(project, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--require', 'async-isolation/register', '--reporter', 'json', 'test/*.spec.*'],
      { cwd: project },
    );
    expect(run.signal).to.equal(null);
    const json = JSON.parse(run.stdout);
    expect(json.failures.map((f: { fullTitle: string }) => f.fullTitle).sort()).to.deep.equal(['cjs leaks', 'esm leaks a socket server']);
    expect(json.stats.passes).to.equal(2);
    const poll = json.failures.find((f: { fullTitle: string }) => f.fullTitle === 'cjs leaks').err.message;
    expect(poll).to.include('setInterval(poll, 10 ms) — cleared with clearInterval\n    at Context.<anonymous> (test/cjs.spec.js:3:29)');
    expect(run.code).to.equal(2);
  });

  it('shares one copy of its state between require and import', async function () {
    const run = await runNode(
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/index.js');
const cjs = require('async-isolation');
const esm = await import('async-isolation');
const report = await esm.withIsolation('x', () => cjs.currentScope()?.name);
console.log(JSON.stringify({ same: cjs.enter === esm.enter, scope: report, types: typeof esm.default }));`,
      ],
      { cwd: project },
    );
    expect(JSON.parse(run.stdout)).to.deep.equal({ same: true, scope: 'x', types: 'object' });
  });

  it('ships every file its README and docs link to', function () {
    const installed = join(project, 'node_modules', 'async-isolation');
    const broken: string[] = [];
    let links = 0;
    for (const file of markdownFiles(installed)) {
      for (const target of relativeLinks(readFileSync(file, 'utf8'))) {
        links++;
        if (!existsSync(join(dirname(file), target))) broken.push(`${relative(installed, file)} -> ${target}`);
      }
    }
    expect(broken).to.deep.equal([]);
    expect(links, 'the README links its docs').to.be.at.least(6);
  });

  it('installs the async-isolation command, and ships the JSON Schema of its report', async function () {
    const report = join(project, 'leaks.json');
    await runNode([join(project, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--require', 'async-isolation/register', 'test/cjs.spec.js'], {
      cwd: project,
      env: { ASYNC_ISOLATION_REPORT: report },
    });
    const command = spawnSync(join(project, 'node_modules', '.bin', 'async-isolation'), ['report', report, '--format', 'github'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(command.status, command.stderr).to.equal(1);
    expect(command.stdout).to.match(/^::error file=test\/cjs\.spec\.js,line=3,col=29,title=async-isolation%3A cjs › leaks leaked::Timeout setInterval\(poll, 10 ms\)/);
    const schema = await runNode(['-p', "require(require.resolve('async-isolation/report.schema.json')).title"], { cwd: project });
    expect(schema.stdout.trim()).to.equal('async-isolation JSON report');
  });

  it('ships typings for every entry point', function () {
    const dist = readdirSync(join(project, 'node_modules', 'async-isolation', 'dist'));
    expect(dist).to.include.members(['index.d.ts', 'index.d.mts', 'register.d.ts', 'index.mjs', 'register.mjs']);
  });
});

describe('the packed package beside the oldest Mocha it supports', function () {
  this.timeout(300000);
  let project: string | undefined;

  it('installs with plain npm install, without a peer conflict', function () {
    project = freshProject('project-mocha8', installedVersion('mocha', ensureRunnerInstalled('mocha8', 'mocha')));
  });

  it('fails exactly the leaking test there', async function () {
    if (project === undefined) this.skip();
    const bin = join(project, 'node_modules', 'mocha', 'bin', 'mocha');
    const cannot = await mochaCannotStart(bin);
    if (cannot !== undefined) {
      console.log(`      skipped: ${cannot}`);
      this.skip();
    }
    const run = await runNode([bin, '--require', 'async-isolation/register', '--reporter', 'json', 'test/*.spec.js'], { cwd: project });
    const json = JSON.parse(run.stdout);
    expect(json.failures.map((f: { fullTitle: string }) => f.fullTitle)).to.deep.equal(['cjs leaks']);
    expect(json.failures[0].err.message).to.match(/^test leaked 1 async resource \(cancelled\)/);
    expect(run.code).to.equal(1);
  });
});
