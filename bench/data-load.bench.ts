// Loading speed and memory: today's csv-parse loader (bench/baseline/csv-v0.ts, frozen at 79370e3)
// against the byte-level loader (src/data/csv.ts), and `polytask inspect`, on generated long-form
// CSVs shaped like the table of issue 15. Each load runs in its own process (data-load-child.ts) so
// that its peak RSS and CPU time are its own; medians over REPEATS runs, ratios from this run.
//   POLYTASK_BENCH_SETS=a,b,d (default)   a: n=1e6, d=50, T=100 · b: n=20 000, d=2 000, T=20 ·
//                                         c: ~2 GB, d=50, T=100 · d: T=10 000 × 20 rows, d=50
//   POLYTASK_BENCH_SCALE=0.1 shrinks every n; POLYTASK_BENCH_REPEATS (default 3); POLYTASK_BENCH_V0_REPEATS (default 1:
//   the old loader needs ~1 min per 400 MB, so it is timed once per set unless asked).
//   POLYTASK_BENCH_V0_MAX_MB (default 600): above this size the old loader reads a prefix of the file of that
//   size (whole lines) and its CPU time is scaled to the whole file, said so in the output (set c: 2 GB
//   would take the old loader ~4 CPU minutes per run on a loaded machine).
//   POLYTASK_BENCH_FIT=1 (default) also times `polytask fit --model l21` (the solver's seconds / the whole
//   process's CPU seconds, as in issue 15); POLYTASK_BENCH_FIT_LAMBDA (default 0.1).
//   Peak RSS: getrusage's maxRSS of each child process (the whole process, data included).
//   POLYTASK_BENCH_BASE=<dir>: also time the byte loader of another commit, side by side with this one
//   (<dir>/src/data/csv.ts; e.g. `git archive de01698 src | tar -x -C /tmp/base`), alternating runs.
//   POLYTASK_BENCH_CLI=1: instead of the loaders, the built CLIs (dist/, plain node: bench/cli-child.mjs) of
//   POLYTASK_BENCH_BASE (a whole checkout with node_modules and `npm run build`) and of this checkout side by side:
//   `inspect` (alternating, REPEATS each) and `fit --model l21` (once each) — the issue's table, old and new,
//   with the 1-minute load average before each set. Build this checkout's dist/ first (`npm run build:ts`).
//   The solver's CPU comes from the CLI's fit-start / fit-end marks (POLYTASK_TRACE_STARTUP). POLYTASK_BENCH_INSPECT=0: fits only.
import { spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Random } from '../src/linalg/random.ts';
import { median } from './common.ts';

interface Set_ { id: string; n: number; d: number; T: number }
const SCALE = Number(process.env.POLYTASK_BENCH_SCALE ?? 1);
const SETS: Record<string, Set_> = {
  a: { id: 'a', n: 1_000_000, d: 50, T: 100 },
  b: { id: 'b', n: 20_000, d: 2_000, T: 20 },
  c: { id: 'c', n: 5_000_000, d: 50, T: 100 },
  d: { id: 'd', n: 200_000, d: 50, T: 10_000 },
};
const chosen = (process.env.POLYTASK_BENCH_SETS ?? 'a,b,d').split(',').map((s) => SETS[s.trim()]!).filter(Boolean);
const REPEATS = Number(process.env.POLYTASK_BENCH_REPEATS ?? 3);
const V0_REPEATS = Number(process.env.POLYTASK_BENCH_V0_REPEATS ?? 1);
const V0_MAX_MB = Number(process.env.POLYTASK_BENCH_V0_MAX_MB ?? 600);
const FIT = (process.env.POLYTASK_BENCH_FIT ?? '1') !== '0';
const FIT_LAMBDA = process.env.POLYTASK_BENCH_FIT_LAMBDA ?? '0.1';
const MB = 1024 * 1024;

/**
 * Long form: task, y, x1..xd, values like real data (normal draws with 5–6 decimals), tasks drawn at
 * random per row. Written as bytes from a pool of 65 536 preformatted numbers picked by a seeded
 * xorshift (formatting 50 M numbers with toFixed would take minutes on this machine).
 */
