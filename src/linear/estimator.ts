// MTLEstimator: the one scikit-learn-like face of every linear MTL model, and the linear engine's
// implementation of the engine-neutral Estimator contract (src/estimator/contract.ts).
//
//   const est = new MTLEstimator('cmtl', { rho1: 1, rho2: 0.1 }); // every option validated here against the model's declarations
//   est.fit(ds, { onProgress, signal });                     // → this (ctx optional; ctx.warm along a λ path)
//   est.predict(X, 'task name');                             // linear predictor: value / logit / log-rate
//   est.predictResponse(X, 'task name');                     // through the loss's link: value / P(y = +1) / rate
//   est.predictProba(X, 'task name');                        // binary tasks only: P(y = +1)
//   est.score(ds);                                           // task-averaged R² or accuracy
//   const json = est.toJSON(); MTLEstimator.fromJSON(json);  // identical predictions
//   est.clone({ lambda: 1 });                                // unfitted, merged options (CV)
//
// score(ds): regression — the mean over the tasks of ds of R²_t = 1 − SS_res/SS_tot (SS_tot about
// the task's own mean; a task with constant targets scores 1 when predicted exactly, else 0, as
// scikit-learn); binary — the mean over tasks of the per-task accuracy, predicting +1 when the
// decision value is > 0. Sample weights are not used in scoring.
//
// Learned state (W, intercepts, info, learned, taskNames, featureNames) is exposed through getters
// that return copies, so callers cannot change a fitted model by mutating what they were given.
import {
  ConvergenceError, FeatureMismatchError, ModelFileError, NotFittedError, OptionError, UnknownTaskError, UnsupportedError,
} from '../errors.ts';
import { taskKinds, type LabelMap, type MultiTaskDataset, type TaskKind } from '../data/dataset.ts';
import {
  applyStandardizer, fitStandardizer, standardizeDataset, standardizerFromJSON, standardizerToJSON, type Standardizer,
} from '../data/preprocess.ts';
import type { Estimator, EstimatorJSON, FitContext, FitDiagnostics, Options } from '../estimator/contract.ts';
import { validateOptions, withDefaults } from '../estimator/params.ts';
import { backendName } from '../linalg/backend.ts';
import { Matrix } from '../linalg/matrix.ts';
import { VERSION } from '../version.ts';
import { getLoss, lossForKind } from './loss/registry.ts';
import { checkStructuredOptions } from './models/common.ts';
import { buildProblem } from './problem.ts';
import { getModelSpec } from './registry.ts';
import type { FitInfo, FitResult, LearnedStructure, ModelJSON, ModelName, ModelOptions, ModelSpec, SolverHooks, StandardizerJSON, WarmStart, PathReuse } from './types.ts';

/** The model-file format this version writes (2: the engine-neutral EstimatorJSON; 1 is still read). */
export const FORMAT_VERSION = 2;

/** Checks option names and values against the model's declarations; throws OptionError naming the
 * option and its flag. */
export function validateModelOptions(spec: ModelSpec, options: ModelOptions | Options): void {
  validateOptions(spec.params, spec.name, options as Options);
  checkStructuredOptions(options as ModelOptions);
}

/** formatVersion 1 files stored every model's weights as lambda / lambda2; the papers' names since 2. */
const V1_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  cmtl: { lambda: 'rho1', lambda2: 'rho2' },
  relation: { lambda: 'alpha', lambda2: 'beta' },
  mtrl: { lambda: 'lambda2', lambda2: 'lambda1' },
  tgl: { lambda: 'theta2', lambda2: 'theta3' },
  dirty: { lambda: 'lambdaP', lambda2: 'lambdaQ' },
  'sparse-lowrank': { lambda: 'lambdaP', lambda2: 'lambdaQ' },
  robust: { lambda: 'lambdaP', lambda2: 'lambdaQ' },
  rmtfl: { lambda: 'lambdaP', lambda2: 'lambdaQ' },
};

