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
import { buildProblem, problemFromTasks } from '../src/linear/problem.ts';
import { availableModels, getModelSpec } from '../src/linear/registry.ts';
import type { FitInfo, FitResult, ModelOptions, Problem, TaskProblem } from '../src/linear/types.ts';
import { columnScaleSpread, defaultRowSolver, solveBcd } from '../src/linear/solver/row-solvers.ts';
import { createLoss } from '../src/linear/loss/index.ts';
import { makeDemoProblem } from '../src/data/synthetic/demo.ts';
import { nuclearNorm } from '../src/linear/penalty/trace.ts';
import { cmtlConstants, cmtlReduced } from '../src/linear/structure/cmtl-m-step.ts';
import { LANDMINE, SCHOOL, fmt, loadLandmineTasks, loadSchool, median, plantedProblem, schoolOptions, timeFit as timeFitN } from './common.ts';

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

const landmineTasks = (): TaskProblem[] => loadLandmineTasks();

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
/** withBuild: the timed region includes building the Problem (checking the data), as a peer's fit does. */
function timeFresh(c: SolverCase, solver: string | undefined, tol: number, withBuild = false): { seconds: number; r: FitResult; runs: number } {
  const spec = getModelSpec(c.model);
  const tasks = c.tasks();
  const once = (): { seconds: number; r: FitResult } => {
    // CPU seconds of this process (all its threads): on the shared machine wall time mostly measures
    // the other jobs.
    const b0 = process.cpuUsage();
    const problem = problemFromTasks(tasks, c.build);
    const c0 = withBuild ? b0 : process.cpuUsage();
    const r = spec.fit(problem, { ...c.options, ...(solver ? { solver } : {}), tol, maxIter: 100000 });
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
      const x = timeFresh(c, 'bcd', tol, true);
      rows.push({ label: 'polytask bcd', tol, seconds: x.seconds, iters: x.r.info.iterations, objective: x.r.info.objective });
    }
    const best = Math.min(...rows.map((r) => r.objective));
    for (const r of rows) {
      console.log(`${r.label.padEnd(30)} ${r.tol.toExponential(0).padEnd(8)} ${r.seconds.toFixed(3).padStart(7)} ${String(r.iters).padStart(7)}  ${r.objective.toPrecision(15).padEnd(20)}  ${((r.objective - best) / best).toExponential(1)}`);
    }
    // The tolerances mean different things (scikit-learn's gap is scaled by ‖Y‖², polytask's by the
    // objective), so the fair comparison is at equal objective: for each scikit-learn row, polytask's
    // loosest tol (decades 1e-2 … 1e-12) whose objective is at most scikit-learn's (to 1e-13 relative:
    // at 1e-10 both sit at the optimum up to rounding), timed the same way.
    console.log('At equal objective (polytask: the loosest tol whose objective ≤ scikit-learn\'s · (1 + 1e-13)):');
    for (const sk of rows.filter((r) => r.label.startsWith('scikit-learn'))) {
      let match: { tol: number; seconds: number; iters: number; objective: number } | undefined;
      for (const tol of [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12]) {
        const f = getModelSpec('l21').fit(problemFromTasks(tasks, c.build), { lambda: alpha, solver: 'bcd', tol, maxIter: 100000 });
        if (f.info.objective <= sk.objective * (1 + 1e-13)) {
          const x = timeFresh(c, 'bcd', tol, true);
          match = { tol, seconds: x.seconds, iters: x.r.info.iterations, objective: x.r.info.objective };
          break;
        }
      }
      if (!match) {
        console.log(`  scikit-learn tol ${sk.tol.toExponential(0)}: polytask did not reach its objective by tol 1e-12`);
        continue;
      }
      const dF = (match.objective - sk.objective) / Math.abs(sk.objective);
      console.log(`  scikit-learn tol ${sk.tol.toExponential(0).padEnd(6)} ${sk.seconds.toFixed(3)} s  | polytask tol ${match.tol.toExponential(0).padEnd(6)} ${match.seconds.toFixed(3)} s (${match.iters} passes, ΔF ${dF.toExponential(1)})  | ${(sk.seconds / match.seconds).toFixed(2)}×`);
    }
    console.log('(scikit-learn: its own tol, on the duality gap scaled by ‖Y‖²; polytask: relative duality gap; polytask times the whole fit including building the problem.)');
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

/**
 * The default squared-loss solver of l21 and lasso (issues 15, 17; docs/solvers.md "Which solver by
 * default"): the working-set BCD against FISTA (fistaRows where it applies) on the shape grid
 * T × n_t × d of BENCH_GRID_T (default 100,1000,10000), BENCH_GRID_N (20,100), BENCH_GRID_D (20,50),
 * planted signal, λ = 0.1 λ_max, tol 1e-6 (the CLI default), whole model fit (set-up included), CPU
 * seconds, median of BENCH_REPEATS (default 3; one run where a single fit exceeds 10 s), then badly
 * scaled columns at one FISTA shape (their columnScaleSpread in brackets), then School (raw features, mean loss, intercepts, λ = 0.1 λ_max).
 * "picked" is defaultRowSolver's choice.
 */
function defaultGrid(): void {
  const list = (k: string, dflt: string): number[] => (process.env[k] ?? dflt).split(',').map(Number);
  const reps = Number(process.env.BENCH_REPEATS ?? 3);
  const models = (process.env.BENCH_GRID_MODELS ?? 'l21,lasso').split(',');
  const cpu = (f: () => FitResult): { s: number; r: FitResult } => {
    const runs: { s: number; r: FitResult }[] = [];
    for (let k = 0; k < reps; k++) {
      const c = process.cpuUsage();
      const r = f();
      const u = process.cpuUsage(c);
      runs.push({ s: (u.user + u.system) / 1e6, r });
      if (runs[0]!.s > 10) break;
    }
    const m = median(runs.map((x) => x.s));
    return { s: m, r: runs[0]!.r };
  };
  const row = (label: string, problem: Problem, model: string): void => {
    const spec = getModelSpec(model);
    const lambda = 0.1 * spec.paramMax!('lambda', problem, {})!;
    const out: Record<string, { s: number; r: FitResult }> = {};
    for (const solver of ['bcd', 'fista']) out[solver] = cpu(() => spec.fit(problem, { lambda, tol: 1e-6, maxIter: 20000, solver }, undefined, undefined));
    const b = out['bcd']!;
    const f = out['fista']!;
    const rel = (f.r.info.objective - b.r.info.objective) / Math.abs(b.r.info.objective);
    const picked = defaultRowSolver(problem, { kind: model as 'l21' | 'lasso', lambda });
    console.log(`${label.padEnd(34)} ${model.padEnd(6)} ${fmt(b.s).padStart(9)} ${String(b.r.info.iterations).padStart(6)}${b.r.info.converged ? ' ' : '*'} ${fmt(f.s).padStart(9)} ${String(f.r.info.iterations).padStart(6)}${f.r.info.converged ? ' ' : '*'} ${(b.s / f.s).toFixed(2).padStart(7)}×  ${rel.toExponential(1).padStart(9)}  ${picked}`);
  };
  console.log(`\nDefault squared-loss solver (l21/lasso): BCD vs FISTA, CPU s (median of ${reps}), tol 1e-6, λ = 0.1 λ_max; backend ${backendName()}`);
  console.log('case                               model    bcd s  iters    fista s  iters  bcd/fista  obj(fista−bcd)/|obj|  picked');
  for (const T of list('BENCH_GRID_T', '100,1000,10000'))
    for (const n of list('BENCH_GRID_N', '20,100'))
      for (const d of list('BENCH_GRID_D', '20,50')) {
        const problem = plantedProblem(T, d, n, 7);
        for (const model of models) row(`T=${T} n_t=${n} d=${d}`, problem, model);
      }
  // Badly scaled columns at a FISTA shape: column j of every task times 10^(s·U(−1, 1)), s from
  // BENCH_GRID_SPREAD (the planted problem of T = 1 000, n_t = 20, d = 50 otherwise).
  for (const spread of list('BENCH_GRID_SPREAD', '1.5,2.5')) {
    const base = plantedProblem(1000, 50, 20, 7);
    const rng = new Random(11);
    const sc = Array.from({ length: 50 }, () => 10 ** (spread * (2 * rng.uniform() - 1)));
    const tasks = base.tasks.map((t) => {
      const X = t.X.clone();
      for (let i = 0; i < X.rows; i++) for (let j = 0; j < 50; j++) X.data[i * 50 + j]! *= sc[j]!;
      return { ...t, X };
    });
    const problem = problemFromTasks(tasks, { loss: 'squared', scale: 'mean', intercept: true });
    for (const model of models) row(`T=1000 n_t=20 d=50 10^±${spread} (${columnScaleSpread(problem).toExponential(0)})`, problem, model);
  }
  if (process.env.BENCH_GRID_SCHOOL !== '0' && existsSync(SCHOOL)) {
    const tasks = (loadSchool() as Problem).tasks;
    const school = problemFromTasks([...tasks], { loss: 'squared', scale: 'mean', intercept: true });
    for (const model of models) row('School (T=139, n_t≈110, d=28)', school, model);
  }
  console.log('(* = not converged; obj column: FISTA\'s objective minus BCD\'s, relative)');
}

// ---------------------------------------------------------------- issue 17: MALSAR 1.1 on Octave

/** The Octave command line interpreter, or undefined (BENCH_OCTAVE overrides). */
function findOctave(): string | undefined {
  return [process.env.BENCH_OCTAVE, 'octave-cli', 'octave'].find((o) => o && spawnSync(o, ['--version'], { encoding: 'utf8' }).status === 0);
}

/** Tasks as bench/peers/malsar.m reads them: float64 LE  T, then per task n, d, X (row-major), y. */
function writeMalsarData(tasks: readonly TaskProblem[], file: string): void {
  const size = 1 + tasks.reduce((a, t) => a + 2 + t.X.rows * t.X.cols + t.X.rows, 0);
  const buf = new Float64Array(size);
  let o = 0;
  buf[o++] = tasks.length;
  for (const t of tasks) {
    buf[o++] = t.X.rows;
    buf[o++] = t.X.cols;
    buf.set(t.X.data, o);
    o += t.X.rows * t.X.cols;
    buf.set(t.y, o);
    o += t.X.rows;
  }
  writeFileSync(file, new Uint8Array(buf.buffer));
}

interface MalsarCase {
  readonly label: string;
  readonly tasks: () => TaskProblem[];
  readonly build: { loss: 'squared' | 'logistic'; scale: 'sum' | 'mean'; intercept: boolean };
  /** bench/peers/malsar.m's case and MALSAR's own parameters. */
  readonly malsar: string;
  readonly malsarParams: readonly number[];
  /** polytask's model and options for the SAME minimiser (scalings converted; see the table notes). */
  readonly model: string;
  readonly options: ModelOptions;
  /**
   * polytask's objective (its own scaling, the one its info.objective reports) at MALSAR's output:
   * W (d × T), intercepts b, and for dirty MALSAR's own split P, Q.
   */
  readonly objective: (problem: Problem, W: Matrix, b: Float64Array, P?: Matrix, Q?: Matrix) => number;
}

const rowNormSum = (W: Matrix): number => {
  let s = 0;
  for (let j = 0; j < W.rows; j++) {
    let r = 0;
    for (let t = 0; t < W.cols; t++) r += W.data[j * W.cols + t]! ** 2;
    s += Math.sqrt(r);
  }
  return s;
};
const l1Sum = (W: Matrix): number => W.data.reduce((a, v) => a + Math.abs(v), 0);
const rowMaxSum = (W: Matrix): number => {
  let s = 0;
  for (let j = 0; j < W.rows; j++) {
    let m = 0;
    for (let t = 0; t < W.cols; t++) m = Math.max(m, Math.abs(W.data[j * W.cols + t]!));
    s += m;
  }
  return s;
};
const frob2 = (W: Matrix): number => W.data.reduce((a, v) => a + v * v, 0);
const lossAt = (problem: Problem, W: Matrix, b: Float64Array): number => {
  const loss = createLoss(problem);
  return loss.value(W, loss.explicitIntercept ? b : undefined);
};

/**
 * MALSAR 1.1 (Least_L21, Least_Lasso, Least_Trace, Least_TGL, Least_Dirty, Logistic_L21, Least_CMTL;
 * Octave, bench/peers/malsar.m: CPU seconds of the solver call, the median of BENCH_MALSAR_REPEATS calls,
 * default REPEATS, fewer once ~10 CPU s are spent) against polytask's default solver on the same data. MALSAR stops by its own rule (relative objective change ≤ BENCH_MALSAR_TOL,
 * default 1e-6, cap BENCH_MALSAR_MAXITER, default 20 000); its output is scored by polytask's
 * objective code; polytask then runs the loosest tolerance of 1e-2 … 1e-12 whose objective is ≤
 * MALSAR's (the same or a better objective), timed as the solver table times it (fresh problem, CPU
 * seconds, median of REPEATS). Needs MALSAR_DIR (a MALSAR 1.1 checkout: the directory holding
 * MALSAR/functions) and octave-cli; skipped with a message otherwise. Dirty needs prf_lbm compiled by
 * mkoctfile (Debian liboctave-dev), done once into a temporary directory; skipped without it.
 */
function malsarPeer(): void {
  const malsarDir = process.env.MALSAR_DIR;
  if (!malsarDir || !existsSync(join(malsarDir, 'MALSAR', 'functions'))) {
    console.log('\nMALSAR peer: skipped (set MALSAR_DIR to a MALSAR 1.1 checkout, the directory that holds MALSAR/functions)');
    return;
  }
  const octave = findOctave();
  if (!octave) {
    console.log('\nMALSAR peer: skipped (no octave-cli; `apt-get install octave`, or set BENCH_OCTAVE)');
    return;
  }
  const malsarTol = Number(process.env.BENCH_MALSAR_TOL ?? 1e-6);
  const malsarMaxIter = Number(process.env.BENCH_MALSAR_MAXITER ?? 20000);
  // MALSAR's timed calls per case (median; the driver stops early past ~10 CPU s): as many as polytask's repeats.
  const malsarRepeats = Number(process.env.BENCH_MALSAR_REPEATS ?? REPEATS);
  const haveSchool = existsSync(SCHOOL);
  const school = haveSchool ? loadSchool().tasks : [];
  const raw = { loss: 'squared' as const, scale: 'sum' as const, intercept: false };
  const cases: MalsarCase[] = [];
  if (haveSchool) {
    // MALSAR's least-squares objectives are Σ_t ½‖y_t − X_t w_t‖² + penalty (sum scaling, no
    // intercept) with the penalty weights as polytask's, except Least_Dirty: ‖X(P + Q) − Y‖²_F
    // + λ1‖P‖_1,∞ + λ2‖Q‖₁ without the ½, i.e. twice polytask's objective at λP = λ1/2, λQ = λ2/2.
    cases.push(
      { label: 'School raw L21 ρ=200', tasks: () => [...school], build: raw, malsar: 'l21', malsarParams: [200], model: 'l21', options: { lambda: 200 }, objective: (p, W, b) => lossAt(p, W, b) + 200 * rowNormSum(W) },
      { label: 'School raw lasso ρ=200', tasks: () => [...school], build: raw, malsar: 'lasso', malsarParams: [200], model: 'lasso', options: { lambda: 200 }, objective: (p, W, b) => lossAt(p, W, b) + 200 * l1Sum(W) },
      { label: 'School raw trace ρ=200', tasks: () => [...school], build: raw, malsar: 'trace', malsarParams: [200], model: 'trace', options: { lambda: 200 }, objective: (p, W, b) => lossAt(p, W, b) + 200 * nuclearNorm(W) },
      {
        label: 'School raw tgl 1/10/200', tasks: () => [...school], build: raw, malsar: 'tgl', malsarParams: [1, 10, 200], model: 'tgl', options: { ridge: 1, theta2: 10, theta3: 200 },
        objective: (p, W, b) => {
          let chain = 0;
          for (let j = 0; j < W.rows; j++) for (let t = 0; t + 1 < W.cols; t++) chain += (W.data[j * W.cols + t]! - W.data[j * W.cols + t + 1]!) ** 2;
          return lossAt(p, W, b) + frob2(W) + 10 * chain + 200 * rowNormSum(W);
        },
      },
      {
        label: 'School raw dirty λ1=λ2=400 (P 200/200)', tasks: () => [...school], build: raw, malsar: 'dirty', malsarParams: [400, 400], model: 'dirty', options: { lambdaP: 200, lambdaQ: 200 },
        objective: (p, W, b, P, Q) => lossAt(p, W, b) + 200 * rowMaxSum(P!) + 200 * l1Sum(Q!),
      },
      {
        // MALSAR's example_CMTL values; the reduced objective min_M (MALSAR's M is not better than M*).
        label: 'School raw cmtl ρ1=10 ρ2=0.1 k=2', tasks: () => [...school], build: raw, malsar: 'cmtl', malsarParams: [10, 0.1, 2], model: 'cmtl', options: { rho1: 10, rho2: 0.1, clusters: 2 },
        objective: (p, W, b) => {
          const k = cmtlConstants(10, 0.1);
          return lossAt(p, W, b) + k.c * cmtlReduced(W, 2, k.eta).value;
        },
      },
    );
  } else console.log(`School: skipped (needs ${SCHOOL})`);
  if (existsSync(LANDMINE)) {
    // Logistic_L21: Σ_t mean_i log(1 + exp(−y(xᵀw_t + c_t))) + ρ‖W‖₂,₁ with intercepts c: polytask's
    // logistic loss with 'mean' scaling and intercepts.
    cases.push({ label: 'Landmine logistic L21 ρ=0.01', tasks: landmineTasks, build: { loss: 'logistic', scale: 'mean', intercept: true }, malsar: 'logl21', malsarParams: [0.01], model: 'l21', options: { lambda: 0.01 }, objective: (p, W, b) => lossAt(p, W, b) + 0.01 * rowNormSum(W) });
  } else console.log(`Landmine: skipped (needs ${LANDMINE})`);
  const only = process.env.BENCH_CASES?.split(',').filter((w) => w.length > 0);
  const dir = mkdtempSync(join(tmpdir(), 'polytask-malsar-'));
  const driver = join(process.cwd(), 'bench', 'peers', 'malsar.m');
  let mexDir: string | undefined | null;
  const dirtyMex = (): string | null => {
    if (mexDir !== undefined) return mexDir;
    const src = join(malsarDir, 'MALSAR', 'c_files', 'prf_lbm', 'prf_lbm.cpp');
    // prf_lbm.cpp includes MATLAB's "matrix.h", which Octave does not ship: a one-line shim that
    // includes Octave's mex.h (which declares the same mx* API) stands in for it.
    writeFileSync(join(dir, 'matrix.h'), '#include "mex.h"\n');
    const r = existsSync(src) ? spawnSync('mkoctfile', ['--mex', `-I${dir}`, '-o', join(dir, 'prf_lbm.mex'), src], { encoding: 'utf8' }) : undefined;
    mexDir = r && r.status === 0 ? dir : null;
    return mexDir;
  };
  try {
    const up = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
    console.log(`\nIssue 17: MALSAR 1.1 (Octave ${spawnSync(octave, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]?.replace(/^GNU Octave, version /, '')}) against polytask's default solver, same data, one run; CPU seconds. (${up})`);
    console.log(`MALSAR: opts.init = 2 (W = 0), tFlag = 1, tol = ${malsarTol}, maxIter = ${malsarMaxIter}, solver call only, after a warm-up call, median of up to ${malsarRepeats} calls (fewer past ~10 CPU s: runs in brackets). polytask: the loosest tol whose objective ≤ MALSAR's, whole fit on a fresh problem, in-process after warm-up fits, CPU of all threads, median of ${REPEATS}.`);
    console.log('F = polytask\'s objective (its scaling) at each output; "ΔF" = (F_polytask − F_MALSAR)/|F_MALSAR| (≤ 0: polytask at the same or a better objective).');
    console.log('case                                    | MALSAR: CPU s [runs] iters  F                    | polytask: solver tol     CPU s    iters  ΔF        | ratio');
    for (const c of cases.filter((k) => !only || only.some((w) => k.label.includes(w)))) {
      try {
        const tasks = c.tasks();
        const data = join(dir, 'data.bin');
        const outFile = join(dir, 'out.bin');
        writeMalsarData(tasks, data);
        const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', BENCH_MALSAR_REPEATS: String(malsarRepeats) };
        if (c.malsar === 'dirty') {
          const m = dirtyMex();
          if (!m) {
            console.log(`${c.label.padEnd(39)} | skipped: Least_Dirty needs prf_lbm compiled (mkoctfile from Debian liboctave-dev)`);
            continue;
          }
          env.OCTAVE_PATH = m;
        }
        const r = spawnSync(octave, ['-q', '--no-gui', driver, malsarDir, data, outFile, c.malsar, String(malsarTol), String(malsarMaxIter), ...c.malsarParams.map(String)], { encoding: 'utf8', env, maxBuffer: 1 << 24 });
        if (r.status !== 0) throw new Error(`octave failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; runs: number; iterations: number; funcVal: number };
        const problem = problemFromTasks(tasks, c.build);
        const d = problem.d;
        const T = tasks.length;
        const raw8 = readFileSync(outFile);
        const vals = new Float64Array(raw8.buffer, raw8.byteOffset, raw8.byteLength / 8);
        // Octave writes column-major d × T; Matrix is row-major.
        const colMajor = (off: number): Matrix => {
          const M = Matrix.zeros(d, T);
          for (let t = 0; t < T; t++) for (let j = 0; j < d; j++) M.data[j * T + t] = vals[off + t * d + j]!;
          return M;
        };
        const Wm = colMajor(0);
        const bm = Float64Array.from(vals.subarray(d * T, d * T + T));
        const P = c.malsar === 'dirty' ? colMajor(d * T + T) : undefined;
        const Q = c.malsar === 'dirty' ? colMajor(2 * d * T + T) : undefined;
        const Fm = c.objective(problem, Wm, bm, P, Q);
        const spec = getModelSpec(c.model);
        const solver = spec.fit(problem, { ...c.options, tol: 1e-4, maxIter: 100000 }).info.solver.split(' ')[0]!;
        let chosen: { tol: number; F: number } | undefined;
        for (const tol of [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12]) {
          const f = spec.fit(problemFromTasks(tasks, c.build), { ...c.options, tol, maxIter: 100000 });
          if (f.info.objective <= Fm) {
            chosen = { tol, F: f.info.objective };
            break;
          }
        }
        const mal = `${m.seconds.toFixed(3).padStart(8)} [${m.runs ?? 1}] ${String(m.iterations).padStart(5)}  ${Fm.toPrecision(15).padEnd(20)}`;
        if (!chosen) {
          console.log(`${c.label.padEnd(39)} | ${mal} | polytask did not reach MALSAR's objective by tol 1e-12`);
          continue;
        }
        const x = timeFresh({ label: c.label, tasks: () => tasks, build: c.build, model: c.model, options: c.options, solver: '' }, undefined, chosen.tol);
        const dF = (x.r.info.objective - Fm) / Math.abs(Fm);
        console.log(`${c.label.padEnd(39)} | ${mal} | ${solver.padEnd(8)} ${chosen.tol.toExponential(0).padEnd(6)} ${x.seconds.toFixed(4).padStart(8)} ${String(x.r.info.iterations).padStart(6)}  ${dF.toExponential(1).padStart(8)}  | ${(m.seconds / x.seconds).toFixed(1)}×`);
      } catch (e) {
        console.log(`${c.label.padEnd(39)} | failed: ${(e as Error).message}`);
      }
    }
    console.log(`(ratio = MALSAR CPU s / polytask CPU s; ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}. MTRL: MALSAR 1.1 has no MTRL solver.)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- issue 17: cmtl and mtrl eigen-steps

/**
 * cmtl and mtrl: today's FISTA (the reduced smooth problem / the squared-trace prox) against the new
 * squared-loss default, ADMM with the eigen-steps inside the prox (src/linear/solver/spectral-admm.ts),
 * side by side in one run, tol 1e-6, fresh problem per fit, CPU seconds (median of REPEATS):
 *  (1) School raw (MALSAR's convention) at a few weights; (2) the demo's problem (makeDemoProblem(1),
 *  mean loss, intercepts: `npm start`) on the weight grid its CV visits for cmtl (ρ1 ∈ 1e-3 … 1.2e4,
 *  ρ2 ∈ 1e-7 … 10, k = 2), one fit each: total CPU, iterations, fits not converged by the 20 000 cap,
 *  worst objective difference; (3) with BENCH_DEMO=1, `polytask demo --models cmtl,mtrl --workers 1`
 *  in-process twice, first with cmtl and mtrl forced to 'fista' (today's default), then as shipped.
 */
async function eigenSteps(): Promise<void> {
  console.log(`\nIssue 17: cmtl / mtrl, FISTA (today) vs ADMM with the eigen-steps in the prox (new default), tol 1e-6, CPU s, median of ${REPEATS}; ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}`);
  console.log('case                                         | fista: CPU s    iters  conv | admm: CPU s    iters  conv | ΔF (admm − fista)/|F|  | speed-up');
  const row = (label: string, tasks: () => TaskProblem[], build: SolverCase['build'], model: string, options: ModelOptions): void => {
    const c: SolverCase = { label, tasks, build, model, options, solver: 'admm' };
    const f = timeFresh(c, 'fista', 1e-6);
    const a = timeFresh(c, 'admm', 1e-6);
    const dF = (a.r.info.objective - f.r.info.objective) / Math.abs(f.r.info.objective);
    console.log(`${label.padEnd(44)} | ${f.seconds.toFixed(4).padStart(9)} ${String(f.r.info.iterations).padStart(7)}  ${f.r.info.converged ? 'yes' : 'NO '} | ${a.seconds.toFixed(4).padStart(9)} ${String(a.r.info.iterations).padStart(6)}  ${a.r.info.converged ? 'yes' : 'NO '} | ${dF.toExponential(1).padStart(9)}              | ${(f.seconds / a.seconds).toFixed(1)}×`);
  };
  if (existsSync(SCHOOL)) {
    const school = loadSchool().tasks;
    const raw = { loss: 'squared' as const, scale: 'sum' as const, intercept: false };
    row('School raw cmtl ρ1=10 ρ2=0.1 k=2', () => [...school], raw, 'cmtl', { rho1: 10, rho2: 0.1, clusters: 2 });
    row('School raw cmtl ρ1=ρ2=1000 k=3', () => [...school], raw, 'cmtl', { rho1: 1000, rho2: 1000, clusters: 3 });
    row('School raw mtrl λ1=λ2=1000', () => [...school], raw, 'mtrl', { lambda1: 1000, lambda2: 1000 });
    row('School raw mtrl λ1=1 λ2=1e5', () => [...school], raw, 'mtrl', { lambda1: 1, lambda2: 1e5 });
  } else console.log(`School: skipped (needs ${SCHOOL})`);
  const { dataset } = makeDemoProblem(1);
  const demo = buildProblem(dataset, { loss: 'squared', scale: 'mean', intercept: true });
  const cmtl = getModelSpec('cmtl');
  const sums = { fista: { s: 0, it: 0, bad: 0 }, admm: { s: 0, it: 0, bad: 0 } };
  let worst = 0;
  let fits = 0;
  for (const rho1 of [1e-3, 0.1, 10, 1000, 11884]) for (const rho2 of [1e-7, 1e-5, 1e-3, 0.1, 10]) {
    const F: Record<string, number> = {};
    for (const solver of ['fista', 'admm'] as const) {
      const c0 = process.cpuUsage();
      const r = cmtl.fit(demo, { rho1, rho2, clusters: 2, solver, tol: 1e-6, maxIter: 20000 });
      const u = process.cpuUsage(c0);
      sums[solver].s += (u.user + u.system) / 1e6;
      sums[solver].it += r.info.iterations;
      if (!r.info.converged) sums[solver].bad++;
      F[solver] = r.info.objective;
    }
    fits++;
    worst = Math.max(worst, (F.admm! - F.fista!) / Math.abs(F.fista!));
  }
  console.log(`demo problem, cmtl on a 5 × 5 grid (${fits} fits each): fista ${sums.fista.s.toFixed(2)} s, ${sums.fista.it} iterations, ${sums.fista.bad} not converged | admm ${sums.admm.s.toFixed(2)} s, ${sums.admm.it} iterations, ${sums.admm.bad} not converged | ${(sums.fista.s / sums.admm.s).toFixed(1)}×; worst (F_admm − F_fista)/|F| = ${worst.toExponential(1)}`);
  if (process.env.BENCH_DEMO === '1') {
    const { run } = await import('../src/cli/main.ts');
    const specs = ['cmtl', 'mtrl'].map((m) => getModelSpec(m));
    const orig = specs.map((sp) => sp.fit);
    const dir = mkdtempSync(join(tmpdir(), 'polytask-demo-'));
    const once = async (force: string | undefined): Promise<{ s: number; fits: number; bad: number }> => {
      let fitsN = 0;
      let bad = 0;
      specs.forEach((sp, i) => {
        (sp as { fit: typeof sp.fit }).fit = (problem, o, warm, hooks) => {
          const r = orig[i]!.call(sp, problem, force ? { ...o, solver: force } : o, warm, hooks);
          fitsN++;
          if (!r.info.converged) bad++;
          return r;
        };
      });
      const c0 = process.cpuUsage();
      const write = process.stdout.write;
      process.stdout.write = (() => true) as typeof process.stdout.write;
      try {
        await run(['demo', '--models', 'cmtl,mtrl', '--workers', '1', '--quiet', '--out', join(dir, 'r.html')]);
      } finally {
        process.stdout.write = write;
      }
      const u = process.cpuUsage(c0);
      return { s: (u.user + u.system) / 1e6, fits: fitsN, bad };
    };
    try {
      const before = await once('fista');
      const after = await once(undefined);
      console.log(`polytask demo --models cmtl,mtrl --workers 1: cmtl/mtrl forced to fista ${before.s.toFixed(2)} CPU s (${before.bad} of ${before.fits} cmtl/mtrl fits not converged) | as shipped ${after.s.toFixed(2)} CPU s (${after.bad} of ${after.fits}) | ${(before.s / after.s).toFixed(1)}×`);
    } finally {
      specs.forEach((sp, i) => ((sp as { fit: typeof sp.fit }).fit = orig[i]!));
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// BENCH_PART=school, scaling, solvers, sklearn, cvpath, manytasks malsar or eigen runs one part only (default-grid: only when named).
const part = process.env.BENCH_PART ?? 'all';
if (part === 'all' || part === 'school') schoolTable();
if (part === 'all' || part === 'scaling') scaling();
if (part === 'all' || part === 'solvers') solverTable();
if (part === 'all' || part === 'sklearn') sklearnPeer();
if (part === 'all' || part === 'cvpath') cvPath();
if (part === 'all' || part === 'manytasks') manyTasks();
if (part === 'default-grid') defaultGrid();
if (part === 'all' || part === 'malsar') malsarPeer();
if (part === 'all' || part === 'eigen') await eigenSteps();
