// MTL versus single-task learning on repeated splits, with per-task significance and negative
// transfer (docs/evaluation.md). For every split: every model gets its own k-fold CV inside the
// training part only (cv.ts), is refitted on the whole training part with the chosen
// hyper-parameters, and is scored on the test part. Then per model: aggregate metrics mean ± std
// over splits; per task: the primary metric, the relative gain over STL, a paired test over splits
// against STL (Holm-adjusted over tasks), and the transfer flags.
import { OptionError } from '../errors.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { repeatedSplits, subsetDataset, type Split } from '../data/split.ts';
import type { FitDiagnostics, Options, ParamDecl } from '../estimator/contract.ts';
import { Matrix } from '../linalg/matrix.ts';
import { crossValidate, CVFailedError, responses, tally, withChoice, type CVOptions, type CVResult, type FitTally, type Fittable, type Rule } from './cv.ts';
import { deltaM, relativeGain } from './delta-m.ts';
import { binaryMetrics, multiclassMetrics, regressionMetrics, type MetricTable, type TaskOutcome } from './metrics.ts';
import { registryPlan } from './plans.ts';
import { holm, pairedTest, type PairedTestName } from './stats.ts';
import type { ComparisonResult, DatasetSummary, FitCounts, ModelComparison, ModelFailure, Summary, TaskComparison, UnconvergedFit } from './types.ts';
import { scopedContext, unitDescriber, withProgressListener, type ProgressEvent } from '../estimator/progress-scope.ts';

/** The models compare() runs when none are named (those of them that are registered). */
import { DEFAULT_MODELS } from './default-models.ts';
export { DEFAULT_MODELS };

/** How compare builds and tunes one model. registryPlan (plans.ts) gives these for every registered
 * model of any engine; tests inject their own. */
export interface ModelPlan {
  readonly name: string;
  readonly engine?: string;
  /** Set by registryPlan: the plan can be rebuilt by name in a worker thread. */
  readonly registry?: boolean;
  /** How a worker thread rebuilds a plan that is not a registry plan (e.g. a grouping's,
   * src/select/grouped.ts): the named export of the module, called with these (cloneable) args. */
  readonly rebuild?: PlanRebuild;
  /** The single-task baseline of the model's family (default 'stl'). */
  readonly baseline?: string;
  /** A fresh, unfitted estimator with these options. */
  make(options: Options): Fittable;
  /** What the CV tunes: parameter names or declarations ([] = nothing; default: the model's declared tunable ones). */
  readonly params?: readonly (string | ParamDecl)[];
  /** Choose λ per task (tasks independent: stl). */
  readonly perTask?: boolean;
  /** The tops of the tuned grids on a training part (ModelDecl.paramMax). */
  tops?(train: MultiTaskDataset, options: Options): Record<string, number>;
  /** Seconds of one fit on this training part (ModelDecl.estimateSeconds), for workers: 'auto'. */
  estimateSeconds?(train: MultiTaskDataset, options: Options): number;
}

export interface PlanRebuild {
  /** Module URL (import.meta.url of the module that made the plan). */
  readonly module: string;
  readonly export: string;
  readonly args: readonly unknown[];
}

export interface CompareProgress {
  readonly split: number; // 1-based
  readonly splits: number;
  readonly model: string;
  readonly done: number; // (split, model) units finished
  readonly total: number;
}

