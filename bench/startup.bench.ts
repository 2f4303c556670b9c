// CLI start-up (issue 10: ≤ 0.3 s of process CPU to the first solver iteration on Landmine).
// Measures, as medians of REPEATS child processes run one after another, the process CPU (user +
// sys, read by the child itself at exit through an --import hook, so it includes Node's own
// bootstrap) of:
//   node -e 0                                   the floor: Node alone
//   polytask --version                          the CLI, no command loaded
//   polytask fit … landmine.csv --model l21 --max-iter 1 --quiet
//                                               start-up + Landmine load + one solver iteration
// and prints them side by side with the differences to the floor. It runs the compiled CLI
// (bin/polytask.mjs → dist/), as a user does: dist is rebuilt first (tsc -p tsconfig.build.json)
// (STARTUP_NO_BUILD=1: only when missing or older than src/).
//   node --import tsx bench/startup.bench.ts [repeats]        (default 9; at least 7)
//   STARTUP_BASELINE=/path/to/other/checkout  also times that checkout's compiled CLI (its dist/ must
//     be built; e.g. `git archive 462c790 | tar -x -C DIR`, node_modules and build/ linked or copied,
//     tsc -p tsconfig.build.json there) in the same interleaved rounds: before/after side by side.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './common.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LANDMINE = join(ROOT, '..', 'shared', 'data', 'landmine', 'landmine.csv');
const REPEATS = Math.max(7, Number(process.argv[2] ?? 9));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// Always rebuilt (a build that was running while src changed leaves a fresh-looking stale dist);
// STARTUP_NO_BUILD=1 skips it when dist is known to be current.
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
if (!existsSync(MAIN) || process.env.STARTUP_NO_BUILD !== '1' || statSync(MAIN).mtimeMs < newest(join(ROOT, 'src'))) {
  console.log('building dist/ (tsc -p tsconfig.build.json): the bench times the compiled CLI');
  const b = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) throw new Error('tsc failed');
}

const tmp = mkdtempSync(join(tmpdir(), 'polytask-startup-'));
const cpuFile = join(tmp, 'cpu');
// Written by the child at exit: its whole CPU time (getrusage of the process) in microseconds.
const HOOK = `data:text/javascript,${encodeURIComponent(`import { writeFileSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeFileSync(process.env.STARTUP_CPU_FILE, String(u.user + u.system)); });`)}`;

function cpuOf(args: readonly string[]): number {
  rmSync(cpuFile, { force: true });
  const r = spawnSync(process.execPath, ['--import', HOOK, ...args], { cwd: ROOT, env: { ...process.env, STARTUP_CPU_FILE: cpuFile }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(readFileSync(cpuFile, 'utf8')) / 1e6;
}

const BIN = join(ROOT, 'bin', 'polytask.mjs');
const cases: { name: string; args: string[] }[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'polytask --version', args: [BIN, '--version'] },
];
if (existsSync(LANDMINE)) {
  cases.push({ name: 'fit Landmine l21 --max-iter 1', args: [BIN, 'fit', '--data', LANDMINE, '--task-col', 'task', '--target', 'y', '--model', 'l21', '--max-iter', '1', '--quiet'] });
} else {
  console.log(`skipping the Landmine fit: ${LANDMINE} is absent (needs ../shared/data)`);
}

const BASE = process.env.STARTUP_BASELINE;
if (BASE) {
  const bin = join(BASE, 'bin', 'polytask.mjs');
  if (!existsSync(join(BASE, 'dist', 'cli', 'main.js'))) throw new Error(`STARTUP_BASELINE: ${BASE}/dist/cli/main.js is missing (build it there first)`);
  cases.push({ name: 'baseline: polytask --version', args: [bin, '--version'] });
  if (existsSync(LANDMINE)) cases.push({ name: 'baseline: fit Landmine l21', args: [bin, 'fit', '--data', LANDMINE, '--task-col', 'task', '--target', 'y', '--model', 'l21', '--max-iter', '1', '--quiet'] });
}

// Interleaved rounds (one run of each case per round), so that a change of machine load hits every
// case alike; one warm-up round first (file cache).
const samples = cases.map(() => [] as number[]);
for (const c of cases) cpuOf(c.args);
for (let r = 0; r < REPEATS; r++) cases.forEach((c, i) => samples[i]!.push(cpuOf(c.args)));
rmSync(tmp, { recursive: true, force: true });

const floor = median(samples[0]!);
console.log(`process CPU (user+sys), median of ${REPEATS} runs each, interleaved; target: fit ≤ 0.300 s`);
console.log(`${'case'.padEnd(34)} ${'median'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'− node'.padStart(8)}`);
cases.forEach((c, i) => {
  const s = samples[i]!;
  const m = median(s);
  console.log(`${c.name.padEnd(34)} ${m.toFixed(3).padStart(8)} ${Math.min(...s).toFixed(3).padStart(8)} ${Math.max(...s).toFixed(3).padStart(8)} ${(m - floor).toFixed(3).padStart(8)}`);
});
