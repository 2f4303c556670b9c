// Evaluation metrics, per task and aggregated over tasks (formulas: docs/metrics.md).
//
// Every aggregate says in its key how it aggregates:
//   - a bare key (`rmse`, `mae`, `accuracy`, `logloss`, ...) is sample-weighted: pooled over all
//     test samples of all tasks (for per-task-only quantities such as AUC and nMSE: the mean of the
//     per-task values weighted by the task's number of test samples);
//   - a `_task_avg` key is the plain mean of the per-task values (every task counts once).
// A per-task value that is undefined (AUC of a one-class task, nMSE of a constant-target task) is
// NaN with a reason; aggregates skip it and report how many tasks were excluded.
import { DataError, ShapeError } from '../errors.ts';

/** True targets and predictions of one task on its test rows. Binary: y in {−1, +1} (or {0, 1}),
 * `pred` is the predicted probability of the positive class. */
export interface TaskOutcome {
  readonly task: string;
  readonly y: ArrayLike<number>;
  readonly pred: ArrayLike<number>;
}

/** A per-task value that could not be computed, with why. */
export interface Exclusion {
  readonly task: string;
  readonly metric: string;
  readonly reason: string;
}

export interface MetricTable {
  /** Per task: metric key → value (NaN when undefined; see `excluded`). */
  readonly perTask: readonly { readonly task: string; readonly n: number; readonly values: Readonly<Record<string, number>> }[];
  /** Aggregates over tasks; keys as described at the top of this file. */
  readonly aggregate: Readonly<Record<string, number>>;
  /** Per-task values left out of the aggregates. */
  readonly excluded: readonly Exclusion[];
}

function checkPair(y: ArrayLike<number>, p: ArrayLike<number>, what: string): void {
  if (y.length !== p.length) throw new ShapeError(`${what}: ${y.length} targets but ${p.length} predictions`);
  if (y.length === 0) throw new DataError(`${what}: no samples`);
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/** Mean squared error (1/n) Σ (y − ŷ)². */
export function mse(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  checkPair(y, pred, 'mse');
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const r = y[i]! - pred[i]!;
    s += r * r;
  }
  return s / y.length;
}

/** Mean Poisson deviance 2·[y log(y/μ) − (y − μ)] (y log(y/μ) = 0 at y = 0) of rates μ > 0:
 * the count analogue of the MSE (McCullagh & Nelder §2.3); a rate ≤ 0 gives +∞. */
export function poissonDeviance(y: ArrayLike<number>, mu: ArrayLike<number>): number {
  if (y.length !== mu.length) throw new ShapeError(`poissonDeviance: ${y.length} targets, ${mu.length} predictions`);
  if (y.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i]!;
    const m = mu[i]!;
    if (!(m > 0)) return Number.POSITIVE_INFINITY;
    s += 2 * ((yi > 0 ? yi * Math.log(yi / m) : 0) - (yi - m));
  }
  return s / y.length;
}

export function rmse(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  return Math.sqrt(mse(y, pred));
}

/** Mean absolute error (1/n) Σ |y − ŷ|. */
export function mae(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  checkPair(y, pred, 'mae');
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i]! - pred[i]!);
  return s / y.length;
}

/** Population variance (1/n) Σ (y − ȳ)² — the denominator convention of nMSE and explained variance. */
export function variance(y: ArrayLike<number>): number {
  if (y.length === 0) throw new DataError('variance: no samples');
  const m = mean(y);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i]! - m) ** 2;
  return s / y.length;
}

/** nMSE = MSE / Var(y) with the task's own test targets; NaN when the targets are constant. */
export function nmse(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  const v = variance(y);
  return v > 0 ? mse(y, pred) / v : Number.NaN;
}

/** R² = 1 − MSE / Var(y) = 1 − nMSE (NaN for constant targets). */
export function r2(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  return 1 - nmse(y, pred);
}

const isPositive = (v: number): boolean => v > 0;