/** The options of a formatVersion 1 model file under the current names. */
export function optionsFromV1(model: string, options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const map = V1_NAMES[model] ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) out[map[k] ?? k] = v;
  return out;
}

/** A formatVersion 1 payload (ModelJSON, validated by the caller) as a formatVersion 2 EstimatorJSON:
 * option names mapped (optionsFromV1), the weights and fit record moved into `state`. */
export function estimatorJSONFromV1(json: unknown): EstimatorJSON {
  const j = json as ModelJSON;
  const state: LinearState = {
    loss: (j.options.loss as string | undefined) ?? lossForKind(j.kind).name,
    ...(j.labelMap !== undefined ? { labelMap: j.labelMap } : {}),
    ...(j.standardizer !== undefined ? { standardizer: j.standardizer } : {}),
    W: j.W,
    intercepts: j.intercepts,
    info: j.info,
    learned: j.learned,
  };
  return {
    format: 'polytask-model',
    formatVersion: FORMAT_VERSION,
    polytaskVersion: j.polytaskVersion,
    engine: 'linear',
    model: j.model,
    options: optionsFromV1(j.model, j.options as Record<string, unknown>) as Options,
    taskNames: j.taskNames,
    taskKinds: j.taskNames.map(() => j.kind),
    featureNames: j.featureNames,
    ...(j.labelMap !== undefined ? { labelMap: j.labelMap } : {}),
    state,
  };
}

/** The engine-specific state of a fitted linear model (EstimatorJSON.state). */
export interface LinearState {
  /** The loss that was fitted (its link turns predict into predictResponse). */
  readonly loss: string;
  readonly labelMap?: { readonly negative: string; readonly positive: string };
  readonly standardizer?: StandardizerJSON;
  readonly W: readonly (readonly number[])[]; // d rows × T columns
  readonly intercepts: readonly number[];
  readonly info: FitInfo;
  readonly learned: Readonly<Record<string, unknown>>;
  /** Kernel backend the fit ran on. */
  readonly backend?: string;
}

interface Fitted {
  readonly result: FitResult;
  readonly warm?: WarmStart;
  readonly loss: string;
  readonly kinds: readonly TaskKind[];
  readonly labelMap?: LabelMap;
  readonly taskNames: readonly string[];
  readonly featureNames: readonly string[];
  readonly standardizer?: Standardizer;
  readonly backend: string;
}

export class MTLEstimator implements Estimator {
  readonly engine = 'linear';
  readonly model: ModelName;
  /** The options as given plus every declared default (what model files store). */
  readonly options: Readonly<ModelOptions>;
  private readonly spec: ModelSpec;
  private state: Fitted | null = null;

  constructor(model: ModelName | string, options: ModelOptions | Options = {}) {
    this.spec = getModelSpec(model);
    this.model = this.spec.name;
    validateModelOptions(this.spec, options);
    this.options = Object.freeze(structuredClone(withDefaults(this.spec.params, options as Options)) as ModelOptions);
  }