async function writeCsv(file: string, s: Set_, n: number): Promise<void> {
  const rng = new Random(2024);
  const POOL = 1 << 16;
  const pool = Array.from({ length: POOL }, () => Buffer.from(rng.normal().toFixed(6)));
  const tasks = Array.from({ length: s.T }, (_, t) => Buffer.from(String(t)));
  let state = 0x9e3779b9 | 0;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const out = createWriteStream(file);
  out.write(['task', 'y', ...Array.from({ length: s.d }, (_, j) => `x${j + 1}`)].join(',') + '\n');
  const buf = Buffer.allocUnsafe(4 << 20);
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (o + (s.d + 2) * 16 > buf.length) {
      if (!out.write(Buffer.from(buf.subarray(0, o)))) await once(out, 'drain');
      o = 0;
    }
    o += tasks[next() % s.T]!.copy(buf, o);
    for (let j = 0; j <= s.d; j++) {
      buf[o++] = 44;
      o += pool[next() & (POOL - 1)]!.copy(buf, o);
    }
    buf[o++] = 10;
  }
  out.end(Buffer.from(buf.subarray(0, o)));
  await once(out, 'finish');
}

interface Run { wall: number; cpu: number; baseRssMB: number; peakRssMB: number; rows: number; solverSeconds?: number; solverCpu?: number }

/** The first `bytes` of `file` cut after the last whole line, written to `to`; returns its data rows. */
function writePrefix(file: string, to: string, bytes: number): number {
  const buf = Buffer.allocUnsafe(bytes);
  const fd = openSync(file, 'r');
  const n = readSync(fd, buf, 0, bytes, 0);
  closeSync(fd);
  const end = buf.lastIndexOf(10, n - 1) + 1;
  const out = openSync(to, 'w');
  writeSync(out, buf, 0, end);
  closeSync(out);
  let lines = 0;
  for (let i = 0; i < end; i++) if (buf[i] === 10) lines++;
  return lines - 1;
}

const FIT_TIMEOUT = Number(process.env.POLYTASK_BENCH_FIT_TIMEOUT ?? 900);

function child(which: string, file: string, opts: object): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/data-load-child.ts', which, file, JSON.stringify(opts)],
    { encoding: 'utf8', maxBuffer: 1 << 24, ...(which === 'fit' ? { timeout: FIT_TIMEOUT * 1000 } : {}) });
  if (r.status !== 0) throw new Error(`${which} failed${r.signal ? ` (${r.signal}${which === 'fit' ? `, limit ${FIT_TIMEOUT} s wall` : ''})` : ''}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
}

function measure(which: string, file: string, opts: object, repeats: number): Run {
  const runs = Array.from({ length: repeats }, () => child(which, file, opts));
  const pick = (k: 'wall' | 'cpu' | 'baseRssMB'): number => median(runs.map((r) => r[k]));
  return { wall: pick('wall'), cpu: pick('cpu'), baseRssMB: pick('baseRssMB'), peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)), rows: runs[0]!.rows, solverSeconds: runs[0]!.solverSeconds };
}

/** One run of a built CLI (bench/cli-child.mjs) of the checkout at `root`. */
function cliChild(root: string, which: 'inspect' | 'fit', argv: string[]): Run {
  const r = spawnSync(process.execPath, ['bench/cli-child.mjs', root, which, JSON.stringify(argv)],
    { encoding: 'utf8', maxBuffer: 1 << 24, ...(which === 'fit' ? { timeout: FIT_TIMEOUT * 1000 } : {}) });
  if (r.status !== 0) throw new Error(`${which} (${root}) failed${r.signal ? ` (${r.signal}${which === 'fit' ? `, limit ${FIT_TIMEOUT} s wall` : ''})` : ''}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
}

