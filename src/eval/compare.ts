// MTL versus single-task learning on repeated splits, with per-task significance and negative
// transfer (docs/evaluation.md). For every split: every model gets its own k-fold CV inside the
// training part only (cv.ts), is refitted on the whole training part with the chosen
// hyper-parameters, and is scored on the test part. Then per model: aggregate metrics mean ± std
// over splits; per task: the primary metric, the relative gain over STL, a paired test over splits
// against STL (Holm-adjusted over tasks), and the transfer flags.
import { OptionError } from '../errors.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { repeatedSplits, subsetDataset, type Split } from '../data/split.ts';
import { Matrix } from '../linalg/matrix.ts';
import type { FitInfo, ModelOptions } from '../linear/types.ts';
import { crossValidate, probabilities, withChoice, type CVOptions, type CVResult, type Fittable, type Rule, type TunedParam } from './cv.ts';
import { deltaM, relativeGain } from './delta-m.ts';
import { defaultLambdaTop } from './grid.ts';
import { binaryMetrics, regressionMetrics, type MetricTable, type TaskOutcome } from './metrics.ts';
import { holm, pairedTest, type PairedTestName } from './stats.ts';
import type { ComparisonResult, DatasetSummary, ModelComparison, Summary, TaskComparison } from './types.ts';
import { unitDescriber, withProgressListener, type ProgressEvent } from '../estimator/progress-scope.ts';

export const DEFAULT_MODELS = ['stl', 'pooled', 'mean', 'chain', 'l21', 'trace', 'cmtl', 'mtrl'] as const;

/** How compare builds and tunes one model. The registry gives these for the real models
 * (registryPlan in plans.ts); tests inject their own. */
export interface ModelPlan {
  readonly name: string;
  /** A fresh, unfitted estimator with these options. */
  make(options: ModelOptions): Fittable;
  /** What the CV tunes ([] = nothing). */
  readonly params: readonly TunedParam[];
  /** Choose λ per task (tasks independent: stl). */
  readonly perTask?: boolean;
  /** λ_max on a training part, where the model has one. */
  lambdaMax?(train: MultiTaskDataset, options: ModelOptions): number | undefined;
  /** The training part as the model will see it (e.g. standardised), for the data-scaled grid;
   * default: as given. */
  fittedData?(train: MultiTaskDataset, options: ModelOptions): MultiTaskDataset;
}

/** The fitted estimator's optional read-only state, used for the first split's fit summary. */
interface Inspectable {
  readonly W?: Matrix;
  readonly info?: FitInfo;
  readonly learned?: object;
}

export interface CompareProgress {
  readonly split: number; // 1-based
  readonly splits: number;
  readonly model: string;
  readonly done: number; // (split, model) units finished
  readonly total: number;
}

export interface CompareOptions {
  /** Model names (default DEFAULT_MODELS, restricted to the models `plans` can build); STL is always added. */
  models?: readonly string[];
  /** Builds a model's plan by name; throws OptionError for unknown names. */
  plans: (name: string) => ModelPlan;
  /** Given splits (per-task index arrays); otherwise `repeats` random splits. */
  splits?: readonly Split[];
  repeats?: number;
  testRatio?: number;
  seed?: number;
  cvFolds?: number;
  rule?: Rule;
  alpha?: number;
  /** Paired test over splits (default: the corrected resampled t-test). */
  test?: PairedTestName;
  /** Options passed to every model (loss, scale, intercept, tol, maxIter, ...). */
  modelOptions?: ModelOptions;
  /** Per-model overrides, by model name. */
  perModelOptions?: Readonly<Record<string, ModelOptions>>;
  /** CV grid settings (points, decades, points2D, explicit grids). */
  cv?: Pick<CVOptions, 'points' | 'decades' | 'points2D' | 'grid' | 'grid2'>;
  onProgress?: (p: CompareProgress) => void;
  /** What a running unit is doing (CV fit, solver iteration), at most about once a second per
   * worker thread; sequential runs report every event (the listener throttles). */
  onUnitProgress?: (p: UnitProgress) => void;
}