  /** Fits on every sample of ds. ctx.warm: a previous fit's warmStart (e.g. along a λ path);
   * ctx.onProgress / ctx.signal: progress reports and cancellation inside the solver's loop. */
  fit(ds: MultiTaskDataset, ctx: FitContext = {}): this {
    const mode = this.options.standardize ?? 'none';
    // Along a λ path (CV warm starts) on the same dataset object with the same data options, reuse the
    // previous fit's Problem: its Gram form and loss caches are then built once per path, not per λ.
    const key = `${mode}|${this.options.loss ?? ''}|${this.options.scale ?? ''}|${this.options.intercept ?? ''}`;
    const prior = (ctx.warm as WarmStart | undefined)?.path;
    const reuse = prior !== undefined && prior.dataset === ds && prior.key === key ? prior : undefined;
    const standardizer = mode === 'none' ? undefined : reuse ? (reuse.standardizer as Standardizer) : fitStandardizer(ds, mode);
    const problem = reuse?.problem ?? buildProblem(standardizer ? standardizeDataset(ds, standardizer) : ds, {
      ...(this.options.loss !== undefined && { loss: this.options.loss }),
      ...(this.options.scale !== undefined && { scale: this.options.scale }),
      ...(this.options.intercept !== undefined && { intercept: this.options.intercept }),
    });
    const path: PathReuse = { dataset: ds, key, problem, ...(standardizer !== undefined && { standardizer }) };
    const onProgress = ctx.onProgress;
    const hooks: SolverHooks | undefined = onProgress || ctx.signal
      ? {
          ...(onProgress ? { onProgress: (iteration: number, optimality: number, detail?: string) => onProgress({ detail: `${this.model}: ${detail ?? ''}`, iteration, optimality }) } : {}),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        }
      : undefined;
    const out = this.spec.fit(problem, this.options, ctx.warm as WarmStart | undefined, hooks);
    if (!out.info.converged && this.options.requireConvergence) throw new ConvergenceError(`${this.model}: ${out.info.message ?? 'did not converge'}`);
    this.state = {
      result: { W: out.W.clone(), intercepts: Float64Array.from(out.intercepts), info: out.info, learned: out.learned },
      ...(out.warm !== undefined && { warm: { ...out.warm, path } }),
      loss: problem.loss,
      kinds: taskKinds(ds),
      ...(ds.labelMap !== undefined && { labelMap: ds.labelMap }),
      taskNames: ds.tasks.map((t) => t.name),
      featureNames: [...ds.featureNames],
      ...(standardizer !== undefined && { standardizer }),
      backend: backendName(),
    };
    return this;
  }

  private need(what: string): Fitted {
    if (!this.state) throw new NotFittedError(`${this.model}.${what}`);
    return this.state;
  }

  get fitted(): boolean {
    return this.state !== null;
  }

  get isFitted(): boolean {
    return this.state !== null;
  }

  /** W (d × T, rows = features, columns = tasks), a copy. */
  get W(): Matrix {
    return this.need('W').result.W.clone();
  }

  get intercepts(): Float64Array {
    return Float64Array.from(this.need('intercepts').result.intercepts);
  }

  get info(): FitInfo {
    return structuredClone(this.need('info').result.info);
  }

  /** What the fit reports in the engine-neutral form (counted by cv and compare). */
  get diagnostics(): FitDiagnostics {
    const f = this.need('diagnostics');
    const i = f.result.info;
    return { converged: i.converged, optimality: Number.isFinite(i.optimality) ? i.optimality : null, iterations: i.iterations, seconds: i.seconds, backend: f.backend, ...(i.message !== undefined ? { message: i.message } : {}) };
  }

  get learned(): LearnedStructure {
    return copyLearned(this.need('learned').result.learned);
  }

  get taskNames(): string[] {
    return [...this.need('taskNames').taskNames];
  }

  get featureNames(): string[] {
    return [...this.need('featureNames').featureNames];
  }

  /** The kind of every task the model was fitted on. */
  get taskKinds(): TaskKind[] {
    return [...this.need('taskKinds').kinds];
  }

  /** The fitted tasks' kind (the first task's when they differ). */
  get kind(): TaskKind {
    return this.need('kind').kinds[0]!;
  }

  /** The loss that was fitted. */
  get loss(): string {
    return this.need('loss').loss;
  }

  get labelMap(): LabelMap | undefined {
    const m = this.need('labelMap').labelMap;
    return m ? { ...m } : undefined;
  }

  /** The state to warm-start the next fit of a path (CV along a λ grid). */
  get warmStart(): WarmStart | undefined {
    return this.need('warmStart').warm;
  }

  private readonly taskIndex = new WeakMap<Fitted, Map<string, number>>();

  private taskIndexOf(f: Fitted, task: string): number {
    // A map, not indexOf: scoring all tasks of a 1 000-task model was O(T²) string compares.
    let index = this.taskIndex.get(f);
    if (!index) this.taskIndex.set(f, (index = new Map(f.taskNames.map((n, k) => [n, k] as const))));
    const t = index.get(task);
    if (t === undefined) throw new UnknownTaskError(task, f.taskNames);
    return t;
  }

