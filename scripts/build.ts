// npm run build: every process the production image runs, compiled to JavaScript in dist/, one
// bundle each (esbuild): the services of the registry, the load lab and its run worker, the
// migrator, the seed loader and the image's health check. The workspace packages are bundled in
// (their package.json exports point at TypeScript); every other package stays an import, installed
// by `npm ci --omit=dev` in the image. The GraphQL Playground's built assets are copied to
// dist/playground, so the image ships them without graphql-playground-react's dependency tree.
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { bundleFile, BUNDLES, PLAYGROUND_ASSETS } from '@supergraph-lab/config';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'dist');

/**
 * Keeps every package but the workspace's own (`@supergraph-lab/*`) an import, and gives each
 * bundled file its own `import.meta.dirname`: the folder of its source in the checkout (the image
 * has the same tree), so the files a module reads beside it (a subgraph's schema.graphql, the
 * migrations, the browser bundles' sources) are found as under tsx.
 */
const sourceLayout: Plugin = {
  name: 'source-layout',
  setup(context) {
    context.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@supergraph-lab/') || args.path.startsWith('node:')
        ? null
        : { path: args.path, external: true },
    );
    context.onLoad({ filter: /\.tsx?$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`) && !args.path.includes('@supergraph-lab'))
        return null;
      const folder = path.relative(ROOT, path.dirname(args.path)).split(path.sep).join('/');
      const contents = readFileSync(args.path, 'utf8').replaceAll(
        'import.meta.dirname',
        `(__checkout + ${JSON.stringify(folder)})`,
      );
      return { contents, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts', resolveDir: path.dirname(args.path) };
    });
  },
};

/** dist/<name>.js finds the checkout's root one folder up. */
const banner = [
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  "const __checkout = __fileURLToPath(new URL('../', import.meta.url));",
].join('\n');

const started = performance.now();
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const result = await build({
  entryPoints: BUNDLES.map(({ name, entry }) => ({
    in: path.join(ROOT, entry),
    out: bundleFile(name).replace(/\.js$/, ''),
  })),
  outdir: ROOT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  sourcemap: 'linked',
  // one copy of what two services share would need a loader of its own; a bundle each is simpler
  splitting: false,
  banner: { js: banner },
  plugins: [sourceLayout],
  metafile: true,
  logLevel: 'warning',
});
const require = createRequire(import.meta.url);
const playground = path.join(path.dirname(require.resolve('graphql-playground-react/package.json')), 'build');
cpSync(playground, path.join(OUT, PLAYGROUND_ASSETS), { recursive: true });

const sizes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .map(([file, output]) => `${path.basename(file)} ${(output.bytes / 1024).toFixed(0)} kB`);
console.log(`build: ${sizes.join(', ')}; in ${((performance.now() - started) / 1000).toFixed(1)} s`);
