import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runNode } from '../support/run';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * What a newcomer does: `npm pack`, install the tarball into a fresh project next to Mocha,
 * run `mocha --require async-isolation/register`.
 */
describe('the packed package in a fresh project', function () {
  this.timeout(180000);
  let project: string;

  before(function () {
    const work = mkdtempSync(join(tmpdir(), 'async-isolation-pack-'));
    execFileSync(NPM, ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: ROOT, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    project = join(work, 'project');
    mkdirSync(join(project, 'test'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh-project', private: true }));
    const mochaVersion = require(join(ROOT, 'node_modules', 'mocha', 'package.json')).version as string;
    execFileSync(
      NPM,
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', join(work, tarball), `mocha@${mochaVersion}`],
      { cwd: project, stdio: 'pipe' },
    );
    writeFileSync(
      join(project, 'test', 'cjs.spec.js'),
      `describe('cjs', function () {
  it('is clean', function () {});
  it('leaks', function () { setInterval(function poll() {}, 10); });
});
`,
    );
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

  it('ships typings for every entry point', function () {
    const dist = readdirSync(join(project, 'node_modules', 'async-isolation', 'dist'));
    expect(dist).to.include.members(['index.d.ts', 'index.d.mts', 'register.d.ts', 'index.mjs', 'register.mjs']);
  });
});
