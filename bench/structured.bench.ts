// The structured models (sparse-lowrank, dirty, robust, rmtfl, cmtl, mtrl, relation) on School in
// MALSAR's convention (squared loss, 'sum' scaling, no intercept, raw features), measured side by side
// in one run, medians of repeated runs after a warm-up:
//  - P + Q models and cmtl: FISTA (momentum, restart, Gram cache) vs the textbook proximal gradient
//    (solver 'gd': no momentum, no Gram cache) to the SAME relative optimality 1e-6;
//  - mtrl: Ω eliminated (solver 'fista', the default) vs the paper's alternating scheme;
//  - relation: the alternating scheme (outer iterations, inner FISTA iterations).
// Run: node --import tsx bench/structured.bench.ts   (env: BENCH_REPEATS, BENCH_TEXTBOOK_MAX_ITER, BENCH_ALT_MAX_ITER)
import { existsSync } from 'node:fs';
import type { FitResult, ModelOptions } from '../src/linear/types.ts';
import { SCHOOL, fmt, loadSchool, timeFit } from './common.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const TEXTBOOK_MAX_ITER = Number(process.env.BENCH_TEXTBOOK_MAX_ITER ?? 20000);
const TOL = 1e-6;
const ALT_MAX_ITER = Number(process.env.BENCH_ALT_MAX_ITER ?? 200);

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
    'sparse-lowrank': { lambdaP: 1000, lambdaQ: 1000 },
    dirty: { lambdaP: 1000, lambdaQ: 1000 },
    robust: { lambdaP: 1000, lambdaQ: 1000 },
    rmtfl: { lambdaP: 1000, lambdaQ: 1000 },
    cmtl: { rho1: 1000, rho2: 1000, clusters: 3 },
  };
  for (const [name, w] of Object.entries(weights)) {
    const fast = timeFit(problem, name, { ...w, tol: TOL, maxIter: 20000 }, REPEATS);
    const slow = timeFit(problem, name, { ...w, tol: TOL, maxIter: TEXTBOOK_MAX_ITER, solver: 'gd' }, 1);
    console.log(line(`${name} ${fast.r.info.solver.split(' ')[0]} (default)`, fast));
    console.log(line(`${name} textbook gd`, slow));
    console.log(`${''.padEnd(34)} speed-up ${slow.r.info.converged ? '' : '≥ '}${(slow.seconds / fast.seconds).toFixed(1)}×`);
  }
  const mw = { lambda1: 1000, lambda2: 1000 };
  const mf = timeFit(problem, 'mtrl', { ...mw, tol: TOL, maxIter: 20000 }, REPEATS);
  const ma = timeFit(problem, 'mtrl', { ...mw, tol: TOL, maxIter: ALT_MAX_ITER, solver: 'alternating' }, 1);
  console.log(line('mtrl fista (Ω eliminated)', mf));
  console.log(line('mtrl alternating (ε-objective)', ma));
  console.log(`${''.padEnd(34)} ratio ${(ma.seconds / mf.seconds).toFixed(1)}×, objective difference ${((ma.r.info.objective - mf.r.info.objective) / mf.r.info.objective).toExponential(2)} relative`);
  const rel = timeFit(problem, 'relation', { alpha: 1000, beta: 1000, tol: TOL, maxIter: ALT_MAX_ITER }, 1);
  console.log(line('relation alternating (outer it.)', rel));
}

main();
