// Cross-validated model selection and nested CV (docs/evaluation.md), for any engine's estimator.
//
// crossValidate(estimator, train, options) sees ONLY the training dataset it is given: the caller
// (compare.ts, the CLI) splits first and passes the training part, so test rows cannot influence
// the choice by construction (test/eval/cv.test.ts poisons the test rows to check it).
//
// Grids come from the model's declarations (src/estimator/contract.ts ParamDecl.tune): every tuned
// parameter is an axis ('from-max': log-spaced down from the model's data-dependent top; 'data-scaled':
// log-spaced down from a data-scaled top; 'fixed': the listed values), and the CV evaluates the
// PRODUCT grid of all axes — for any number of tuned parameters. A product grid rather than a
// coordinate-wise search because the weights of the two-weight models interact (cmtl's η = ρ2/ρ1,
// mtrl's λ1 vs λ2): a coordinate search can stop at a point that is optimal along each axis but not
// jointly, and with 2–3 axes of 5–6 points the product is affordable (the points per axis shrink as
// axes are added: the declarations give 6 × 5 for the two-weight models).
//
// Protocol: k folds made within every task (stratified for binary labels; src/data/split.ts kFold); for each fold
// and each combination of the other axes, a path of fits along the first axis from its largest value
// down, each fit warm-started from the previous one (Friedman, Hastie & Tibshirani 2010, §2.5); the
// held-out error of each fold is the mean over tasks of the per-task error (task-averaged, so that a
// large task does not drown small ones), per task with its kind's metric:
//   regression: MSE;   binary: log-loss of the predicted probabilities;   count: Poisson deviance.
// Log-loss rather than 1 − AUC for binary: it is a proper scoring rule, smooth in λ, and defined on
// folds where a task's held-out part has one class only (AUC is not; Landmine has 15 positives in
// some tasks, i.e. 3 per fold).
// Rules (Hastie, Tibshirani & Friedman, ESL 2nd ed. §7.10): 'min' takes the grid point with the
// smallest mean CV error; '1se' the most regularised (largest value of the first axis) point, the
// other axes at the minimum, whose mean is within one standard error of that minimum, SE = sd over
// folds / √k.
//
// Nothing hidden: every fit's diagnostics (converged, optimality, iterations, seconds, backend) are
// counted per fold; a fit that throws (a decomposition that fails, a solver error, a fold with a
// one-class task) is recorded with its message and its grid point gets no error on that fold (the
// point is then not chosen); an optimum on the edge of ANY axis is reported, and extended beyond
// where the axis is not bounded by construction (see extendEdges).
import { AbortError, DataError, OptionError } from '../errors.ts';
import { taskKinds, type MultiTaskDataset, type TaskKind } from '../data/dataset.ts';
import { kFold, subsetDataset, type Split } from '../data/split.ts';
import type { FitContext, FitDiagnostics, ModelDecl, Options, ParamDecl } from '../estimator/contract.ts';
import { getModel } from '../estimator/registry.ts';
import type { Matrix } from '../linalg/matrix.ts';
import type { CVCurve } from './types.ts';
import { defaultLambdaTop, logGrid } from './grid.ts';
import { crossEntropy, logloss, mse, poissonDeviance, sigmoid } from './metrics.ts';
import { listening, reportProgress, scopedContext } from '../estimator/progress-scope.ts';

/**
 * What CV needs of an estimator: the contract's Estimator (src/estimator/contract.ts) satisfies it.
 *  - clone(patch): a new unfitted estimator with these options changed;
 *  - fit(ds, ctx?): fits (warm-starting from ctx.warm when given) and returns the fitted estimator;
 *  - predict(X, task): the linear predictor / margin; predictResponse(X, task): on the response
 *    scale (probability, rate); when absent, σ(margin) for binary tasks and predict otherwise;
 *  - warmStart?: the state to warm-start the next fit of a path from; diagnostics?: what the fit did.
 */
export interface Fittable {
  readonly model?: string;
  readonly options?: Options;
  clone(patch?: Options): Fittable;
  fit(ds: MultiTaskDataset, ctx?: FitContext): Fittable;
  predict(X: Matrix, task: string): Float64Array;
  predictResponse?(X: Matrix, task: string): Float64Array;
  /** Multiclass tasks: n × K class probabilities (contract.ts). */
  classProbabilities?(X: Matrix, task: string): Matrix;
  readonly warmStart?: unknown;
  readonly diagnostics?: FitDiagnostics;
}

