// Small shared pieces of the structured models (dirty, robust, rmtfl, sparse-lowrank, cmtl, mtrl,
// relation): option resolution with named errors, the data loss and its start point, smooth
// penalties built from plain functions, and read-outs of learned structure.
import { OptionError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import type { DataLoss } from '../loss/types.ts';
import type { Penalty } from '../penalty/types.ts';
import { alternate, type AlternatingProblem } from '../solver/alternating.ts';
import type { FitInfo, ModelOptions, WarmStart } from '../types.ts';

export type FitOptions = Required<Pick<ModelOptions, 'tol' | 'maxIter'>> & ModelOptions;

/** The caller's options over the model's defaults (undefined never overrides a default). */
export function resolveOptions(defaults: Readonly<ModelOptions>, options: FitOptions): FitOptions {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as unknown as FitOptions;
}

/** A penalty weight: finite and ≥ 0 (or > 0 when `positive`), else an OptionError naming the option. */
export function weight(options: ModelOptions, name: 'lambda' | 'lambda2' | 'ridge' | 'chain', model: string, positive = false): number {
  const v = options[name];
  if (v === undefined) {
    if (name === 'ridge' || name === 'chain') return 0;
    throw new OptionError(name, `${model} needs --${name === 'lambda2' ? 'lambda2' : name}`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new OptionError(name, `${model}: must be a finite number ${positive ? '> 0' : '≥ 0'}, got ${String(v)}`);
  }
  return v;
}

export function checkTolerances(options: FitOptions): void {
  if (!(options.tol > 0) || !Number.isFinite(options.tol)) throw new OptionError('tol', `must be a finite number > 0, got ${options.tol}`);
  if (!Number.isInteger(options.maxIter) || options.maxIter < 1) throw new OptionError('maxIter', `must be a positive integer, got ${options.maxIter}`);
}

/** A warm-start matrix of the right shape, or null (a wrong shape is ignored: it belongs to another problem). */
export function warmMatrix(warm: WarmStart | undefined, key: string, rows: number, cols: number): Matrix | null {
  const m = key === 'W' ? warm?.W : warm?.extra?.[key];
  return m && m.rows === rows && m.cols === cols ? m.clone() : null;
}

export function warmIntercepts(warm: WarmStart | undefined, T: number): Float64Array {
  return warm?.intercepts && warm.intercepts.length === T ? Float64Array.from(warm.intercepts) : new Float64Array(T);
}

/** A smooth penalty from value and gradient functions; caches the last evaluation point, because the
 * composite objective asks for value(W) and gradient(W) at the same W one after the other and both
 * need the same (expensive) decomposition. */
export function smoothPenalty(name: string, lipschitz: number, evaluate: (W: Matrix) => { value: number; gradient: Matrix }): Penalty {
  let lastData: Float64Array | null = null;
  let last: { value: number; gradient: Matrix } | null = null;
  const at = (W: Matrix): { value: number; gradient: Matrix } => {
    if (last && lastData && lastData.length === W.data.length && lastData.every((v, i) => v === W.data[i])) return last;
    last = evaluate(W);
    lastData = W.data.slice();
    return last;
  };
  return {
    name,
    lipschitz,
    value: (W: Matrix) => at(W).value,
    gradient(W: Matrix, G: Matrix): void {
      const g = at(W).gradient.data;
      for (let i = 0; i < g.length; i++) G.data[i]! += g[i]!;
    },
  };
}

/**
 * Runs a model's alternating scheme (solver/alternating.ts: MTRL, relation) with its tol, maxIter (outer
 * iterations) and requireConvergence, and returns the final state, the run's info and the intercepts
 * that go with the final W (the state's b where the loss keeps explicit intercepts).
 */
export function alternateModel<S extends { readonly W: Matrix; readonly b: Float64Array }>(
  loss: DataLoss,
  alt: AlternatingProblem<S>,
  start: S,
  o: FitOptions,
  solverName: string,
): { state: S; info: FitInfo; intercepts: Float64Array } {
  const r = alternate(alt, start, { tol: o.tol, maxOuter: o.maxIter, requireConvergence: o.requireConvergence ?? false, solverName });
  const intercepts = loss.intercepts(r.state.W, loss.explicitIntercept ? r.state.b : undefined);
  return { state: r.state, info: r.info, intercepts };
}

/** ‖∇_W L(0, b₀)‖ with b₀ the optimal intercepts at W = 0: the scale of the relative optimality measures. */
export function gradNormAtZero(loss: DataLoss): number {
  const zero = Matrix.zeros(loss.d, loss.T);
  const e = loss.evaluate(zero, loss.explicitIntercept ? loss.zeroIntercepts() : undefined);
  let s = 0;
  for (const v of e.G.data) s += v * v;
  return Math.max(Math.sqrt(s), 1e-300);
}

export function frobenius(m: Matrix): number {
  let s = 0;
  for (const v of m.data) s += v * v;
  return Math.sqrt(s);
}

/** Rows (features) of M with a non-zero entry: exact zeros, as the proximal operators produce them. */
export function nonZeroRows(M: Matrix): number[] {
  const out: number[] = [];
  for (let j = 0; j < M.rows; j++) {
    for (let t = 0; t < M.cols; t++) {
      if (M.data[j * M.cols + t] !== 0) {
        out.push(j);
        break;
      }
    }
  }
  return out;
}

/** Columns (tasks) of M with a non-zero entry. */
export function nonZeroColumns(M: Matrix): number[] {
  const out: number[] = [];
  for (let t = 0; t < M.cols; t++) {
    for (let j = 0; j < M.rows; j++) {
      if (M.data[j * M.cols + t] !== 0) {
        out.push(t);
        break;
      }
    }
  }
  return out;
}