export interface UnitProgress {
  readonly split: number; // 1-based
  readonly splits: number;
  readonly model: string;
  /** (split, model) units in the whole comparison. */
  readonly total: number;
  /** e.g. 'fit 12/50: fold 3/5, lambda = 0.01' or 'fista iteration 812/20000, optimality …' */
  readonly detail: string;
}

/** One model's outcome on one split: plain data only (typed arrays, numbers, strings), so that a
 * worker thread can send it back by structured clone (src/eval/parallel.ts). */
export interface SplitOutcome {
  readonly table: MetricTable;
  readonly cv: CVResult;
  /** The fitted model's summary; only computed on the first split (the report shows that one). */
  readonly fit?: ModelComparison['fit'];
  readonly seconds: number;
}

const REGRESSION_KEYS = ['rmse_task_avg', 'rmse', 'mae', 'nmse', 'explained_variance', 'mse', 'mse_task_avg', 'mae_task_avg', 'nmse_task_avg', 'explained_variance_task_avg'];
const BINARY_KEYS = ['auc_task_avg', 'auc', 'accuracy', 'logloss', 'f1', 'accuracy_task_avg', 'logloss_task_avg', 'f1_task_avg'];

function summary(values: readonly number[]): Summary {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  const mean = n > 0 ? v.reduce((s, x) => s + x, 0) / n : Number.NaN;
  const std = n > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : n === 1 ? 0 : Number.NaN;
  return { mean, std, values };
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Matrices and typed arrays of a learned structure as plain nested arrays (JSON-ready). */
export function serialiseLearned(learned: object | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!learned) return out;
  for (const [k, v] of Object.entries(learned)) {
    if (v instanceof Matrix) out[k] = v.toArray();
    else if (ArrayBuffer.isView(v)) out[k] = Array.from(v as unknown as ArrayLike<number>);
    else out[k] = v;
  }
  return out;
}

function datasetSummary(ds: MultiTaskDataset): DatasetSummary {
  return {
    source: ds.source ?? 'dataset',
    kind: ds.kind,
    layout: ds.layout,
    tasks: ds.tasks.map((t) => (ds.kind === 'binary' ? { name: t.name, n: t.y.length, positives: t.y.filter((v) => v > 0).length } : { name: t.name, n: t.y.length })),
    features: ds.featureNames,
  };
}

/** Test-set outcomes of a fitted estimator (binary: probabilities). */
function outcomes(est: Fittable, ds: MultiTaskDataset, test: readonly Int32Array[]): TaskOutcome[] {
  return ds.tasks.map((t, k) => {
    const rows = test[k]!;
    const X = t.X.selectRows(rows);
    const y = Float64Array.from(rows, (i) => t.y[i]!);
    const pred = ds.kind === 'binary' ? probabilities(est, X, t.name) : est.predict(X, t.name);
    return { task: t.name, y, pred };
  });
}

/** The options runSplit reads (all plain data, so that they can be posted to a worker thread). */
export type SplitRunOptions = Pick<CompareOptions, 'modelOptions' | 'perModelOptions' | 'cv' | 'cvFolds' | 'rule'>;

/** The seed of split s's CV folds: the same folds for every model of a split (a paired
 * comparison), different folds for different splits. Shared by the sequential and parallel paths. */
export const cvSeedOf = (seed: number, s: number): number => seed + 1000 + s;

/** Runs one model on one split: CV on the training part only, refit, score on the test part.
 * `withFit`: also summarise the fitted model (first split only). */
