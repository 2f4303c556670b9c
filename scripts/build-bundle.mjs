// Bundles the compiled CLI (dist/cli/main.js and everything it imports from dist/) into ESM chunks
// in dist/bundle/ (esbuild, code splitting: the lazily imported sub-commands and engines stay
// separate chunks loaded on demand). bin/polytask.mjs runs dist/bundle/main.js when it is at least
// as new as dist/cli/main.js, else dist/cli/main.js.
//
// Why (issue 10, start-up ≤ 0.3 s CPU): Node resolves, reads and compiles ~100 ESM files one by one
// for a `fit`; as a few chunks that cost ~60 ms less CPU to the solver's start on Landmine
// (bench/startup.bench.ts, measured side by side).
//
// Paths stay right: every `import.meta.url` of a dist module is rewritten to that module's own URL
// in dist/ (relative to the chunk), so the WebAssembly file, the native addon, package.json and the
// worker entry points (which run the unbundled dist/ files) resolve exactly as without the bundle.
// npm packages stay external (resolved from node_modules as before).
//   node scripts/build-bundle.mjs [--out DIR]   (after tsc -p tsconfig.build.json; part of `npm run build:ts`;
//     DIR, default dist/bundle, must lie inside this package so that npm packages resolve)
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 && process.argv[outArg + 1] ? resolve(process.argv[outArg + 1]) : join(dist, 'bundle');

const rewriteMetaUrl = {
  name: 'dist-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      const src = await readFile(args.path, 'utf8');
      if (!args.path.startsWith(dist + sep) || !src.includes('import.meta.url')) return { contents: src, loader: 'js' };
      // Every chunk lives in dist/bundle/, so the original file is this fixed relative path from it.
      const rel = relative(out, args.path).split(sep).join('/');
      return { contents: src.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

await rm(out, { recursive: true, force: true });
await build({
  entryPoints: { main: join(dist, 'cli', 'main.js') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outdir: out,
  chunkNames: 'chunk-[hash]',
  plugins: [rewriteMetaUrl],
  logLevel: 'warning',
  legalComments: 'none',
});
console.log(`build-bundle: ${relative(root, out)}${sep}main.js (from ${relative(root, dirname(join(dist, 'cli', 'main.js')))})`);
