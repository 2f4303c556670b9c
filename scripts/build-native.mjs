// Builds the native CPU backend (binding.gyp → build/Release/polytask_native.node) with node-gyp.
// Run by npm's `install` script, so it must never fail an install: every problem (no compiler, no
// Node headers, a compile error, not x86-64) is written as one line to build/native-status.txt,
// printed as a warning, and the script exits 0; polytask then runs on WebAssembly and
// `polytask --version` shows that line. `--strict` (for developers) exits 1 instead.
//
// node-gyp is pointed at the local Node headers (--nodedir) so that it never tries to download them
// (no network here). Uses `configure build`, not `rebuild`: rebuild starts with `clean`, which
// deletes build/ and with it build/kernels.wasm.
// Skips the build when the addon is newer than every source (`--force` rebuilds).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'Release', 'polytask_native.node');
const statusFile = join(root, 'build', 'native-status.txt');
const logFile = join(root, 'build', 'native-build.log');
const force = process.argv.includes('--force');
const strict = process.argv.includes('--strict');

function finish(ok, line) {
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(statusFile, line + '\n');
  if (ok) console.log(`build-native: ${line}`);
  else console.warn(`build-native: ${line} — polytask will use its WebAssembly kernels`);
  process.exit(ok || !strict ? 0 : 1);
}

if (process.env.POLYTASK_SKIP_NATIVE === '1') finish(false, 'native build skipped (POLYTASK_SKIP_NATIVE=1)');
if (process.arch !== 'x64') finish(false, `native build skipped: the kernels need x86-64 with AVX2 + FMA, this is ${process.arch}`);

const sources = [join(root, 'binding.gyp'), fileURLToPath(import.meta.url),
  ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (!force && existsSync(out) && statSync(out).mtimeMs > newest) process.exit(0); // up to date

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

/** The Node headers on this machine: <prefix>/include/node (Debian: /usr), or node-gyp's cache. */
function findNodeDir() {
  const prefix = join(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h')) && existsSync(join(prefix, 'include', 'node', 'common.gypi'))) return prefix;
  const cached = join(homedir(), '.cache', 'node-gyp', process.versions.node);
  if (existsSync(join(cached, 'include', 'node', 'node_api.h'))) return cached;
  return null;
}

const gyp = findNodeGyp();
if (!gyp) finish(false, 'native build skipped: node-gyp not found (it ships with npm)');
const nodedir = findNodeDir();
if (!nodedir) finish(false, `native build skipped: no Node ${process.versions.node} headers on this machine (install them, e.g. Debian's libnode-dev)`);

const r = spawnSync(process.execPath, [gyp, 'configure', 'build', `--nodedir=${nodedir}`, '-j', '2'], {
  cwd: root,
  encoding: 'utf8',
  timeout: 15 * 60 * 1000,
  env: { ...process.env, npm_config_nodedir: nodedir },
});
mkdirSync(join(root, 'build'), { recursive: true });
writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
if (r.error) finish(false, `native build failed: ${r.error.message} (log: build/native-build.log)`);
if (r.status !== 0 || !existsSync(out)) {
  const err = `${r.stderr ?? ''}`.split('\n').find((l) => /error/i.test(l) && !/^gyp (ERR|info)/.test(l)) ?? `node-gyp exited with ${r.status}`;
  finish(false, `native build failed: ${err.trim().slice(0, 200)} (log: build/native-build.log)`);
}
finish(true, `native addon built: ${out}`);
