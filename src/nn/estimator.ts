// The neural models as estimators of the engine-neutral contract (src/estimator/contract.ts), so
// that cv, compare, model files and `predict` take them beside the linear ones. One ModelDecl per
// architecture of src/nn/arch; 'stl-mlp' (one network per task, same trunk size) is the neural
// single-task baseline. Inputs are standardised with the training rows' mean and standard
// deviation, regression targets per task likewise (predictions are returned on the original scale);
// binary tasks predict the logit (predictResponse: the probability).
import type { MultiTaskDataset } from '../data/dataset.ts';
import type { Estimator, EstimatorJSON, EngineSpec, FitContext, FitDiagnostics, ModelDecl, OptionValue, Options, ParamDecl, TaskKind } from '../estimator/contract.ts';
import { registerEngine } from '../estimator/registry.ts';
import { FeatureMismatchError, ModelFileError, NotFittedError, OptionError, UnknownTaskError } from '../errors.ts';
import { backendName } from '../linalg/backend.ts';
import type { Matrix } from '../linalg/matrix.ts';
import { Random } from '../linalg/random.ts';
import { VERSION } from '../version.ts';
import { TRAINER_AGGREGATORS, TRAINER_WEIGHTINGS, trainerAggregator, trainerWeighting } from '../balance/nn-hooks.ts';
import type { GradMode } from '../balance/types.ts';
import { buildArchitecture } from './arch/index.ts';
import type { ArchName, MtlArchitecture } from './arch/index.ts';
import { ACTIVATIONS } from './module.ts';
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

export const NN_ENGINE = 'nn';

/** Model name → architecture. */
export const NN_MODELS: Readonly<Record<string, ArchName>> = {
  'stl-mlp': 'stl', hps: 'hps', 'cross-stitch': 'cross-stitch', mmoe: 'mmoe', cgc: 'cgc', ple: 'ple', 'dselect-k': 'dselect-k', mtan: 'mtan', esmm: 'esmm',
};

const SUMMARIES: Readonly<Record<string, string>> = {
  'stl-mlp': 'one MLP per task (the neural single-task baseline)',
  hps: 'hard parameter sharing: shared MLP trunk, one head per task (Caruana 1997)',
  'cross-stitch': 'one network per task, learned T×T mixing after each layer (Misra et al. 2016)',
  mmoe: 'multi-gate mixture of experts (Ma et al. 2018)',
  cgc: 'customised gate control: shared + task experts (Tang et al. 2020)',
  ple: 'progressive layered extraction: stacked CGC (Tang et al. 2020)',
  'dselect-k': 'differentiable top-k expert selection (Hazimeh et al. 2021)',
  mtan: 'task attention masks over shared layers (Liu et al. 2019)',
  esmm: 'entire-space multi-task model, pCTCVR = pCTR × pCVR (Ma et al. 2018)',
};

