// CLI start-up (issue 10: "CLI start-up to the first solver iteration ≤ 0.3 s CPU on Landmine").
// Medians of REPEATS child processes run one after another (interleaved rounds), each measured as
// process CPU (user + sys of the child, read by the child itself through process.cpuUsage(), so it
// includes Node's own bootstrap):
//   node -e 0                                   the floor: Node alone (whole process)
//   polytask --version                          the CLI, no command loaded (whole process)
//   polytask fit … landmine.csv --model l21 --max-iter 1 --quiet, three marks of ONE run:
//     to fit-start   CPU when the CLI calls the estimator's fit(): Node bootstrap, CLI modules,
//                    Landmine parsed, checks, engine imported; the solver's set-up and its first
//                    iteration NOT included. This is the issue's "start-up to the first solver
//                    iteration" (POLYTASK_TRACE_STARTUP=1, src/cli/trace.ts, printed on stderr).
//     to fit-end     CPU when fit() returned: + the solver's set-up (prox-Newton Gram matrices) and
//                    one iteration (--max-iter 1).
//     whole process  CPU at exit: + printing the result and tear-down (an --import exit hook).
// The ≤ 0.3 s target is checked against "to fit-start". It runs the compiled CLI (bin/polytask.mjs →
// dist/bundle/ or dist/), as a user does: dist is rebuilt first (tsc, then scripts/build-bundle.mjs) unless
// STARTUP_NO_BUILD=1 and dist is newer than src/.
//   node --import tsx bench/startup.bench.ts [repeats]        (default 9; at least 7)
//   STARTUP_BASELINE=/path/to/other/checkout  also times that checkout's compiled CLI (its dist/ must
//     be built; e.g. `git archive 57c58df | tar -x -C DIR`, node_modules and build/ linked or copied,
//     tsc -p tsconfig.build.json there) in the same interleaved rounds: before/after side by side.
//     Its fit-start / fit-end rows appear only if that checkout has src/cli/trace.ts (else only its
//     whole process); for 57c58df copy src/cli/trace.ts and apply this branch's 3-line diff of
//     src/cli/fit.ts there (`git diff 57c58df HEAD -- src/cli/fit.ts | patch -p1`) before building.
//   Also timed: the same fit with POLYTASK_NO_BUNDLE=1 (dist/cli/main.js unbundled), to show what the
//   bundle alone saves.
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
  console.log('building dist/ (tsc -p tsconfig.build.json, then scripts/build-bundle.mjs): the bench times the compiled CLI');
  const b = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) throw new Error('tsc failed');
  // and the bundle bin/polytask.mjs prefers (scripts/build-bundle.mjs), as `npm run build:ts` does.
  const u = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-bundle.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (u.status !== 0) throw new Error('build-bundle failed');
}

const tmp = mkdtempSync(join(tmpdir(), 'polytask-startup-'));
const cpuFile = join(tmp, 'cpu');
// Written by the child at exit: its whole CPU time (getrusage of the process) in microseconds.
const HOOK = `data:text/javascript,${encodeURIComponent(`import { writeFileSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeFileSync(process.env.STARTUP_CPU_FILE, String(u.user + u.system)); });`)}`;

interface Sample { total: number; marks: Map<string, number> }

function cpuOf(args: readonly string[], extra: Record<string, string> = {}): Sample {
  rmSync(cpuFile, { force: true });
  const r = spawnSync(process.execPath, ['--import', HOOK, ...args], { cwd: ROOT, env: { ...process.env, STARTUP_CPU_FILE: cpuFile, POLYTASK_TRACE_STARTUP: '1', ...extra }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const marks = new Map<string, number>();
  for (const m of r.stderr.matchAll(/^polytask-trace: (\S+) cpu=([\d.]+)$/gm)) marks.set(m[1]!, Number(m[2]));
  return { total: Number(readFileSync(cpuFile, 'utf8')) / 1e6, marks };
}

const BIN = join(ROOT, 'bin', 'polytask.mjs');
const cases: { name: string; args: string[]; env?: Record<string, string> }[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'polytask --version', args: [BIN, '--version'] },
];

if (existsSync(LANDMINE)) {
  cases.push({ name: 'fit Landmine l21 --max-iter 1', args: [BIN, 'fit', '--data', LANDMINE, '--task-col', 'task', '--target', 'y', '--model', 'l21', '--max-iter', '1', '--quiet'] });
  // The same fit on dist/cli/main.js (POLYTASK_NO_BUNDLE=1): what the bundle itself saves, side by side.
  cases.push({ name: 'fit … unbundled (dist/cli/main.js)', args: [BIN, 'fit', '--data', LANDMINE, '--task-col', 'task', '--target', 'y', '--model', 'l21', '--max-iter', '1', '--quiet'], env: { POLYTASK_NO_BUNDLE: '1' } });
} else {
  console.log(`skipping the Landmine fit: ${LANDMINE} is absent (needs ../shared/data)`);
}

const BASE = process.env.STARTUP_BASELINE;
if (BASE) {
  const bin = join(BASE, 'bin', 'polytask.mjs');
  if (!existsSync(join(BASE, 'dist', 'cli', 'main.js'))) throw new Error(`STARTUP_BASELINE: ${BASE}/dist/cli/main.js is missing (build it there first)`);
  cases.push({ name: 'baseline: polytask --version', args: [bin, '--version'] });
  if (existsSync(LANDMINE)) cases.push({ name: 'baseline: fit Landmine l21 --max-iter 1', args: [bin, 'fit', '--data', LANDMINE, '--task-col', 'task', '--target', 'y', '--model', 'l21', '--max-iter', '1', '--quiet'] });
}

// Interleaved rounds (one run of each case per round), so that a change of machine load hits every
// case alike; one warm-up round first (file cache).
const samples = cases.map(() => [] as Sample[]);
for (const c of cases) cpuOf(c.args, c.env);
for (let r = 0; r < REPEATS; r++) cases.forEach((c, i) => samples[i]!.push(cpuOf(c.args, c.env)));
rmSync(tmp, { recursive: true, force: true });

const rows: { name: string; values: number[] }[] = [];
cases.forEach((c, i) => {
  const s = samples[i]!;
  for (const mark of ['fit-start', 'fit-end']) {
    if (s.every((x) => x.marks.has(mark))) rows.push({ name: `${c.name}: to ${mark}`, values: s.map((x) => x.marks.get(mark)!) });
  }
  rows.push({ name: `${c.name}${s[0]!.marks.size ? ': whole process' : ''}`, values: s.map((x) => x.total) });
});
const floor = median(rows[0]!.values);
console.log(`process CPU (user+sys) in s, median of ${REPEATS} runs each, interleaved; target: fit to fit-start ≤ 0.300 s`);
console.log(`${'case'.padEnd(52)} ${'median'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'− node'.padStart(8)}`);
for (const { name, values } of rows) {
  const m = median(values);
  console.log(`${name.padEnd(52)} ${m.toFixed(3).padStart(8)} ${Math.min(...values).toFixed(3).padStart(8)} ${Math.max(...values).toFixed(3).padStart(8)} ${(m - floor).toFixed(3).padStart(8)}`);
}
if (BASE) {
  // Ratios of medians, this checkout / baseline, for the rows both have.
  for (const { name, values } of rows) {
    if (name.startsWith('baseline: ')) continue;
    const b = rows.find((r) => r.name === `baseline: ${name}`);
    if (b) console.log(`ratio ${name}: ${(median(values) / median(b.values)).toFixed(2)} × baseline`);
  }
}
