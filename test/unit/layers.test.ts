import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { DIST, ROOT, runNode } from '../support/run';

// The library's layers, bottom first: each imports only from its own layer and those below.
// Entry files (src/*.ts) and the command line sit on top of them all.
const LAYERS = ['context', 'tracker', 'toolkit', 'adapters'] as const;
const TOP = LAYERS.length;

// Imports that still go upward, as `from -> to` (paths under src/). Each step of issue 13
// removes some; an entry here that no longer exists fails the test, so the list only shrinks.
const KNOWN_UPWARD = new Set<string>([
  'tracker/scope.ts -> toolkit/event-coordinator.ts (type)',
  'tracker/scope.ts -> toolkit/mock-service.ts',
  'tracker/scope.ts -> toolkit/scope-events.ts',
  'tracker/scope.ts -> toolkit/tracked-service.ts',
  'tracker/scope.ts -> toolkit/tracked-task.ts',
]);

const SRC = join(ROOT, 'src');

interface Import {
  readonly from: string;
  readonly to: string;
  /** Erased from the build: `import type`, `export type`, `typeof import(...)`. */
  readonly typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The file under src/ a relative specifier names, or undefined for a package or a builtin. */
function resolveSpecifier(fromFile: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(fromFile), specifier).replace(/\.(js|mjs|cjs)$/, '');
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) if (files.has(candidate)) return candidate;
  throw new Error(`${relative(SRC, fromFile)}: cannot resolve ${specifier}`);
}

/** Every import of the files under src/: static, `import x = require()`, `require()` and `import()`. */
function readImports(): Import[] {
  const files = new Set(sourceFiles(SRC));
  const imports: Import[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const add = (specifier: ts.Node | undefined, typeOnly: boolean): void => {
      if (specifier === undefined || !ts.isStringLiteralLike(specifier)) return;
      const to = resolveSpecifier(file, specifier.text, files);
      if (to !== undefined) imports.push({ from: relative(SRC, file), to: relative(SRC, to), typeOnly });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly === true);
      else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
      else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
        add(node.moduleReference.expression, node.isTypeOnly);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
      else if (
        ts.isCallExpression(node) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
      ) {
        add(node.arguments[0], false);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return imports;
}

function layerOf(file: string): number {
  const [top] = file.split('/');
  const index = LAYERS.indexOf(top as (typeof LAYERS)[number]);
  return index === -1 ? TOP : index;
}

function describeImport({ from, to, typeOnly }: Import): string {
  return `${from} -> ${to}${typeOnly ? ' (type)' : ''}`;
}

/** One import cycle among the given imports (as the files along it), or undefined. */
function findCycle(imports: readonly Import[]): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const { from, to } of imports) next.set(from, [...(next.get(from) ?? []), to]);
  const done = new Set<string>();
  const path: string[] = [];
  const walk = (file: string): string[] | undefined => {
    const at = path.indexOf(file);
    if (at !== -1) return [...path.slice(at), file];
    if (done.has(file)) return undefined;
    path.push(file);
    for (const to of next.get(file) ?? []) {
      const cycle = walk(to);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    done.add(file);
    return undefined;
  };
  for (const file of next.keys()) {
    const cycle = walk(file);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

describe('the layers of the library (issue 13)', function () {
  const imports = readImports();
  const upward = imports.filter(({ from, to }) => layerOf(to) > layerOf(from));

  it('reads the imports of every kind of import statement', function () {
    const seen = (from: string, to: string, typeOnly: boolean): boolean =>
      imports.some((i) => i.from === from && i.to === to && i.typeOnly === typeOnly);
    expect(seen('tracker/lifecycle.ts', 'tracker/scope.ts', false), 'import { x } from').to.equal(true);
    expect(seen('tracker/scope.ts', 'tracker/config.ts', true), 'import type').to.equal(true);
    expect(seen('register.ts', 'adapters/mocha/install.ts', false), 'require()').to.equal(true);
    expect(seen('register.ts', 'adapters/mocha/install.ts', true), 'typeof import()').to.equal(true);
  });

  it('imports only downward: context <- tracker <- toolkit <- adapters <- entry files and cli', function () {
    const unexpected = upward.map(describeImport).filter((edge) => !KNOWN_UPWARD.has(edge));
    expect(unexpected, 'upward imports not in KNOWN_UPWARD').to.deep.equal([]);
  });

  it('lists in KNOWN_UPWARD only upward imports that still exist', function () {
    const present = new Set(upward.map(describeImport));
    expect([...KNOWN_UPWARD].filter((edge) => !present.has(edge)), 'stale KNOWN_UPWARD entries').to.deep.equal([]);
  });

  it('has no import cycle once the known upward imports are left out', function () {
    const rest = imports.filter((i) => !KNOWN_UPWARD.has(describeImport(i)));
    expect(findCycle(rest)?.join(' -> '), 'import cycle').to.equal(undefined);
  });

  it('loads only the context layer when a context module is required alone', async function () {
    const contextModules = readdirSync(join(DIST, 'context')).filter((name) => name.endsWith('.js'));
    const script = `
      const { join, relative, sep } = require('node:path');
      const out = {};
      for (const name of ${JSON.stringify(contextModules)}) {
        for (const key of Object.keys(require.cache)) delete require.cache[key];
        require(join(${JSON.stringify(DIST)}, 'context', name));
        out[name] = Object.keys(require.cache)
          .map((file) => relative(${JSON.stringify(DIST)}, file).split(sep).join('/'))
          .filter((file) => !file.startsWith('..') && !file.startsWith('context/'));
      }
      process.stdout.write(JSON.stringify(out));`;
    const run = await runNode(['-e', script]);
    expect(run.stderr).to.equal('');
    const outsideContext = JSON.parse(run.stdout) as Record<string, string[]>;
    expect(Object.keys(outsideContext)).to.include.members(['async-hook.js', 'context.js', 'accepted-sockets.js']);
    const loadingUpward = Object.entries(outsideContext).filter(([, loaded]) => loaded.length > 0);
    expect(Object.fromEntries(loadingUpward), 'context modules loading modules of higher layers').to.deep.equal({});
  });
});