/** Number of positive and negative labels (positive: y > 0, so both ±1 and 0/1 work). */
export function classCounts(y: ArrayLike<number>): { positives: number; negatives: number } {
  let p = 0;
  for (let i = 0; i < y.length; i++) if (isPositive(y[i]!)) p++;
  return { positives: p, negatives: y.length - p };
}

/**
 * Area under the ROC curve, exact with ties: the Mann–Whitney statistic with midranks,
 * AUC = (R₊ − n₊(n₊+1)/2) / (n₊ n₋), R₊ = sum of the midranks of the positives (Hanley & McNeil
 * 1982, eq. 1). A tie between a positive and a negative counts ½. NaN when a class is missing.
 */
export function auc(y: ArrayLike<number>, score: ArrayLike<number>): number {
  checkPair(y, score, 'auc');
  const { positives: np, negatives: nn } = classCounts(y);
  if (np === 0 || nn === 0) return Number.NaN;
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]!]! === score[order[i]!]!) j++;
    const midrank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) if (isPositive(y[order[k]!]!)) rankSumPos += midrank;
    i = j + 1;
  }
  return (rankSumPos - (np * (np + 1)) / 2) / (np * nn);
}

/** Fraction correct, predicting positive when p ≥ threshold (default ½). */
export function accuracy(y: ArrayLike<number>, prob: ArrayLike<number>, threshold = 0.5): number {
  checkPair(y, prob, 'accuracy');
  let c = 0;
  for (let i = 0; i < y.length; i++) if (isPositive(y[i]!) === prob[i]! >= threshold) c++;
  return c / y.length;
}

/** Probabilities are clipped to [ε, 1 − ε] with this ε before the log, so that one confident
 * mistake costs at most −log ε ≈ 34.5 nats instead of Infinity (the scikit-learn convention). */
export const LOGLOSS_EPS = 1e-15;

/** Mean negative log-likelihood −(1/n) Σ [y log p + (1 − y) log(1 − p)], p clipped (LOGLOSS_EPS). */
export function logloss(y: ArrayLike<number>, prob: ArrayLike<number>): number {
  checkPair(y, prob, 'logloss');
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const p = Math.min(1 - LOGLOSS_EPS, Math.max(LOGLOSS_EPS, prob[i]!));
    s -= isPositive(y[i]!) ? Math.log(p) : Math.log(1 - p);
  }
  return s / y.length;
}

/** F1 of the positive class, 2TP / (2TP + FP + FN); NaN when there are no positives at all
 * (neither true nor predicted), where precision and recall are both 0/0. */
export function f1(y: ArrayLike<number>, prob: ArrayLike<number>, threshold = 0.5): number {
  checkPair(y, prob, 'f1');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < y.length; i++) {
    const truth = isPositive(y[i]!);
    const guess = prob[i]! >= threshold;
    if (truth && guess) tp++;
    else if (!truth && guess) fp++;
    else if (truth && !guess) fn++;
  }
  const den = 2 * tp + fp + fn;
  return den === 0 ? Number.NaN : (2 * tp) / den;
}

/** The logistic function, for turning margins xᵀw + b into probabilities. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

// ---------------------------------------------------------------------------------------------
// Aggregation

/** Plain and n-weighted means of the finite per-task values; tasks with NaN are excluded. */
function aggregateKey(
  perTask: readonly { task: string; n: number; values: Record<string, number> }[],
  key: string,
  excluded: Exclusion[],
  reason: string,
): { taskAvg: number; weighted: number } {
  let s = 0;
  let sw = 0;
  let w = 0;
  let k = 0;
  for (const t of perTask) {
    const v = t.values[key]!;
    if (!Number.isFinite(v)) {
      excluded.push({ task: t.task, metric: key, reason });
      continue;
    }
    s += v;
    k++;
    sw += t.n * v;
    w += t.n;
  }
  return { taskAvg: k > 0 ? s / k : Number.NaN, weighted: w > 0 ? sw / w : Number.NaN };
}

