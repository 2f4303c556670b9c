// The relation model's solvers side by side (issue 10: `polytask fit --model relation` on raw School
// stopped at its cap). Before: alternating minimisation (W by direct PCG, R in closed form,
// Anderson every 5 outer iterations). After: R minimised out in closed form and preconditioned
// L-BFGS on W (docs/models/relation.md). CPU seconds of this process (process.cpuUsage), so that
// the shared machine's load inflates both columns alike; ratios are what count.
//   node --import tsx bench/relation.bench.ts
//   BENCH_RELATION_OUTER=200  outer iterations given to the alternating solver on School (default 10;
//                             200 was the cap users met, ~10+ minutes)
//   BENCH_REPEATS=3           repeats of the small case (median), default 5
// Parts: (1) a small clustered problem where both converge to tol 1e-8: iterations, seconds, ratio;
// (2) School as `polytask fit --data school.csv --task-col task --target y --model relation` fits it
// (scale mean, intercepts, α = 1, β = 0.1, tol 1e-6, raw features): alternating for its budget of
// outer iterations, then L-BFGS to the optimality the alternating solver reached and to tol 1e-6.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCsv } from '../src/data/csv.ts';
import { makeClusteredTasks } from '../src/data/synthetic/clusters.ts';
import { relationSpec } from '../src/linear/models/relation.ts';
import { buildProblem } from '../src/linear/problem.ts';
import type { FitResult, Problem } from '../src/linear/types.ts';
import { median } from './common.ts';

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function fit(problem: Problem, solver: string, tol: number, maxIter: number): { r: FitResult; cpu: number } {
  const c0 = cpu();
  const r = relationSpec.fit(problem, { alpha: 1, beta: 0.1, tol, maxIter, solver });
  return { r, cpu: cpu() - c0 };
}

function row(label: string, x: { r: FitResult; cpu: number }): string {
  const i = x.r.info;
  return `${label.padEnd(34)} ${String(i.iterations).padStart(7)} ${x.cpu.toFixed(2).padStart(9)} ${i.optimality.toExponential(2).padStart(10)} ${i.objective.toPrecision(12).padStart(16)} ${i.converged ? 'converged' : 'NOT converged'}`;
}
const header = `${'solver'.padEnd(34)} ${'iter'.padStart(7)} ${'CPU s'.padStart(9)} ${'optimality'.padStart(10)} ${'objective'.padStart(16)}`;

// (1) Small: both converge.
{
  const ds = makeClusteredTasks({ T: 12, n: 60, d: 10, k: 3, noise: 1, seed: 11 }).dataset;
  const problem = buildProblem(ds, { scale: 'mean', intercept: true });
  const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 5));
  fit(problem, 'lbfgs', 1e-8, 20000); // warm-up
  fit(problem, 'alternating', 1e-8, 20000);
  const runs = { lbfgs: [] as { r: FitResult; cpu: number }[], alternating: [] as { r: FitResult; cpu: number }[] };
  for (let k = 0; k < repeats; k++) {
    runs.alternating.push(fit(problem, 'alternating', 1e-8, 20000));
    runs.lbfgs.push(fit(problem, 'lbfgs', 1e-8, 20000));
  }
  const mid = (xs: { r: FitResult; cpu: number }[]) => ({ r: xs[0]!.r, cpu: median(xs.map((x) => x.cpu)) });
  const a = mid(runs.alternating);
  const b = mid(runs.lbfgs);
  console.log(`relation, clustered synthetic T = 12, n = 60, d = 10 (median CPU of ${repeats}), tol 1e-8`);
  console.log(header);
  console.log(row('alternating (before)', a));
  console.log(row('lbfgs (after)', b));
  console.log(`speed-up ${(a.cpu / b.cpu).toFixed(1)}×; |Δobjective| / objective = ${(Math.abs(a.r.info.objective - b.r.info.objective) / Math.abs(a.r.info.objective)).toExponential(1)}\n`);
}

// (2) Raw School, the CLI's documented example.
const SCHOOL = join(fileURLToPath(new URL('..', import.meta.url)), '..', 'shared', 'data', 'school', 'school.csv');
if (!existsSync(SCHOOL)) {
  console.log(`School part skipped: ${SCHOOL} is absent (needs ../shared/data)`);
} else {
  const { dataset } = await loadCsv(SCHOOL, { taskCol: 'task', target: 'y' });
  const problem = buildProblem(dataset, { scale: 'mean', intercept: true });
  const outer = Math.max(1, Number(process.env.BENCH_RELATION_OUTER ?? 10));
  console.log(`relation on raw School (139 tasks, 28 features; scale mean, intercepts, α = 1, β = 0.1), one run each`);
  console.log(header);
  const a = fit(problem, 'alternating', 1e-6, outer);
  console.log(row(`alternating, ${outer} outer (before)`, a));
  const same = fit(problem, 'lbfgs', a.r.info.optimality, 20000);
  console.log(row('lbfgs to the same optimality', same));
  const full = fit(problem, 'lbfgs', 1e-6, 20000);
  console.log(row('lbfgs to tol 1e-6 (after)', full));
  console.log(`to the alternating solver's optimality: ${(a.cpu / same.cpu).toFixed(1)}× less CPU; the alternating solver is at ${a.r.info.optimality.toExponential(2)} after ${a.cpu.toFixed(1)} s, lbfgs certifies 1e-6 in ${full.cpu.toFixed(1)} s`);
}
