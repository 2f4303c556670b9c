// Linear MTL solvers (issue 4, "Performance"): every registered model on School (MALSAR's
// convention: squared loss, 'sum' scaling, no intercept, raw features) — time to the default
// tolerance and to 1e-8 relative optimality, iterations — against the textbook proximal gradient
// (no momentum, no Gram cache: solver 'gd') at the SAME optimality, in the same run; then the
// scaling of one FISTA iteration in the number of tasks (T = 1 000 and 10 000, d = 50, n_t = 20).
// Medians of repeated runs after a warm-up. Run: node --import tsx bench/linear.bench.ts
// (BENCH_PART=school|scaling for one part; BENCH_REPEATS, BENCH_TEXTBOOK_MAX_ITER to adjust).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from '../src/linalg/matrix.ts';
import { Random } from '../src/linalg/random.ts';
import { backendName } from '../src/linalg/backend.ts';
import { problemFromTasks } from '../src/linear/problem.ts';
import { availableModels, getModelSpec } from '../src/linear/registry.ts';
import type { FitInfo, FitResult, ModelOptions, Problem, TaskProblem } from '../src/linear/types.ts';
import { solveBcd } from '../src/linear/solver/row-solvers.ts';
import { SCHOOL, fmt, loadSchool, median, schoolOptions, timeFit as timeFitN } from './common.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const TEXTBOOK_MAX_ITER = Number(process.env.BENCH_TEXTBOOK_MAX_ITER ?? 20000);

/** timeFit with this bench's default repeat count. */
const timeFit = (problem: Problem, name: string, opts: ModelOptions & { tol: number; maxIter: number }, repeats = REPEATS) => timeFitN(problem, name, opts, repeats);


const SMOOTH = new Set(['stl', 'pooled', 'chain', 'graph', 'mean']);
const MINE = new Set(['stl', 'pooled', 'chain', 'graph', 'mean', 'lasso', 'l21', 'trace', 'tgl']);

function schoolTable(): void {
  if (!existsSync(SCHOOL)) {
    console.log(`School: skipped (needs ${SCHOOL})`);
    return;
  }
  const problem = loadSchool();
  console.log(`School: T = ${problem.tasks.length}, d = ${problem.d}, backend ${backendName()}, medians of ${REPEATS} runs after a warm-up`);
  console.log('model           solver  t(tol 1e-6)  iters   t(tol 1e-8)  iters  | textbook gd to 1e-6          iters   speed-up');
  // The structured models (P + Q, cmtl, mtrl, relation) have their own table with their own caps in
  // bench/structured.bench.ts; relation's alternating scheme alone takes minutes here.
  for (const name of availableModels().filter((n) => MINE.has(n))) {
    const o = schoolOptions(problem, name);
    try {
      const mine = MINE.has(name);
      const reps = mine ? REPEATS : 0;
      const cap = mine ? 20000 : 5000;
      const a = timeFit(problem, name, { ...o, tol: 1e-6, maxIter: cap }, reps);
      const b = timeFit(problem, name, { ...o, tol: 1e-8, maxIter: cap }, reps);
      let textbook = '(n/a: structured model, see its own solver)';
      if (MINE.has(name)) {
        const g = timeFit(problem, name, { ...o, tol: 1e-6, maxIter: TEXTBOOK_MAX_ITER, solver: 'gd' }, 1);
        const conv = g.r.info.converged;
        const ratio = g.seconds / a.seconds;
        textbook = `${conv ? '' : '≥'}${fmt(g.seconds).padStart(9)} ${conv ? 'converged' : `NOT conv. (opt ${g.r.info.optimality.toExponential(1)})`}`.padEnd(29) +
          `${String(g.r.info.iterations).padStart(6)}   ${conv ? '' : '≥'}${ratio.toFixed(1)}×`;
      }
      const flag = (r: FitResult) => (r.info.converged ? ' ' : '!');
      console.log(`${name.padEnd(15)} ${a.r.info.solver.padEnd(7)} ${fmt(a.seconds).padStart(10)}${flag(a.r)} ${String(a.r.info.iterations).padStart(6)}   ${fmt(b.seconds).padStart(10)}${flag(b.r)} ${String(b.r.info.iterations).padStart(6)}  | ${textbook}`);
      if (SMOOTH.has(name)) {
        // The smooth models' default solver is the exact one; show FISTA too for comparison.
        const f = timeFit(problem, name, { ...o, tol: 1e-6, maxIter: 20000, solver: 'fista' });
        console.log(`${''.padEnd(15)} fista   ${fmt(f.seconds).padStart(10)}${flag(f.r)} ${String(f.r.info.iterations).padStart(6)}`);
      }
    } catch (e) {
      console.log(`${name.padEnd(15)} failed: ${(e as Error).message}`);
    }
  }
  console.log('(! = did not reach the tolerance; ≥ = textbook stopped at its iteration cap, so the speed-up is a lower bound)');
}