export function runSplit(plan: ModelPlan, ds: MultiTaskDataset, split: Split, opts: SplitRunOptions, cvSeed: number, withFit: boolean): SplitOutcome {
  const t0 = performance.now();
  const options: ModelOptions = { ...opts.modelOptions, ...opts.perModelOptions?.[plan.name] };
  const train = subsetDataset(ds, split.train);
  const est = plan.make(options);
  const lambdaMax = plan.params.includes('lambda') ? plan.lambdaMax?.(train, options) : undefined;
  const defaultTop = defaultLambdaTop(plan.fittedData ? plan.fittedData(train, options) : train, options.scale ?? 'mean', options.loss);
  const cv = crossValidate(est, train, {
    ...opts.cv,
    folds: opts.cvFolds ?? 5,
    seed: cvSeed,
    rule: opts.rule ?? 'min',
    params: plan.params,
    perTask: plan.perTask ?? false,
    ...(lambdaMax !== undefined ? { lambdaMax } : {}),
    defaultTop,
  });
  const fitted = withChoice(est, cv).fit(train);
  const out = outcomes(fitted, ds, split.test);
  const table = ds.kind === 'binary' ? binaryMetrics(out) : regressionMetrics(out);
  const fit = withFit ? fitSummary(fitted) : undefined;
  return { table, cv, ...(fit ? { fit } : {}), seconds: (performance.now() - t0) / 1000 };
}

/** The fit summary of the first split (for the report). */
function fitSummary(est: Fittable): ModelComparison['fit'] {
  const e = est as Fittable & Inspectable;
  if (!e.info || !e.W) return undefined;
  return {
    objectiveTrace: e.info.objectiveTrace,
    iterations: e.info.iterations,
    converged: e.info.converged,
    seconds: e.info.seconds,
    W: e.W.toArray(),
    learned: serialiseLearned(e.learned),
  };
}

export function resolveModels(opts: CompareOptions): ModelPlan[] {
  let names: string[];
  if (opts.models) {
    if (opts.models.length === 0) throw new OptionError('models', 'needs at least one model name');
    names = [...opts.models];
  } else {
    // The default list, without the models that are not available (explicit requests still fail).
    names = DEFAULT_MODELS.filter((n) => {
      try {
        opts.plans(n);
        return true;
      } catch (e) {
        if (e instanceof OptionError) return false;
        throw e;
      }
    });
  }
  names = ['stl', ...names.filter((n) => n !== 'stl')];
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(n) && seen.add(n)).map((n) => opts.plans(n));
}

/** A validated comparison: the model plans (STL first) and the splits, before any fitting. */
export interface PreparedComparison {
  readonly plans: readonly ModelPlan[];
  readonly splits: readonly Split[];
  readonly given: boolean;
  readonly seed: number;
  readonly alpha: number;
  readonly testName: PairedTestName;
}

/** Checks the options and fixes the models and splits (shared by compare and compareAsync). */
export function prepareComparison(ds: MultiTaskDataset, opts: CompareOptions): PreparedComparison {
  const alpha = opts.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new OptionError('alpha', `must be strictly between 0 and 1, got ${alpha}`);
  const testName: PairedTestName = opts.test ?? 'corrected-t';
  if (!['corrected-t', 'paired-t', 'wilcoxon'].includes(testName)) throw new OptionError('test', `unknown test "${String(testName)}" (available: corrected-t, paired-t, wilcoxon)`);
  if (opts.rule !== undefined && opts.rule !== 'min' && opts.rule !== '1se') throw new OptionError('rule', `must be "min" or "1se", got "${String(opts.rule)}"`);
  if (opts.cvFolds !== undefined && !(Number.isInteger(opts.cvFolds) && opts.cvFolds >= 2)) throw new OptionError('cvFolds', `must be an integer ≥ 2, got ${opts.cvFolds}`);
  const seed = opts.seed ?? 0;
  const plans = resolveModels(opts);
  const given = opts.splits !== undefined;
  const splits = opts.splits ?? repeatedSplits(ds, opts.repeats ?? 10, { testRatio: opts.testRatio ?? 0.25, seed });
  if (splits.length === 0) throw new OptionError('splits', 'needs at least one split');
  return { plans, splits, given, seed, alpha, testName };
}

