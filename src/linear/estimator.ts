// MTLEstimator: the one scikit-learn-like face of every linear MTL model.
//
//   const est = new MTLEstimator('l21', { lambda: 0.1 });   // options validated here
//   est.fit(ds);                                             // → this
//   est.predict(X, 'task name');                             // regression value / logistic decision value
//   est.predictProba(X, 'task name');                        // logistic only: P(y = +1)
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
import type { LabelMap, MultiTaskDataset, TaskKind } from '../data/dataset.ts';
import {
  applyStandardizer, fitStandardizer, standardizeDataset, standardizerFromJSON, standardizerToJSON, type Standardizer,
} from '../data/preprocess.ts';
import { Matrix } from '../linalg/matrix.ts';
import { VERSION } from '../version.ts';
import { sigmoidNeg } from './loss/logistic.ts';
import { buildProblem } from './problem.ts';
import { getModelSpec } from './registry.ts';
import { DEFAULT_MAX_ITER, DEFAULT_TOL } from './solver/fista.ts';
import type { FitInfo, FitResult, LearnedStructure, ModelJSON, ModelName, ModelOptions, ModelSpec, WarmStart } from './types.ts';

const COMMON_KEYS = ['loss', 'scale', 'intercept', 'ridge', 'tol', 'maxIter', 'requireConvergence', 'seed', 'solver', 'standardize'] as const;
const MODEL_KEYS = ['lambda', 'lambda2', 'clusters', 'graph', 'perTaskLambda', 'chain'] as const;

function nonNegative(key: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new OptionError(key, `must be a finite number ≥ 0, got ${JSON.stringify(v)}`);
}