const cliRowsOut: string[] = [];
/** POLYTASK_BENCH_CLI=1: inspect and fit l21 of the base checkout's CLI and this one's, side by side. */
function cliSet(s: Set_, n: number, file: string, size: number): void {
  const BASE = process.env.POLYTASK_BENCH_BASE;
  if (!BASE) throw new Error('POLYTASK_BENCH_CLI=1 needs POLYTASK_BENCH_BASE=<a built checkout>');
  const here = process.cwd();
  const load0 = loadavg()[0]!;
  const data = ['--data', file, '--task-col', 'task', '--target', 'y'];
  const a: Run[] = [];
  const b: Run[] = [];
  const INSPECT = process.env.POLYTASK_BENCH_INSPECT !== '0';
  for (let r = 0; INSPECT && r < REPEATS; r++) {
    a.push(cliChild(BASE, 'inspect', data));
    b.push(cliChild(here, 'inspect', data));
  }
  const med = (runs: Run[]): Run => ({ wall: median(runs.map((x) => x.wall)), cpu: median(runs.map((x) => x.cpu)), baseRssMB: median(runs.map((x) => x.baseRssMB)), peakRssMB: Math.max(...runs.map((x) => x.peakRssMB)), rows: -1 });
  const none: Run = { wall: NaN, cpu: NaN, baseRssMB: NaN, peakRssMB: NaN, rows: -1 };
  const ia = INSPECT ? med(a) : none;
  const ib = INSPECT ? med(b) : none;
  const fits: (Run | string)[] = [];
  if (FIT) {
    for (const root of [BASE, here]) {
      try {
        fits.push(cliChild(root, 'fit', [...data, '--model', 'l21', '--lambda', FIT_LAMBDA]));
      } catch (e) {
        fits.push((e as Error).message.split('\n')[0]!);
      }
    }
  }
  const load1 = loadavg()[0]!;
  const MBs = size / MB;
  console.log(`\n[${s.id}] n = ${n}, d = ${s.d}, T = ${s.T}: file ${MBs.toFixed(0)} MB; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`);
  const line = (name: string, r: Run): string => `  ${name.padEnd(16)} wall ${r.wall.toFixed(2).padStart(7)} s  CPU ${r.cpu.toFixed(2).padStart(7)} s  peak RSS ${r.peakRssMB.toFixed(0).padStart(5)} MB`;
  console.log(line('inspect, base', ia) + ` (CPU of each run: ${a.map((x) => x.cpu.toFixed(2)).join(', ')})`);
  console.log(line('inspect, new', ib) + ` (CPU of each run: ${b.map((x) => x.cpu.toFixed(2)).join(', ')}; paired CPU ratios base / new: ${a.map((x, k) => (x.cpu / b[k]!.cpu).toFixed(2)).join(', ')})`);
  // The solver's CPU = the process CPU between the CLI's fit-start and fit-end marks (bench/cli-child.mjs); its own `seconds` is wall time.
  const fitCell = (f: Run | string | undefined): string => (f === undefined ? '—' : typeof f === 'string' ? `failed: ${f}` : `${f.solverCpu !== undefined ? f.solverCpu.toFixed(2) : '?'} s / ${f.cpu.toFixed(1)} s (solver wall ${f.solverSeconds!.toFixed(1)} s; peak ${f.peakRssMB.toFixed(0)} MB)`);
  if (FIT) {
    console.log(`  fit l21, base    solver / process CPU: ${fitCell(fits[0])}`);
    console.log(`  fit l21, new     solver / process CPU: ${fitCell(fits[1])}`);
  }
  cliRowsOut.push(`| n = ${n}, d = ${s.d}, T = ${s.T} | ${MBs.toFixed(0)} MB | ${ia.cpu.toFixed(1)} s / ${ia.peakRssMB.toFixed(0)} MB | **${ib.cpu.toFixed(1)} s / ${ib.peakRssMB.toFixed(0)} MB** | ${fitCell(fits[0])} | ${fitCell(fits[1])} | ${load0.toFixed(1)} → ${load1.toFixed(1)} |`);
}