function concat(outcomes: readonly TaskOutcome[], pick: (o: TaskOutcome) => ArrayLike<number>): Float64Array {
  const n = outcomes.reduce((s, o) => s + o.y.length, 0);
  const out = new Float64Array(n);
  let k = 0;
  for (const o of outcomes) {
    const a = pick(o);
    for (let i = 0; i < a.length; i++) out[k++] = a[i]!;
  }
  return out;
}

type PairMetric = (y: ArrayLike<number>, pred: ArrayLike<number>) => number;

/** Every metric of `metrics` on every task's test outcome (keys in the order given). */
function perTaskValues(outcomes: readonly TaskOutcome[], metrics: Readonly<Record<string, PairMetric>>): MetricTable['perTask'] {
  return outcomes.map((o) => {
    const values: Record<string, number> = {};
    for (const [key, f] of Object.entries(metrics)) values[key] = f(o.y, o.pred);
    return { task: o.task, n: o.y.length, values };
  });
}

/** All tasks' test targets and predictions, concatenated in task order (for pooled metrics). */
function pooled(outcomes: readonly TaskOutcome[]): { y: Float64Array; p: Float64Array } {
  return { y: concat(outcomes, (o) => o.y), p: concat(outcomes, (o) => o.pred) };
}

/**
 * Regression metrics. Per task: mse, rmse, mae, nmse, r2. Aggregates:
 *  mse, rmse, mae — pooled over all test samples; rmse = √(pooled MSE);
 *  nmse — n-weighted mean of per-task nMSE (MALSAR's convention);
 *  explained_variance — 1 − pooled MSE / pooled variance of all test targets around their global
 *    mean (the School convention, Argyriou et al. 2008; Bakker & Heskes 2003);
 *  *_task_avg — plain means of the per-task values (rmse_task_avg = mean of per-task RMSEs;
 *    explained_variance_task_avg = mean of per-task R²).
 */
export function regressionMetrics(outcomes: readonly TaskOutcome[]): MetricTable {
  if (outcomes.length === 0) throw new DataError('regressionMetrics: no tasks');
  const perTask = perTaskValues(outcomes, { mse, rmse, mae, nmse, r2 });
  const excluded: Exclusion[] = [];
  const { y, p } = pooled(outcomes);
  const pooledMse = mse(y, p);
  const pooledVar = variance(y);
  const agg: Record<string, number> = {
    mse: pooledMse,
    rmse: Math.sqrt(pooledMse),
    mae: mae(y, p),
    explained_variance: pooledVar > 0 ? 1 - pooledMse / pooledVar : Number.NaN,
  };
  for (const key of ['mse', 'rmse', 'mae']) agg[`${key}_task_avg`] = aggregateKey(perTask, key, excluded, 'not finite').taskAvg;
  const n = aggregateKey(perTask, 'nmse', excluded, 'constant test targets (variance 0)');
  agg['nmse'] = n.weighted;
  agg['nmse_task_avg'] = n.taskAvg;
  agg['explained_variance_task_avg'] = aggregateKey(perTask, 'r2', [], '').taskAvg;
  agg['tasks_excluded'] = new Set(excluded.map((e) => e.task)).size;
  return { perTask, aggregate: agg, excluded };
}

/**
 * Binary metrics from predicted probabilities. Per task: auc, accuracy, logloss, f1. Aggregates:
 *  auc — n-weighted mean of per-task AUCs (scores of different tasks are not on one scale, so a
 *        single AUC over pooled scores would mix tasks; we average instead);
 *  accuracy, logloss, f1 — pooled over all test samples;
 *  *_task_avg — plain means of the per-task values.
 * A task with one class only gets AUC NaN (excluded, reason given) — never a crash.
 */