function syntheticProblem(T: number, d: number, n: number, seed: number): Problem {
  const rng = new Random(seed);
  const tasks: TaskProblem[] = [];
  for (let t = 0; t < T; t++) {
    const X = new Matrix(n, d, rng.normals(n * d));
    const y = rng.normals(n);
    tasks.push({ name: `t${t}`, X, y });
  }
  return problemFromTasks(tasks, { loss: 'squared', scale: 'mean', intercept: true });
}

function scaling(): void {
  const d = 50;
  const n = 20;
  const iters = 20;
  console.log(`\nScaling in T (l21 and trace, FISTA, squared loss, d = ${d}, n_t = ${n}; ${iters} iterations at tol 0, median of ${REPEATS})`);
  for (const name of ['l21', 'lasso', 'trace']) {
    const perIter: number[] = [];
    for (const T of [1000, 10000]) {
      const problem = syntheticProblem(T, d, n, 7);
      const spec = getModelSpec(name);
      const lam = 0.5 * spec.paramMax!('lambda', problem, {})!;
      const { seconds, r } = timeFit(problem, name, { lambda: lam, tol: 1e-300, maxIter: iters }, name === 'trace' ? 1 : REPEATS);
      perIter.push(seconds / r.info.iterations);
      console.log(`  ${name.padEnd(6)} T = ${String(T).padStart(5)}: ${fmt(seconds / r.info.iterations)} per iteration`);
    }
    console.log(`  ${name.padEnd(6)} ratio T=10000 / T=1000: ${(perIter[1]! / perIter[0]!).toFixed(1)} (linear scaling: 10)`);
  }
}

// ---------------------------------------------------------------- issue 17: today's FISTA vs the new defaults

const LANDMINE = join(process.cwd(), '..', 'shared', 'data', 'landmine', 'landmine.csv');

function landmineTasks(): TaskProblem[] {
  const lines = readFileSync(LANDMINE, 'utf8').trim().split('\n').slice(1);
  const groups = new Map<number, { x: number[][]; y: number[] }>();
  for (const line of lines) {
    const f = line.split(',').map(Number);
    let g = groups.get(f[0]!);
    if (!g) groups.set(f[0]!, (g = { x: [], y: [] }));
    g.y.push(f[1] === 1 ? 1 : -1);
    g.x.push(f.slice(2));
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([t, g]) => ({ name: `field${t + 1}`, X: Matrix.from(g.x), y: Float64Array.from(g.y) }));
}