export type Rule = 'min' | '1se';
/** A tuned parameter's name (its declaration is found in the model's ModelDecl). */
export type TunedParam = string;

export interface CVOptions {
  /** Number of folds (default 5). */
  folds?: number;
  /** Seed of the fold assignment (default 0). */
  seed?: number;
  /** Choice rule (default 'min'). */
  rule?: Rule;
  /** Parameters to tune: names (declared by the estimator's registered model) or declarations.
   * Default: every parameter the model declares with `tune` ([] = nothing to tune). */
  params?: readonly (string | ParamDecl)[];
  /** Explicit grids by parameter name (sorted largest first). */
  grids?: Readonly<Record<string, readonly number[]>>;
  /** Explicit grids of the first and second tuned parameter (shorthands of `grids`). */
  grid?: readonly number[];
  grid2?: readonly number[];
  /** Tops of the grids by parameter name. Default: topsFor(train), else the registered model's
   * ModelDecl.paramMax on the training part CV is given (never on data it must not see). */
  tops?: Readonly<Record<string, number>>;
  topsFor?: (train: MultiTaskDataset) => Readonly<Record<string, number>>;
  /** Top of the first parameter's grid (its λ_max); shorthand of `tops`. */
  lambdaMax?: number;
  /** Points and decades of a 1-D grid (default: the declaration's, else 10 over 3 decades). */
  points?: number;
  decades?: number;
  /** Points per axis of a grid with several axes (default: the declarations', else 6, 5, 5, ...). */
  points2D?: readonly number[];
  /** Choose the (only) parameter separately for each task (STL: tasks are independent, so the same
   * fits give every task its own CV curve); the result then has perTaskLambda. */
  perTask?: boolean;
  /** The data-scaled top of parameters without a top of their own. */
  defaultTop?: number;
  /** Extend an axis beyond an edge holding the CV minimum (default true): the bottom edge of any
   * computed axis, the top edge of data-scaled axes (a 'from-max' top is the empty model, a
   * legitimate answer). 1-D grids up to twice, several axes once per axis. */
  extendEdges?: boolean;
  /** Precomputed folds (nested CV, tests); overrides folds/seed. */
  splits?: readonly Split[];
  /** Progress and cancellation, handed to every fit. */
  context?: Omit<FitContext, 'warm'>;
}

/** A fit CV could not make, with where and why. */
export interface FitFailure {
  readonly fold: number; // 1-based
  readonly params: Readonly<Record<string, number>>;
  readonly message: string;
}

/** Cross-validation that found no usable grid point (every point failed or gave no finite error on
 * some fold); carries the failures and diagnostics of the fits it made. */
export class CVFailedError extends DataError {
  constructor(
    message: string,
    readonly partial: { readonly failures: readonly FitFailure[]; readonly diagnostics: FitTally },
  ) {
    super(message);
  }
}

/** The diagnostics of a set of fits (CV folds, a split's refit), counted. */
export interface FitTally {
  readonly fits: number;
  readonly unconverged: number;
  readonly failed: number;
  /** The largest final optimality measure among converged-or-not fits that report one. */
  readonly worstOptimality: number | null;
  readonly iterations: number;
  readonly seconds: number;
  /** Kernel backends the fits ran on. */
  readonly backends: readonly string[];
  /** The unconverged fits (fold, grid point, optimality, message), at most 20 kept. */
  readonly unconvergedFits: readonly { readonly fold: number; readonly params: Readonly<Record<string, number>>; readonly optimality: number | null; readonly message?: string }[];
  /** Per fold (1-based index = position + 1): fits, unconverged, failed. */
  readonly perFold: readonly { readonly fits: number; readonly unconverged: number; readonly failed: number }[];
}

export interface CVResult {
  /** Chosen values of the tuned parameters ({} when nothing was tuned). */
  readonly chosen: Readonly<Record<string, number>>;
  /** STL with perTask: λ per task name. */
  readonly perTaskLambda?: Readonly<Record<string, number>>;
  /** The curve along the first tuned parameter (the others at their chosen values); absent when nothing was tuned. */
  readonly curve?: CVCurve;
  /** Every grid point of the product grid with its mean CV error and SE. */
  readonly points?: readonly { readonly params: Readonly<Record<string, number>>; readonly mean: number; readonly se: number }[];
  /** One warning per axis whose optimum lies on an edge of its (final) grid. */
  readonly warnings: readonly string[];
  readonly metric: string;
  readonly folds: number;
  readonly fits: number;
  readonly diagnostics: FitTally;
  readonly failures: readonly FitFailure[];
  readonly seconds: number;
}

