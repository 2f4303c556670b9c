// The neural models as estimators of the engine-neutral contract (src/estimator/contract.ts), so
// that cv, compare, model files and `predict` take them beside the linear ones. One ModelDecl per
// architecture of src/nn/arch; 'stl-mlp' (one network per task, same trunk size) is the neural
// single-task baseline. Inputs are standardised with the training rows' mean and standard
// deviation, regression targets per task likewise (predictions are returned on the original scale);
// binary tasks predict the logit (predictResponse: the probability).
import type { LabelMap, MultiTaskDataset } from '../data/dataset.ts';
import type { Estimator, EstimatorJSON, EngineSpec, FitContext, FitDiagnostics, ModelDecl, OptionValue, Options, TaskKind } from '../estimator/contract.ts';
import { registerEngine } from '../estimator/registry.ts';
import { NN_ENGINE, NN_MODELS, NN_SUMMARIES, paramsOf } from './params.ts';
import { FeatureMismatchError, ModelFileError, NotFittedError, OptionError, UnknownTaskError, UnsupportedError } from '../errors.ts';
import { backendName } from '../linalg/backend.ts';
import { Matrix } from '../linalg/matrix.ts';
import { Random } from '../linalg/random.ts';
import { VERSION } from '../version.ts';
import { trainerAggregator, trainerWeighting } from '../balance/nn-hooks.ts';
import type { GradMode } from '../balance/types.ts';
import { buildArchitecture } from './arch/index.ts';
import type { MtlArchitecture } from './arch/index.ts';
import type { Activation } from './module.ts';
import { adam, adamw } from './optim/adam.ts';
import { sgd } from './optim/sgd.ts';
import { chain, clipByGlobalNorm } from './optim/transform.ts';
import type { GradientTransformation, Schedule } from './optim/transform.ts';
import { constantSchedule, cosineSchedule, stepSchedule, warmupSchedule } from './optim/schedule.ts';
import { taskSpecs, toTrainData } from './train/from-dataset.ts';
import { predictAll, train } from './train/trainer.ts';
import type { EpochRecord, TrainConfig, TrainData } from './train/types.ts';
import type { CompetitionRecord } from './train/probe.ts';
import { gateUtilisation, type ArchName } from './arch/common.ts';
import { Tape } from './tape.ts';
import { nnReportPanels } from './report-panels.ts';

export { NN_ENGINE, NN_MODELS } from './params.ts';
/** Validate options against the declarations and fill defaults; unknown keys are refused. */
export function resolveOptions(model: string, options: Options): Options {
  const decls = paramsOf(model);
  const out: Record<string, OptionValue> = {};
  for (const k of Object.keys(options)) {
    if (options[k] !== undefined && !decls.some((d) => d.name === k)) {
      throw new OptionError(k, `model "${model}" has no option "${k}" (it takes: ${decls.map((d) => d.name).join(', ')})`);
    }
  }
  for (const d of decls) {
    const v = options[d.name] ?? d.default;
    if (v === undefined) continue;
    const bad = (why: string): never => { throw new OptionError(d.flag, `${why}, got ${JSON.stringify(v)}`); };
    if (d.type === 'number' || d.type === 'integer') {
      if (typeof v !== 'number' || !Number.isFinite(v)) bad('must be a number');
      const x = v as number;
      if (d.type === 'integer' && !Number.isInteger(x)) bad('must be an integer');
      if (d.min !== undefined && (d.exclusiveMin ? x <= d.min : x < d.min)) bad(`must be ${d.exclusiveMin ? '>' : '≥'} ${d.min}`);
      if (d.max !== undefined && x > d.max) bad(`must be ≤ ${d.max}`);
    } else if (d.type === 'enum') {
      if (typeof v !== 'string' || !d.choices!.includes(v)) bad(`must be one of ${d.choices!.join(', ')}`);
    } else if (d.type === 'number-list') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 1)) bad('must be a list of positive integers');
    } else if (d.type === 'string') {
      if (typeof v !== 'string' || v === '') bad('must be a non-empty string');
    }
    out[d.name] = v;
  }
  return out;
}

interface Standardiser {
  readonly xMean: number[];
  readonly xStd: number[];
  readonly yMean: number[];
  readonly yStd: number[];
}

interface NnState {
  readonly params: Record<string, number[]>;
  readonly standardiser: Standardiser;
  readonly bestEpoch: number;
  readonly history: readonly NnEpoch[];
  /** Mean gate weights over the training rows (gated architectures; absent in older files). */
  readonly gates?: readonly GateSummary[];
}