/** Checks option names and values; throws OptionError naming the option. */
export function validateOptions(spec: ModelSpec, options: ModelOptions): void {
  for (const [key, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if ((MODEL_KEYS as readonly string[]).includes(key)) {
      if (!(spec.uses as readonly string[]).includes(key)) {
        throw new OptionError(key, `model "${spec.name}" does not use this option (it uses: ${spec.uses.join(', ') || 'none'})`);
      }
    } else if (!(COMMON_KEYS as readonly string[]).includes(key)) {
      throw new OptionError(key, `unknown option (known: ${[...COMMON_KEYS, ...spec.uses].join(', ')})`);
    }
    switch (key) {
      case 'lambda':
      case 'lambda2':
      case 'ridge':
      case 'chain':
        nonNegative(key, v);
        break;
      case 'tol':
        if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new OptionError(key, `must be a positive number, got ${JSON.stringify(v)}`);
        break;
      case 'maxIter':
      case 'clusters':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new OptionError(key, `must be a positive integer, got ${JSON.stringify(v)}`);
        break;
      case 'seed':
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptionError(key, `must be a finite number, got ${JSON.stringify(v)}`);
        break;
      case 'loss':
        if (v !== 'squared' && v !== 'logistic') throw new OptionError(key, `must be "squared" or "logistic", got ${JSON.stringify(v)}`);
        break;
      case 'scale':
        if (v !== 'sum' && v !== 'mean') throw new OptionError(key, `must be "sum" or "mean", got ${JSON.stringify(v)}`);
        break;
      case 'standardize':
        if (v !== 'none' && v !== 'global' && v !== 'task') throw new OptionError(key, `must be "none", "global" or "task", got ${JSON.stringify(v)}`);
        break;
      case 'intercept':
      case 'requireConvergence':
        if (typeof v !== 'boolean') throw new OptionError(key, `must be true or false, got ${JSON.stringify(v)}`);
        break;
      case 'solver':
        if (typeof v !== 'string') throw new OptionError(key, `must be a string, got ${JSON.stringify(v)}`);
        break;
      case 'perTaskLambda':
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new OptionError(key, 'must be an object mapping task names to weights');
        for (const [t, w] of Object.entries(v as Record<string, unknown>)) nonNegative(`${key}.${t}`, w);
        break;
      case 'graph':
        if (!Array.isArray(v)) throw new OptionError(key, 'must be an array of edges { from, to, weight? }');
        (v as unknown[]).forEach((e, k) => {
          const edge = e as { from?: unknown; to?: unknown; weight?: unknown } | null;
          const isRef = (r: unknown): boolean => typeof r === 'string' || typeof r === 'number';
          if (!edge || typeof edge !== 'object' || !isRef(edge.from) || !isRef(edge.to)) throw new OptionError(key, `edge ${k + 1} must be { from, to, weight? } with task names or indices`);
          if (edge.weight !== undefined) nonNegative(`${key}[${k + 1}].weight`, edge.weight);
        });
        break;
    }
  }
}

interface Fitted {
  readonly result: FitResult;
  readonly warm?: WarmStart;
  readonly kind: TaskKind;
  readonly labelMap?: LabelMap;
  readonly taskNames: readonly string[];
  readonly featureNames: readonly string[];
  readonly standardizer?: Standardizer;
}

export class MTLEstimator {
  readonly model: ModelName;
  readonly options: Readonly<ModelOptions>;
  private readonly spec: ModelSpec;
  private fitted: Fitted | null = null;

  constructor(model: ModelName | string, options: ModelOptions = {}) {
    this.spec = getModelSpec(model);
    this.model = this.spec.name;
    validateOptions(this.spec, options);
    this.options = Object.freeze(structuredClone(options));
  }

  /** Fits on every sample of ds (warm: a previous fit's state, e.g. along a λ path). */
  fit(ds: MultiTaskDataset, warm?: WarmStart): this {
    const mode = this.options.standardize ?? 'none';
    const standardizer = mode === 'none' ? undefined : fitStandardizer(ds, mode);
    const data = standardizer ? standardizeDataset(ds, standardizer) : ds;
    const problem = buildProblem(data, {
      ...(this.options.loss !== undefined && { loss: this.options.loss }),
      ...(this.options.scale !== undefined && { scale: this.options.scale }),
      ...(this.options.intercept !== undefined && { intercept: this.options.intercept }),
    });
    const opts = { ...this.spec.defaults, ...this.options, tol: this.options.tol ?? DEFAULT_TOL, maxIter: this.options.maxIter ?? DEFAULT_MAX_ITER };
    const out = this.spec.fit(problem, opts, warm);
    if (!out.info.converged && this.options.requireConvergence) throw new ConvergenceError(`${this.model}: ${out.info.message ?? 'did not converge'}`);
    this.fitted = {
      result: { W: out.W.clone(), intercepts: Float64Array.from(out.intercepts), info: out.info, learned: out.learned },
      ...(out.warm !== undefined && { warm: out.warm }),
      kind: ds.kind,
      ...(ds.labelMap !== undefined && { labelMap: ds.labelMap }),
      taskNames: ds.tasks.map((t) => t.name),
      featureNames: [...ds.featureNames],
      ...(standardizer !== undefined && { standardizer }),
    };
    return this;
  }

  private need(what: string): Fitted {
    if (!this.fitted) throw new NotFittedError(`${this.model}.${what}`);
    return this.fitted;
  }

  get isFitted(): boolean {
    return this.fitted !== null;
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

  get learned(): LearnedStructure {
    return copyLearned(this.need('learned').result.learned);
  }

  get taskNames(): string[] {
    return [...this.need('taskNames').taskNames];
  }

  get featureNames(): string[] {
    return [...this.need('featureNames').featureNames];
  }

  get kind(): TaskKind {
    return this.need('kind').kind;
  }

  get labelMap(): LabelMap | undefined {
    const m = this.need('labelMap').labelMap;
    return m ? { ...m } : undefined;
  }

  /** The state to warm-start the next fit of a path (CV along a λ grid). */
  get warmStart(): WarmStart | undefined {
    return this.need('warmStart').warm;
  }

  private taskIndexOf(f: Fitted, task: string): number {
    const t = f.taskNames.indexOf(task);
    if (t < 0) throw new UnknownTaskError(task, f.taskNames);
    return t;
  }

  /** Regression values, or logistic decision values x_tᵀw_t + b_t, for the rows of X (raw features). */
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

  /** Logistic models only: P(y = +1 | x) = σ(decision value). */
  predictProba(X: Matrix, task: string): Float64Array {
    const f = this.need('predictProba');
    if (f.kind !== 'binary') throw new UnsupportedError(`predictProba: model "${this.model}" was fitted on regression data; use predict`);
    return this.predict(X, task).map((z) => sigmoidNeg(-z));
  }

  /** predict for every task of ds (in ds's task order). */
  predictDataset(ds: MultiTaskDataset): Float64Array[] {
    return ds.tasks.map((t) => this.predict(t.X, t.name));
  }

  /** Task-averaged R² (regression) or accuracy (binary); see the header. */
  score(ds: MultiTaskDataset): number {
    const f = this.need('score');
    if (ds.kind !== f.kind) throw new UnsupportedError(`score: the model was fitted on ${f.kind} data, ${ds.source ?? 'this dataset'} is ${ds.kind}`);
    if (ds.tasks.length === 0) throw new UnsupportedError('score: the dataset has no tasks');
    let total = 0;
    for (const task of ds.tasks) {
      const p = this.predict(task.X, task.name);
      total += f.kind === 'binary' ? accuracy(task.y, p) : r2(task.y, p);
    }
    return total / ds.tasks.length;
  }

  /** A new, unfitted estimator with the same model and the options merged with patch. */
  clone(patch: ModelOptions = {}): MTLEstimator {
    return new MTLEstimator(this.model, { ...this.options, ...patch });
  }

  toJSON(): ModelJSON {
    const f = this.need('toJSON');
    return {
      format: 'polytask-model',
      formatVersion: 1,
      polytaskVersion: VERSION,
      model: this.model,
      options: structuredClone(this.options) as ModelOptions,
      kind: f.kind,
      ...(f.labelMap !== undefined && { labelMap: { ...f.labelMap } }),
      taskNames: [...f.taskNames],
      featureNames: [...f.featureNames],
      ...(f.standardizer !== undefined && { standardizer: standardizerToJSON(f.standardizer) }),
      W: f.result.W.toArray(),
      intercepts: Array.from(f.result.intercepts),
      info: { ...f.result.info, objectiveTrace: [...f.result.info.objectiveTrace] },
      learned: learnedToJSON(f.result.learned),
    };
  }

  /** Validates a ModelJSON (e.g. parsed from a model file named `source`) and rebuilds the estimator. */
  static fromJSON(json: unknown, source = 'model JSON'): MTLEstimator {
    const bad = (msg: string): never => {
      throw new ModelFileError(source, msg);
    };
    if (json === null || typeof json !== 'object' || Array.isArray(json)) bad('not a JSON object');
    const j = json as Partial<ModelJSON>;
    if (j.format !== 'polytask-model') bad(`"format" must be "polytask-model", got ${JSON.stringify(j.format)}`);
    if (j.formatVersion !== 1) bad(`unsupported formatVersion ${JSON.stringify(j.formatVersion)} (this polytask reads 1)`);
    if (typeof j.model !== 'string') bad('"model" must be a model name');
    if (j.kind !== 'regression' && j.kind !== 'binary') bad(`"kind" must be "regression" or "binary", got ${JSON.stringify(j.kind)}`);
    const names = (v: unknown, key: string): string[] => {
      if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string')) bad(`"${key}" must be a non-empty array of strings`);
      return v as string[];
    };
    const taskNames = names(j.taskNames, 'taskNames');
    const featureNames = names(j.featureNames, 'featureNames');
    const d = featureNames.length;
    const T = taskNames.length;
    if (!Array.isArray(j.W) || j.W.length !== d) bad(`"W" must have ${d} rows (one per feature)`);
    const W = Matrix.zeros(d, T);
    j.W!.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== T) bad(`"W" row ${r + 1} must have ${T} entries (one per task)`);
      row.forEach((v, c) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) bad(`"W"[${r}][${c}] = ${JSON.stringify(v)} is not a finite number`);
        W.data[r * T + c] = v;
      });
    });
    if (!Array.isArray(j.intercepts) || j.intercepts.length !== T || !j.intercepts.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      bad(`"intercepts" must be ${T} finite numbers`);
    }
    if (j.options === null || typeof j.options !== 'object') bad('"options" must be an object');
    let est: MTLEstimator;
    try {
      est = new MTLEstimator(j.model!, j.options!);
    } catch (e) {
      if (e instanceof OptionError) bad(`invalid options: ${e.message}`);
      throw e;
    }
    const info = j.info;
    if (!info || typeof info !== 'object' || typeof info.objective !== 'number' || typeof info.iterations !== 'number' || typeof info.converged !== 'boolean') {
      bad('"info" must hold objective, iterations and converged');
    }
    let standardizer: Standardizer | undefined;
    if (j.standardizer !== undefined) {
      try {
        standardizer = standardizerFromJSON(j.standardizer);
      } catch (e) {
        bad(`"standardizer": ${(e as Error).message}`);
      }
      if (standardizer!.mean[0]!.length !== d) bad(`"standardizer" has ${standardizer!.mean[0]!.length} features, W has ${d}`);
      if (standardizer!.mode === 'task' && standardizer!.mean.length !== T) bad(`"standardizer" has ${standardizer!.mean.length} tasks, the model ${T}`);
    }
    if (j.labelMap !== undefined && (typeof j.labelMap?.negative !== 'string' || typeof j.labelMap?.positive !== 'string')) bad('"labelMap" must be { negative, positive } strings');
    est.fitted = {
      result: {
        W,
        intercepts: Float64Array.from(j.intercepts!),
        info: { ...info!, objectiveTrace: Array.isArray(info!.objectiveTrace) ? [...info!.objectiveTrace] : [] },
        learned: learnedFromJSON(j.learned ?? {}, bad),
      },
      kind: j.kind!,
      ...(j.labelMap !== undefined && { labelMap: { ...j.labelMap } }),
      taskNames,
      featureNames,
      ...(standardizer !== undefined && { standardizer }),
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
