// Cross-validated model selection and nested CV (docs/evaluation.md).
//
// crossValidate(estimator, train, options) sees ONLY the training dataset it is given: the caller
// (compare.ts, the CLI) splits first and passes the training part, so test rows cannot influence
// the choice by construction (test/eval/cv.test.ts poisons the test rows to check it).
//
// Protocol: k folds made within every task (stratified for binary labels; src/data/split.ts kFold); for each fold,
// a path of fits over the λ grid from the largest λ down, each fit warm-started from the previous
// one (Friedman, Hastie & Tibshirani 2010, §2.5); the held-out error of each fold is the mean over
// tasks of the per-task error (task-averaged, so that a large task does not drown small ones):
//   regression: MSE;   binary: log-loss of the predicted probabilities.
// Log-loss rather than 1 − AUC for binary: it is a proper scoring rule, smooth in λ, and defined on
// folds where a task's held-out part has one class only (AUC is not; Landmine has 15 positives in
// some tasks, i.e. 3 per fold).
// Rules (Hastie, Tibshirani & Friedman, ESL 2nd ed. §7.10): 'min' takes the grid point with the
// smallest mean CV error; '1se' the most regularised (largest λ) point whose mean is within one
// standard error of that minimum, SE = sd over folds / √k.
import { DataError, OptionError } from '../errors.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { kFold, subsetDataset, type Split } from '../data/split.ts';
import type { Matrix } from '../linalg/matrix.ts';
import type { ModelOptions, WarmStart } from '../linear/types.ts';
import type { CVCurve } from './types.ts';
import { defaultLambdaTop, logGrid } from './grid.ts';
import { logloss, mse, sigmoid } from './metrics.ts';
import { listening, reportProgress } from '../estimator/progress-scope.ts';

/**
 * The minimal estimator CV needs; MTLEstimator (src/linear/estimator.ts) satisfies it structurally.
 *  - clone(patch): a new unfitted estimator with these options changed;
 *  - fit(ds, warm?): fits (warm-starting from `warm` when given) and returns the fitted estimator;
 *  - predict(X, task): regression predictions, or for binary data the margin xᵀw + b;
 *  - predictProba?(X, task): binary only, P(y = +1); when absent, σ(margin) is used;
 *  - warmStart?: the state to warm-start the next fit of a path from.
 */
export interface Fittable {
  clone(patch: Partial<ModelOptions>): Fittable;
  fit(ds: MultiTaskDataset, warm?: WarmStart): Fittable;
  predict(X: Matrix, task: string): Float64Array;
  predictProba?(X: Matrix, task: string): Float64Array;
  readonly warmStart?: WarmStart | undefined;
}

export type Rule = 'min' | '1se';
export type TunedParam = 'lambda' | 'lambda2';

export interface CVOptions {
  /** Number of folds (default 5). */
  folds?: number;
  /** Seed of the fold assignment (default 0). */
  seed?: number;
  /** Choice rule (default 'min'). */
  rule?: Rule;
  /** Parameters to tune (default ['lambda']); two give a 2-D grid. [] = nothing to tune. */
  params?: readonly TunedParam[];
  /** Explicit grids (descending is not required; they are sorted largest first). */
  grid?: readonly number[];
  grid2?: readonly number[];
  /** Top of the λ grid when no explicit grid: the model's λ_max (L1, L21), else data-scaled. */
  lambdaMax?: number;
  /** Points and decades of a 1-D grid (default 10 over 3 decades). */
  points?: number;
  decades?: number;
  /** Points per axis of a 2-D grid (default 6 × 5 over 4 decades each: coarser, 30 fits per fold). */
  points2D?: readonly [number, number];
  /** Choose λ separately for each task (STL: tasks are independent, so the same fits give every
   * task its own CV curve); the result then has perTaskLambda. */
  perTask?: boolean;
  /** Loss/scale of the model, for the data-scaled default grid. */
  scale?: 'sum' | 'mean';
  /** The data-scaled top when the caller computed it on the data as the model fits them (e.g.
   * standardised: compare passes defaultLambdaTop of the standardised training part); by default
   * it is computed on `train` as given. */
  defaultTop?: number;
  /** Extend a data-scaled 1-D grid beyond an edge holding the CV minimum (default true). */
  extendEdges?: boolean;
  /** Precomputed folds (nested CV, tests); overrides folds/seed. */
  splits?: readonly Split[];
}