/** One gate's mean weights over a data set: `mean` sums to 1 over `experts`. */
export interface GateSummary {
  /** Task the gate serves, or null for PLE's shared-branch gate. */
  readonly task: string | null;
  readonly level: number;
  readonly experts: readonly string[];
  readonly mean: number[];
  /** Rows averaged over. */
  readonly rows: number;
}

const GATED: readonly ArchName[] = ['mmoe', 'cgc', 'ple', 'dselect-k'];

/** Mean gate weights of a gated architecture over the (standardised) training rows, eval mode, for
 * the report's expert-utilisation heatmaps (issue 11). Per-task data: task t's gate is averaged over
 * task t's own rows (the rows it serves), a shared gate over every task's rows. */
function gateSummary(net: MtlArchitecture, td: TrainData): GateSummary[] | undefined {
  if (!GATED.includes(net.kind)) return undefined;
  const g = new Tape('float32', 0);
  if (td.layout === 'multi-output') return gateUtilisation(net, g, td.X, td.n).map((r) => ({ ...r, rows: td.n }));
  const out: GateSummary[] = [];
  const shared = new Map<number, GateSummary & { mean: number[] }>();
  let total = 0;
  td.tasks.forEach((s, t) => {
    if (s.n === 0) return;
    total += s.n;
    for (const r of gateUtilisation(net, g, s.X, s.n)) {
      if (r.task === net.taskNames[t]) out.push({ ...r, rows: s.n });
      else if (r.task === null) {
        const acc = shared.get(r.level) ?? { task: null, level: r.level, experts: r.experts, mean: r.mean.map(() => 0), rows: 0 };
        r.mean.forEach((v, e) => (acc.mean[e]! += v * s.n));
        shared.set(r.level, acc);
      }
    }
  });
  for (const acc of shared.values()) out.push({ ...acc, mean: acc.mean.map((v) => v / total), rows: total });
  return out.sort((a, b) => a.level - b.level);
}

/** Above this many tasks the T × T matrices of the competition log (cosine, conflict rate) are kept
 * in the model's history for the last epoch only: 139 tasks × 2 matrices × every epoch made a School
 * comparison's report 28 MB. The per-epoch scalars and per-task vectors are always kept, and the
 * trainer's JSON-lines log (--log) still has every matrix. */
export const FULL_COMPETITION_TASKS = 16;

/** The competition record as stored in the model's history: none for single-task networks (nothing is
 * shared, every gradient of a shared parameter is zero), matrices thinned beyond FULL_COMPETITION_TASKS. */
function storedCompetition(c: CompetitionRecord | null, T: number, last: boolean, shared: boolean): CompetitionRecord | null {
  if (!c || !shared) return null;
  if (T <= FULL_COMPETITION_TASKS || last) return c;
  return { ...c, cosine: [], conflictRate: [] };
}

/** Output width of each task: K logits for a K-class task, else 1. */
function outDimsOf(kinds: readonly TaskKind[], classes: readonly (readonly string[] | null)[]): number[] {
  return kinds.map((k, t) => (k === 'multiclass' ? classes[t]?.length ?? 0 : 1));
}

/** One epoch of the fitted model's history (model file and `learned.history`). */
interface NnEpoch {
  readonly epoch: number;
  readonly trainLoss: number[];
  readonly valLoss: number[] | null;
  /** Mean task weights of the epoch (absent in files written before they were kept). */
  readonly weights?: number[];
  /** Task competition of the epoch (src/nn/train/probe.ts CompetitionRecord; null when not logged). */
  readonly competition?: CompetitionRecord | null;
  /** Per-task metric (its name per task: rmse, accuracy) on the training and validation rows (absent in older files). */
  readonly metricName?: string[];
  readonly trainMetric?: number[];
  readonly valMetric?: number[] | null;
}

/** The learning rate as a schedule of the global step, given the steps per epoch. */
export function scheduleOf(o: Options, stepsPerEpoch: number): Schedule {
  const lr0 = o.lr as number, epochs = o.epochs as number;
  let s: Schedule = o.lrSchedule === 'cosine' ? cosineSchedule(lr0, Math.max(1, epochs * stepsPerEpoch))
    : o.lrSchedule === 'step' ? stepSchedule(lr0, (o.lrStepEpochs as number) * stepsPerEpoch, o.lrGamma as number)
      : constantSchedule(lr0);
  const w = (o.warmupEpochs as number) * stepsPerEpoch;
  if (w > 0) s = warmupSchedule(s, w);
  return s;
}

