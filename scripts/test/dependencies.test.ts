import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
// tests, benchmarks, measuring tools, the resolver-type generator and the build (npm run build and
// prisma generate, which the image runs in its build stage) may lean on devDependencies; everything
// else runs in production
const DEV_ONLY =
  /(^|\/)(test|bench)\/|\.test\.tsx?$|^scripts\/(bench-[\w-]+|lighthouse|build)\.ts$|^scripts\/graphql-codegen\.mjs$|^prisma\.config\.ts$/;

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readManifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

/** The workspace folders the root package.json names (`dir/*` globs expanded). */
function workspaceDirs(): string[] {
  return readManifest(ROOT).workspaces!.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(path.join(ROOT, pattern.slice(0, -2))).map((name) => path.join(pattern.slice(0, -2), name))
      : [pattern],
  );
}

/** Source files under a folder, less node_modules and generated code. */
function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir))) {
    const relative = path.join(dir, entry);
    if (entry === 'node_modules' || entry === 'generated' || entry.startsWith('.')) continue;
    if (statSync(path.join(ROOT, relative)).isDirectory()) files.push(...sourceFiles(relative));
    else if (SOURCE.test(entry)) files.push(relative);
  }
  return files;
}

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`), or null for a relative path or a builtin. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtinModules.includes(name) ? null : name;
}

/** Every bare import of a file (static, dynamic, `import type`, re-exports), by TypeScript's own scanner. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((imported) => packageOf(imported.fileName))
    .filter((name): name is string => name !== null);
}

test('the scanner tells packages from paths and builtins', () => {
  assert.equal(packageOf('@apollo/server/standalone'), '@apollo/server');
  assert.equal(packageOf('react-dom/server'), 'react-dom');
  assert.equal(packageOf('node:fs'), null);
  assert.equal(packageOf('fs/promises'), null);
  assert.equal(packageOf('./queries.ts'), null);
});

test('every workspace declares each package its source imports (runtime code in dependencies)', () => {
  const workspaces = workspaceDirs();
  const problems: string[] = [];
  // the root package owns scripts/ and its config files; each workspace owns its folder
  const owners = [{ dir: '.', files: [...sourceFiles('scripts'), 'prisma.config.ts'] }].concat(
    workspaces.map((dir) => ({ dir, files: sourceFiles(dir) })),
  );
  for (const { dir, files } of owners) {
    const manifest = readManifest(path.join(ROOT, dir));
    const runtime = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
    const dev = new Set(Object.keys(manifest.devDependencies ?? {}));
    assert.ok(files.length > 0, `${dir} has source files`);
    for (const file of files) {
      for (const name of new Set(importsOf(file))) {
        if (name === manifest.name) continue;
        if (runtime.has(name)) continue;
        if (DEV_ONLY.test(file) && dev.has(name)) continue;
        const where = dev.has(name) ? 'in devDependencies, but it is runtime code' : 'undeclared';
        problems.push(`${file} imports ${name}: ${where} in ${path.join(dir, 'package.json')}`);
      }
    }
  }
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
});

test('workspace packages are declared as "*", so npm links the local copy', () => {
  const names = new Set(workspaceDirs().map((dir) => readManifest(path.join(ROOT, dir)).name));
  const problems: string[] = [];
  for (const dir of ['.', ...workspaceDirs()]) {
    const manifest = readManifest(path.join(ROOT, dir));
    for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      if (names.has(name) && range !== '*') problems.push(`${dir}/package.json: ${name} is "${range}", want "*"`);
    }
  }
  assert.deepEqual(problems, []);
});

/**
 * The layers, bottom first: what each may use at run time (tests and benchmarks may reach up).
 * The load lab is a tool: it drives the services over HTTP, and no service imports it.
 */
const LAYERS: { layer: string; dirs: RegExp; mayUse: string[] }[] = [
  { layer: 'packages', dirs: /^packages\//, mayUse: ['packages'] },
  { layer: 'services', dirs: /^(subgraphs\/|gateway$|ssr$)/, mayUse: ['packages'] },
  // the monolith is the subgraphs' modules (and the gateway's composition) in one process
  { layer: 'monolith', dirs: /^monolith$/, mayUse: ['packages', 'services'] },
  { layer: 'tools', dirs: /^(loadtest$|lab$|tools\/)/, mayUse: ['packages', 'services', 'monolith', 'tools'] },
];

test('layers point one way: packages use packages, services use packages, tools use either', () => {
  const layerOf = new Map<string, string>();
  const dirOf = new Map<string, string>();
  for (const dir of workspaceDirs()) {
    const name = readManifest(path.join(ROOT, dir)).name;
    const layer = LAYERS.find((one) => one.dirs.test(dir));
    assert.ok(layer, `${dir} belongs to a layer`);
    layerOf.set(name, layer.layer);
    dirOf.set(name, dir);
  }
  const problems: string[] = [];
  for (const [name, dir] of dirOf) {
    const own = LAYERS.find((one) => one.layer === layerOf.get(name))!;
    for (const file of sourceFiles(dir).filter((one) => !DEV_ONLY.test(one))) {
      for (const used of new Set(importsOf(file))) {
        const usedLayer = layerOf.get(used);
        if (!usedLayer || used === name || own.mayUse.includes(usedLayer)) continue;
        problems.push(`${file} (${own.layer}) imports ${used} (${usedLayer})`);
      }
    }
  }
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
});

/** The files a file imports by relative path (static, dynamic, type-only, re-exports), resolved. */
function localImportsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.join(path.dirname(file), specifier));
}

test('no source file imports itself round a cycle', () => {
  const files = workspaceDirs().flatMap(sourceFiles);
  const known = new Set(files);
  const edges = new Map(files.map((file) => [file, localImportsOf(file).filter((one) => known.has(one))]));
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const next of edges.get(file)!) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  assert.deepEqual(cycles, [], `\n${cycles.join('\n')}`);
});

/** The load tester and the lab, by package name and by folder (a relative path reaching into them). */
const LOAD_TOOLS = { packages: ['@supergraph-lab/loadtest', '@supergraph-lab/lab'], dirs: ['loadtest', 'lab'] };

/**
 * Every import of `file` that names the load tester or the lab: their packages, or a relative
 * path from outside their folders that resolves into them.
 */
function loadToolImports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => {
      const name = packageOf(specifier);
      if (name) return LOAD_TOOLS.packages.includes(name);
      if (!specifier.startsWith('.')) return false;
      const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier));
      return LOAD_TOOLS.dirs.some(
        (dir) => !file.startsWith(`${dir}/`) && (target === dir || target.startsWith(`${dir}/`)),
      );
    });
}

test('the scanner finds the load tools by package and by relative path', () => {
  assert.deepEqual(loadToolImports('scripts/test/dependencies.test.ts'), []);
  assert.deepEqual(loadToolImports('lab/src/worker.ts'), ['@supergraph-lab/loadtest']);
});

test('no service imports the load tester or the lab, its tests included', () => {
  const problems: string[] = [];
  for (const dir of workspaceDirs().filter((one) => /^(subgraphs\/|gateway$|monolith$|ssr$)/.test(one))) {
    for (const file of sourceFiles(dir)) {
      for (const specifier of loadToolImports(file)) problems.push(`${file} imports ${specifier}`);
    }
    const manifest = readManifest(path.join(ROOT, dir));
    for (const name of LOAD_TOOLS.packages)
      if (manifest.dependencies?.[name]) problems.push(`${dir}/package.json depends on ${name} at run time`);
  }
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
});