export interface CompareOptions {
  /** Model names (default DEFAULT_MODELS, restricted to the registered ones); the baseline (STL) is always added. */
  models?: readonly string[];
  /** Builds a model's plan by name (default registryPlan: any registered model of any engine). */
  plans?: (name: string) => ModelPlan;
  /** Given splits (per-task index arrays); otherwise `repeats` random splits (default 10). */
  splits?: readonly Split[];
  repeats?: number;
  /** Test part of each random split (default 0.25). */
  testRatio?: number;
  seed?: number;
  /** CV folds inside each training part (default 5). */
  cvFolds?: number;
  /** CV choice rule (default 'min'). */
  rule?: Rule;
  /** Significance level of the transfer flags (default 0.05). */
  alpha?: number;
  /** Paired test over splits (default: the corrected resampled t-test). */
  test?: PairedTestName;
  /** Options passed to every model (loss, scale, intercept, tol, maxIter, ...). */
  modelOptions?: Options;
  /** Per-model overrides, by model name. */
  perModelOptions?: Readonly<Record<string, Options>>;
  /** CV grid settings (points, decades, points2D, explicit grids). */
  cv?: Pick<CVOptions, 'points' | 'decades' | 'points2D' | 'grid' | 'grid2' | 'grids'>;
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
 * worker thread can send it back by structured clone (src/eval/parallel.ts). A unit that failed
 * (its CV found no usable grid point, its refit threw, a bad split) has `failed` and no table. */
export interface SplitOutcome {
  readonly table?: MetricTable;
  readonly cv?: CVResult;
  /** The refit's diagnostics (null when it failed or the estimator reports none). */
  readonly refit?: FitDiagnostics | null;
  /** The fitted model's summary; only computed on the first split (the report shows that one). */
  readonly fit?: ModelComparison['fit'];
  readonly failed?: string;
  readonly seconds: number;
}

const REGRESSION_KEYS = ['rmse_task_avg', 'rmse', 'mae', 'nmse', 'explained_variance', 'mse', 'mse_task_avg', 'mae_task_avg', 'nmse_task_avg', 'explained_variance_task_avg'];
const MULTICLASS_KEYS = ['accuracy_task_avg', 'accuracy', 'macro_f1_task_avg'];
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
    tasks: ds.tasks.map((t) => (ds.kind === 'binary' ? { name: t.name, n: t.y.length, positives: t.y.filter((v) => v > 0).length }
      : ds.kind === 'multiclass' ? { name: t.name, n: t.y.length, classes: t.classes?.length ?? 0 } : { name: t.name, n: t.y.length })),
    features: ds.featureNames,
  };
}

/** Test-set outcomes of a fitted estimator (on the response scale: probabilities, rates). */
function outcomes(est: Fittable, ds: MultiTaskDataset, test: readonly Int32Array[]): TaskOutcome[] {
  return ds.tasks.map((t, k) => {
    const rows = test[k]!;
    const X = t.X.selectRows(rows);
    const y = Float64Array.from(rows, (i) => t.y[i]!);
    return { task: t.name, y, pred: responses(est, X, t.name, t.kind ?? ds.kind) };
  });
}

/** The options runSplit reads (all plain data, so that they can be posted to a worker thread). */
export type SplitRunOptions = Pick<CompareOptions, 'modelOptions' | 'perModelOptions' | 'cv' | 'cvFolds' | 'rule'>;

/** The seed of split s's CV folds: the same folds for every model of a split (a paired
 * comparison), different folds for different splits. Shared by the sequential and parallel paths. */
export const cvSeedOf = (seed: number, s: number): number => seed + 1000 + s;

/** Runs one model on one split: CV on the training part only, refit, score on the test part.
 * `withFit`: also summarise the fitted model (first split only). Never throws for a failing model:
 * the failure is returned with its message (an abort still throws). */