/** Steps per epoch of the trainer on these data (after its validation split). */
function stepsPerEpoch(td: TrainData, o: Options): number {
  const B = o.batchSize as number, ratio = o.valRatio as number;
  const tr = (n: number): number => (ratio > 0 ? n - Math.max(1, Math.round(ratio * n)) : n);
  if (td.layout === 'multi-output') return Math.max(1, Math.ceil(tr(td.n) / B));
  return Math.max(1, ...td.tasks.map((t) => Math.ceil(tr(t.n) / B)));
}

function optimizerOf(o: Options, schedule: Schedule): GradientTransformation {
  const lr = schedule, wd = o.weightDecay as number;
  const base = o.optimizer === 'sgd' ? sgd({ lr, momentum: o.momentum as number, weightDecay: wd })
    : o.optimizer === 'adamw' ? adamw({ lr, weightDecay: wd }) : adam({ lr, weightDecay: wd });
  return (o.clipNorm as number) > 0 ? chain(clipByGlobalNorm(o.clipNorm as number), base) : base;
}

/** ESMM: the index of the CTR task among the data's two tasks (--ctr-task; default the first). */
function ctrIndexOf(o: Options, taskNames: readonly string[]): 0 | 1 | undefined {
  const name = o.ctrTask as string | undefined;
  if (name === undefined) return undefined;
  const i = taskNames.indexOf(name);
  if (i < 0 || i > 1 || taskNames.length !== 2) throw new OptionError('--ctr-task', `"${name}" is not one of the data's tasks (${taskNames.join(', ')}); ESMM takes exactly two binary tasks, CTR and CTCVR`);
  return i as 0 | 1;
}

/** `outDims`: one logit per task, K for a K-class task. */
function buildNet(model: string, o: Options, taskNames: readonly string[], d: number, outDims: readonly number[] = taskNames.map(() => 1)): MtlArchitecture {
  const arch = NN_MODELS[model];
  if (!arch) throw new OptionError('model', `unknown neural model "${model}"`);
  return buildArchitecture(arch, {
    taskNames,
    outDims,
    encoder: { kind: 'mlp', input: d, hidden: o.hidden as number[], activation: o.activation as Activation },
    headHidden: o.headHidden as number[],
    experts: o.experts as number | undefined,
    sharedExperts: o.sharedExperts as number | undefined,
    taskExperts: o.taskExperts as number | undefined,
    k: o.k as number | undefined,
    gamma: o.gamma as number | undefined,
    gammaEnd: o.gammaEnd as number | undefined,
    entropyReg: o.entropyReg as number | undefined,
    gate: o.gate as 'static' | 'per-example' | undefined,
    distinctReg: o.distinctReg as number | undefined,
    alphaSelf: o.alphaSelf as number | undefined,
    mixScale: o.mixScale as number | undefined,
    embedding: o.embedding as number | undefined,
    towerHidden: o.towerHidden as number[] | undefined,
    ...(arch === 'esmm' ? { ctrIndex: ctrIndexOf(o, taskNames) } : {}),
  }, new Random(o.seed as number));
}

/** Mean/std of the training inputs (all rows) and of each regression task's observed targets. */
function fitStandardiser(td: TrainData, kinds: readonly TaskKind[]): Standardiser {
  const d = td.d;
  const sets = td.layout === 'multi-output' ? [{ X: td.X, n: td.n }] : td.tasks.map((t) => ({ X: t.X, n: t.n }));
  const mean = new Float64Array(d), sq = new Float64Array(d);
  let n = 0;
  for (const s of sets) {
    for (let i = 0; i < s.n; i++) for (let j = 0; j < d; j++) { const v = s.X[i * d + j]!; mean[j]! += v; sq[j]! += v * v; }
    n += s.n;
  }
  const xMean = Array.from(mean, (m) => m / n);
  const xStd = Array.from(sq, (s, j) => { const v = s / n - xMean[j]! ** 2; return v > 1e-12 ? Math.sqrt(v) : 1; });
  const ys = td.layout === 'multi-output' ? td.targets : td.tasks.map((t) => t.y);
  const yMean: number[] = [], yStd: number[] = [];
  ys.forEach((y, t) => {
    if (kinds[t] !== 'regression') { yMean.push(0); yStd.push(1); return; }
    let s = 0, s2 = 0, c = 0;
    for (const v of y) if (!Number.isNaN(v)) { s += v; s2 += v * v; c++; }
    const m = c > 0 ? s / c : 0, v = c > 0 ? s2 / c - m * m : 0;
    yMean.push(m);
    yStd.push(v > 1e-12 ? Math.sqrt(v) : 1);
  });
  return { xMean, xStd, yMean, yStd };
}