export interface CVResult {
  /** Chosen values of the tuned parameters ({} when nothing was tuned). */
  readonly chosen: Readonly<Record<string, number>>;
  /** STL with perTask: λ per task name. */
  readonly perTaskLambda?: Readonly<Record<string, number>>;
  /** The λ curve (λ2 fixed at its chosen value for 2-D grids); absent when nothing was tuned. */
  readonly curve?: CVCurve;
  /** 2-D grids: the full table of mean CV errors, [i over lambda][j over lambda2]. */
  readonly table?: { readonly lambda: readonly number[]; readonly lambda2: readonly number[]; readonly mean: readonly (readonly number[])[]; readonly se: readonly (readonly number[])[] };
  readonly metric: 'mse' | 'logloss';
  readonly folds: number;
  readonly fits: number;
  readonly seconds: number;
}

/** Per-task held-out errors of a fitted estimator on rows `idx` of each task of `ds`. */
export function heldOutErrors(est: Fittable, ds: MultiTaskDataset, idx: readonly Int32Array[]): Float64Array {
  const errs = new Float64Array(ds.tasks.length);
  ds.tasks.forEach((t, k) => {
    const rows = idx[k]!;
    if (rows.length === 0) {
      errs[k] = Number.NaN;
      return;
    }
    const X = t.X.selectRows(rows);
    const y = Float64Array.from(rows, (i) => t.y[i]!);
    errs[k] = ds.kind === 'binary' ? logloss(y, probabilities(est, X, t.name)) : mse(y, est.predict(X, t.name));
  });
  return errs;
}