export function binaryMetrics(outcomes: readonly TaskOutcome[]): MetricTable {
  if (outcomes.length === 0) throw new DataError('binaryMetrics: no tasks');
  const perTask = perTaskValues(outcomes, { auc, accuracy, logloss, f1 });
  const excluded: Exclusion[] = [];
  const { y, p } = pooled(outcomes);
  const a = aggregateKey(perTask, 'auc', excluded, 'only one class in the test labels (AUC undefined)');
  const agg: Record<string, number> = {
    auc: a.weighted,
    auc_task_avg: a.taskAvg,
    accuracy: accuracy(y, p),
    logloss: logloss(y, p),
    f1: f1(y, p),
    accuracy_task_avg: aggregateKey(perTask, 'accuracy', excluded, 'not finite').taskAvg,
    logloss_task_avg: aggregateKey(perTask, 'logloss', excluded, 'not finite').taskAvg,
    f1_task_avg: aggregateKey(perTask, 'f1', excluded, 'no positives, true or predicted (F1 undefined)').taskAvg,
  };
  agg['tasks_excluded_auc'] = excluded.filter((e) => e.metric === 'auc').length;
  return { perTask, aggregate: agg, excluded };
}

// ---------------------------------------------------------------------------------------------
// Multiclass (src/data/multiclass.ts): y and pred are class indices 0..K−1.

/** Share of rows whose predicted class is the true class. */
export function classAccuracy(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  checkPair(y, pred, 'classAccuracy');
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === pred[i]) ok++;
  return ok / y.length;
}

/**
 * Macro-F1: the mean over classes of F1_c = 2·TP_c / (2·TP_c + FP_c + FN_c), over the classes that
 * occur in y or in pred (a class absent from both has no F1; scikit-learn's `average='macro'` with
 * labels = the classes present). NaN only without rows.
 */
export function macroF1(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  checkPair(y, pred, 'macroF1');
  const tp = new Map<number, number>(), fp = new Map<number, number>(), fn = new Map<number, number>();
  const add = (m: Map<number, number>, c: number): void => { m.set(c, (m.get(c) ?? 0) + 1); };
  for (let i = 0; i < y.length; i++) {
    const a = y[i]!, b = pred[i]!;
    if (a === b) add(tp, a);
    else {
      add(fp, b);
      add(fn, a);
    }
  }
  const classes = new Set([...tp.keys(), ...fp.keys(), ...fn.keys()]);
  let s = 0;
  for (const c of classes) {
    const t = tp.get(c) ?? 0;
    s += (2 * t) / (2 * t + (fp.get(c) ?? 0) + (fn.get(c) ?? 0));
  }
  return s / classes.size;
}

/** Mean cross-entropy −(1/n) Σ log p_i[y_i] of row-major n × K class probabilities (clipped at 1e-15). */
export function crossEntropy(y: ArrayLike<number>, probs: ArrayLike<number>, K: number): number {
  const n = y.length;
  if (probs.length !== n * K) throw new ShapeError(`crossEntropy: ${n} targets but ${probs.length} probabilities for ${K} classes`);
  if (n === 0) throw new DataError('crossEntropy: no samples');
  let s = 0;
  for (let i = 0; i < n; i++) s -= Math.log(Math.max(probs[i * K + y[i]!]!, 1e-15));
  return s / n;
}

/**
 * Multiclass metrics from predicted classes. Per task: accuracy, macro_f1. Aggregates: accuracy
 * pooled over all test samples; *_task_avg the plain means of the per-task values (macro-F1 has no
 * pooled form across tasks whose classes differ in meaning).
 */
export function multiclassMetrics(outcomes: readonly TaskOutcome[]): MetricTable {
  if (outcomes.length === 0) throw new DataError('multiclassMetrics: no tasks');
  const perTask = perTaskValues(outcomes, { accuracy: classAccuracy, macro_f1: macroF1 });
  const excluded: Exclusion[] = [];
  const { y, p } = pooled(outcomes);
  const agg: Record<string, number> = {
    accuracy: classAccuracy(y, p),
    accuracy_task_avg: aggregateKey(perTask, 'accuracy', excluded, 'not finite').taskAvg,
    macro_f1_task_avg: aggregateKey(perTask, 'macro_f1', excluded, 'not finite').taskAvg,
  };
  return { perTask, aggregate: agg, excluded };
}
