// Compiles the AssemblyScript kernels (src/linalg/kernels/assembly/*.ts) into build/kernels.wasm
// with SIMD128 enabled and full optimisation, using the asc installed in node_modules.
// Idempotent: skips the compile when build/kernels.wasm is newer than every source file (and this
// script). Exits non-zero with a clear message when the compiler reports an error.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src', 'linalg', 'kernels', 'assembly');
const entry = join(srcDir, 'index.ts');
const out = join(root, 'build', 'kernels.wasm');
const force = process.argv.includes('--force');

function fail(message) {
  console.error(`build-wasm: ${message}`);
  process.exit(1);
}

if (!existsSync(entry)) fail(`missing AssemblyScript entry ${entry}`);
const sources = readdirSync(srcDir).filter((f) => f.endsWith('.ts')).map((f) => join(srcDir, f));
sources.push(fileURLToPath(import.meta.url));
const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (!force && existsSync(out) && statSync(out).mtimeMs > newestSource) {
  process.exit(0); // up to date
}

let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch (e) {
  fail(`cannot load the AssemblyScript compiler (is 'assemblyscript' installed? run npm install): ${e.message}`);
}

mkdirSync(dirname(out), { recursive: true });
const t0 = Date.now();
const args = [
  entry,
  '--outFile', out,
  '--runtime', 'stub', // the kernels never allocate: JS owns the memory layout (see wasm.ts)
  '--enable', 'simd',
  '--optimizeLevel', '3',
  '--shrinkLevel', '0',
  '--noAssert',
  '--converge',
  '--initialMemory', '16', // 1 MiB; wasm.ts grows it to fit the operands
];
const stderr = [];
const { error } = await asc.main(args, {
  stdout: { write: () => true },
  stderr: { write: (s) => { stderr.push(String(s)); return true; } },
});
if (error) fail(`asc failed to compile ${entry}:\n${stderr.join('')}\n${error.message}`);
console.log(`build-wasm: wrote ${out} in ${Date.now() - t0} ms`);