const COMMON: readonly ParamDecl[] = [
  { name: 'hidden', flag: '--hidden', type: 'number-list', help: 'widths of the shared trunk (encoder) layers', default: [64] },
  { name: 'headHidden', flag: '--head-hidden', type: 'number-list', help: 'hidden widths of each task head (empty: linear heads)', default: [] },
  { name: 'activation', flag: '--activation', type: 'enum', help: 'hidden activation', default: 'relu', choices: ACTIVATIONS.filter((a) => a !== 'none') },
  { name: 'epochs', flag: '--epochs', type: 'integer', help: 'training epochs (upper bound with early stopping)', default: 50, min: 1 },
  { name: 'batchSize', flag: '--batch-size', type: 'integer', help: 'mini-batch size B (per task for per-task data)', default: 64, min: 1 },
  { name: 'lr', flag: '--lr', type: 'number', help: 'learning rate η', default: 1e-3, min: 0, exclusiveMin: true, tune: { scale: 'log', grid: { kind: 'fixed', values: [3e-4, 1e-3, 3e-3] } } },
  { name: 'optimizer', flag: '--optimizer', type: 'enum', help: 'optimiser', default: 'adam', choices: ['adam', 'adamw', 'sgd'] },
  { name: 'momentum', flag: '--momentum', type: 'number', help: 'SGD momentum μ', default: 0.9, min: 0, max: 0.999 },
  { name: 'weightDecay', flag: '--weight-decay', type: 'number', help: 'weight decay λ (L2 for adam/sgd, decoupled for adamw)', default: 0, min: 0 },
  { name: 'lrSchedule', flag: '--lr-schedule', type: 'enum', help: 'learning-rate schedule over the run', default: 'constant', choices: ['constant', 'cosine', 'step'] },
  { name: 'lrStepEpochs', flag: '--lr-step-epochs', type: 'integer', help: 'step schedule: multiply η by --lr-gamma every this many epochs', default: 10, min: 1 },
  { name: 'lrGamma', flag: '--lr-gamma', type: 'number', help: 'step schedule: decay factor', default: 0.1, min: 0, exclusiveMin: true, max: 1 },
  { name: 'warmupEpochs', flag: '--warmup-epochs', type: 'integer', help: 'linear learning-rate warm-up over this many epochs (0: none)', default: 0, min: 0 },
  { name: 'clipNorm', flag: '--clip-norm', type: 'number', help: 'global gradient-norm clipping threshold (0: off)', default: 0, min: 0 },
  { name: 'valRatio', flag: '--val-ratio', type: 'number', help: 'share of the training rows held out for early stopping and model selection', default: 0.1, min: 0, max: 0.9 },
  { name: 'patience', flag: '--patience', type: 'integer', help: 'epochs without validation improvement before stopping (0: never)', default: 10, min: 0 },
  { name: 'seed', flag: '--seed', type: 'integer', help: 'seed of initialisation, shuffling, dropout and the validation split', default: 0 },
  // Task balancing (src/balance/, docs/balance.md): loss weighting, gradient aggregation of the shared
  // parameters, and how the per-task gradients are taken.
  { name: 'weighting', flag: '--weighting', type: 'enum', help: 'loss weighting (docs/balance.md)', default: 'ew', choices: TRAINER_WEIGHTINGS },
  { name: 'aggregator', flag: '--aggregator', type: 'enum', help: 'gradient aggregation of the shared parameters (none: backward of the weighted loss)', default: 'none', choices: ['none', ...TRAINER_AGGREGATORS] },
  { name: 'gradMode', flag: '--grad-mode', type: 'enum', help: 'per-task gradients for the aggregator (and for GradNorm / ExcessMTL): jacobian (one batched backward), backward (T backwards), rep (representation gradients)', default: 'jacobian', choices: ['jacobian', 'backward', 'rep'] },
  { name: 'cagradC', flag: '--cagrad-c', type: 'number', help: 'CAGrad: radius c of the ball around the mean gradient', default: 0.5, min: 0 },
  { name: 'nashMaxNorm', flag: '--nash-max-norm', type: 'number', help: 'Nash-MTL: clip of the update norm (0: off)', default: 1, min: 0 },
  { name: 'fairgradAlpha', flag: '--fairgrad-alpha', type: 'number', help: 'FairGrad: fairness α', default: 1, min: 0, exclusiveMin: true },
  { name: 'mgdaNormalisation', flag: '--mgda-normalisation', type: 'enum', help: 'MGDA gradient normalisation', default: 'none', choices: ['none', 'l2', 'loss', 'loss+'] },
  { name: 'dwaTau', flag: '--dwa-tau', type: 'number', help: 'DWA temperature τ', default: 2, min: 0, exclusiveMin: true },
  { name: 'logConflictEvery', flag: '--log-conflict-every', type: 'integer', help: 'log task-gradient cosines, conflicting pairs and norm ratios every N steps (0: off; free every step with an aggregator in jacobian/backward mode, else one extra Jacobian per logged step)', default: 10, min: 0 },
  { name: 'stchMu', flag: '--stch-mu', type: 'number', help: 'STCH smoothing μ', default: 1, min: 0, exclusiveMin: true },
  { name: 'gradnormAlpha', flag: '--gradnorm-alpha', type: 'number', help: 'GradNorm: asymmetry α of the target gradient norms (0: equal norms)', default: 1.5, min: 0 },
];