/** All models on split s, in plan order, reporting each finished model. */
export function runAllModels(plans: readonly ModelPlan[], ds: MultiTaskDataset, split: Split, s: number, seed: number, opts: SplitRunOptions, onModelDone?: (model: string) => void, onEvent?: (model: string, e: ProgressEvent) => void): SplitOutcome[] {
  return plans.map((plan) => {
    const r = withProgressListener(onEvent && ((e) => onEvent(plan.name, e)), () => runSplit(plan, ds, split, opts, cvSeedOf(seed, s), s === 0));
    onModelDone?.(plan.name);
    return r;
  });
}

/** Forwards a sequential run's events as UnitProgress (one describer per model, so that its fit
 * labels do not leak into the next model's lines). */
function unitReporter(report: (p: UnitProgress) => void, split: number, splits: number, total: number): (model: string, e: ProgressEvent) => void {
  let model = '';
  let describe = unitDescriber();
  return (m, e) => {
    if (m !== model) {
      model = m;
      describe = unitDescriber();
    }
    report({ split, splits, model: m, total, detail: describe(e) });
  };
}

/**
 * Compares models against STL on repeated splits. Significance: per task, a paired test over the
 * splits of the primary metric (default: Nadeau & Bengio's corrected resampled t-test with the
 * task's n_test/n_train), Holm-adjusted over the tasks of each model; negative transfer = adjusted
 * p < α and the model worse than STL. With one split no test is possible: p-values are null.
 * Runs in the calling thread; compareAsync (parallel.ts) can run the splits on worker threads and
 * returns the same result.
 */
export function compare(ds: MultiTaskDataset, opts: CompareOptions): ComparisonResult {
  const t0 = performance.now();
  const prep = prepareComparison(ds, opts);
  const { plans, splits } = prep;
  // bySplit[s][m]
  const total = plans.length * splits.length;
  let done = 0;
  const bySplit = splits.map((split, s) =>
    runAllModels(
      plans,
      ds,
      split,
      s,
      prep.seed,
      opts,
      (model) => {
        done++;
        opts.onProgress?.({ split: s + 1, splits: splits.length, model, done, total });
      },
      opts.onUnitProgress && unitReporter(opts.onUnitProgress, s + 1, splits.length, total),
    ),
  );
  return { ...aggregateComparison(ds, opts, prep, bySplit), wallSeconds: (performance.now() - t0) / 1000, workers: 1 };
}

/** The comparison result from every (split, model) outcome, bySplit[s][m] in plan order.
 * `note`: an extra protocol caveat (e.g. why worker threads were not used). */