/** P(y = +1) from an estimator: predictProba when it has one, else σ(margin). */
export function probabilities(est: Fittable, X: Matrix, task: string): Float64Array {
  if (est.predictProba) return est.predictProba(X, task);
  return est.predict(X, task).map(sigmoid);
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
  if (best < 0) throw new DataError('cross-validation: every grid point gave a non-finite CV error');
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

/** A warning when the CV minimum sits on an edge of the grid. The top edge is fine when the top is
 * λ_max (the minimum is then the empty model W = 0, a legitimate answer). */
export function edgeWarning(param: string, grid: readonly number[], bestIndex: number, topIsLambdaMax: boolean): string | undefined {
  if (grid.length < 2) return undefined;
  const largest = grid.reduce((a, b) => Math.max(a, b));
  const smallest = grid.reduce((a, b) => Math.min(a, b));
  const v = grid[bestIndex]!;
  if (v === largest && !topIsLambdaMax) return `the CV minimum is at the largest ${param} of the grid (${v.toPrecision(3)}); the best value may be larger — widen the grid`;
  if (v === smallest) return `the CV minimum is at the smallest ${param} of the grid (${v.toPrecision(3)}); the best value may be smaller — widen the grid`;
  return undefined;
}

function descending(a: readonly number[], what: string): number[] {
  for (const v of a) if (!(v >= 0) || !Number.isFinite(v)) throw new OptionError(what, `grid values must be finite and ≥ 0, got ${v}`);
  return [...a].sort((x, y) => y - x);
}

/** The λ (and λ2) grids the CV will use. */
export function cvGrids(train: MultiTaskDataset, opts: CVOptions): { grid: number[]; grid2: number[] | null } {
  const params = opts.params ?? ['lambda'];
  const twoD = params.includes('lambda2');
  const oneAxis = params.includes('lambda');
  const top = opts.defaultTop ?? defaultLambdaTop(train, opts.scale ?? 'mean');
  const [p1, p2] = opts.points2D ?? [6, 5];
  let grid: number[];
  if (opts.grid) grid = descending(opts.grid, 'grid');
  else if (!oneAxis) grid = [Number.NaN];
  else {
    const lmax = opts.lambdaMax !== undefined && opts.lambdaMax > 0 && Number.isFinite(opts.lambdaMax) ? opts.lambdaMax : top;
    grid = twoD ? logGrid(lmax, p1, 4) : logGrid(lmax, opts.points ?? 10, opts.decades ?? 3);
  }
  const grid2 = twoD ? (opts.grid2 ? descending(opts.grid2, 'grid2') : logGrid(top, p2, 4)) : null;
  return { grid, grid2 };
}

/**
 * One fold's path: for each λ2 (if tuned), fits along the λ grid from the largest λ down, each
 * warm-started from the previous fit, and returns the per-task held-out errors [j over λ2][i over λ].
 * Pure in its inputs (the unit of work a worker thread would run).
 */
export function foldPathErrors(
  estimator: Fittable,
  train: MultiTaskDataset,
  split: Split,
  params: readonly TunedParam[],
  grid: readonly number[],
  grid2: readonly number[] | null,
  onFit?: (patch: Partial<ModelOptions>) => void,
): Float64Array[][] {
  const foldTrain = subsetDataset(train, split.train);
  const g2 = grid2 ?? [Number.NaN];
  return g2.map((l2) => {
    let warm: WarmStart | undefined;
    return grid.map((l1) => {
      const patch: Partial<ModelOptions> = {};
      if (params.includes('lambda')) patch.lambda = l1;
      if (grid2) patch.lambda2 = l2;
      onFit?.(patch);
      const fitted = estimator.clone(patch).fit(foldTrain, warm);
      warm = fitted.warmStart;
      return heldOutErrors(fitted, train, split.test);
    });
  });
}

/**
 * k-fold cross-validation of `estimator` over the λ grid (or λ × λ2) on `train` — which must be the
 * training part only. Returns the CV curve and the chosen hyper-parameters by `rule`.
 */
export function crossValidate(estimator: Fittable, train: MultiTaskDataset, opts: CVOptions = {}): CVResult {
  const t0 = performance.now();
  const params = opts.params ?? ['lambda'];
  for (const p of params) if (p !== 'lambda' && p !== 'lambda2') throw new OptionError('params', `cannot tune "${String(p)}" (tunable: lambda, lambda2)`);
  const rule: Rule = opts.rule ?? 'min';
  if (rule !== 'min' && rule !== '1se') throw new OptionError('rule', `must be "min" or "1se", got "${String(rule)}"`);
  const metric = train.kind === 'binary' ? 'logloss' : 'mse';
  const k = opts.splits?.length ?? opts.folds ?? 5;
  if (params.length === 0) return { chosen: {}, metric, folds: k, fits: 0, seconds: (performance.now() - t0) / 1000 };

  const splits = opts.splits ?? kFold(train, k, { seed: opts.seed ?? 0 });
  const grids = cvGrids(train, opts);
  let grid = grids.grid;
  const grid2 = grids.grid2;
  const g2 = grid2 ?? [Number.NaN];
  const T = train.tasks.length;
  // err[j][i][f] = per-task held-out errors (Float64Array over tasks) at grid2[j], grid[i], fold f.
  // Progress (fold and λ of every fit) for a listening CLI: src/estimator/progress-scope.ts.
  let fitsDone = 0;
  let fitsTotal = 0;
  const runGrid = (points: readonly number[]): Float64Array[][][] => {
    const e: Float64Array[][][] = g2.map(() => points.map(() => new Array<Float64Array>(k)));
    fitsTotal += splits.length * g2.length * points.length;
    splits.forEach((split, f) => {
      const onFit = listening()
        ? (patch: Partial<ModelOptions>): void => {
            const values = Object.entries(patch).map(([p, v]) => `${p} = ${typeof v === 'number' ? v.toPrecision(3) : String(v)}`);
            reportProgress({ kind: 'fit', done: fitsDone++, total: fitsTotal, label: [`fold ${f + 1}/${splits.length}`, ...values].join(', ') });
          }
        : undefined;
      const r = foldPathErrors(estimator, train, split, params, points, grid2, onFit);
      for (let j = 0; j < g2.length; j++) for (let i = 0; i < points.length; i++) e[j]![i]![f] = r[j]![i]!;
    });
    return e;
  };
  let err = runGrid(grid);
  let fits = splits.length * g2.length * grid.length;

  // A data-scaled λ grid whose minimum lies on an edge is extended beyond that edge (3 more points
  // at the same spacing, at most twice — once for 2-D grids, along λ for every λ2); the top edge is final
  // when it is λ_max.
  const topIsLambdaMax = params.includes('lambda') && opts.lambdaMax !== undefined && !opts.grid;
  if (params.includes('lambda') && !opts.grid && grid.length >= 2 && (opts.extendEdges ?? true)) {
    // 2-D grids extend once: every extra λ point costs a whole λ2 column of fits, and far beyond
    // the top the two-weight models become ill-conditioned (cmtl: η = λ2/λ → 0 makes the
    // penalty's curvature range λ/λ2) and each fit runs to the iteration cap.
    const rounds = grid2 ? 1 : 2;
    for (let round = 0; round < rounds; round++) {
      // The λ index of the smallest mean over the whole (λ, λ2) table.
      let b = 0;
      let bestMean = Number.POSITIVE_INFINITY;
      for (let j = 0; j < g2.length; j++) for (let i = 0; i < grid.length; i++) {
        const m = meanSe(err[j]![i]!.map((e) => meanOf(e))).mean;
        if (m < bestMean) {
          bestMean = m;
          b = i;
        }
      }
      const ratio = grid[0]! / grid[1]!;
      if (b === 0 && !topIsLambdaMax) {
        const above = [3, 2, 1].map((p) => grid[0]! * ratio ** p);
        const ext = runGrid(above);
        err = g2.map((_, j) => [...ext[j]!, ...err[j]!]);
        grid = [...above, ...grid];
      } else if (b === grid.length - 1) {
        const last = grid[grid.length - 1]!;
        const below = [1, 2, 3].map((p) => last / ratio ** p);
        const ext = runGrid(below);
        err = g2.map((_, j) => [...err[j]!, ...ext[j]!]);
        grid = [...grid, ...below];
      } else break;
      fits += splits.length * g2.length * 3;
    }
  }

  // Fold error = task-averaged held-out error; then mean ± SE over folds.
  const foldMean = (j: number, i: number): number[] => err[j]![i]!.map((e) => meanOf(e));
  const mean = g2.map((_, j) => grid.map((_, i) => meanSe(foldMean(j, i)).mean));
  const se = g2.map((_, j) => grid.map((_, i) => meanSe(foldMean(j, i)).se));

  // 2-D: the minimum over the table fixes λ2; the rule then acts along λ at that λ2.
  let jBest = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let j = 0; j < g2.length; j++) for (let i = 0; i < grid.length; i++) if (mean[j]![i]! < best) {
    best = mean[j]![i]!;
    jBest = j;
  }
  let curveGrid = grid;
  let curveMean = mean[jBest]!;
  let curveSe = se[jBest]!;
  let param = 'lambda';
  if (!params.includes('lambda')) {
    // Only λ2 tuned: the curve runs along λ2.
    curveGrid = g2;
    curveMean = g2.map((_, j) => mean[j]![0]!);
    curveSe = g2.map((_, j) => se[j]![0]!);
    param = 'lambda2';
  }
  const bestIndex = argminIndex(curveMean);
  const seIndex = oneSeIndex(curveGrid, curveMean, curveSe);
  const chosenIndex = rule === 'min' ? bestIndex : seIndex;
  const warning = edgeWarning(param, curveGrid, bestIndex, param === 'lambda' && topIsLambdaMax);
  const curve: CVCurve = { param, grid: curveGrid, mean: curveMean, se: curveSe, metric, bestIndex, oneSeIndex: seIndex, chosenIndex, rule, ...(warning ? { warning } : {}) };
  const chosen: Record<string, number> = {};
  if (param === 'lambda') {
    chosen['lambda'] = grid[chosenIndex]!;
    if (grid2) chosen['lambda2'] = g2[jBest]!;
  } else chosen['lambda2'] = g2[chosenIndex]!;

  let perTaskLambda: Record<string, number> | undefined;
  if (opts.perTask && param === 'lambda') {
    // Each task's own curve from the same fits (valid when tasks do not interact, as in STL).
    perTaskLambda = {};
    for (let t = 0; t < T; t++) {
      const tm: number[] = [];
      const ts: number[] = [];
      for (let i = 0; i < grid.length; i++) {
        const r = meanSe(err[jBest]![i]!.map((e) => e[t]!));
        tm.push(r.mean);
        ts.push(r.se);
      }
      const ti = rule === 'min' ? argminIndex(tm) : oneSeIndex(grid, tm, ts);
      perTaskLambda[train.tasks[t]!.name] = grid[ti]!;
    }
  }
  const table = grid2 && params.includes('lambda') ? { lambda: grid, lambda2: g2, mean: grid.map((_, i) => g2.map((_, j) => mean[j]![i]!)), se: grid.map((_, i) => g2.map((_, j) => se[j]![i]!)) } : undefined;
  return {
    chosen,
    ...(perTaskLambda ? { perTaskLambda } : {}),
    curve,
    ...(table ? { table } : {}),
    metric,
    folds: k,
    fits,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The estimator with the CV choice applied (unfitted). */
export function withChoice(estimator: Fittable, cv: CVResult): Fittable {
  const patch: Partial<ModelOptions> = { ...cv.chosen };
  if (cv.perTaskLambda) patch.perTaskLambda = cv.perTaskLambda;
  return estimator.clone(patch);
}

export interface NestedCVResult {
  /** Per outer fold: the hyper-parameters chosen by the inner CV and the outer held-out error. */
  readonly outer: readonly { readonly chosen: Readonly<Record<string, number>>; readonly error: number }[];
  /** Mean and standard error over outer folds of the selected model's error: the honest estimate. */
  readonly mean: number;
  readonly se: number;
  readonly metric: 'mse' | 'logloss';
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
  const metric = ds.kind === 'binary' ? 'logloss' : 'mse';
  const { splits: _ignored, ...inner } = opts;
  const outer = outerSplits.map((s) => {
    const trainPart = subsetDataset(ds, s.train);
    const cv = crossValidate(estimator, trainPart, { ...inner, seed: innerSeed });
    const fitted = withChoice(estimator, cv).fit(trainPart);
    return { chosen: cv.chosen, error: meanOf(heldOutErrors(fitted, ds, s.test)) };
  });
  const { mean, se } = meanSe(outer.map((o) => o.error));
  return { outer, mean, se, metric };
}