function standardise(td: TrainData, st: Standardiser): void {
  const d = td.d;
  const scaleX = (X: Float32Array, n: number): void => {
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] = (X[i * d + j]! - st.xMean[j]!) / st.xStd[j]!;
  };
  const scaleY = (y: Float32Array, t: number): void => {
    for (let i = 0; i < y.length; i++) y[i] = (y[i]! - st.yMean[t]!) / st.yStd[t]!;
  };
  if (td.layout === 'multi-output') { scaleX(td.X, td.n); td.targets.forEach(scaleY); } else td.tasks.forEach((s, t) => { scaleX(s.X, s.n); scaleY(s.y, t); });
}

/** Trainer options beyond the hyper-parameters (the `train` CLI uses them). */
export type TrainExtras = Pick<TrainConfig, 'onEpoch' | 'checkpointEvery' | 'checkpointPath' | 'resumeFrom' | 'probe'>;

export class NeuralEstimator implements Estimator {
  readonly engine = NN_ENGINE;
  readonly options: Options;
  readonly fitted: boolean;
  readonly diagnostics?: FitDiagnostics;
  readonly learned?: Readonly<Record<string, unknown>>;
  /** The prediction tape, kept between predict calls so that its buffers are reused. */
  private predTape: Tape | undefined;

  constructor(readonly model: string, options: Options, private readonly fit_?: {
    net: MtlArchitecture; st: Standardiser; taskNames: string[]; taskKinds: TaskKind[]; classes: (readonly string[] | null)[]; featureNames: string[]; bestEpoch: number; history: NnState['history']; gates?: NnState['gates'];
    /** Binary tasks: the original labels behind −1/+1, so that `predict` answers in the user's labels (0/1, yes/no). */
    labelMap?: LabelMap;
  }, diagnostics?: FitDiagnostics) {
    this.options = resolveOptions(model, options);
    this.fitted = fit_ !== undefined;
    this.diagnostics = diagnostics;
    if (fit_) this.learned = { bestEpoch: fit_.bestEpoch, history: fit_.history, structure: fit_.net.structure(), ...(fit_.gates ? { gates: fit_.gates } : {}) };
  }

  clone(patch: Options = {}): Estimator {
    return new NeuralEstimator(this.model, { ...this.options, ...patch });
  }

  fit(ds: MultiTaskDataset, ctx: FitContext = {}): Estimator {
    return this.fitWith(ds, ctx);
  }