/** A multi-output (shared design) problem as scikit-learn's MultiTaskLasso sees it: one X, T targets. */
function sharedDesignTasks(n: number, d: number, T: number, seed: number): TaskProblem[] {
  const rng = new Random(seed);
  const X = new Matrix(n, d, rng.normals(n * d));
  const active = 50;
  const W = new Matrix(d, T, Float64Array.from({ length: d * T }, (_, k) => (Math.floor(k / T) < active ? rng.normal() : 0)));
  return Array.from({ length: T }, (_, t) => {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < active; j++) z += X.data[i * d + j]! * W.data[j * T + t]!;
      y[i] = z + rng.normal();
    }
    return { name: `y${t}`, X, y };
  });
}

interface SolverCase {
  readonly label: string;
  readonly tasks: () => TaskProblem[];
  readonly build: { loss: 'squared' | 'logistic'; scale: 'sum' | 'mean'; intercept: boolean };
  readonly model: string;
  readonly options: ModelOptions;
  /** The new default's name (the model's default for this loss). */
  readonly solver: string;
}

/**
 * Median CPU time of `repeats` fits (after one warm-up), each on a FRESH Problem object so that the
 * set-up (centring, Gram matrices, memoised per Problem) is timed with the solve, as `polytask fit`
 * pays it. Slow runs (> 20 s) are timed once.
 */
function timeFresh(c: SolverCase, solver: string, tol: number): { seconds: number; r: FitResult; runs: number } {
  const spec = getModelSpec(c.model);
  const tasks = c.tasks();
  const once = (): { seconds: number; r: FitResult } => {
    const problem = problemFromTasks(tasks, c.build);
    // CPU seconds of this process (all its threads): on the shared machine wall time mostly measures
    // the other jobs.
    const c0 = process.cpuUsage();
    const r = spec.fit(problem, { ...c.options, solver, tol, maxIter: 100000 });
    const used = process.cpuUsage(c0);
    return { seconds: (used.user + used.system) / 1e6, r };
  };
  const first = once();
  if (first.seconds > 20) return { ...first, runs: 1 };
  const times: number[] = [];
  let r = first.r;
  for (let k = 0; k < REPEATS; k++) {
    const x = once();
    times.push(x.seconds);
    r = x.r;
  }
  return { seconds: median(times), r, runs: REPEATS };
}