const EXPERTS: readonly ParamDecl[] = [
  { name: 'experts', flag: '--experts', type: 'integer', help: 'number of experts n', default: 4, min: 1 },
];
const CGC_PARAMS: readonly ParamDecl[] = [
  { name: 'sharedExperts', flag: '--shared-experts', type: 'integer', help: 'shared experts per level', default: 2, min: 1 },
  { name: 'taskExperts', flag: '--task-experts', type: 'integer', help: 'task-specific experts per task and level', default: 1, min: 1 },
];
const DSELECT: readonly ParamDecl[] = [
  { name: 'k', flag: '--k', type: 'integer', help: 'experts selected per task k', default: 2, min: 1 },
  { name: 'gamma', flag: '--gamma', type: 'number', help: 'smooth-step width γ', default: 1, min: 0, exclusiveMin: true },
  { name: 'entropyReg', flag: '--entropy-reg', type: 'number', help: 'entropy regulariser weight λ of the selectors', default: 1e-3, min: 0 },
  { name: 'gate', flag: '--gate', type: 'enum', help: 'static (one selection per task) or per-example gates', default: 'per-example', choices: ['static', 'per-example'] },
];
const CROSS_STITCH: readonly ParamDecl[] = [
  { name: 'alphaSelf', flag: '--alpha-self', type: 'number', help: 'initial self weight α_S of the cross-stitch units (Misra et al. 2016, §4.2)', default: 0.9, min: 0, max: 1 },
  { name: 'mixScale', flag: '--mix-scale', type: 'number', help: 'learning-rate boost c of the mixing weights (α = c·β)', default: 1, min: 0, exclusiveMin: true },
];
const ESMM_PARAMS: readonly ParamDecl[] = [
  { name: 'embedding', flag: '--embedding', type: 'integer', help: 'embedding width', default: 16, min: 1 },
  { name: 'towerHidden', flag: '--tower-hidden', type: 'number-list', help: 'hidden widths of the CTR and CVR towers (default: --head-hidden, then --hidden)' },
];

function paramsOf(model: string): readonly ParamDecl[] {
  const arch = NN_MODELS[model];
  if (arch === 'mmoe') return [...COMMON, ...EXPERTS];
  if (arch === 'cgc' || arch === 'ple') return [...COMMON, ...CGC_PARAMS];
  if (arch === 'dselect-k') return [...COMMON, ...EXPERTS, ...DSELECT];
  if (arch === 'cross-stitch') return [...COMMON, ...CROSS_STITCH];
  if (arch === 'esmm') return [...COMMON, ...ESMM_PARAMS];
  return COMMON;
}

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