  /** fit() plus the trainer's extras the contract has no place for (epoch log, checkpoints, resume). */
  fitWith(ds: MultiTaskDataset, ctx: FitContext = {}, extras: TrainExtras = {}): NeuralEstimator {
    const t0 = performance.now();
    const o = this.options;
    const specs = taskSpecs(ds);
    const kinds: TaskKind[] = specs.map((s) => s.kind);
    const classes = ds.tasks.map((t, i) => (kinds[i] === 'multiclass' ? [...(t.classes ?? [])] : null));
    const td = toTrainData(ds);
    const st = fitStandardiser(td, kinds);
    standardise(td, st);
    const names = ds.tasks.map((t) => t.name);
    const net = buildNet(this.model, o, names, ds.featureNames.length, outDimsOf(kinds, classes));
    const gradMode = o.gradMode as GradMode;
    const weighting = trainerWeighting(o.weighting as string, { seed: o.seed as number, tau: o.dwaTau as number, mu: o.stchMu as number, alpha: o.gradnormAlpha as number }, gradMode);
    const aggregator = o.aggregator === 'none' ? undefined
      : trainerAggregator(o.aggregator as string, { seed: o.seed as number, c: o.cagradC as number, maxNorm: o.nashMaxNorm as number, alpha: o.fairgradAlpha as number, normalisation: o.mgdaNormalisation as string });
    const schedule = scheduleOf(o, stepsPerEpoch(td, o));
    const r = train(net, td, {
      tasks: specs, epochs: o.epochs as number, batchSize: o.batchSize as number, seed: o.seed as number,
      optimizer: optimizerOf(o, schedule), lrSchedule: schedule, valRatio: o.valRatio as number, patience: o.patience as number,
      weighting, gradMode, ...(aggregator ? { aggregator } : {}),
      logConflictEvery: o.logConflictEvery as number,
      onProgress: ctx.onProgress, signal: ctx.signal, ...extras,
    });
    const shared = NN_MODELS[this.model] !== 'stl';
    const history: NnEpoch[] = r.history.map((h: EpochRecord, k) => ({
      epoch: h.epoch, trainLoss: h.train.loss, valLoss: h.val ? h.val.loss : null, weights: h.weights,
      competition: storedCompetition(h.competition ?? null, names.length, k === r.history.length - 1, shared),
      metricName: h.metricName, trainMetric: h.train.metric, valMetric: h.val ? h.val.metric : null,
    }));
    const vl = r.history.map((h) => (h.val ? h.val.loss.reduce((a, b) => a + b, 0) / h.val.loss.length : NaN));
    const last = vl[vl.length - 1]!, prev = vl[vl.length - 2];
    const diag: FitDiagnostics = {
      converged: r.stoppedEarly || r.history.length === (o.epochs as number),
      optimality: prev !== undefined && Number.isFinite(last) && Number.isFinite(prev) ? Math.abs(last - prev) / Math.max(Math.abs(prev), 1e-12) : null,
      iterations: r.steps,
      seconds: (performance.now() - t0) / 1000,
      backend: backendName(),
      message: r.stoppedEarly ? `early stopping after epoch ${r.history.length}; best validation epoch ${r.bestEpoch}` : undefined,
    };
    const gates = gateSummary(net, td);
    return new NeuralEstimator(this.model, o, {
      net, st, taskNames: names, taskKinds: kinds, classes, featureNames: [...ds.featureNames], bestEpoch: r.bestEpoch, history, ...(gates ? { gates } : {}),
      ...(ds.labelMap && kinds.includes('binary') ? { labelMap: { ...ds.labelMap } } : {}),
    }, diag);
  }

  /** The network's output for the task: n values (n × K logits, row-major, for a K-class task). */
  private raw(X: Matrix, task: string): Float64Array {
    const f = this.fit_;
    if (!f) throw new NotFittedError(`${this.model}.predict`);
    const t = f.taskNames.indexOf(task);
    if (t < 0) throw new UnknownTaskError(task, f.taskNames);
    const d = f.featureNames.length;
    if (X.cols !== d) throw new FeatureMismatchError(`${this.model}: X has ${X.cols} features, the model was trained on ${d}`);
    const Xf = new Float32Array(X.rows * d);
    for (let i = 0; i < X.rows; i++) for (let j = 0; j < d; j++) Xf[i * d + j] = (X.data[i * X.cols + j]! - f.st.xMean[j]!) / f.st.xStd[j]!;
    // only this task's output (stl-mlp: one trunk of 139, not all), on a tape kept between calls
    this.predTape ??= new Tape('float32', 0);
    const out = predictAll(f.net, Xf, X.rows, d, 256, [t], this.predTape)[t] ?? new Float32Array(0);
    if (f.taskKinds[t] === 'multiclass') return Float64Array.from(out);
    return Float64Array.from(out, (v) => v * f.st.yStd[t]! + f.st.yMean[t]!);
  }

  private classesOf(task: string): number {
    const f = this.fit_!;
    const t = f.taskNames.indexOf(task);
    return f.taskKinds[t] === 'multiclass' ? f.classes[t]!.length : 0;
  }