// ---------------------------------------------------------------------------------------------
// Metrics per task kind

/** The CV metric of a task kind (lower is better). Multiclass: the mean cross-entropy of the class
 * probabilities (a proper scoring rule, smooth in the hyper-parameters, unlike the error rate). */
export function kindMetric(kind: TaskKind): 'mse' | 'logloss' | 'poisson_deviance' | 'cross_entropy' {
  return kind === 'binary' ? 'logloss' : kind === 'count' ? 'poisson_deviance' : kind === 'multiclass' ? 'cross_entropy' : 'mse';
}

/** The metric name of a data set's CV curve: its tasks' metric, or 'task-averaged mixed' when kinds differ. */
export function datasetMetric(ds: MultiTaskDataset): string {
  const m = [...new Set(taskKinds(ds).map(kindMetric))];
  return m.length === 1 ? m[0]! : `mixed (${m.join(', ')})`;
}

/** Predictions on the response scale: predictResponse when the estimator has one, else σ(margin)
 * for binary tasks and the prediction itself otherwise. */
export function responses(est: Fittable, X: Matrix, task: string, kind: TaskKind): Float64Array {
  if (est.predictResponse) return est.predictResponse(X, task);
  const p = est.predict(X, task);
  return kind === 'binary' ? p.map(sigmoid) : p;
}

/** P(y = +1) from an estimator (binary tasks). */
export function probabilities(est: Fittable, X: Matrix, task: string): Float64Array {
  return responses(est, X, task, 'binary');
}

/** Per-task held-out errors of a fitted estimator on rows `idx` of each task of `ds`. */
export function heldOutErrors(est: Fittable, ds: MultiTaskDataset, idx: readonly Int32Array[]): Float64Array {
  const errs = new Float64Array(ds.tasks.length);
  const kinds = taskKinds(ds);
  ds.tasks.forEach((t, k) => {
    const rows = idx[k]!;
    if (rows.length === 0) {
      errs[k] = Number.NaN;
      return;
    }
    const X = t.X.selectRows(rows);
    const y = Float64Array.from(rows, (i) => t.y[i]!);
    if (kinds[k] === 'multiclass') {
      if (!est.classProbabilities) throw new OptionError('model', `${est.model ?? 'this model'} gives no class probabilities; it cannot be cross-validated on the multiclass task "${t.name}"`);
      const P = est.classProbabilities(X, t.name);
      errs[k] = crossEntropy(y, P.data, P.cols);
      return;
    }
    const r = responses(est, X, t.name, kinds[k]!);
    const m = kindMetric(kinds[k]!);
    errs[k] = m === 'logloss' ? logloss(y, r) : m === 'poisson_deviance' ? poissonDeviance(y, r) : mse(y, r);
  });
  return errs;
}

function meanOf(a: ArrayLike<number>): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]!)) {
      s += a[i]!;
      k++;
    }
  }
  return k > 0 ? s / k : Number.NaN;
}

/** Mean and standard error (sd / √k, sd with k − 1) of the fold errors. */
export function meanSe(values: readonly number[]): { mean: number; se: number } {
  const k = values.length;
  const m = values.reduce((s, v) => s + v, 0) / k;
  if (k < 2) return { mean: m, se: Number.NaN };
  const v = values.reduce((s, x) => s + (x - m) ** 2, 0) / (k - 1);
  return { mean: m, se: Math.sqrt(v / k) };
}

/** Index of the minimum mean (first one on ties, i.e. the most regularised of equals). */
export function argminIndex(mean: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < mean.length; i++) if (Number.isFinite(mean[i]!) && (best < 0 || mean[i]! < mean[best]!)) best = i;
  if (best < 0) throw new DataError('cross-validation: every grid point gave a non-finite CV error (every fit failed or every fold was unusable)');
  return best;
}

/** The one-standard-error rule: among grid points whose mean is ≤ mean[min] + se[min], the one
 * with the largest parameter value (most regularised). `grid` values pair with `mean`/`se`. */