function buildNet(model: string, o: Options, taskNames: readonly string[], d: number): MtlArchitecture {
  const arch = NN_MODELS[model];
  if (!arch) throw new OptionError('model', `unknown neural model "${model}"`);
  return buildArchitecture(arch, {
    taskNames,
    outDims: taskNames.map(() => 1),
    encoder: { kind: 'mlp', input: d, hidden: o.hidden as number[], activation: o.activation as Activation },
    headHidden: o.headHidden as number[],
    experts: o.experts as number | undefined,
    sharedExperts: o.sharedExperts as number | undefined,
    taskExperts: o.taskExperts as number | undefined,
    k: o.k as number | undefined,
    gamma: o.gamma as number | undefined,
    entropyReg: o.entropyReg as number | undefined,
    gate: o.gate as 'static' | 'per-example' | undefined,
    alphaSelf: o.alphaSelf as number | undefined,
    mixScale: o.mixScale as number | undefined,
    embedding: o.embedding as number | undefined,
    towerHidden: o.towerHidden as number[] | undefined,
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

  constructor(readonly model: string, options: Options, private readonly fit_?: {
    net: MtlArchitecture; st: Standardiser; taskNames: string[]; taskKinds: TaskKind[]; featureNames: string[]; bestEpoch: number; history: NnState['history'];
  }, diagnostics?: FitDiagnostics) {
    this.options = resolveOptions(model, options);
    this.fitted = fit_ !== undefined;
    this.diagnostics = diagnostics;
    if (fit_) this.learned = { bestEpoch: fit_.bestEpoch, history: fit_.history, structure: fit_.net.structure() };
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
    const kinds: TaskKind[] = specs.map((s) => (s.kind === 'binary' ? 'binary' : 'regression'));
    const td = toTrainData(ds);
    const st = fitStandardiser(td, kinds);
    standardise(td, st);
    const names = ds.tasks.map((t) => t.name);
    const net = buildNet(this.model, o, names, ds.featureNames.length);
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
    const history: NnEpoch[] = r.history.map((h: EpochRecord) => ({ epoch: h.epoch, trainLoss: h.train.loss, valLoss: h.val ? h.val.loss : null, weights: h.weights, competition: h.competition ?? null }));
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
    return new NeuralEstimator(this.model, o, { net, st, taskNames: names, taskKinds: kinds, featureNames: [...ds.featureNames], bestEpoch: r.bestEpoch, history }, diag);
  }

  private raw(X: Matrix, task: string): Float64Array {
    const f = this.fit_;
    if (!f) throw new NotFittedError(`${this.model}.predict`);
    const t = f.taskNames.indexOf(task);
    if (t < 0) throw new UnknownTaskError(task, f.taskNames);
    const d = f.featureNames.length;
    if (X.cols !== d) throw new FeatureMismatchError(`${this.model}: X has ${X.cols} features, the model was trained on ${d}`);
    const Xf = new Float32Array(X.rows * d);
    for (let i = 0; i < X.rows; i++) for (let j = 0; j < d; j++) Xf[i * d + j] = (X.data[i * X.cols + j]! - f.st.xMean[j]!) / f.st.xStd[j]!;
    const out = predictAll(f.net, Xf, X.rows, d)[t]!;
    return Float64Array.from(out, (v) => v * f.st.yStd[t]! + f.st.yMean[t]!);
  }

  predict(X: Matrix, task: string): Float64Array {
    return this.raw(X, task);
  }

  predictResponse(X: Matrix, task: string): Float64Array {
    const f = this.fit_;
    const z = this.raw(X, task);
    if (f && f.taskKinds[f.taskNames.indexOf(task)] === 'binary') return z.map((v) => 1 / (1 + Math.exp(-v)));
    return z;
  }

  toJSON(): EstimatorJSON {
    const f = this.fit_;
    if (!f) throw new NotFittedError(`${this.model}.toJSON`);
    const params: Record<string, number[]> = {};
    for (const p of f.net.parameters()) params[p.name] = Array.from(p.data);
    const state: NnState = { params, standardiser: f.st, bestEpoch: f.bestEpoch, history: f.history };
    return {
      format: 'polytask-model', formatVersion: 2, polytaskVersion: VERSION, engine: NN_ENGINE, model: this.model,
      options: this.options, taskNames: f.taskNames, taskKinds: f.taskKinds, featureNames: f.featureNames, state,
    };
  }

  /** @internal rebuild from a model file */
  static load(json: EstimatorJSON): NeuralEstimator {
    const st = json.state as NnState;
    const where = `model "${json.model}"`;
    if (!st || typeof st !== 'object' || !st.params || !st.standardiser) throw new ModelFileError(where, 'neural state is missing its parameters or standardiser');
    const o = resolveOptions(json.model, json.options);
    const net = buildNet(json.model, o, json.taskNames, json.featureNames.length);
    for (const p of net.parameters()) {
      const v = st.params[p.name];
      if (!v || v.length !== p.size) throw new ModelFileError(where, `parameter "${p.name}" is missing or has the wrong size`);
      p.data.set(v);
    }
    return new NeuralEstimator(json.model, o, {
      net, st: st.standardiser, taskNames: [...json.taskNames], taskKinds: [...json.taskKinds], featureNames: [...json.featureNames], bestEpoch: st.bestEpoch, history: st.history,
    });
  }
}

function decl(name: string): ModelDecl {
  return {
    engine: NN_ENGINE,
    name,
    summary: SUMMARIES[name]!,
    params: paramsOf(name),
    baseline: 'stl-mlp',
    make: (options) => new NeuralEstimator(name, options),
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