function solverTable(): void {
  const haveSchool = existsSync(SCHOOL);
  const haveLandmine = existsSync(LANDMINE);
  const school = haveSchool ? loadSchool().tasks : [];
  const raw = { loss: 'squared' as const, scale: 'sum' as const, intercept: false };
  const cases: SolverCase[] = [];
  if (haveSchool) {
    cases.push(
      { label: 'School raw L21 ρ=200', tasks: () => [...school], build: raw, model: 'l21', options: { lambda: 200 }, solver: 'bcd' },
      { label: 'School raw lasso ρ=200', tasks: () => [...school], build: raw, model: 'lasso', options: { lambda: 200 }, solver: 'bcd' },
      { label: 'School raw tgl 1/10/200', tasks: () => [...school], build: raw, model: 'tgl', options: { ridge: 1, theta2: 10, theta3: 200 }, solver: 'bcd' },
      { label: 'School raw trace ρ=200', tasks: () => [...school], build: raw, model: 'trace', options: { lambda: 200 }, solver: 'admm' },
      { label: 'School raw dirty ρ1=ρ2=200', tasks: () => [...school], build: raw, model: 'dirty', options: { lambdaP: 200, lambdaQ: 200 }, solver: 'admm' },
      { label: 'School raw dirty ρ1=ρ2=1000', tasks: () => [...school], build: raw, model: 'dirty', options: { lambdaP: 1000, lambdaQ: 1000 }, solver: 'admm' },
    );
  } else console.log(`School: skipped (needs ${SCHOOL})`);
  if (haveLandmine) {
    cases.push({ label: 'Landmine logistic L21 ρ=0.01', tasks: landmineTasks, build: { loss: 'logistic', scale: 'mean', intercept: true }, model: 'l21', options: { lambda: 0.01 }, solver: 'newton' });
  } else console.log(`Landmine: skipped (needs ${LANDMINE})`);
  cases.push({
    label: 'shared design n=5000 d=500 T=20 α=0.5',
    tasks: () => sharedDesignTasks(5000, 500, 20, 17),
    build: { loss: 'squared', scale: 'mean', intercept: true },
    model: 'l21',
    options: { lambda: 0.5 },
    solver: 'bcd',
  });
  console.log(`\nIssue 17: today's FISTA against the new default solver, side by side, tol 1e-6 (each solver's own certificate; see docs/solvers.md),`);
  console.log(`whole fit timed in CPU seconds (set-up included, a fresh problem per run), median of ${REPEATS} runs after a warm-up (1 run when > 20 s); backend ${backendName()}.`);
  console.log('"obj gap" = (F − F*)/F* against F* = the best objective of the run (the new solver at tol 1e-12; admm at 1e-10).');
  console.log('case                                   | fista: time      iters  obj gap  | new: solver time      iters  obj gap  | speed-up');
  // BENCH_CASES=trace,dirty runs only the cases whose label contains one of these words.
  const only = process.env.BENCH_CASES?.split(',').filter((w) => w.length > 0);
  for (const c of cases.filter((k) => !only || only.some((w) => k.label.includes(w)))) {
    try {
      // ADMM's gap bottoms out near 1e-10 relative (rounding in the dual's Gram-form sums, with the
      // objective already exact): its reference run stops there. F* is the best objective seen.
      const refRun = timeFresh(c, c.solver, c.solver === 'admm' ? 1e-10 : 1e-12);
      const f = timeFresh(c, 'fista', 1e-6);
      const n = timeFresh(c, c.solver, 1e-6);
      const ref = Math.min(refRun.r.info.objective, f.r.info.objective, n.r.info.objective);
      const gap = (r: FitResult) => ((r.info.objective - ref) / Math.abs(ref)).toExponential(1);
      const flag = (r: FitResult) => (r.info.converged ? ' ' : '!');
      console.log(
        `${c.label.padEnd(38)} | ${fmt(f.seconds).padStart(9)}${flag(f.r)}${f.runs === 1 ? '¹' : ' '} ${String(f.r.info.iterations).padStart(6)} ${gap(f.r).padStart(8)} | ${c.solver.padEnd(6)} ${fmt(n.seconds).padStart(9)}${flag(n.r)}${n.runs === 1 ? '¹' : ' '} ${String(n.r.info.iterations).padStart(6)} ${gap(n.r).padStart(8)} | ${(f.seconds / n.seconds).toFixed(1)}×`,
      );
    } catch (e) {
      console.log(`${c.label.padEnd(38)} | failed: ${(e as Error).message}`);
    }
  }
  console.log('(iterations: FISTA iterations; bcd: passes over the working set; newton: Newton steps; admm: ADMM iterations. ! = not converged; ¹ = one run)');
}

// ---------------------------------------------------------------- issue 17: scikit-learn on the shared design

/**
 * scikit-learn's MultiTaskLasso (bench/peers/sklearn_mtl.py, process CPU time) against polytask's
 * default (bcd, CPU seconds of this process) on the same shared-design problem, written once to a
 * temporary directory; both objectives are printed in the same terms, (1/2n)‖Y − XW − 1bᵀ‖² + α‖W‖₂,₁.
 * Skipped with a message when python3 has no scikit-learn.
 */
