// Linear MTL solvers (issue 4, "Performance"): every registered model on School (MALSAR's
// convention: squared loss, 'sum' scaling, no intercept, raw features) — time to the default
// tolerance and to 1e-8 relative optimality, iterations — against the textbook proximal gradient
// (no momentum, no Gram cache: solver 'gd') at the SAME optimality, in the same run; then the
// scaling of one FISTA iteration in the number of tasks (T = 1 000 and 10 000, d = 50, n_t = 20).
// Medians of repeated runs after a warm-up. Run: node --import tsx bench/linear.bench.ts
// (BENCH_PART=school|scaling for one part; BENCH_REPEATS, BENCH_TEXTBOOK_MAX_ITER to adjust).
import { existsSync } from 'node:fs';
import { Matrix } from '../src/linalg/matrix.ts';
import { Random } from '../src/linalg/random.ts';
import { backendName } from '../src/linalg/backend.ts';
import { problemFromTasks } from '../src/linear/problem.ts';
import { availableModels, getModelSpec } from '../src/linear/registry.ts';
import type { FitResult, ModelOptions, Problem, TaskProblem } from '../src/linear/types.ts';
import { SCHOOL, fmt, loadSchool, timeFit as timeFitN } from './common.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const TEXTBOOK_MAX_ITER = Number(process.env.BENCH_TEXTBOOK_MAX_ITER ?? 20000);

/** timeFit with this bench's default repeat count. */
const timeFit = (problem: Problem, name: string, opts: ModelOptions & { tol: number; maxIter: number }, repeats = REPEATS) => timeFitN(problem, name, opts, repeats);

/** Weights on School: a tenth of λ_max where it exists, else a fixed moderate value (sum scaling). */
function schoolOptions(problem: Problem, name: string): ModelOptions {
  const spec = getModelSpec(name);
  const o: Record<string, unknown> = {};
  // Every tuned weight: a tenth of its λ_max where the model has one (l21, lasso, trace, tgl's θ3), else 1000.
  for (const p of spec.params.filter((q) => q.tune !== undefined)) {
    const m = spec.paramMax?.(p.name, problem, {});
    o[p.name] = m !== undefined ? 0.1 * m : 1000;
  }
  if (name === 'tgl') o['ridge'] = 1000;
  if (spec.params.some((p) => p.name === 'graph')) o['graph'] = problem.tasks.slice(1).map((_, t) => ({ from: t, to: t + 1 }));
  return o as ModelOptions;
}

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

// BENCH_PART=school or BENCH_PART=scaling runs one part only.
const part = process.env.BENCH_PART ?? 'all';
if (part === 'all' || part === 'school') schoolTable();
if (part === 'all' || part === 'scaling') scaling();