export function oneSeIndex(grid: readonly number[], mean: readonly number[], se: readonly number[]): number {
  const b = argminIndex(mean);
  const bound = mean[b]! + (Number.isFinite(se[b]!) ? se[b]! : 0);
  let pick = b;
  for (let i = 0; i < grid.length; i++) if (mean[i]! <= bound && grid[i]! > grid[pick]!) pick = i;
  return pick;
}

/** Relative change of the CV error below which the curve counts as flat at an edge (0.01 %). */
export const FLAT_EDGE = 1e-4;

/** True when the CV error at grid[bestIndex], an edge of the grid, differs from its neighbour's by at
 * most FLAT_EDGE (relative): the curve has flattened there (e.g. mtrl's λ1 at 1e-9, where ‖W‖² no
 * longer matters, or a parameter the model ignores), so going beyond the edge cannot change the
 * error measurably. `curve`: the CV errors along this axis, in grid order. */
export function flatEdge(grid: readonly number[], bestIndex: number, curve: readonly number[]): boolean {
  if (grid.length < 2) return false;
  const order = grid.map((_, i) => i).sort((i, j) => grid[j]! - grid[i]!);
  const at = order.indexOf(bestIndex);
  if (at !== 0 && at !== order.length - 1) return false;
  const next = order[at === 0 ? 1 : order.length - 2]!;
  const a = curve[bestIndex]!, b = curve[next]!;
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= FLAT_EDGE * Math.max(Math.abs(a), Math.abs(b));
}

/** A warning when the CV minimum sits on an edge of the grid. The top edge is fine when the top is
 * λ_max (the minimum is then the empty model W = 0, a legitimate answer); so is a flat edge
 * (flatEdge), when `curve` is given. */
export function edgeWarning(param: string, grid: readonly number[], bestIndex: number, topIsLambdaMax: boolean, curve?: readonly number[]): string | undefined {
  if (grid.length < 2) return undefined;
  if (curve && flatEdge(grid, bestIndex, curve)) return undefined;
  const largest = grid.reduce((a, b) => Math.max(a, b));
  const smallest = grid.reduce((a, b) => Math.min(a, b));
  const v = grid[bestIndex]!;
  if (v === largest && !topIsLambdaMax) return `the CV minimum is at the largest ${param} of the grid (${v.toPrecision(3)}); the best value may be larger — widen the grid`;
  if (v === smallest) return `the CV minimum is at the smallest ${param} of the grid (${v.toPrecision(3)}); the best value may be smaller — widen the grid`;
  return undefined;
}

function descending(a: readonly number[], what: string): number[] {
  for (const v of a) if (!(v >= 0) || !Number.isFinite(v)) throw new OptionError(what, `grid values must be finite and ≥ 0, got ${v}`);
  return [...new Set(a)].sort((x, y) => y - x);
}

// ---------------------------------------------------------------------------------------------
// Axes

/** One tuned parameter with its grid. */
export interface Axis {
  readonly name: string;
  readonly decl: ParamDecl;
  values: number[];
  /** How the grid was made: explicit values and 'fixed' grids are never extended. */
  readonly source: 'explicit' | 'fixed' | 'from-max' | 'data-scaled';
  /** The top is the model's λ_max (the empty model): its top edge is final. */
  readonly topIsMax: boolean;
}

function modelDecl(est: Fittable): ModelDecl | undefined {
  if (!est.model) return undefined;
  try {
    return getModel(est.model);
  } catch {
    return undefined;
  }
}

/** The tops of the axes from the registered model's paramMax on `train` (where it gives one). */
function declaredTops(est: Fittable, decls: readonly ParamDecl[], train: MultiTaskDataset): Record<string, number> {
  const decl = modelDecl(est);
  const out: Record<string, number> = {};
  if (!decl?.paramMax) return out;
  for (const p of decls) {
    if (p.tune?.grid.kind === 'fixed') continue;
    const v = decl.paramMax(p.name, train, est.options ?? {});
    if (v !== undefined && v > 0 && Number.isFinite(v)) out[p.name] = v;
  }
  return out;
}

/** The options with the tops resolved: given, topsFor(train), the model's paramMax, and for the
 * remaining data-scaled axes the generic data-scaled top of `train` (grid.ts defaultLambdaTop). */
function resolvedTops(est: Fittable, decls: readonly ParamDecl[], train: MultiTaskDataset, opts: CVOptions): CVOptions {
  const tops = opts.tops ?? opts.topsFor?.(train) ?? declaredTops(est, decls, train);
  return { ...opts, tops, defaultTop: opts.defaultTop ?? defaultLambdaTop(train) };
}