export function runSplit(plan: ModelPlan, ds: MultiTaskDataset, split: Split, opts: SplitRunOptions, cvSeed: number, withFit: boolean): SplitOutcome {
  const t0 = performance.now();
  let cv: CVResult | undefined;
  try {
    const options: Options = { ...opts.modelOptions, ...opts.perModelOptions?.[plan.name] };
    const train = subsetDataset(ds, split.train);
    const est = plan.make(options);
    cv = crossValidate(est, train, {
      ...opts.cv,
      folds: opts.cvFolds ?? 5,
      seed: cvSeed,
      rule: opts.rule ?? 'min',
      // A hyper-parameter the caller set (e.g. `compare --alpha 2` for relation) is fixed: CV tunes
      // only the others (issue 10: a given value was silently replaced by the grid's choice).
      ...(plan.params !== undefined ? { params: plan.params.filter((p) => options[typeof p === 'string' ? p : p.name] === undefined) } : {}),
      perTask: plan.perTask ?? false,
      tops: plan.tops?.(train, options) ?? {},
    });
    let fitted: Fittable;
    try {
      fitted = withChoice(est, cv).fit(train, scopedContext(undefined) ?? {});
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') throw e;
      return { cv, refit: null, failed: `refit with ${JSON.stringify(cv.chosen)}: ${e instanceof Error ? e.message : String(e)}`, seconds: (performance.now() - t0) / 1000 };
    }
    const out = outcomes(fitted, ds, split.test);
    const table = ds.kind === 'binary' ? binaryMetrics(out) : ds.kind === 'multiclass' ? multiclassMetrics(out) : regressionMetrics(out);
    const fit = withFit ? fitSummary(fitted) : undefined;
    return { table, cv, refit: fitted.diagnostics ?? null, ...(fit ? { fit } : {}), seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    if (e instanceof Error && e.name === 'AbortError') throw e;
    // A CV without a usable grid point still reports the fits it made and why they failed.
    const partial = e instanceof CVFailedError ? e.partial : undefined;
    const cvPart: CVResult | undefined = cv ?? (partial ? { chosen: {}, warnings: [], metric: '', folds: opts.cvFolds ?? 5, fits: partial.diagnostics.fits, diagnostics: partial.diagnostics, failures: partial.failures, seconds: 0 } : undefined);
    return { ...(cvPart ? { cv: cvPart } : {}), failed: e instanceof Error ? e.message : String(e), seconds: (performance.now() - t0) / 1000 };
  }
}

/** The fitted estimator's optional read-only state (linear models), for the first split's fit summary. */
interface Inspectable {
  readonly W?: Matrix;
  readonly info?: { readonly objectiveTrace: readonly number[]; readonly iterations: number; readonly converged: boolean; readonly seconds: number };
  readonly learned?: object;
}

/** The fit summary of the first split (for the report). */
function fitSummary(est: Fittable): ModelComparison['fit'] {
  const e = est as Fittable & Inspectable & { readonly engine?: string; readonly model?: string; readonly diagnostics?: FitDiagnostics };
  const who = typeof e.engine === 'string' && typeof e.model === 'string' ? { engine: e.engine, model: e.model } : {};
  if (!e.info || !e.W) {
    // Models without a solver trace or a linear W (neural): their learned state (training history,
    // gates, cross-stitch matrices) and diagnostics, for the report's engine panels.
    if (!e.learned || !e.diagnostics) return undefined;
    const d = e.diagnostics;
    return { objectiveTrace: [], iterations: d.iterations, converged: d.converged, seconds: d.seconds, W: [], learned: serialiseLearned(e.learned), ...who };
  }
  return {
    ...who,
    objectiveTrace: e.info.objectiveTrace,
    iterations: e.info.iterations,
    converged: e.info.converged,
    seconds: e.info.seconds,
    W: e.W.toArray(),
    learned: serialiseLearned(e.learned),
  };
}

export function resolveModels(opts: CompareOptions): ModelPlan[] {
  const plans = opts.plans ?? ((n: string) => registryPlan(n));
  let names: string[];
  if (opts.models) {
    if (opts.models.length === 0) throw new OptionError('models', 'needs at least one model name');
    names = [...opts.models];
  } else {
    // The default list, without the models that are not available (explicit requests still fail).
    names = DEFAULT_MODELS.filter((n) => {
      try {
        plans(n);
        return true;
      } catch (e) {
        if (e instanceof OptionError) return false;
        throw e;
      }
    });
  }
  // Every family's single-task baseline is compared too (stl for linear models, stl-mlp for
  // neural ones), first model's family first.
  const baselines = [...new Set(names.map((n) => plans(n).baseline ?? 'stl'))];
  names = [...baselines, ...names.filter((n) => !baselines.includes(n))];
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(n) && seen.add(n)).map((n) => plans(n));
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
    // runSplit records a failing model's error in its outcome; the comparison goes on.
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
export function compare(ds: MultiTaskDataset, opts: CompareOptions = {}): ComparisonResult {
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

/** Every fit of one model over the splits, counted: CV fits per split and fold, refits, failures,
 * unconverged fits and the CV's edge warnings (ModelComparison's accounting fields). */
export function fitAccounting(res: readonly SplitOutcome[]): Pick<ModelComparison, 'fits' | 'fits_per_split' | 'unconverged' | 'failures' | 'units_failed' | 'cv_warnings'> {
  const counts = (t: FitTally, refit: FitDiagnostics | null | undefined, refitFailed: boolean): FitCounts => {
    const opt = refit?.optimality ?? null;
    const worst = t.worstOptimality === null ? opt : opt === null ? t.worstOptimality : Math.max(t.worstOptimality, opt);
    const backends = new Set(t.backends);
    if (refit) backends.add(refit.backend);
    const hasRefit = refit !== undefined && refit !== null;
    return {
      total: t.fits + (hasRefit || refitFailed ? 1 : 0),
      unconverged: t.unconverged + (hasRefit && !refit.converged ? 1 : 0),
      failed: t.failed + (refitFailed ? 1 : 0),
      worst_optimality: worst,
      seconds: t.seconds + (refit?.seconds ?? 0),
      backends: [...backends].sort(),
    };
  };
  const empty = tally([], 0);
  const perSplit = res.map((r, s) => {
    const refitFailed = r.failed !== undefined && r.refit === null;
    return {
      split: s + 1,
      ...counts(r.cv?.diagnostics ?? empty, r.refit, refitFailed),
      per_fold: (r.cv?.diagnostics.perFold ?? []).map((f, i) => ({ fold: i + 1, ...f })),
      refit: r.refit ? { converged: r.refit.converged, optimality: r.refit.optimality, iterations: r.refit.iterations, seconds: r.refit.seconds, backend: r.refit.backend } : null,
    };
  });
  const unconverged: UnconvergedFit[] = [];
  const failures: ModelFailure[] = [];
  const warnings: { split: number; warning: string }[] = [];
  res.forEach((r, s) => {
    for (const u of r.cv?.diagnostics.unconvergedFits ?? []) unconverged.push({ split: s + 1, fold: u.fold, params: u.params, optimality: u.optimality, ...(u.message !== undefined ? { message: u.message } : {}) });
    if (r.refit && !r.refit.converged) unconverged.push({ split: s + 1, fold: null, params: r.cv?.chosen ?? {}, optimality: r.refit.optimality, ...(r.refit.message !== undefined ? { message: r.refit.message } : {}) });
    for (const f of r.cv?.failures ?? []) failures.push({ split: s + 1, fold: f.fold, stage: 'cv', params: f.params, message: f.message });
    if (r.failed !== undefined) failures.push({ split: s + 1, fold: null, stage: r.refit === null ? 'refit' : 'unit', message: r.failed });
    for (const w of r.cv?.warnings ?? []) warnings.push({ split: s + 1, warning: w });
  });
  const sum = (k: 'total' | 'unconverged' | 'failed' | 'seconds'): number => perSplit.reduce((a, p) => a + p[k], 0);
  const worsts = perSplit.map((p) => p.worst_optimality).filter((v): v is number => v !== null);
  return {
    fits: {
      total: sum('total'),
      unconverged: sum('unconverged'),
      failed: sum('failed'),
      worst_optimality: worsts.length > 0 ? Math.max(...worsts) : null,
      seconds: sum('seconds'),
      backends: [...new Set(perSplit.flatMap((p) => p.backends))].sort(),
    },
    fits_per_split: perSplit,
    unconverged: unconverged.slice(0, 50),
    failures,
    units_failed: res.filter((r) => r.failed !== undefined).length,
    cv_warnings: warnings,
  };
}

/** The comparison result from every (split, model) outcome, bySplit[s][m] in plan order.
 * `note`: an extra protocol caveat (e.g. why worker threads were not used). */
export function aggregateComparison(ds: MultiTaskDataset, opts: CompareOptions, prep: PreparedComparison, bySplit: readonly (readonly SplitOutcome[])[], note?: string): ComparisonResult {
  const { plans, splits, given, seed, alpha, testName } = prep;
  // Multiclass: accuracy, higher is better (its Δm sign as AUC's: delta-m.ts).
  const multiclass = ds.kind === 'multiclass';
  const regression = ds.kind !== 'binary' && !multiclass;
  const primary: 'rmse' | 'auc' | 'accuracy' = multiclass ? 'accuracy' : regression ? 'rmse' : 'auc';
  const higherIsBetter = !regression;
  // results[m][s]
  const results: SplitOutcome[][] = plans.map((_, m) => bySplit.map((row) => row[m]!));

  // Per task n_test/n_train averaged over splits (the corrected t-test's correlation term).
  const ratio = ds.tasks.map((_, t) => splits.reduce((acc, sp) => acc + sp.test[t]!.length / sp.train[t]!.length, 0) / splits.length);
  const overallRatio = splits.reduce((acc, sp) => acc + sum(sp.test.map((a) => a.length)) / sum(sp.train.map((a) => a.length)), 0) / splits.length;
  const nTest = ds.tasks.map((_, t) => Math.round(splits.reduce((acc, sp) => acc + sp.test[t]!.length, 0) / splits.length));
  const perTaskPrimary = (m: number, s: number): number[] => results[m]![s]!.table?.perTask.map((p) => p.values[primary]!) ?? ds.tasks.map(() => Number.NaN);
  const aggregateOf = (r: SplitOutcome, k: string): number => r.table?.aggregate[k] ?? Number.NaN;
  // Each model is judged against the single-task baseline of its own family (linear: stl, neural:
  // stl-mlp); resolveModels puts every family's baseline first, so their rows are there.
  const baseOf = (plan: ModelPlan): number => Math.max(0, plans.findIndex((p) => p.name === (plan.baseline ?? 'stl')));
  const keys = multiclass ? MULTICLASS_KEYS : regression ? REGRESSION_KEYS : BINARY_KEYS;
  const oneSplit = splits.length < 2;

  const models: ModelComparison[] = plans.map((plan, m) => {
    const res = results[m]!;
    const stl = baseOf(plan);
    const metrics: Record<string, Summary> = {};
    for (const k of keys) metrics[k] = summary(res.map((r) => aggregateOf(r, k)));
    const excluded: Record<string, number> = {};
    for (const r of res) for (const e of r.table?.excluded ?? []) excluded[e.metric] = (excluded[e.metric] ?? 0) + 1;

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
    const aggDiff = res.map((r, s) => aggregateOf(r, aggKey) - aggregateOf(results[stl]![s]!, aggKey));
    const aggP = m !== stl && aggDiff.length >= 2 && aggDiff.every(Number.isFinite) ? pairedTest(testName, aggDiff, overallRatio).p : Number.NaN;
    const first = res[0]!;
    const fit = first.fit;
    const honesty = fitAccounting(res);
    const out: ModelComparison = {
      name: plan.name,
      metrics,
      tasks,
      delta_m: m === stl ? 0 : finiteOrNull(summary(dm).mean),
      baseline: plans[stl]!.name,
      vs_stl: { metric: aggKey, mean_difference: summary(aggDiff).mean, p_value: finiteOrNull(aggP) },
      chosen: res.map((r) => r.cv?.chosen ?? {}),
      ...(plan.perTask ? { chosenPerTask: res.map((r) => r.cv?.perTaskLambda ?? {}) } : {}),
      ...(Object.keys(excluded).length > 0 ? { excluded } : {}),
      ...(first.cv?.curve ? { cv: first.cv.curve } : {}),
      ...(fit ? { fit } : {}),
      ...honesty,
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
    baseline: plans[0]!.name,
    models,
  };
}