  /** The linear predictor x_tᵀw_t + b_t for the rows of X (raw features): regression values,
   * logistic margins, Poisson log-rates. */
  predict(X: Matrix, task: string): Float64Array {
    const f = this.need('predict');
    const t = this.taskIndexOf(f, task);
    const { W, intercepts } = f.result;
    const d = W.rows;
    const T = W.cols;
    if (X.cols !== d) {
      throw new FeatureMismatchError(`predict (task "${task}"): X has ${X.cols} columns, the model was fitted on ${d} features (${f.featureNames.slice(0, 6).join(', ')}${d > 6 ? ', …' : ''})`);
    }
    const Z = f.standardizer ? applyStandardizer(f.standardizer, X, t) : X;
    const out = new Float64Array(Z.rows);
    for (let i = 0; i < Z.rows; i++) {
      let s = intercepts[t]!;
      const o = i * d;
      for (let j = 0; j < d; j++) s += Z.data[o + j]! * W.data[j * T + t]!;
      out[i] = s;
    }
    return out;
  }

  /** Predictions on the response scale through the fitted loss's link: identity (regression),
   * sigmoid (P(y = +1)), exp (the Poisson rate). */
  predictResponse(X: Matrix, task: string): Float64Array {
    const spec = getLoss(this.need('predictResponse').loss);
    return this.predict(X, task).map(spec.response);
  }

  /** Binary models only: P(y = +1 | x) = σ(decision value). */
  predictProba(X: Matrix, task: string): Float64Array {
    const f = this.need('predictProba');
    const t = this.taskIndexOf(f, task);
    if (f.kinds[t] !== 'binary') throw new UnsupportedError(`predictProba: task "${task}" of model "${this.model}" is ${f.kinds[t]}, not binary; use predict or predictResponse`);
    return this.predictResponse(X, task);
  }

  /** predict for every task of ds (in ds's task order). */
  predictDataset(ds: MultiTaskDataset): Float64Array[] {
    return ds.tasks.map((t) => this.predict(t.X, t.name));
  }

  /** Task-averaged R² (regression, counts: on the response scale) or accuracy (binary); see the header. */
  score(ds: MultiTaskDataset): number {
    const f = this.need('score');
    if (ds.tasks.length === 0) throw new UnsupportedError('score: the dataset has no tasks');
    const kinds = taskKinds(ds);
    let total = 0;
    ds.tasks.forEach((task, k) => {
      const t = this.taskIndexOf(f, task.name);
      if ((kinds[k] === 'binary') !== (f.kinds[t] === 'binary')) throw new UnsupportedError(`score: task "${task.name}" was fitted as ${f.kinds[t]}, ${ds.source ?? 'this dataset'} has it as ${kinds[k]}`);
      total += kinds[k] === 'binary' ? accuracy(task.y, this.predict(task.X, task.name)) : r2(task.y, this.predictResponse(task.X, task.name));
    });
    return total / ds.tasks.length;
  }

  /** A new, unfitted estimator with the same model and the options merged with patch. */
  clone(patch: ModelOptions | Options = {}): MTLEstimator {
    return new MTLEstimator(this.model, { ...this.options, ...(patch as ModelOptions) });
  }

  /** The model file payload (EstimatorJSON, formatVersion 2; docs/model-file.md). */
  toJSON(): EstimatorJSON {
    const f = this.need('toJSON');
    const state: LinearState = {
      loss: f.loss,
      ...(f.labelMap !== undefined && { labelMap: { ...f.labelMap } }),
      ...(f.standardizer !== undefined && { standardizer: standardizerToJSON(f.standardizer) }),
      W: f.result.W.toArray(),
      intercepts: Array.from(f.result.intercepts),
      info: { ...f.result.info, objectiveTrace: [...f.result.info.objectiveTrace] },
      learned: learnedToJSON(f.result.learned),
      backend: f.backend,
    };
    return {
      format: 'polytask-model',
      formatVersion: FORMAT_VERSION,
      polytaskVersion: VERSION,
      engine: this.engine,
      model: this.model,
      options: structuredClone(this.options) as Options,
      taskNames: [...f.taskNames],
      taskKinds: [...f.kinds],
      featureNames: [...f.featureNames],
      ...(f.labelMap !== undefined ? { labelMap: { ...f.labelMap } } : {}),
      state,
    };
  }