/** A declaration for a parameter the estimator's model does not declare (test estimators). */
function genericDecl(name: string, index: number, count: number): ParamDecl {
  const points = count === 1 ? 10 : index === 0 ? 6 : 5;
  return { name, flag: `--${name}`, type: 'number', min: 0, help: name, tune: { scale: 'log', grid: { kind: 'data-scaled', decades: count === 1 ? 3 : 4, points } } };
}

/** The declarations of the parameters to tune. */
export function tunedDecls(est: Fittable, opts: Pick<CVOptions, 'params'>): ParamDecl[] {
  const decl = modelDecl(est);
  const declared = decl?.params ?? [];
  const wanted = opts.params ?? (decl ? declared.filter((p) => p.tune !== undefined) : ['lambda']);
  return wanted.map((p, i) => {
    if (typeof p !== 'string') return p;
    const d = declared.find((q) => q.name === p);
    if (decl && !d) throw new OptionError('params', `model "${decl.name}" has no parameter "${p}" to tune (tunable: ${declared.filter((q) => q.tune).map((q) => q.name).join(', ') || 'none'})`);
    if (d && !d.tune) throw new OptionError('params', `"${p}" of model "${decl!.name}" is not tunable`);
    return d ?? genericDecl(p, i, wanted.length);
  });
}

/** The grids of the tuned axes on this training part. `fallbackTop`: the data-scaled top when
 * neither opts.tops nor opts.defaultTop give one (engines without paramMax). */
export function cvAxes(decls: readonly ParamDecl[], opts: CVOptions): Axis[] {
  const many = decls.length > 1;
  return decls.map((decl, k) => {
    const name = decl.name;
    const explicit = opts.grids?.[name] ?? (k === 0 ? opts.grid : k === 1 ? opts.grid2 : undefined);
    if (explicit) return { name, decl, values: descending(explicit, k === 1 ? 'grid2' : 'grid'), source: 'explicit', topIsMax: false };
    const rule = decl.tune?.grid ?? { kind: 'data-scaled' as const, decades: 3, points: 10 };
    if (rule.kind === 'fixed') return { name, decl, values: descending(rule.values, name), source: 'fixed', topIsMax: false };
    const given = opts.tops?.[name] ?? (k === 0 ? opts.lambdaMax : undefined);
    const validGiven = given !== undefined && given > 0 && Number.isFinite(given) ? given : undefined;
    const fallback = typeof decl.default === 'number' && decl.default > 0 ? decl.default * 10 ** (rule.decades / 2) : 1;
    const top = validGiven ?? opts.defaultTop ?? fallback;
    const points = many ? (opts.points2D?.[k] ?? rule.points) : (opts.points ?? rule.points);
    const decades = many ? rule.decades : (opts.decades ?? rule.decades);
    return { name, decl, values: logGrid(top, points, decades), source: rule.kind, topIsMax: rule.kind === 'from-max' && validGiven !== undefined };
  });
}