export function aggregateComparison(ds: MultiTaskDataset, opts: CompareOptions, prep: PreparedComparison, bySplit: readonly (readonly SplitOutcome[])[], note?: string): ComparisonResult {
  const { plans, splits, given, seed, alpha, testName } = prep;
  const regression = ds.kind !== 'binary';
  const primary: 'rmse' | 'auc' = regression ? 'rmse' : 'auc';
  const higherIsBetter = !regression;
  // results[m][s]
  const results: SplitOutcome[][] = plans.map((_, m) => bySplit.map((row) => row[m]!));

  // Per task n_test/n_train averaged over splits (the corrected t-test's correlation term).
  const ratio = ds.tasks.map((_, t) => splits.reduce((acc, sp) => acc + sp.test[t]!.length / sp.train[t]!.length, 0) / splits.length);
  const overallRatio = splits.reduce((acc, sp) => acc + sum(sp.test.map((a) => a.length)) / sum(sp.train.map((a) => a.length)), 0) / splits.length;
  const nTest = ds.tasks.map((_, t) => Math.round(splits.reduce((acc, sp) => acc + sp.test[t]!.length, 0) / splits.length));
  const perTaskPrimary = (m: number, s: number): number[] => results[m]![s]!.table.perTask.map((p) => p.values[primary]!);
  const stl = 0; // resolveModels puts STL first
  const keys = regression ? REGRESSION_KEYS : BINARY_KEYS;
  const oneSplit = splits.length < 2;

  const models: ModelComparison[] = plans.map((plan, m) => {
    const res = results[m]!;
    const metrics: Record<string, Summary> = {};
    for (const k of keys) metrics[k] = summary(res.map((r) => r.table.aggregate[k]!));
    const excluded: Record<string, number> = {};
    for (const r of res) for (const e of r.table.excluded) excluded[e.metric] = (excluded[e.metric] ?? 0) + 1;

    const pRaw: number[] = [];
    const rows = ds.tasks.map((task, t) => {
      const mine = res.map((_, s) => perTaskPrimary(m, s)[t]!);
      const base = res.map((_, s) => perTaskPrimary(stl, s)[t]!);
      const pairs = mine.map((v, s) => [v, base[s]!] as const).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
      const gains = pairs.map(([a, b]) => relativeGain(a, b, higherIsBetter)).filter(Number.isFinite);
      let p = Number.NaN;
      if (m !== stl && pairs.length >= 2) p = pairedTest(testName, pairs.map(([a, b]) => a - b), ratio[t]!).p;
      pRaw.push(p);
      return { task: task.name, value: summary(mine).mean, gain: gains.length > 0 ? gains.reduce((a, b) => a + b, 0) / gains.length : Number.NaN, p };
    });
    const pAdj = holm(pRaw);
    const tasks: TaskComparison[] = rows.map((r, t) => {
      const significant = Number.isFinite(pAdj[t]!) && pAdj[t]! < alpha;
      return {
        task: r.task,
        n_test: nTest[t]!,
        [primary]: finiteOrNull(r.value),
        gain_over_stl: m === stl ? 0 : r.gain,
        p_value: finiteOrNull(r.p),
        p_adjusted: finiteOrNull(pAdj[t]!),
        negative_transfer: significant && r.gain < 0,
        positive_transfer: significant && r.gain > 0,
      };
    });
    const dm = res.map((_, s) => deltaM(perTaskPrimary(m, s), perTaskPrimary(stl, s), higherIsBetter).value);
    // Model-level test on the task-averaged primary metric, n_test/n_train over all tasks.
    const aggKey = `${primary}_task_avg`;
    const aggDiff = res.map((r, s) => r.table.aggregate[aggKey]! - results[stl]![s]!.table.aggregate[aggKey]!);
    const aggP = m !== stl && aggDiff.length >= 2 && aggDiff.every(Number.isFinite) ? pairedTest(testName, aggDiff, overallRatio).p : Number.NaN;
    const first = res[0]!;
    const fit = first.fit;
    const out: ModelComparison = {
      name: plan.name,
      metrics,
      tasks,
      delta_m: m === stl ? 0 : finiteOrNull(summary(dm).mean),
      vs_stl: { metric: aggKey, mean_difference: summary(aggDiff).mean, p_value: finiteOrNull(aggP) },
      chosen: res.map((r) => r.cv.chosen),
      ...(plan.perTask ? { chosenPerTask: res.map((r) => r.cv.perTaskLambda ?? {}) } : {}),
      ...(Object.keys(excluded).length > 0 ? { excluded } : {}),
      ...(first.cv.curve ? { cv: first.cv.curve } : {}),
      ...(fit ? { fit } : {}),
      seconds: res.reduce((a, r) => a + r.seconds, 0),
    };
    return out;
  });

  const testLabel = { 'corrected-t': 'corrected resampled t-test (Nadeau & Bengio 2003)', 'paired-t': 'paired t-test', wilcoxon: 'Wilcoxon signed-rank test' }[testName];
  return {
    dataset: datasetSummary(ds),
    protocol: {
      splits: splits.length,
      splitSource: given ? 'given' : 'random',
      ...(given ? {} : { testRatio: opts.testRatio ?? 0.25 }),
      seed,
      cvFolds: opts.cvFolds ?? 5,
      rule: opts.rule ?? 'min',
      alpha,
      test: `${testLabel} over splits, Holm over tasks`,
      ...(oneSplit || note ? { note: [oneSplit ? 'one split only: significance cannot be assessed (p-values are null, no transfer flags)' : '', note ?? ''].filter((x) => x).join('; ') } : {}),
    },
    primaryMetric: primary,
    higherIsBetter,
    baseline: 'stl',
    models,
  };
}