function sklearnPeer(): void {
  const n = 5000;
  const d = 500;
  const T = 20;
  const alpha = 0.5;
  // The first interpreter that imports sklearn (a pyenv python3 may shadow the Debian one that has it).
  const python = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].find((py) => py && spawnSync(py, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0);
  if (!python) {
    console.log('\nscikit-learn peer: skipped (no python3 imports sklearn; `apt-get install python3-sklearn` or `pip install scikit-learn`, or set BENCH_PYTHON)');
    return;
  }
  const tasks = sharedDesignTasks(n, d, T, 17);
  const dir = mkdtempSync(join(tmpdir(), 'polytask-sk-'));
  try {
    const X = tasks[0]!.X;
    const Y = new Float64Array(n * T);
    for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) Y[i * T + t] = tasks[t]!.y[i]!;
    writeFileSync(join(dir, 'X.bin'), new Uint8Array(Float64Array.from(X.data).buffer));
    writeFileSync(join(dir, 'Y.bin'), new Uint8Array(Y.buffer));
    console.log(`\nShared design n = ${n}, d = ${d}, T = ${T}, α = ${alpha}: scikit-learn MultiTaskLasso vs polytask l21 (bcd), CPU seconds, median of ${REPEATS} after a warm-up`);
    console.log('solver                         tol      CPU s    iters  objective              rel. to best');
    const rows: { label: string; tol: number; seconds: number; iters: number; objective: number }[] = [];
    for (const tol of [1e-4, 1e-6, 1e-10]) {
      const r = spawnSync(python, [join(process.cwd(), 'bench', 'peers', 'sklearn_mtl.py'), join(dir, 'X.bin'), join(dir, 'Y.bin'), String(n), String(d), String(T), String(alpha), String(tol), String(REPEATS)], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
      if (r.status !== 0) {
        console.log(`scikit-learn failed: ${r.stderr.trim().split('\n').pop()}`);
        return;
      }
      const out = JSON.parse(r.stdout) as { version: string; seconds: number; objective: number; n_iter: number };
      rows.push({ label: `scikit-learn ${out.version}`, tol, seconds: out.seconds, iters: out.n_iter, objective: out.objective });
    }
    const c: SolverCase = { label: 'shared', tasks: () => tasks, build: { loss: 'squared', scale: 'mean', intercept: true }, model: 'l21', options: { lambda: alpha }, solver: 'bcd' };
    for (const tol of [1e-4, 1e-6, 1e-10]) {
      const x = timeFresh(c, 'bcd', tol);
      rows.push({ label: 'polytask bcd', tol, seconds: x.seconds, iters: x.r.info.iterations, objective: x.r.info.objective });
    }
    const best = Math.min(...rows.map((r) => r.objective));
    for (const r of rows) {
      console.log(`${r.label.padEnd(30)} ${r.tol.toExponential(0).padEnd(8)} ${r.seconds.toFixed(3).padStart(7)} ${String(r.iters).padStart(7)}  ${r.objective.toPrecision(15).padEnd(20)}  ${((r.objective - best) / best).toExponential(1)}`);
    }
    console.log('(scikit-learn: its own tol, on the duality gap scaled by ‖Y‖²; polytask: relative duality gap. Compare rows at equal objective.)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- issue 17: a whole CV path

/**
 * A whole `polytask cv` path (the command of docs/cli.md: 5 folds, the default 10-point λ grid, rule
 * 1se, --json) run as a separate process by three variants, alternately in one run: the base
 * checkout BENCH_BASE (the code when issue 17 was filed, 0b8f05c: FISTA everywhere; made by
 * `git worktree add --detach /tmp/cv0b8 0b8f05c`, node_modules hard-linked with `cp -al`, built with
 * `npm run build:wasm && npx tsc -p tsconfig.build.json`), this checkout with `--solver fista`, and
 * this checkout's default solver. Every variant runs its BUILT CLI (`node bin/polytask.mjs`; run
 * `npm run build:ts` here first: the bench refuses a dist/ older than src/), so start-up is the
 * installed command's. CPU seconds of the whole process (user + sys from /usr/bin/time); the slow
 * variants run BENCH_CV_SLOW_REPEATS times (default 1), the default solver BENCH_REPEATS times;
 * medians. Then grid, chosen λ and CV curve are compared with the base's. Cases (BENCH_CV_CASES,
 * default l21): l21, lasso, trace on School (squared loss, mean, intercepts) and landmine (logistic
 * L21 on Landmine). Skipped with a message when BENCH_BASE or /usr/bin/time is absent.
 */
function cvPath(): void {
  const base = process.env.BENCH_BASE;
  const csv = SCHOOL.replace(/school\.mat$/, 'school.csv');
  if (!base || !existsSync(join(base, 'bin/polytask.mjs')) || !existsSync(join(base, 'dist/cli/main.js'))) return void console.log('cvpath: skipped (set BENCH_BASE to a built base checkout)');
  if (!existsSync('/usr/bin/time') || !existsSync(csv)) return void console.log(`cvpath: skipped (needs /usr/bin/time and ${csv})`);
  const here = process.cwd();
  const built = join(here, 'dist/cli/main.js');
  const newestSrc = Number(spawnSync('sh', ['-c', "find src -name '*.ts' -printf '%T@\\n' | sort -n | tail -1"], { cwd: here, encoding: 'utf8' }).stdout.trim()) * 1000;
  if (!existsSync(built) || statSync(built).mtimeMs < newestSrc) return void console.log('cvpath: skipped (dist/ is older than src/: run `npm run build:ts` first)');
  const slowReps = Number(process.env.BENCH_CV_SLOW_REPEATS ?? 1);
  const cases: Record<string, string[]> = {
    l21: ['--data', csv, '--task-col', 'task', '--target', 'y', '--model', 'l21'],
    lasso: ['--data', csv, '--task-col', 'task', '--target', 'y', '--model', 'lasso'],
    trace: ['--data', csv, '--task-col', 'task', '--target', 'y', '--model', 'trace'],
    landmine: ['--data', LANDMINE, '--task-col', 'task', '--target', 'y', '--model', 'l21'],
  };
  type Out = { chosen: Record<string, number>; curve: { grid: number[]; mean: number[]; se: number[] }; diagnostics?: { iterations: number } };
  const dir = mkdtempSync(join(tmpdir(), 'polytask-cvpath-'));
  const once = (checkout: string, args: string[], k: string): { cpu: number; out: Out } => {
    const json = join(dir, `${k}.json`);
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, 'bin/polytask.mjs', 'cv', ...args, '--folds', '5', '--rule', '1se', '--json'], { cwd: checkout, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`cv in ${checkout} failed: ${r.stderr.slice(-500)}`);
    writeFileSync(json, r.stdout);
    const [u, sy] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    return { cpu: u! + sy!, out: JSON.parse(readFileSync(json, 'utf8')) as Out };
  };
  const rel = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.abs(x)));
  try {
    for (const name of (process.env.BENCH_CV_CASES ?? 'l21').split(',')) {
      const args = cases[name];
      if (!args) throw new Error(`unknown case ${name} (l21, lasso, trace, landmine)`);
      if (!existsSync(args[1]!)) {
        console.log(`cvpath ${name}: skipped (needs ${args[1]})`);
        continue;
      }
      const variants = [
        { label: `base ${base} (default solver)`, dir: base, extra: [] as string[], reps: slowReps },
        { label: 'this checkout, --solver fista', dir: here, extra: ['--solver', 'fista'], reps: slowReps },
        { label: 'this checkout, default solver', dir: here, extra: [] as string[], reps: REPEATS },
      ];
      const times: number[][] = variants.map(() => []);
      const outs: (Out | undefined)[] = variants.map(() => undefined);
      const rounds = Math.max(slowReps, REPEATS);
      for (let k = 0; k < rounds; k++) {
        variants.forEach((v, i) => {
          if (k >= v.reps) return;
          const r = once(v.dir, [...args, ...v.extra], `${name}-${i}-${k}`);
          times[i]!.push(r.cpu);
          outs[i] = r.out;
        });
      }
      console.log(`\nIssue 17: polytask cv ${args.slice(-2).join(' ')} on ${args[1]!.split('/').pop()} (5 folds, default grid, rule 1se), whole command, CPU s (user + sys), medians, alternating runs`);
      const tb = median(times[0]!);
      const ob = outs[0]!;
      variants.forEach((v, i) => {
        const o = outs[i]!;
        const t = median(times[i]!);
        const same = i === 0 ? '' : `; grid max rel. diff ${rel(ob.curve.grid, o.curve.grid).toExponential(1)}, chosen ${JSON.stringify(o.chosen)}, CV mean max rel. diff ${rel(ob.curve.mean, o.curve.mean).toExponential(1)}`;
        console.log(`${v.label.padEnd(52)} ${fmt(t).padStart(8)} [${times[i]!.map(fmt).join(', ')}] ${o.diagnostics ? `${o.diagnostics.iterations} solver iterations` : '(no iteration count)'}  ×${(tb / t).toFixed(2)} vs base${same}`);
      });
      console.log(`base chosen ${JSON.stringify(ob.chosen)}`);
    }
  } catch (e) {
    console.log(`cvpath: failed: ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


// ---------------------------------------------------------------- issue 15: many small tasks

/**
 * Many small tasks with a planted signal (issue 15): k = 5 of d features carry the signal in every
 * task, w_t on them ~ N(0, 1), y = X_t w_t + b_t + ε, ε ~ N(0, 1), X ~ N(0, 1), n_t rows per task, so the
 * per-task signal is the same at every T.
 */
function plantedProblem(T: number, d: number, n: number, seed: number): Problem {
  const rng = new Random(seed);
  const k = 5;
  const tasks: TaskProblem[] = [];
  for (let t = 0; t < T; t++) {
    const X = new Matrix(n, d, rng.normals(n * d));
    const w = rng.normals(k);
    const b = rng.normal();
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z = b + rng.normal();
      for (let j = 0; j < k; j++) z += X.data[i * d + j]! * w[j]!;
      y[i] = z;
    }
    tasks.push({ name: `t${t}`, X, y });
  }
  return problemFromTasks(tasks, { loss: 'squared', scale: 'mean', intercept: true });
}

/**
 * Many tasks (issue 15): l21 on T × 20 rows, d = 50, with the problem's difficulty held fixed as T
 * grows — the same planted per-task signal and λ = BENCH_MANY_FRAC (default 0.1) × λ_max of each
 * problem (a fixed λ is a weaker penalty as T grows, since λ_max grows like √T for a group norm over
 * tasks, and then passes grew 160 → 420 from T = 1 000 to 10 000). Iterations and time per iteration
 * are printed apart, so that growth in the cost of an iteration is not confused with growth in their
 * number. Solvers: the working-set BCD in its data form (the default for n_t < d/2) and in its Gram
 * form, FISTA at tol 1e-6 and 1e-8; "rel. to best" compares each objective with the lowest of the
 * row's T (so solvers are compared at the accuracy they reach, not their own stopping rules).
 * Full fits up to T = BENCH_MANY_FULL (default 1 000), else BENCH_MANY_CAP passes (time per pass only);
 * the Gram-form BCD is capped above T = 1 000 (its 200 MB of blocks per pass is the point being made).
 */
function manyTasks(): void {
  const Ts = (process.env.BENCH_MANY_TASKS ?? '100,1000,10000').split(',').map(Number);
  const full = Number(process.env.BENCH_MANY_FULL ?? 1000);
  const cap = Number(process.env.BENCH_MANY_CAP ?? 20);
  const frac = Number(process.env.BENCH_MANY_FRAC ?? 0.1);
  const reps = Number(process.env.BENCH_REPEATS ?? 1);
  const cpu = (f: () => { info: FitInfo }): { s: number; r: { info: FitInfo } } => {
    const runs: { s: number; r: { info: FitInfo } }[] = [];
    for (let k = 0; k < reps; k++) {
      const c = process.cpuUsage();
      const r = f();
      const u = process.cpuUsage(c);
      runs.push({ s: (u.user + u.system) / 1e6, r });
    }
    const m = median(runs.map((x) => x.s));
    return runs.find((x) => x.s === m) ?? runs[0]!;
  };
  console.log(`\nMany tasks (issue 15): l21, λ = ${frac} λ_max, planted signal (5 of 50 features), T × 20 rows, d = 50; CPU seconds (process user + system, set-up included), median of ${reps}; backend ${backendName()}; full fits up to T = ${full}, else ${cap} passes`);
  console.log('T       solver          iters  CPU total     CPU per iter   per task per iter   growth vs T=1000  objective           rel. to best');
  const perIter: Record<string, Record<number, number>> = {};
  const l21 = getModelSpec('l21');
  for (const T of Ts) {
    const problem = plantedProblem(T, 50, 20, 7);
    const lambda = frac * l21.paramMax!('lambda', problem, {})!;
    const variants: { label: string; run: (maxIter: number) => { info: FitInfo }; capped: boolean }[] = [
      { label: 'bcd data', capped: T > full, run: (m) => solveBcd(problem, { kind: 'l21', lambda }, { tol: 1e-6, maxIter: m, form: 'data' }) },
      { label: 'bcd gram', capped: T > Math.min(full, 1000), run: (m) => solveBcd(problem, { kind: 'l21', lambda }, { tol: 1e-6, maxIter: m, form: 'gram' }) },
      { label: 'fista 1e-6', capped: T > full, run: (m) => l21.fit(problem, { lambda, tol: 1e-6, maxIter: m, solver: 'fista' }, undefined, undefined) },
      { label: 'fista 1e-8', capped: T > full, run: (m) => l21.fit(problem, { lambda, tol: 1e-8, maxIter: m, solver: 'fista' }, undefined, undefined) },
    ];
    const rowsOut: { label: string; s: number; info: FitInfo; capped: boolean }[] = [];
    for (const v of variants) {
      const { s, r } = cpu(() => v.run(v.capped ? cap : 20000));
      rowsOut.push({ label: v.label, s, info: r.info, capped: v.capped });
    }
    const best = Math.min(...rowsOut.filter((x) => !x.capped && x.info.converged).map((x) => x.info.objective));
    for (const { label, s, info, capped } of rowsOut) {
      const pi = s / info.iterations;
      (perIter[label] ??= {})[T] = pi / T;
      const base = perIter[label]![1000];
      const growth = base !== undefined && T !== 1000 ? `${((pi / T) / base).toFixed(2)}×` : '';
      const obj = capped ? '(capped)' : info.objective.toPrecision(14);
      const rel = capped || !Number.isFinite(best) ? '' : ((info.objective - best) / Math.abs(best)).toExponential(1);
      console.log(`${String(T).padEnd(7)} ${label.padEnd(12)} ${String(info.iterations).padStart(8)}${info.converged ? ' ' : '*'} ${fmt(s).padStart(10)} ${fmt(pi).padStart(14)} ${(1e6 * pi / T).toFixed(2).padStart(12)} µs ${growth.padStart(17)}   ${obj.padEnd(18)}  ${rel}`);
    }
  }
  console.log('(* = not converged: stopped at the pass cap, time per pass only; growth = CPU per iteration per task ÷ the same at T = 1 000)');
}

// BENCH_PART=school, scaling, solvers, sklearn, cvpath or manytasks runs one part only.
const part = process.env.BENCH_PART ?? 'all';
if (part === 'all' || part === 'school') schoolTable();
if (part === 'all' || part === 'scaling') scaling();
if (part === 'all' || part === 'solvers') solverTable();
if (part === 'all' || part === 'sklearn') sklearnPeer();
if (part === 'all' || part === 'cvpath') cvPath();
if (part === 'all' || part === 'manytasks') manyTasks();