/** The grids CV will use for `train` (by parameter name, largest first). */
export function cvGrids(est: Fittable, train: MultiTaskDataset, opts: CVOptions): Record<string, number[]> {
  const decls = tunedDecls(est, opts);
  const out: Record<string, number[]> = {};
  for (const a of cvAxes(decls, resolvedTops(est, decls, train, opts))) out[a.name] = a.values;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Evaluation of grid points

const key = (v: readonly number[]): string => v.join('|');

interface FitRecord {
  readonly fold: number;
  readonly params: Record<string, number>;
  readonly diagnostics?: FitDiagnostics;
  readonly failure?: string;
}

/** Every combination of the values of `axes` (an empty list gives one empty combination). */
function product(axes: readonly (readonly number[])[]): number[][] {
  let out: number[][] = [[]];
  for (const a of axes) out = out.flatMap((c) => a.map((v) => [...c, v]));
  return out;
}

/**
 * One fold's fits at the given grid points: grouped by the values of axes 2.., each group a path
 * along axis 1 from its largest value down, warm-started from the previous fit. Returns the per-task
 * held-out errors by point key, and a record of every fit. A fit that throws is recorded and gives
 * NaN errors (the path restarts cold after it); an abort propagates.
 */
export function foldPathErrors(
  estimator: Fittable,
  train: MultiTaskDataset,
  split: Split,
  fold: number,
  axes: readonly Axis[],
  points: readonly (readonly number[])[],
  context?: Omit<FitContext, 'warm'>,
  onFit?: (params: Readonly<Record<string, number>>) => void,
): { errors: Map<string, Float64Array>; fits: FitRecord[] } {
  const foldTrain = subsetDataset(train, split.train);
  const groups = new Map<string, number[][]>();
  for (const p of points) {
    const g = key(p.slice(1));
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push([...p]);
  }
  const errors = new Map<string, Float64Array>();
  const fits: FitRecord[] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => b[0]! - a[0]!);
    let warm: unknown;
    for (const p of group) {
      const params: Record<string, number> = {};
      axes.forEach((a, k) => {
        params[a.name] = p[k]!;
      });
      onFit?.(params);
      try {
        const fitted = estimator.clone(params).fit(foldTrain, { ...context, ...(warm !== undefined ? { warm } : {}) });
        warm = fitted.warmStart;
        errors.set(key(p), heldOutErrors(fitted, train, split.test));
        fits.push({ fold, params, ...(fitted.diagnostics ? { diagnostics: fitted.diagnostics } : {}) });
      } catch (e) {
        if (e instanceof AbortError) throw e;
        warm = undefined;
        errors.set(key(p), new Float64Array(train.tasks.length).fill(Number.NaN));
        fits.push({ fold, params, failure: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return { errors, fits };
}

/** Counts fit records (CV fits, refits) into a FitTally. */
export function tally(records: readonly FitRecord[], folds: number): FitTally {
  let unconverged = 0;
  let failed = 0;
  let worst: number | null = null;
  let iterations = 0;
  let seconds = 0;
  const backends = new Set<string>();
  const list: FitTally['unconvergedFits'][number][] = [];
  const perFold = Array.from({ length: folds }, () => ({ fits: 0, unconverged: 0, failed: 0 }));
  for (const r of records) {
    const pf = perFold[r.fold - 1];
    if (pf) pf.fits++;
    if (r.failure !== undefined) {
      failed++;
      if (pf) pf.failed++;
      continue;
    }
    const d = r.diagnostics;
    if (!d) continue;
    iterations += d.iterations;
    seconds += d.seconds;
    backends.add(d.backend);
    if (d.optimality !== null && Number.isFinite(d.optimality)) worst = worst === null ? d.optimality : Math.max(worst, d.optimality);
    if (!d.converged) {
      unconverged++;
      if (pf) pf.unconverged++;
      if (list.length < 20) list.push({ fold: r.fold, params: r.params, optimality: d.optimality, ...(d.message !== undefined ? { message: d.message } : {}) });
    }
  }
  return { fits: records.length, unconverged, failed, worstOptimality: worst, iterations, seconds, backends: [...backends].sort(), unconvergedFits: list, perFold };
}

/** Extends axis `a` by 3 points beyond the edge holding `best` (same log spacing); returns the new values. */
function extension(a: Axis, best: number): number[] | null {
  const v = a.values;
  if (v.length < 2 || a.source === 'explicit' || a.source === 'fixed') return null;
  const ratio = v[0]! / v[1]!;
  if (!(ratio > 1) || !Number.isFinite(ratio)) return null;
  if (best === v[0] && !a.topIsMax && a.source === 'data-scaled') return [3, 2, 1].map((p) => v[0]! * ratio ** p);
  if (best === v[v.length - 1]) return [1, 2, 3].map((p) => v[v.length - 1]! / ratio ** p);
  return null;
}

/**
 * k-fold cross-validation of `estimator` over the product grid of its tuned parameters on `train` —
 * which must be the training part only. Returns the chosen values by `rule`, the curve along the first
 * parameter, every grid point's error, one warning per axis whose optimum is on an edge, and the
 * counted diagnostics and failures of every fit.
 */
export function crossValidate(estimator: Fittable, train: MultiTaskDataset, opts: CVOptions = {}): CVResult {
  const t0 = performance.now();
  const rule: Rule = opts.rule ?? 'min';
  if (rule !== 'min' && rule !== '1se') throw new OptionError('rule', `must be "min" or "1se", got "${String(rule)}"`);
  const metric = datasetMetric(train);
  const decls = tunedDecls(estimator, opts);
  const k = opts.splits?.length ?? opts.folds ?? 5;
  const none = (): CVResult => ({ chosen: {}, warnings: [], metric, folds: k, fits: 0, diagnostics: tally([], k), failures: [], seconds: (performance.now() - t0) / 1000 });
  if (decls.length === 0) return none();

  const splits = opts.splits ?? kFold(train, k, { seed: opts.seed ?? 0 });
  const axes = cvAxes(decls, resolvedTops(estimator, decls, train, opts));
  const errors = splits.map(() => new Map<string, Float64Array>());
  const records: FitRecord[] = [];
  // Progress (fold and grid point of every fit, and its solver) for a listening CLI:
  // src/estimator/progress-scope.ts. The total grows when an edge is extended.
  let fitsDone = 0;
  let fitsTotal = 0;
  const context = scopedContext(opts.context);
  const run = (points: number[][]): void => {
    const todo = points.filter((p) => !errors[0]!.has(key(p)));
    if (todo.length === 0) return;
    fitsTotal += todo.length * splits.length;
    splits.forEach((split, f) => {
      const onFit = listening()
        ? (params: Readonly<Record<string, number>>): void =>
            reportProgress({ kind: 'fit', done: fitsDone++, total: fitsTotal, label: [`fold ${f + 1}/${splits.length}`, ...Object.entries(params).map(([p, v]) => `${p} = ${v.toPrecision(3)}`)].join(', ') })
        : undefined;
      const r = foldPathErrors(estimator, train, split, f + 1, axes, todo, context, onFit);
      for (const [kk, v] of r.errors) errors[f]!.set(kk, v);
      records.push(...r.fits);
    });
  };
  const stats = (p: readonly number[]): { mean: number; se: number } => meanSe(errors.map((m) => meanOf(m.get(key(p)) ?? [])));
  /** The CV errors along axis i (in its grid order), the other axes at `at`. */
  const alongAxis = (i: number, at: readonly number[]): number[] => axes[i]!.values.map((v) => stats(at.map((b, j) => (j === i ? v : b))).mean);
  const bestPoint = (): number[] => {
    const all = product(axes.map((a) => a.values));
    const means = all.map((p) => stats(p).mean);
    return all[argminIndex(means)]!;
  };

  run(product(axes.map((a) => a.values)));
  const failuresOf = (): FitFailure[] => records.filter((r) => r.failure !== undefined).map((r) => ({ fold: r.fold, params: r.params, message: r.failure! }));
  try {
    bestPoint();
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    const failures = failuresOf();
    throw new CVFailedError(`${e.message}${failures[0] ? `; first failure (fold ${failures[0].fold}, ${JSON.stringify(failures[0].params)}): ${failures[0].message}` : ''}`, { failures, diagnostics: tally(records, k) });
  }
  // Edge extension: an axis whose minimum sits on an extendable edge gets 3 more points there
  // (1-D: up to twice; several axes: once per axis, because every extra value of one axis costs a
  // whole slice of the others, and far beyond the top the two-weight models become
  // ill-conditioned — cmtl: η = ρ2/ρ1 → 0 — so that each fit runs to the iteration cap).
  if (opts.extendEdges ?? true) {
    const rounds = axes.length === 1 ? 2 : 1;
    const extended = new Set<string>();
    for (let round = 0; round < rounds; round++) {
      const best = bestPoint();
      let changed = false;
      axes.forEach((a, i) => {
        if (axes.length > 1 && extended.has(a.name)) return;
        // A flat edge is not extended: more points there cannot change the error measurably.
        if (flatEdge(a.values, a.values.indexOf(best[i]!), alongAxis(i, best))) return;
        const ext = extension(a, best[i]!);
        if (!ext) return;
        a.values = [...a.values, ...ext].sort((x, y) => y - x);
        extended.add(a.name);
        changed = true;
      });
      if (!changed) break;
      run(product(axes.map((a) => a.values)));
    }
  }

  const best = bestPoint();
  // The curve along the first axis, the other axes at the minimum.
  const first = axes[0]!;
  const linePoints = first.values.map((v) => [v, ...best.slice(1)]);
  const curveMean = linePoints.map((p) => stats(p).mean);
  const curveSe = linePoints.map((p) => stats(p).se);
  const bestIndex = argminIndex(curveMean);
  const seIndex = oneSeIndex(first.values, curveMean, curveSe);
  const chosenIndex = rule === 'min' ? bestIndex : seIndex;
  const warnings: string[] = [];
  axes.forEach((a, i) => {
    const w = edgeWarning(a.name, a.values, a.values.indexOf(best[i]!), a.topIsMax, alongAxis(i, best));
    if (w) warnings.push(w);
  });
  const firstWarning = edgeWarning(first.name, first.values, bestIndex, first.topIsMax, curveMean);
  const curve: CVCurve = {
    param: first.name,
    grid: [...first.values],
    mean: curveMean,
    se: curveSe,
    metric,
    bestIndex,
    oneSeIndex: seIndex,
    chosenIndex,
    rule,
    ...(warnings.length > 0 ? { warning: warnings.join('; ') } : firstWarning ? { warning: firstWarning } : {}),
  };
  const chosen: Record<string, number> = { [first.name]: first.values[chosenIndex]! };
  axes.slice(1).forEach((a, i) => {
    chosen[a.name] = best[i + 1]!;
  });

  let perTaskLambda: Record<string, number> | undefined;
  if (opts.perTask && axes.length === 1) {
    // Each task's own curve from the same fits (valid when tasks do not interact, as in STL).
    perTaskLambda = {};
    for (let t = 0; t < train.tasks.length; t++) {
      const tm: number[] = [];
      const ts: number[] = [];
      for (const v of first.values) {
        const r = meanSe(errors.map((m) => m.get(key([v]))?.[t] ?? Number.NaN));
        tm.push(r.mean);
        ts.push(r.se);
      }
      const ti = rule === 'min' ? argminIndex(tm) : oneSeIndex(first.values, tm, ts);
      perTaskLambda[train.tasks[t]!.name] = first.values[ti]!;
    }
  }
  const allPoints = product(axes.map((a) => a.values)).map((p) => {
    const params: Record<string, number> = {};
    axes.forEach((a, i) => {
      params[a.name] = p[i]!;
    });
    return { params, ...stats(p) };
  });
  const failures = failuresOf();
  return {
    chosen,
    ...(perTaskLambda ? { perTaskLambda } : {}),
    curve,
    points: allPoints,
    warnings,
    metric,
    folds: k,
    fits: records.length,
    diagnostics: tally(records, k),
    failures,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The estimator with the CV choice applied (unfitted). */
export function withChoice(estimator: Fittable, cv: CVResult): Fittable {
  const patch: Record<string, number | Readonly<Record<string, number>>> = { ...cv.chosen };
  if (cv.perTaskLambda) patch['perTaskLambda'] = cv.perTaskLambda;
  return estimator.clone(patch as Options);
}

export interface NestedCVResult {
  /** Per outer fold: the hyper-parameters chosen by the inner CV and the outer held-out error. */
  readonly outer: readonly { readonly chosen: Readonly<Record<string, number>>; readonly error: number }[];
  /** Mean and standard error over outer folds of the selected model's error: the honest estimate. */
  readonly mean: number;
  readonly se: number;
  readonly metric: string;
}

/**
 * Nested cross-validation (Varma & Simon 2006; Cawley & Talbot 2010): the outer k-fold estimates
 * the error of the whole procedure "select λ by inner CV, refit"; the inner CV sees only the outer
 * training part. The inner CV's own minimum is optimistically biased (it is a minimum over the
 * grid); the outer error is not.
 */
export function nestedCrossValidate(estimator: Fittable, ds: MultiTaskDataset, opts: CVOptions & { outerFolds?: number } = {}): NestedCVResult {
  const outerK = opts.outerFolds ?? 5;
  const seed = opts.seed ?? 0;
  const outerSplits = kFold(ds, outerK, { seed });
  const innerSeed = seed + 1; // a different fold assignment inside than outside
  // The inner CV builds its grids on each outer training part: tops given for the full data would
  // leak the outer test rows into the grid.
  const { splits: _ignored, tops: _tops, lambdaMax: _lmax, defaultTop: _top, ...inner } = opts;
  const outer = outerSplits.map((s) => {
    const trainPart = subsetDataset(ds, s.train);
    const cv = crossValidate(estimator, trainPart, { ...inner, seed: innerSeed });
    const fitted = withChoice(estimator, cv).fit(trainPart, opts.context ?? {});
    return { chosen: cv.chosen, error: meanOf(heldOutErrors(fitted, ds, s.test)) };
  });
  const { mean, se } = meanSe(outer.map((o) => o.error));
  return { outer, mean, se, metric: datasetMetric(ds) };
}
