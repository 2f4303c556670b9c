// The common case of issue 4's models: one weight matrix W (d × T), a data loss, any number of
// smooth penalties and at most one penalty with a closed-form prox:
//   F(W, b) = L(W, b) + Σ_k Ω_k^smooth(W) + Ω^prox(W)
// solved by FISTA (./fista.ts) over the blocks [W] (squared loss: intercepts eliminated exactly;
// or no intercepts) or [W, b] (logistic loss with intercepts: b is a 1 × T unpenalised block).
//
// Exported API (stable):
//   linearObjective(loss, smooth, prox?) → CompositeObjective over [W] or [W, b]
//   solveLinear(problem, { smooth, prox }, options, warm?) → { W, intercepts, info, lipschitz }
//   fullObjective(loss, penalties, W, b?) → the objective of docs/objective.md at (W, b)
import { Matrix } from '../../linalg/matrix.ts';
import { createLoss, type DataLoss } from '../loss/index.ts';
import type { Penalty } from '../penalty/types.ts';
import type { FitInfo, Problem, SolverHooks, WarmStart } from '../types.ts';
import { fista, type CompositeObjective } from './fista.ts';
import { fistaRows } from './fista-rows.ts';
import { SquaredLoss } from '../loss/squared.ts';

export interface LinearPenalties {
  readonly smooth: readonly Penalty[];
  readonly prox?: Penalty;
}

export interface SolveOptions {
  readonly tol: number;
  readonly maxIter: number;
  readonly requireConvergence?: boolean;
  /** false: the textbook proximal gradient (no momentum, no restart, no step increase). */
  readonly accelerate?: boolean;
  /** false: no Gram cache for the squared loss (textbook baseline). */
  readonly gram?: boolean;
  readonly solverName?: string;
  readonly hooks?: SolverHooks;
}

export interface LinearSolution {
  readonly W: Matrix;
  readonly intercepts: Float64Array;
  readonly info: FitInfo;
  readonly lipschitz: number;
}

export function linearObjective(loss: DataLoss, smooth: readonly Penalty[], prox?: Penalty): CompositeObjective {
  const withB = loss.explicitIntercept;
  let lip = loss.lipschitz();
  for (const p of smooth) lip += p.lipschitz ?? 0;
  return {
    smooth(x: readonly Matrix[]) {
      const W = x[0]!;
      const b = withB ? x[1]!.data : undefined;
      const e = loss.evaluate(W, b);
      let value = e.value;
      for (const p of smooth) {
        value += p.value(W);
        p.gradient!(W, e.G);
      }
      const grad = withB ? [e.G, new Matrix(1, loss.T, e.gIntercept)] : [e.G];
      return { value, grad };
    },
    prox: withB ? [prox?.prox?.bind(prox), undefined] : [prox?.prox?.bind(prox)],
    nonsmoothValue(x: readonly Matrix[]) {
      return prox ? prox.value(x[0]!) : 0;
    },
    lipschitz: lip,
    // Squared loss + quadratic penalties: f is quadratic (the intercept-eliminated loss is too).
    quadratic: loss.spec.quadratic && smooth.every((p) => p.taskMatrix !== undefined),
  };
}

export function fullObjective(loss: DataLoss, penalties: readonly Penalty[], W: Matrix, b?: Float64Array): number {
  let v = loss.value(W, b);
  for (const p of penalties) v += p.value(W);
  return v;
}

export function solveLinear(problem: Problem, pen: LinearPenalties, opts: SolveOptions, warm?: WarmStart): LinearSolution {
  for (const p of pen.smooth) if (!p.gradient) throw new Error(`solveLinear: penalty "${p.name}" has no gradient`);
  if (pen.prox && !pen.prox.prox) throw new Error(`solveLinear: penalty "${pen.prox.name}" has no prox`);
  // `seconds` times the whole fit, set-up (centring, Gram matrices) included (issue 17).
  const started = performance.now();
  const loss = createLoss(problem, { gram: opts.gram ?? true });
  const T = problem.tasks.length;
  const obj = linearObjective(loss, pen.smooth, pen.prox);
  const W0 = warm?.W && warm.W.rows === problem.d && warm.W.cols === T ? warm.W.clone() : Matrix.zeros(problem.d, T);
  const x0 = [W0];
  if (loss.explicitIntercept) {
    const b0 = warm?.intercepts && warm.intercepts.length === T ? Float64Array.from(warm.intercepts) : new Float64Array(T);
    x0.push(new Matrix(1, T, b0));
  }
  const accelerate = opts.accelerate ?? true;
  const common = {
    tol: opts.tol,
    maxIter: opts.maxIter,
    requireConvergence: opts.requireConvergence ?? false,
    accelerate,
    stepIncrease: accelerate,
    solverName: opts.solverName ?? (accelerate ? 'fista' : 'ista'),
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
  };
  // Squared loss with one separable row penalty (l21, lasso) and nothing else: the FISTA that owns its
  // buffers and makes three passes per iteration, or one fused call on the loss's data blocks (./fista-rows.ts;
  // same iterates, issue 15).
  const sep = pen.prox?.separable;
  if (sep && pen.smooth.length === 0 && loss instanceof SquaredLoss && obj.quadratic) {
    const sqData = loss.rowsData();
    const r = fistaRows(
      { d: problem.d, T, smoothInto: (w, g) => loss.evaluateInto(w, g), penalty: sep, ...(obj.lipschitz !== undefined ? { lipschitz: obj.lipschitz } : {}), ...(sqData ? { sqData } : {}) },
      { x0: W0.data, ...common },
    );
    const W = r.x[0]!;
    return { W, intercepts: loss.intercepts(W), info: { ...r.info, seconds: (performance.now() - started) / 1000 }, lipschitz: r.lipschitz };
  }
  const r = fista(obj, { x0, ...common });
  const W = r.x[0]!;
  const b = loss.explicitIntercept ? r.x[1]!.data : undefined;
  return { W, intercepts: loss.intercepts(W, b), info: { ...r.info, seconds: (performance.now() - started) / 1000 }, lipschitz: r.lipschitz };
}