  /** Validates a model file's payload (EstimatorJSON of formatVersion 2, or a formatVersion 1
   * ModelJSON, whose option names are mapped to the current ones) and rebuilds the estimator. */
  static fromJSON(json: unknown, source = 'model JSON'): MTLEstimator {
    const bad = (msg: string): never => {
      throw new ModelFileError(source, msg);
    };
    if (json === null || typeof json !== 'object' || Array.isArray(json)) bad('not a JSON object');
    const top = json as Record<string, unknown>;
    if (top['format'] !== 'polytask-model') bad(`"format" must be "polytask-model", got ${JSON.stringify(top['format'])}`);
    if (top['formatVersion'] !== 1 && top['formatVersion'] !== FORMAT_VERSION) bad(`unsupported formatVersion ${JSON.stringify(top['formatVersion'])} (this polytask reads 1 and ${FORMAT_VERSION})`);
    if (typeof top['model'] !== 'string') bad('"model" must be a model name');
    const v1 = top['formatVersion'] === 1;
    if (!v1 && top['engine'] !== 'linear') bad(`"engine" must be "linear" for this loader, got ${JSON.stringify(top['engine'])}`);
    const st = (v1 ? top : top['state']) as Partial<LinearState & ModelJSON> | undefined;
    if (!st || typeof st !== 'object') bad('"state" must be an object');
    const names = (v: unknown, key: string): string[] => {
      if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) bad(`"${key}" must be a non-empty array of strings`);
      return v as string[];
    };
    const taskNames = names(top['taskNames'], 'taskNames');
    const featureNames = names(top['featureNames'], 'featureNames');
    const d = featureNames.length;
    const T = taskNames.length;
    let kinds: TaskKind[];
    if (v1) {
      if (st!.kind !== 'regression' && st!.kind !== 'binary') bad(`"kind" must be "regression" or "binary", got ${JSON.stringify(st!.kind)}`);
      kinds = taskNames.map(() => st!.kind as TaskKind);
    } else {
      const k = top['taskKinds'];
      if (!Array.isArray(k) || k.length !== T || !k.every((x) => x === 'regression' || x === 'binary' || x === 'count')) bad(`"taskKinds" must list ${T} of "regression", "binary", "count"`);
      kinds = k as TaskKind[];
    }
    const W = Matrix.zeros(d, T);
    if (!Array.isArray(st!.W) || st!.W.length !== d) bad(`"W" must have ${d} rows (one per feature)`);
    st!.W!.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== T) bad(`"W" row ${r + 1} must have ${T} entries (one per task)`);
      row.forEach((v, c) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) bad(`"W"[${r}][${c}] = ${JSON.stringify(v)} is not a finite number`);
        W.data[r * T + c] = v;
      });
    });
    if (!Array.isArray(st!.intercepts) || st!.intercepts.length !== T || !st!.intercepts.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      bad(`"intercepts" must be ${T} finite numbers`);
    }
    const rawOptions = top['options'];
    if (rawOptions === null || typeof rawOptions !== 'object' || Array.isArray(rawOptions)) bad('"options" must be an object');
    const options = v1 ? optionsFromV1(top['model'] as string, rawOptions as Record<string, unknown>) : (rawOptions as Record<string, unknown>);
    let est: MTLEstimator;
    try {
      est = new MTLEstimator(top['model'] as string, options as Options);
    } catch (e) {
      if (e instanceof OptionError) bad(`invalid options: ${e.message}`);
      throw e;
    }
    const lossName = v1 ? (est.options.loss ?? lossForKind(kinds[0]!).name) : st!.loss;
    if (typeof lossName !== 'string') bad('"state.loss" must name a loss');
    try {
      getLoss(lossName!);
    } catch (e) {
      bad((e as Error).message);
    }
    const info = st!.info;
    if (!info || typeof info !== 'object' || typeof info.objective !== 'number' || typeof info.iterations !== 'number' || typeof info.converged !== 'boolean') {
      bad('"info" must hold objective, iterations and converged');
    }
    let standardizer: Standardizer | undefined;
    if (st!.standardizer !== undefined) {
      try {
        standardizer = standardizerFromJSON(st!.standardizer);
      } catch (e) {
        bad(`"standardizer": ${(e as Error).message}`);
      }
      if (standardizer!.mean[0]!.length !== d) bad(`"standardizer" has ${standardizer!.mean[0]!.length} features, W has ${d}`);
      if (standardizer!.mode === 'task' && standardizer!.mean.length !== T) bad(`"standardizer" has ${standardizer!.mean.length} tasks, the model ${T}`);
    }
    const labelMap = st!.labelMap ?? (top['labelMap'] as LinearState['labelMap']);
    if (labelMap !== undefined && (typeof labelMap?.negative !== 'string' || typeof labelMap?.positive !== 'string')) bad('"labelMap" must be { negative, positive } strings');
    est.state = {
      result: {
        W,
        intercepts: Float64Array.from(st!.intercepts!),
        info: { ...info!, objectiveTrace: Array.isArray(info!.objectiveTrace) ? [...info!.objectiveTrace] : [] },
        learned: learnedFromJSON(st!.learned ?? {}, bad),
      },
      loss: lossName!,
      kinds,
      ...(labelMap !== undefined && { labelMap: { ...labelMap } }),
      taskNames,
      featureNames,
      ...(standardizer !== undefined && { standardizer }),
      backend: typeof st!.backend === 'string' ? st!.backend : 'unknown',
    };
    return est;
  }
}

