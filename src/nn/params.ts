// The neural engine's declarations: its models, their summaries and hyper-parameters, kept apart
// from the implementation (src/nn/estimator.ts) so that the CLI can list, validate and parse every
// neural option without importing the tape, the architectures or the balancing methods
// (src/engine-descriptors.ts). The choice lists of --weighting/--aggregator/--activation are
// spelled here; test/nn/params.test.ts checks them against the lists the trainer accepts.
import type { ModelInfo, ParamDecl } from '../estimator/contract.ts';
import type { ArchName } from './arch/common.ts';

/** Loss weightings the trainer runs (balance/nn-hooks.ts TRAINER_WEIGHTINGS). */
export const NN_WEIGHTINGS: readonly string[] = ['ew', 'uw', 'dwa', 'gls', 'rlw', 'stch', 'imtl-l', 'gradnorm', 'famo', 'excess-mtl'];
/** Gradient aggregators the trainer runs (balance/nn-hooks.ts TRAINER_AGGREGATORS). */
export const NN_AGGREGATORS: readonly string[] = ['mean', 'sum', 'mgda', 'mgda-ub', 'pcgrad', 'gradvac', 'cagrad', 'nash-mtl', 'imtl-g', 'aligned-mtl', 'upgrad', 'dualproj', 'fairgrad', 'config', 'db-mtl', 'moco', 'graddrop', 'random'];
/** Hidden activations (nn/module.ts ACTIVATIONS without 'none'). */
export const NN_ACTIVATIONS: readonly string[] = ['relu', 'leaky-relu', 'gelu', 'tanh', 'sigmoid'];

export const NN_ENGINE = 'nn';

/** Model name → architecture. */
export const NN_MODELS: Readonly<Record<string, ArchName>> = {
  'stl-mlp': 'stl', hps: 'hps', 'cross-stitch': 'cross-stitch', mmoe: 'mmoe', cgc: 'cgc', ple: 'ple', 'dselect-k': 'dselect-k', mtan: 'mtan', esmm: 'esmm',
};

export const NN_SUMMARIES: Readonly<Record<string, string>> = {
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
  { name: 'activation', flag: '--activation', type: 'enum', help: 'hidden activation', default: 'relu', choices: NN_ACTIVATIONS },
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
  { name: 'weighting', flag: '--weighting', type: 'enum', help: 'loss weighting (docs/balance.md)', default: 'ew', choices: NN_WEIGHTINGS },
  { name: 'aggregator', flag: '--aggregator', type: 'enum', help: 'gradient aggregation of the shared parameters (none: backward of the weighted loss)', default: 'none', choices: ['none', ...NN_AGGREGATORS] },
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
  { name: 'entropyReg', flag: '--entropy-reg', type: 'number', help: 'entropy regulariser weight λ of the selectors (Hazimeh et al. 2021, section 3.3)', default: 0.1, min: 0 },
  { name: 'gate', flag: '--gate', type: 'enum', help: 'static (one selection per task) or per-example gates', default: 'per-example', choices: ['static', 'per-example'] },
  { name: 'gammaEnd', flag: '--gamma-end', type: 'number', help: 'smooth-step width at the end of its anneal (γ → γ_end geometrically over the first 80 % of training; default γ/1000 for per-example gates, γ, i.e. no anneal, for static; docs/nn/architectures.md)', min: 0, exclusiveMin: true },
  { name: 'distinctReg', flag: '--distinct-reg', type: 'number', help: 'weight μ of the penalty on selectors that pick the same expert, so that exactly k experts are used (default 1 for static gates, 5 per-example; 0: the paper\'s gate, at most k; docs/nn/architectures.md)', min: 0 },
];
const CROSS_STITCH: readonly ParamDecl[] = [
  { name: 'alphaSelf', flag: '--alpha-self', type: 'number', help: 'initial self weight α_S of the cross-stitch units (Misra et al. 2016, §4.2)', default: 0.9, min: 0, max: 1 },
  { name: 'mixScale', flag: '--mix-scale', type: 'number', help: 'learning-rate boost c of the mixing weights (α = c·β)', default: 1, min: 0, exclusiveMin: true },
];
const ESMM_PARAMS: readonly ParamDecl[] = [
  { name: 'embedding', flag: '--embedding', type: 'integer', help: 'embedding width', default: 16, min: 1 },
  { name: 'towerHidden', flag: '--tower-hidden', type: 'number-list', help: 'hidden widths of the CTR and CVR towers (default: --head-hidden, then --hidden)' },
  { name: 'ctrTask', flag: '--ctr-task', type: 'string', help: 'the click task (CTR, pCTR); the other task is click-and-convert (CTCVR = pCTR × pCVR). Default: the first task' },
];

export function paramsOf(model: string): readonly ParamDecl[] {
  const arch = NN_MODELS[model];
  if (arch === 'mmoe') return [...COMMON, ...EXPERTS];
  if (arch === 'cgc' || arch === 'ple') return [...COMMON, ...CGC_PARAMS];
  if (arch === 'dselect-k') return [...COMMON, ...EXPERTS, ...DSELECT];
  if (arch === 'cross-stitch') return [...COMMON, ...CROSS_STITCH];
  if (arch === 'esmm') return [...COMMON, ...ESMM_PARAMS];
  return COMMON;
}

/** Every neural model's declarations (the engine's descriptor). */
export function nnModelInfos(): readonly ModelInfo[] {
  return Object.keys(NN_MODELS).map((name) => ({ engine: NN_ENGINE, name, summary: NN_SUMMARIES[name]!, params: paramsOf(name), baseline: 'stl-mlp' }));
}
