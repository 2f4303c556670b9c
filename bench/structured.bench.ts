// The structured models (sparse-lowrank, dirty, robust, rmtfl, cmtl, mtrl, relation) on School in
// MALSAR's convention (squared loss, 'sum' scaling, no intercept, raw features), measured side by side
// in one run, medians of repeated runs after a warm-up:
//  - P + Q models and cmtl: FISTA (momentum, restart, Gram cache) vs the textbook proximal gradient
//    (solver 'gd': no momentum, no Gram cache) to the SAME relative optimality 1e-6;
//  - mtrl: Ω eliminated (solver 'fista', the default) vs the paper's alternating scheme;
//  - relation: the alternating scheme (outer iterations, inner FISTA iterations).
// Run: node --import tsx bench/structured.bench.ts   (env: BENCH_REPEATS, BENCH_TEXTBOOK_MAX_ITER, BENCH_ALT_MAX_ITER)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../src/linalg/matrix.ts';
import { problemFromTasks } from '../src/linear/problem.ts';
import { getModelSpec } from '../src/linear/registry.ts';
import type { FitResult, ModelOptions, Problem, TaskProblem } from '../src/linear/types.ts';

const SCHOOL = join(process.cwd(), '..', 'shared', 'data', 'school', 'school.csv');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const TEXTBOOK_MAX_ITER = Number(process.env.BENCH_TEXTBOOK_MAX_ITER ?? 20000);
const TOL = 1e-6;
const ALT_MAX_ITER = Number(process.env.BENCH_ALT_MAX_ITER ?? 200);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

function loadSchool(): Problem {
  const lines = readFileSync(SCHOOL, 'utf8').trim().split('\n');
  const groups = new Map<number, { x: number[][]; y: number[] }>();
  for (const line of lines.slice(1)) {
    const f = line.split(',').map(Number);
    let g = groups.get(f[0]!);
    if (!g) groups.set(f[0]!, (g = { x: [], y: [] }));
    g.y.push(f[1]!);
    g.x.push(f.slice(2));
  }
  const tasks: TaskProblem[] = [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([t, g]) => ({ name: `school${t}`, X: Matrix.from(g.x), y: Float64Array.from(g.y) }));
  return problemFromTasks(tasks, { loss: 'squared', scale: 'sum', intercept: false });
}

function timeFit(problem: Problem, name: string, opts: ModelOptions & { tol: number; maxIter: number }, repeats: number): { seconds: number; r: FitResult } {
  const spec = getModelSpec(name);
  let r = spec.fit(problem, opts); // warm-up
  const times: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    r = spec.fit(problem, opts);
    times.push((performance.now() - t0) / 1000);
  }
  return { seconds: median(times), r };
}

const fmt = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);
const line = (label: string, x: { seconds: number; r: FitResult }): string =>
  `${label.padEnd(34)} ${fmt(x.seconds).padStart(10)} ${String(x.r.info.iterations).padStart(6)} it  ${x.r.info.converged ? 'converged' : `NOT converged (opt ${x.r.info.optimality.toExponential(1)})`}  F = ${x.r.info.objective.toPrecision(10)}`;

function main(): void {
  if (!existsSync(SCHOOL)) {
    console.log(`skipped: needs ${SCHOOL}`);
    return;
  }
  const problem = loadSchool();
  console.log(`School: T = ${problem.tasks.length}, d = ${problem.d}, tol ${TOL}, medians of ${REPEATS} runs after a warm-up (textbook: 1 run, cap ${TEXTBOOK_MAX_ITER})`);
  const weights: Record<string, ModelOptions> = {
    'sparse-lowrank': { lambda: 1000, lambda2: 1000 },
    dirty: { lambda: 1000, lambda2: 1000 },
    robust: { lambda: 1000, lambda2: 1000 },
    rmtfl: { lambda: 1000, lambda2: 1000 },
    cmtl: { lambda: 1000, lambda2: 1000, clusters: 3 },
  };
  for (const [name, w] of Object.entries(weights)) {
    const fast = timeFit(problem, name, { ...w, tol: TOL, maxIter: 20000 }, REPEATS);
    const slow = timeFit(problem, name, { ...w, tol: TOL, maxIter: TEXTBOOK_MAX_ITER, solver: 'gd' }, 1);
    console.log(line(`${name} fista`, fast));
    console.log(line(`${name} textbook gd`, slow));
    console.log(`${''.padEnd(34)} speed-up ${slow.r.info.converged ? '' : '≥ '}${(slow.seconds / fast.seconds).toFixed(1)}×`);
  }
  const mw = { lambda: 1000, lambda2: 1000 };
  const mf = timeFit(problem, 'mtrl', { ...mw, tol: TOL, maxIter: 20000 }, REPEATS);
  const ma = timeFit(problem, 'mtrl', { ...mw, tol: TOL, maxIter: ALT_MAX_ITER, solver: 'alternating' }, 1);
  console.log(line('mtrl fista (Ω eliminated)', mf));
  console.log(line('mtrl alternating (ε-objective)', ma));
  console.log(`${''.padEnd(34)} ratio ${(ma.seconds / mf.seconds).toFixed(1)}×, objective difference ${((ma.r.info.objective - mf.r.info.objective) / mf.r.info.objective).toExponential(2)} relative`);
  const rel = timeFit(problem, 'relation', { lambda: 1000, lambda2: 1000, tol: TOL, maxIter: ALT_MAX_ITER }, 1);
  console.log(line('relation alternating (outer it.)', rel));
}

main();
