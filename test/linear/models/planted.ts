// Planted-structure data for the structured-model tests: every draw from a seeded Random.
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import type { LossName, Problem, Scaling, TaskProblem } from '../../../src/linear/types.ts';

export interface PlantedOptions {
  readonly n: number;
  readonly noise: number;
  readonly loss?: LossName;
  readonly scale?: Scaling;
  readonly intercept?: boolean;
  /** Per-task intercepts used to generate y (default 0). */
  readonly b?: ArrayLike<number>;
}

/** Tasks with X_t Gaussian (n × d) and y_t = X_t w_t + b_t + noise (or ±1 labels drawn from the logistic model). */
export function plantedProblem(rng: Random, W: Matrix, o: PlantedOptions): Problem {
  const d = W.rows;
  const T = W.cols;
  const loss = o.loss ?? 'squared';
  const tasks: TaskProblem[] = [];
  for (let t = 0; t < T; t++) {
    const X = new Matrix(o.n, d, rng.normals(o.n * d));
    const y = new Float64Array(o.n);
    for (let i = 0; i < o.n; i++) {
      let s = o.b ? o.b[t]! : 0;
      for (let j = 0; j < d; j++) s += X.data[i * d + j]! * W.data[j * T + t]!;
      if (loss === 'squared') y[i] = s + o.noise * rng.normal();
      else y[i] = rng.uniform() < 1 / (1 + Math.exp(-s)) ? 1 : -1;
    }
    tasks.push({ name: `task${t}`, X, y });
  }
  return problemFromTasks(tasks, { loss, scale: o.scale ?? 'mean', intercept: o.intercept ?? true });
}

/** F1 score of a predicted support against the true one (as sets of keys). */
export function f1(predicted: Iterable<string | number>, truth: Iterable<string | number>): number {
  const p = new Set(predicted);
  const t = new Set(truth);
  let tp = 0;
  for (const x of p) if (t.has(x)) tp++;
  if (p.size === 0 && t.size === 0) return 1;
  if (tp === 0) return 0;
  const precision = tp / p.size;
  const recall = tp / t.size;
  return (2 * precision * recall) / (precision + recall);
}

/** Keys "j,t" of the non-zero entries of M. */
export function entrySupport(M: Matrix, threshold = 0): string[] {
  const out: string[] = [];
  for (let j = 0; j < M.rows; j++) for (let t = 0; t < M.cols; t++) if (Math.abs(M.data[j * M.cols + t]!) > threshold) out.push(`${j},${t}`);
  return out;
}

// ---- independent checks of a P + Q fit at its returned point ----
import { createLoss } from '../../../src/linear/loss/index.ts';
import { proxGradientResidual } from '../../../src/linear/solver/fista.ts';
import { twoBlockObjective, type TwoBlockSpec } from '../../../src/linear/structure/two-block.ts';
import type { FitResult } from '../../../src/linear/types.ts';

/** The relative prox-gradient mapping at the returned (P, Q[, b]) and the objective recomputed from scratch. */
export function twoBlockCheck(problem: Problem, spec: TwoBlockSpec, r: FitResult): { residual: number; objective: number } {
  const loss = createLoss(problem);
  const obj = twoBlockObjective(loss, spec);
  const x = [r.learned.P!, r.learned.Q!];
  if (loss.explicitIntercept) x.push(new Matrix(1, r.intercepts.length, Float64Array.from(r.intercepts)));
  // Any step 1/L works for the fixed-point test; use the smooth part's Lipschitz bound.
  const residual = proxGradientResidual(obj, x, obj.lipschitz!);
  const objective = obj.smooth(x).value + obj.nonsmoothValue(x);
  return { residual, objective };
}