function r2(y: Float64Array, p: Float64Array): number {
  let mean = 0;
  for (const v of y) mean += v;
  mean /= y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i]! - p[i]!) ** 2;
    ssTot += (y[i]! - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

function accuracy(y: Float64Array, p: Float64Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if ((p[i]! > 0 ? 1 : -1) === y[i]) ok++;
  return ok / y.length;
}

const MATRIX_KEYS = ['taskCovariance', 'taskCorrelation', 'relation', 'clusterMatrix', 'P', 'Q'] as const;

function copyLearned(l: LearnedStructure): LearnedStructure {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(l)) {
    if (v instanceof Matrix) out[k] = v.clone();
    else if (v instanceof Int32Array) out[k] = Int32Array.from(v);
    else if (Array.isArray(v)) out[k] = [...v];
    else out[k] = v;
  }
  return out as LearnedStructure;
}

function learnedToJSON(l: LearnedStructure): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(l)) {
    if (v === undefined) continue;
    if (v instanceof Matrix) out[k] = v.toArray();
    else if (v instanceof Int32Array) out[k] = Array.from(v);
    else out[k] = v;
  }
  return out;
}

function learnedFromJSON(j: Readonly<Record<string, unknown>>, bad: (msg: string) => never): LearnedStructure {
  if (j === null || typeof j !== 'object') bad('"learned" must be an object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(j)) {
    if ((MATRIX_KEYS as readonly string[]).includes(k)) {
      if (!Array.isArray(v) || !v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'))) bad(`"learned.${k}" must be a matrix (array of number arrays)`);
      try {
        out[k] = Matrix.from(v as number[][]);
      } catch (e) {
        bad(`"learned.${k}": ${(e as Error).message}`);
      }
    } else if (k === 'clusters') {
      if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) bad('"learned.clusters" must be an array of integers');
      out[k] = Int32Array.from(v as number[]);
    } else out[k] = v;
  }
  return out as LearnedStructure;
}
