// Helpers shared by the benchmarks: the median, a human-readable duration, School in MALSAR's
// convention, and the timing of one model fit. Kept here so that every bench measures the same way.
import { getModelSpec } from '../src/linear/registry.ts';
import type { FitResult, ModelOptions, Problem, TaskProblem } from '../src/linear/types.ts';
import { Matrix } from '../src/linalg/matrix.ts';
import { Random } from '../src/linalg/random.ts';
import { problemFromTasks } from '../src/linear/problem.ts';

/**
 * School (../shared/data/school/school.csv, beside the checkout) and its loader in MALSAR's convention:
 * one task per school, squared loss, 'sum' scaling, no intercept, raw features. The same loader serves
 * the tests, so that the benchmarks time exactly the problem the tests check.
 */
export { SCHOOL, schoolProblem as loadSchool } from '../test/linear/helpers.ts';
/** Landmine (../shared/data/landmine/landmine.csv) and its loader, one task per field, as the tests load it. */
export { LANDMINE, loadLandmineTasks } from '../test/linear/helpers.ts';

/** The median (the mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

/** Seconds as "12.3 ms" below one second, else "1.23 s". */
export function fmt(s: number): string {
  return s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`;
}

/**
 * Median wall time (seconds) of fitting model `name` over `repeats` runs after one warm-up, and the
 * last fit's result; repeats = 0 times the single first run (no warm-up).
 */
export function timeFit(problem: Problem, name: string, opts: ModelOptions & { tol: number; maxIter: number }, repeats: number): { seconds: number; r: FitResult } {
  const spec = getModelSpec(name);
  const t0 = performance.now();
  let r = spec.fit(problem, opts);
  if (repeats === 0) return { seconds: (performance.now() - t0) / 1000, r };
  const times: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const t1 = performance.now();
    r = spec.fit(problem, opts);
    times.push((performance.now() - t1) / 1000);
  }
  return { seconds: median(times), r };
}

/** Weights on School: a tenth of λ_max where it exists, else a fixed moderate value (sum scaling). */
export function schoolOptions(problem: Problem, name: string): ModelOptions {
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

/**
 * Many small tasks with a planted signal (issue 15): k = 5 of d features carry the signal in every
 * task, w_t on them ~ N(0, 1), y = X_t w_t + b_t + ε, ε ~ N(0, 1), X ~ N(0, 1), n_t rows per task, so the
 * per-task signal is the same at every T.
 */
export function plantedProblem(T: number, d: number, n: number, seed: number): Problem {
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