const CLI = process.env.POLYTASK_BENCH_CLI === '1';
const rowsOut: string[] = [];
let prevNote = '';
console.log(`CSV loaders, long form; medians of ${REPEATS} runs (old loader: ${V0_REPEATS}); each run in a fresh process`);
for (const s of chosen) {
  const n = Math.max(s.T * 2, Math.round(s.n * SCALE));
  const file = join(tmpdir(), `polytask-bench-${s.id}-${process.pid}.csv`);
  try {
    const tg = Date.now();
    await writeCsv(file, s, n);
    const writeSeconds = (Date.now() - tg) / 1000;
    const size = statSync(file).size;
    if (CLI) {
      cliSet(s, n, file, size);
      continue;
    }
    const opts = { taskCol: 'task', target: 'y', kind: 'regression' };
    const BASE = process.env.POLYTASK_BENCH_BASE;
    let neu: Run;
    let prev: Run | null = null;
    if (BASE) {
      // Alternate base and new runs so that both see the same load.
      const a: Run[] = [];
      const b: Run[] = [];
      for (let r = 0; r < REPEATS; r++) {
        a.push(child('base', file, opts));
        b.push(child('bytes', file, opts));
      }
      const agg = (runs: Run[]): Run => ({ wall: median(runs.map((x) => x.wall)), cpu: median(runs.map((x) => x.cpu)), baseRssMB: median(runs.map((x) => x.baseRssMB)), peakRssMB: Math.max(...runs.map((x) => x.peakRssMB)), rows: runs[0]!.rows });
      prev = agg(a);
      neu = agg(b);
      const ratios = a.map((x, k) => (x.cpu / b[k]!.cpu).toFixed(2)).join(', ');
      prevNote = ` — paired CPU ratios base / new: ${ratios}`;
    } else neu = measure('bytes', file, opts, REPEATS);
    let old: Run;
    let oldNote = '';
    if (size / MB > V0_MAX_MB) {
      // The old loader on a prefix; CPU and wall scaled by bytes (it is linear in the input), peak RSS as measured.
      const pre = `${file}.prefix.csv`;
      try {
        const preRows = writePrefix(file, pre, Math.floor(V0_MAX_MB * MB));
        const r = measure('v0', pre, opts, V0_REPEATS);
        if (r.rows !== preRows) throw new Error(`bench: old loader read ${r.rows} rows of the prefix, expected ${preRows}`);
        const k = size / statSync(pre).size;
        old = { ...r, wall: r.wall * k, cpu: r.cpu * k, rows: n };
        oldNote = ` — measured on the first ${(statSync(pre).size / MB).toFixed(0)} MB, CPU and wall ×${k.toFixed(2)}, peak RSS of the prefix`;
      } finally {
        rmSync(pre, { force: true });
      }
    } else old = measure('v0', file, opts, V0_REPEATS);
    const insp = measure('inspect', file, { argv: ['--task-col', 'task', '--target', 'y'] }, REPEATS);
    let fit: Run | null = null;
    if (FIT) {
      try {
        fit = measure('fit', file, { argv: ['--task-col', 'task', '--target', 'y', '--model', 'l21', '--lambda', FIT_LAMBDA] }, 1);
      } catch (e) {
        console.log(`  polytask fit: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    if (neu.rows !== n || old.rows !== n) throw new Error(`bench: rows ${neu.rows} / ${old.rows}, expected ${n}`);
    const dataMB = (n * (s.d + 1) * 8) / MB;
    const line = (name: string, r: Run): string =>
      `  ${name.padEnd(22)} wall ${r.wall.toFixed(2).padStart(7)} s  CPU ${r.cpu.toFixed(2).padStart(7)} s  ${(size / MB / r.cpu).toFixed(1).padStart(6)} MB/s per CPU s (${(size / MB / r.wall).toFixed(1)} per wall s)  ` +
      `peak RSS ${r.peakRssMB.toFixed(0).padStart(5)} MB (start ${r.baseRssMB.toFixed(0)} MB; (peak − start) / data = ${((r.peakRssMB - r.baseRssMB) / dataMB).toFixed(2)})`;
    console.log(`\n[${s.id}] n = ${n}, d = ${s.d}, T = ${s.T}: file ${(size / MB).toFixed(0)} MB (written in ${writeSeconds.toFixed(0)} s wall), float64 X and y ${dataMB.toFixed(0)} MB`);
    console.log(line('old loader (csv-parse)', old) + oldNote);
    if (prev) console.log(line('base byte loader', prev) + prevNote);
    console.log(line('new loader (bytes)', neu));
    if (prev) console.log(`  speed-up new / base (CPU, same run): ${(prev.cpu / neu.cpu).toFixed(2)}×; peak RSS ${prev.peakRssMB.toFixed(0)} → ${neu.peakRssMB.toFixed(0)} MB`);
    console.log(line('polytask inspect', insp));
    // The fit's own `seconds` is its wall clock (inflated on a loaded machine); its CPU share is estimated
    // as the fit process's CPU minus the new loader's CPU on the same file, measured in this run.
    if (fit) console.log(`  polytask fit --model l21 --lambda ${FIT_LAMBDA}: solver ${fit.solverSeconds!.toFixed(2)} s wall (≈ ${Math.max(0, fit.cpu - neu.cpu).toFixed(2)} CPU s = process − load) of a process of ${fit.cpu.toFixed(1)} CPU s (wall ${fit.wall.toFixed(1)} s), peak RSS ${fit.peakRssMB.toFixed(0)} MB`);
    console.log(`  speed-up new / old (wall, same run): ${(old.wall / neu.wall).toFixed(1)}×; CPU ${(old.cpu / neu.cpu).toFixed(1)}×`);
    const fitCell = fit ? `${fit.solverSeconds!.toFixed(2)} s wall (≈ ${Math.max(0, fit.cpu - neu.cpu).toFixed(1)} CPU s) / ${fit.cpu.toFixed(1)} s` : '—';
    const rel = (r: Run): string => `${((r.peakRssMB - r.baseRssMB) / dataMB).toFixed(2)}×`;
    const baseCell = prev ? ` ${prev.cpu.toFixed(2)} s / ${prev.peakRssMB.toFixed(0)} MB (${rel(prev)}), ${(size / MB / prev.cpu).toFixed(0)} MB/s |` : '';
    rowsOut.push(`| ${n} × ${s.d}, T = ${s.T} | ${(size / MB).toFixed(0)} MB | ${old.cpu.toFixed(1)} s${oldNote ? '*' : ''} / ${old.peakRssMB.toFixed(0)} MB${oldNote ? '*' : ''} |${baseCell} ${neu.cpu.toFixed(2)} s / ${neu.peakRssMB.toFixed(0)} MB (${rel(neu)}) | ${(size / MB / neu.cpu).toFixed(0)} MB/s | ${(old.cpu / neu.cpu).toFixed(1)}× | ${insp.cpu.toFixed(1)} s / ${insp.peakRssMB.toFixed(0)} MB | ${fitCell} |`);
  } finally {
    rmSync(file, { force: true });
  }
}
if (CLI) {
  console.log(`\n| data | file | \`inspect\` CPU / peak RSS, base | \`inspect\` CPU / peak RSS, new | \`fit l21\` base: solver CPU / process CPU | \`fit l21\` new: solver CPU / process CPU | load avg |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const r of cliRowsOut) console.log(r);
  process.exit(0);
}
const baseHead = process.env.POLYTASK_BENCH_BASE ? ' base byte loader CPU / peak RSS ((peak − start) / data), MB per CPU s |' : '';
console.log(`\n| data | file | old loader CPU / peak RSS |${baseHead} new loader CPU / peak RSS ((peak − start) / data) | new MB per CPU s | CPU speed-up vs old | inspect CPU / peak RSS | \`fit l21\`: solver / process CPU |`);
console.log(`|---|---|---|${baseHead ? '---|' : ''}---|---|---|---|---|`);
for (const r of rowsOut) console.log(r);