  /** Regression value, binary logit, or for a multiclass task the most probable class index. */
  predict(X: Matrix, task: string): Float64Array {
    const z = this.raw(X, task);
    const K = this.classesOf(task);
    if (K === 0) return z;
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let best = 0;
      for (let c = 1; c < K; c++) if (z[i * K + c]! > z[i * K + best]!) best = c;
      out[i] = best;
    }
    return out;
  }

  predictResponse(X: Matrix, task: string): Float64Array {
    const f = this.fit_;
    if (this.classesOf(task) > 0) return this.predict(X, task);
    const z = this.raw(X, task);
    if (f && f.taskKinds[f.taskNames.indexOf(task)] === 'binary') return z.map((v) => 1 / (1 + Math.exp(-v)));
    return z;
  }

  /** Multiclass task: n × K softmax probabilities of the K logits (max-shifted for stability). */
  classProbabilities(X: Matrix, task: string): Matrix {
    const z = this.raw(X, task);
    const K = this.classesOf(task);
    if (K === 0) throw new UnsupportedError(`classProbabilities: task "${task}" of model "${this.model}" is ${this.fit_!.taskKinds[this.fit_!.taskNames.indexOf(task)]}, not multiclass`);
    const P = new Float64Array(X.rows * K);
    for (let i = 0; i < X.rows; i++) {
      let m = -Infinity;
      for (let c = 0; c < K; c++) m = Math.max(m, z[i * K + c]!);
      let s = 0;
      for (let c = 0; c < K; c++) s += (P[i * K + c] = Math.exp(z[i * K + c]! - m));
      for (let c = 0; c < K; c++) P[i * K + c]! /= s;
    }
    return new Matrix(X.rows, K, P);
  }

  toJSON(): EstimatorJSON {
    const f = this.fit_;
    if (!f) throw new NotFittedError(`${this.model}.toJSON`);
    const params: Record<string, number[]> = {};
    for (const p of f.net.parameters()) params[p.name] = Array.from(p.data);
    const state: NnState = { params, standardiser: f.st, bestEpoch: f.bestEpoch, history: f.history, ...(f.gates ? { gates: f.gates } : {}) };
    return {
      format: 'polytask-model', formatVersion: 2, polytaskVersion: VERSION, engine: NN_ENGINE, model: this.model,
      options: this.options, taskNames: f.taskNames, taskKinds: f.taskKinds, featureNames: f.featureNames, state,
      ...(f.taskKinds.includes('multiclass') ? { classes: f.classes } : {}),
      ...(f.labelMap ? { labelMap: { ...f.labelMap } } : {}),
    };
  }

  /** @internal rebuild from a model file */
  static load(json: EstimatorJSON): NeuralEstimator {
    const st = json.state as NnState;
    const where = `model "${json.model}"`;
    if (!st || typeof st !== 'object' || !st.params || !st.standardiser) throw new ModelFileError(where, 'neural state is missing its parameters or standardiser');
    const o = resolveOptions(json.model, json.options);
    const classes = json.taskNames.map((_, t) => (json.taskKinds[t] === 'multiclass' ? json.classes?.[t] ?? null : null));
    const lm = json.labelMap as unknown;
    if (lm !== undefined && (typeof lm !== 'object' || lm === null || typeof (lm as LabelMap).negative !== 'string' || typeof (lm as LabelMap).positive !== 'string')) throw new ModelFileError(where, '"labelMap" must be { negative, positive } strings');
    json.taskKinds.forEach((k, t) => {
      if (k === 'multiclass' && !(classes[t] && classes[t]!.length >= 2)) throw new ModelFileError(where, `multiclass task "${json.taskNames[t]}" has no class labels`);
    });
    const net = buildNet(json.model, o, json.taskNames, json.featureNames.length, outDimsOf(json.taskKinds, classes));
    for (const p of net.parameters()) {
      const v = st.params[p.name];
      if (!v || v.length !== p.size) throw new ModelFileError(where, `parameter "${p.name}" is missing or has the wrong size`);
      p.data.set(v);
    }
    net.setProgress?.(1); // a saved model has finished training: annealed hyper-parameters at their end
    return new NeuralEstimator(json.model, o, {
      net, st: st.standardiser, taskNames: [...json.taskNames], taskKinds: [...json.taskKinds], classes, featureNames: [...json.featureNames], bestEpoch: st.bestEpoch, history: st.history, ...(st.gates ? { gates: st.gates } : {}),
      ...(json.labelMap ? { labelMap: { ...json.labelMap } } : {}),
    });
  }
}

function decl(name: string): ModelDecl {
  return {
    engine: NN_ENGINE,
    name,
    summary: NN_SUMMARIES[name]!,
    params: paramsOf(name),
    baseline: 'stl-mlp',
    make: (options) => new NeuralEstimator(name, options),
    reportPanels: nnReportPanels,
  };
}

export const nnEngine: EngineSpec = {
  name: NN_ENGINE,
  models: Object.keys(NN_MODELS).map(decl),
  load: (json) => NeuralEstimator.load(json),
};

/** A neural estimator by model name (validates the options). */
export function makeNeuralEstimator(model: string, options: Options): NeuralEstimator {
  if (!NN_MODELS[model]) throw new OptionError('--arch', `unknown architecture "${model}" (available: ${Object.keys(NN_MODELS).join(', ')})`);
  return new NeuralEstimator(model, options);
}

/** Registers the neural engine (idempotent). src/engines.ts should call this. */
export function registerNeuralEngine(): void {
  registerEngine(nnEngine);
}
