// Mini-batch multi-task training (issue 11, "Trainer"), on both data layouts:
//  - multi-output: shared rows, one target per task, NaN = missing label (masked out of that loss);
//  - multi-input (LibMTL multi_input): one data set per task; each step draws one batch of EVERY
//    task; an epoch has as many steps as the longest task has batches (shorter tasks cycle).
//    The T batches are stacked into one [T·B, d] input so the trunk runs once (and 'jacobian'/'rep'
//    modes see one shared representation); head t's loss reads rows [t·B, (t+1)·B) of output t.
// Every batch has exactly B rows: a short last batch is padded with masked rows (weight 0 in the
// loss, so its value and gradient are those of the short batch), keeping the tape's arena flat.
//
// Determinism and resume: the validation split, each epoch's shuffles and each epoch's dropout
// stream are drawn from generators derived from (seed, epoch) alone, so a run resumed from an
// epoch-boundary checkpoint (parameters, optimiser and balancer states, history) is bit-identical.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../cli/atomic.ts';
import { AbortError, DataError, ModelFileError, NumericError, OptionError } from '../../errors.ts';
import { Random } from '../../linalg/random.ts';
import { gramian, jacobianByBackward, jacobianByLanes, repGradients, backwardShared, writeSharedGrad } from '../mtl.ts';
import type { GradMode, TaskMatrix } from '../mtl.ts';
import { bceWithLogitsLoss, mseLoss, softmaxCrossEntropy } from '../ops/loss.ts';
import { slice } from '../ops/shape.ts';
import { add } from '../ops/elementwise.ts';
import { applyUpdates } from '../optim/transform.ts';
import { Tape } from '../tape.ts';
import type { Param, Tensor } from '../tensor.ts';
import { equalWeighting } from './hooks.ts';
import type { GradientAggregator, LossWeighting } from './hooks.ts';
import { CompetitionAcc, unseededGramian } from './probe.ts';
import type { ProbeContext } from './probe.ts';
import { decodeState, encodeOptState, encodeState, restoreOptState } from './state-json.ts';
import type { Json } from './state-json.ts';
import type { EpochRecord, GradientsUsed, MTLNetwork, MultiInputData, MultiOutputData, TaskSpec, TrainConfig, TrainData, TrainResult } from './types.ts';

const CHECKPOINT_FORMAT = 'polytask-nn-checkpoint';
const CHECKPOINT_VERSION = 1;

/** A generator for one purpose of one epoch, derived from the run seed only. */
export function derivedRandom(seed: number, epoch: number, purpose: number): Random {
  return new Random(((seed >>> 0) * 4096 + epoch * 16 + purpose) % 9007199254740991);
}

// ---- data preparation --------------------------------------------------------------------------

interface TaskRows {
  readonly X: Float32Array;
  readonly y: Float32Array;
  readonly w: Float32Array | null;
  readonly rows: Int32Array; // indices into X/y
}

interface Prepared {
  readonly layout: 'multi-output' | 'multi-input';
  readonly d: number;
  /** multi-output: one entry whose rows index all tasks' targets; multi-input: one per task. */
  readonly sets: TaskRows[];
  readonly targets: readonly Float32Array[]; // multi-output targets (per task, over X's rows)
  readonly weights: readonly (Float32Array | null)[];
}

function checkData(data: TrainData, tasks: readonly TaskSpec[], what: string): void {
  const T = tasks.length;
  if (data.layout === 'multi-output') {
    if (data.X.length !== data.n * data.d) throw new DataError(`${what}: X has ${data.X.length} values, expected n·d = ${data.n}·${data.d}`);
    if (data.targets.length !== T) throw new DataError(`${what}: ${data.targets.length} target columns for ${T} tasks`);
    data.targets.forEach((y, t) => {
      if (y.length !== data.n) throw new DataError(`${what}: task "${tasks[t]!.name}" has ${y.length} targets for ${data.n} rows`);
      checkTargets(y, tasks[t]!, what);
    });
  } else {
    if (data.tasks.length !== T) throw new DataError(`${what}: ${data.tasks.length} task data sets for ${T} tasks`);
    data.tasks.forEach((s, t) => {
      if (s.X.length !== s.n * data.d) throw new DataError(`${what}: task "${tasks[t]!.name}" X has ${s.X.length} values, expected ${s.n}·${data.d}`);
      if (s.y.length !== s.n) throw new DataError(`${what}: task "${tasks[t]!.name}" has ${s.y.length} targets for ${s.n} rows`);
      checkTargets(s.y, tasks[t]!, what);
    });
  }
}

function checkTargets(y: Float32Array, task: TaskSpec, what: string): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v)) throw new DataError(`${what}: task "${task.name}" row ${i}: target ${v} is not finite`);
    if (task.kind === 'binary' && v !== 0 && v !== 1) throw new DataError(`${what}: task "${task.name}" row ${i}: binary target must be 0 or 1, got ${v}`);
    if (task.kind === 'multiclass' && (!Number.isInteger(v) || v < 0 || v >= (task.classes ?? 0))) {
      throw new DataError(`${what}: task "${task.name}" row ${i}: class ${v} is not in 0..${(task.classes ?? 0) - 1}`);
    }
  }
}

function allRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

function prepare(data: TrainData): Prepared {
  if (data.layout === 'multi-output') {
    return { layout: 'multi-output', d: data.d, sets: [{ X: data.X, y: new Float32Array(0), w: null, rows: allRows(data.n) }], targets: data.targets, weights: data.weights ?? data.targets.map(() => null) };
  }
  return { layout: 'multi-input', d: data.d, sets: data.tasks.map((s) => ({ X: s.X, y: s.y, w: s.weights ?? null, rows: allRows(s.n) })), targets: [], weights: [] };
}

/** Seeded validation split of the training rows (per task for multi-input). */
function splitVal(p: Prepared, ratio: number, seed: number): [Prepared, Prepared] {
  const cut = (s: TaskRows, k: number): [TaskRows, TaskRows] => {
    const perm = derivedRandom(seed, 0, 15 + k).permutation(s.rows.length);
    const nv = Math.max(1, Math.round(ratio * s.rows.length));
    if (s.rows.length - nv < 1) throw new DataError(`validation split: ${s.rows.length} rows are too few for val-ratio ${ratio}`);
    const val = Int32Array.from(perm.subarray(0, nv), (i) => s.rows[i]!).sort();
    const tr = Int32Array.from(perm.subarray(nv), (i) => s.rows[i]!).sort();
    return [{ ...s, rows: tr }, { ...s, rows: val }];
  };
  const pairs = p.sets.map((s, k) => cut(s, k));
  return [{ ...p, sets: pairs.map((q) => q[0]) }, { ...p, sets: pairs.map((q) => q[1]) }];
}

// ---- batches -----------------------------------------------------------------------------------

/** Preallocated buffers of one step: the stacked input and per-task targets, masks and weights. */
class Batch {
  readonly x: Float32Array;
  readonly y: Float32Array[];
  readonly mask: Uint8Array[];
  readonly w: Float32Array[];
  readonly hasW: boolean[];
  readonly rows: number;
  constructor(readonly T: number, readonly B: number, readonly d: number, readonly stacked: boolean) {
    this.rows = stacked ? T * B : B;
    this.x = new Float32Array(this.rows * d);
    this.y = Array.from({ length: T }, () => new Float32Array(B));
    this.mask = Array.from({ length: T }, () => new Uint8Array(B));
    this.w = Array.from({ length: T }, () => new Float32Array(B));
    this.hasW = new Array<boolean>(T).fill(false);
  }
}

/** Fill `b` with the rows order[start .. start+B) of a multi-output set (padding masked). */
function fillMultiOutput(b: Batch, p: Prepared, order: Int32Array, start: number): void {
  const s = p.sets[0]!, d = p.d;
  for (let i = 0; i < b.B; i++) {
    const k = start + i;
    const valid = k < order.length;
    const r = valid ? s.rows[order[k]!]! : s.rows[order[0]!]!;
    b.x.set(s.X.subarray(r * d, (r + 1) * d), i * d);
    for (let t = 0; t < b.T; t++) {
      const y = p.targets[t]![r]!;
      const obs = valid && !Number.isNaN(y);
      b.y[t]![i] = obs ? y : 0;
      b.mask[t]![i] = obs ? 1 : 0;
      const w = p.weights[t];
      b.hasW[t] = !!w;
      b.w[t]![i] = w ? w[r]! : 1;
    }
  }
}

/** Fill task t's block of `b` with batch `bi` (cycled) of its own order (padding masked). */
function fillMultiInputTask(b: Batch, p: Prepared, t: number, order: Int32Array, bi: number): void {
  const s = p.sets[t]!, d = p.d, B = b.B;
  const nb = Math.ceil(order.length / B);
  const start = (bi % nb) * B;
  for (let i = 0; i < B; i++) {
    const k = start + i;
    const valid = k < order.length;
    const r = s.rows[order[valid ? k : 0]!]!;
    b.x.set(s.X.subarray(r * d, (r + 1) * d), (t * B + i) * d);
    const y = s.y[r]!;
    const obs = valid && !Number.isNaN(y);
    b.y[t]![i] = obs ? y : 0;
    b.mask[t]![i] = obs ? 1 : 0;
    b.hasW[t] = !!s.w;
    b.w[t]![i] = s.w ? s.w[r]! : 1;
  }
}

// ---- losses and metrics ------------------------------------------------------------------------

function taskLoss(g: Tape, task: TaskSpec, out: Tensor, b: Batch, t: number): Tensor {
  const opts = { mask: b.mask[t]!, weights: b.hasW[t] ? b.w[t]! : null };
  switch (task.kind) {
    case 'regression': return mseLoss(g, out, b.y[t]!, opts);
    case 'binary': return bceWithLogitsLoss(g, out, b.y[t]!, opts);
    case 'multiclass': return softmaxCrossEntropy(g, out, b.y[t]!, opts);
  }
}

export function metricName(task: TaskSpec): string {
  return task.kind === 'regression' ? 'rmse' : 'accuracy';
}

/** Accumulates a task's metric over batches: squared error (rmse) or correct count (accuracy). */
class MetricAcc {
  loss = new Float64Array(0);
  lossW = new Float64Array(0);
  num = new Float64Array(0);
  den = new Float64Array(0);
  reset(T: number): void {
    this.loss = new Float64Array(T);
    this.lossW = new Float64Array(T);
    this.num = new Float64Array(T);
    this.den = new Float64Array(T);
  }
  add(task: TaskSpec, t: number, out: Tensor, rowOff: number, b: Batch, lossValue: number): void {
    const m = b.mask[t]!, y = b.y[t]!, o = out.data;
    let obs = 0;
    if (task.kind === 'multiclass') {
      const C = out.shape[1]!;
      for (let i = 0; i < b.B; i++) {
        if (!m[i]) continue;
        obs++;
        let best = 0;
        for (let c = 1; c < C; c++) if (o[(rowOff + i) * C + c]! > o[(rowOff + i) * C + best]!) best = c;
        if (best === y[i]) this.num[t]! += 1;
      }
    } else {
      for (let i = 0; i < b.B; i++) {
        if (!m[i]) continue;
        obs++;
        const v = o[rowOff + i]!;
        if (task.kind === 'regression') this.num[t]! += (v - y[i]!) * (v - y[i]!);
        else if ((v > 0 ? 1 : 0) === y[i]) this.num[t]! += 1;
      }
    }
    this.den[t]! += obs;
    this.loss[t]! += lossValue * obs;
    this.lossW[t]! += obs;
  }
  result(tasks: readonly TaskSpec[]): { loss: number[]; metric: number[] } {
    return {
      loss: tasks.map((_, t) => (this.lossW[t]! > 0 ? this.loss[t]! / this.lossW[t]! : NaN)),
      metric: tasks.map((task, t) => (this.den[t]! > 0 ? (task.kind === 'regression' ? Math.sqrt(this.num[t]! / this.den[t]!) : this.num[t]! / this.den[t]!) : NaN)),
    };
  }
}

// ---- the trainer -------------------------------------------------------------------------------

interface Checkpoint {
  readonly format: string;
  readonly version: number;
  /** Next epoch to run. */
  readonly epoch: number;
  readonly seed: number;
  readonly batchSize: number;
  readonly tasks: readonly string[];
  readonly params: Record<string, Json>;
  readonly optimizer: Json;
  readonly weighting: Json;
  readonly aggregator: Json;
  readonly history: EpochRecord[];
  readonly epochLosses: Json;
  readonly best: { epoch: number; score: number; params: Record<string, Json> | null };
  readonly sinceBest: number;
  readonly steps: number;
}

function validateConfig(net: MTLNetwork, cfg: TrainConfig): void {
  const T = cfg.tasks.length;
  if (T < 1) throw new OptionError('tasks', 'at least one task is needed');
  if (net.taskNames.length !== T) throw new OptionError('tasks', `the network has ${net.taskNames.length} task outputs but ${T} tasks were given`);
  if (!(Number.isInteger(cfg.epochs) && cfg.epochs >= 1)) throw new OptionError('epochs', `must be a positive integer, got ${cfg.epochs}`);
  if (!(Number.isInteger(cfg.batchSize) && cfg.batchSize >= 1)) throw new OptionError('batch-size', `must be a positive integer, got ${cfg.batchSize}`);
  if (!Number.isInteger(cfg.seed)) throw new OptionError('seed', `must be an integer, got ${cfg.seed}`);
  if (cfg.valRatio !== undefined && !(cfg.valRatio >= 0 && cfg.valRatio < 1)) throw new OptionError('val-ratio', `must be in [0, 1), got ${cfg.valRatio}`);
  if (cfg.patience !== undefined && !(Number.isInteger(cfg.patience) && cfg.patience >= 0)) throw new OptionError('patience', `must be a non-negative integer, got ${cfg.patience}`);
  if (cfg.checkpointEvery !== undefined) {
    if (!(Number.isInteger(cfg.checkpointEvery) && cfg.checkpointEvery >= 1)) throw new OptionError('checkpoint-every', `must be a positive integer, got ${cfg.checkpointEvery}`);
    if (!cfg.checkpointPath) throw new OptionError('checkpoint-every', 'needs a checkpoint path');
  }
  if (cfg.logConflictEvery !== undefined && !(Number.isInteger(cfg.logConflictEvery) && cfg.logConflictEvery >= 0)) {
    throw new OptionError('log-conflict-every', `must be a non-negative integer (0: off), got ${cfg.logConflictEvery}`);
  }
  if (cfg.probe && !(Number.isInteger(cfg.probe.every) && cfg.probe.every >= 1)) throw new OptionError('probe', `every must be a positive integer, got ${cfg.probe.every}`);
  cfg.tasks.forEach((t) => {
    if (t.kind === 'multiclass' && !(Number.isInteger(t.classes) && t.classes! >= 2)) throw new OptionError('tasks', `multiclass task "${t.name}" needs classes ≥ 2`);
  });
  const mode = cfg.gradMode ?? 'jacobian';
  if (cfg.aggregator && !cfg.aggregator.modes.includes(mode)) {
    throw new OptionError('grad-mode', `aggregator "${cfg.aggregator.name}" is not defined for grad mode "${mode}" (it supports: ${cfg.aggregator.modes.join(', ')})`);
  }
  const w = cfg.weighting;
  if (w && (w.needs ?? 'losses') !== 'losses' && w.modes && !w.modes.includes(mode)) {
    throw new OptionError('grad-mode', `weighting "${w.name}" is not defined for grad mode "${mode}" (it supports: ${w.modes.join(', ')})`);
  }
}

/**
 * The parameters of the last shared layer: those whose name has the layer prefix (the name up to its
 * last '.') of the last shared parameter, e.g. trunk.1.weight and trunk.1.bias of an HPS MLP.
 */
export function lastSharedLayer(shared: readonly Param[]): Param[] {
  const last = shared[shared.length - 1];
  if (!last) return [];
  const prefix = last.name.includes('.') ? last.name.slice(0, last.name.lastIndexOf('.') + 1) : last.name;
  return shared.filter((p) => (prefix === last.name ? p === last : p.name.startsWith(prefix)));
}

function paramsSnapshot(ps: readonly Param[]): Record<string, Json> {
  const o: Record<string, Json> = {};
  for (const p of ps) o[p.name] = encodeState(p.data);
  return o;
}

function restoreParams(ps: readonly Param[], snap: Record<string, Json>, file: string): void {
  for (const p of ps) {
    const j = snap[p.name];
    if (j === undefined) throw new ModelFileError(file, `checkpoint has no parameter "${p.name}"`);
    const d = decodeState(j) as Float32Array | Float64Array;
    if (d.length !== p.size) throw new ModelFileError(file, `parameter "${p.name}" has ${d.length} values, the network ${p.size}`);
    p.data.set(d);
  }
}

/** Train `net` on `data`. Returns the per-epoch history; the network holds the final (or best) parameters. */
export function train(net: MTLNetwork, data: TrainData, cfg: TrainConfig): TrainResult {
  validateConfig(net, cfg);
  const t0 = performance.now();
  const tasks = cfg.tasks, T = tasks.length, B = cfg.batchSize;
  checkData(data, tasks, 'training data');
  if (cfg.val) {
    checkData(cfg.val, tasks, 'validation data');
    if (cfg.val.layout !== data.layout || cfg.val.d !== data.d) throw new DataError('validation data must have the layout and feature count of the training data');
  }
  let trainSet = prepare(data);
  let valSet: Prepared | null = cfg.val ? prepare(cfg.val) : null;
  if (!valSet && (cfg.valRatio ?? 0) > 0) [trainSet, valSet] = splitVal(trainSet, cfg.valRatio!, cfg.seed);
  // every task needs at least one observed training label
  for (let t = 0; t < T; t++) {
    const ok = trainSet.layout === 'multi-output'
      ? trainSet.sets[0]!.rows.some((r) => !Number.isNaN(trainSet.targets[t]![r]!))
      : trainSet.sets[t]!.rows.some((r) => !Number.isNaN(trainSet.sets[t]!.y[r]!));
    if (!ok) throw new DataError(`task "${tasks[t]!.name}" has no observed label in the training rows`);
  }

  const params = net.parameters();
  const shared = net.sharedParameters();
  const names = new Set(params.map((p) => p.name));
  for (const p of shared) if (!names.has(p.name)) throw new OptionError('sharedParameters', `shared parameter "${p.name}" is not among the network's parameters`);
  const grads = params.map((p) => p.grad!);
  const sharedSet = new Set(shared);
  const unshared = params.filter((p) => !sharedSet.has(p));
  const weighting: LossWeighting = cfg.weighting ?? equalWeighting;
  const aggregator: GradientAggregator | undefined = cfg.aggregator;
  const mode: GradMode = cfg.gradMode ?? 'jacobian';

  // Per-task gradients read by the loss weighting (GradNorm, ExcessMTL), and what the run records.
  const wNeedsGrads = (weighting.needs ?? 'losses') !== 'losses';
  const wParams = weighting.gradients === 'last-shared-layer' ? lastSharedLayer(shared) : shared;
  const gradientsUsed: GradientsUsed | null = aggregator || wNeedsGrads
    ? {
        mode,
        aggregator: aggregator ? (mode === 'rep' ? 'representation' : 'shared parameters') : null,
        weighting: wNeedsGrads ? (mode === 'rep' ? 'representation' : weighting.gradients === 'last-shared-layer' ? `last shared layer (${wParams.map((p) => p.name).join(', ')})` : 'shared parameters') : null,
      }
    : null;

  const optState = cfg.optimizer.init(params);
  let wState = weighting.init(T, cfg.seed);
  let aState = aggregator ? aggregator.init(T, cfg.seed) : null;
  const history: EpochRecord[] = [];
  const epochLosses: Float64Array[] = [];
  let best = { epoch: -1, score: Infinity, params: null as Float32Array[] | Float64Array[] | null };
  let sinceBest = 0;
  let startEpoch = 0;
  let steps = 0;

  if (cfg.resumeFrom) {
    const file = cfg.resumeFrom;
    let ck: Checkpoint;
    try {
      ck = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
    } catch (e) {
      throw new ModelFileError(file, `cannot read the checkpoint: ${(e as Error).message}`);
    }
    if (ck.format !== CHECKPOINT_FORMAT || ck.version !== CHECKPOINT_VERSION) throw new ModelFileError(file, `not a ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} file`);
    if (ck.seed !== cfg.seed || ck.batchSize !== B || ck.tasks.join('\u0000') !== tasks.map((t) => t.name).join('\u0000')) {
      throw new ModelFileError(file, 'the checkpoint was written with another seed, batch size or task list; resume with the same settings');
    }
    restoreParams(params, ck.params, file);
    try {
      restoreOptState(optState, ck.optimizer);
    } catch (e) {
      throw new ModelFileError(file, (e as Error).message);
    }
    wState = decodeState(ck.weighting) as typeof wState;
    aState = decodeState(ck.aggregator) as typeof aState;
    history.push(...(decodeState(ck.history as unknown as Json) as EpochRecord[]));
    epochLosses.push(...(decodeState(ck.epochLosses) as Float64Array[]));
    best = { epoch: ck.best.epoch, score: decodeState(ck.best.score as unknown as Json) as number, params: null };
    if (ck.best.params) {
      const snap = ck.best.params;
      best.params = params.map((p) => decodeState(snap[p.name]!) as Float32Array) as Float32Array[];
    }
    sinceBest = ck.sinceBest;
    startEpoch = ck.epoch;
    steps = ck.steps;
  }

  const stacked = trainSet.layout === 'multi-input';
  const g = new Tape('float32', cfg.seed);
  const ge = new Tape('float32', cfg.seed);
  ge.training = false;
  const batch = new Batch(T, B, trainSet.d, stacked);
  const lossVals = new Float64Array(T);
  const acc = new MetricAcc();
  const losses: Tensor[] = new Array<Tensor>(T);
  const predOf: Tensor[] = new Array<Tensor>(T);
  let inSize = 1;
  for (const k of net.inShape) inSize *= k;
  if (inSize !== trainSet.d) throw new DataError(`the network takes inputs of shape [${net.inShape.join(', ')}] (${inSize} values) but the data have ${trainSet.d} features`);
  const inputShape = [batch.rows, ...net.inShape];
  const wSum = new Float64Array(T);
  let J: TaskMatrix | null = null;
  let Jbuf: Float32Array | Float64Array | undefined;
  let Rbuf: Float32Array | Float64Array | undefined;
  let dirBuf = new Float64Array(0);
  // Competition logging (issue 12): with an aggregator taking parameter gradients, its Gramian is
  // reused on every step; otherwise an extra Jacobian every `conflictEvery` steps.
  const conflictEvery = cfg.logConflictEvery ?? 10;
  const aggregatorGramian = aggregator !== undefined && mode !== 'rep';
  const compAcc = new CompetitionAcc(T, aggregatorGramian ? 1 : conflictEvery);
  const probe = cfg.probe;
  let rawJbuf: Float32Array | Float64Array | undefined;
  let rawRbuf: Float32Array | Float64Array | undefined;
  let stoppedEarly = false;
  let lastProgress = 0;

  // Multi-input data without an aggregator: one forward per task on its own rows, asking the
  // network for that task's head only (heads then see B rows, not T·B); the trunk work is the same.
  // Aggregators need ONE shared representation, so they use the stacked forward.
  const perTask = stacked && !aggregator && !wNeedsGrads && net.forward.length >= 3;
  const taskInputs = perTask ? Array.from({ length: T }, (_, t) => batch.x.subarray(t * B * trainSet.d, (t + 1) * B * trainSet.d)) : [];
  const taskShape = [B, ...net.inShape];
  const only = Array.from({ length: T }, (_, t) => [t]);

  const forwardLosses = (tape: Tape): Tensor | null => {
    tape.reset();
    if (perTask) {
      for (let t = 0; t < T; t++) {
        const out = net.forward(tape, tape.input(taskInputs[t]!, taskShape), only[t]);
        const o = out.outputs[t];
        if (!o) throw new OptionError('network', `forward returned no output for task "${tasks[t]!.name}"`);
        predOf[t] = o;
        let L = taskLoss(tape, tasks[t]!, o, batch, t);
        const aux = out.aux?.[t];
        if (aux) L = add(tape, L, aux);
        losses[t] = L;
      }
      return null;
    }
    const x = tape.input(batch.x, inputShape);
    const out = net.forward(tape, x);
    if (out.outputs.length !== T) throw new OptionError('network', `forward returned ${out.outputs.length} outputs for ${T} tasks`);
    for (let t = 0; t < T; t++) {
      let o = out.outputs[t];
      if (!o) throw new OptionError('network', `forward returned no output for task "${tasks[t]!.name}"`);
      if (stacked) o = slice(tape, o, 0, t * B, (t + 1) * B);
      predOf[t] = o;
      let L = taskLoss(tape, tasks[t]!, o, batch, t);
      const aux = out.aux?.[t];
      if (aux) L = add(tape, L, aux);
      losses[t] = L;
    }
    return out.features;
  };

  const metricsOf = (tape: Tape, a: MetricAcc): void => {
    for (let t = 0; t < T; t++) {
      a.add(tasks[t]!, t, predOf[t]!, 0, batch, losses[t]!.data[0]!);
    }
    void tape;
  };

  const evaluate = (set: Prepared): { loss: number[]; metric: number[] } => {
    const a = new MetricAcc();
    a.reset(T);
    if (set.layout === 'multi-output') {
      const order = allRows(set.sets[0]!.rows.length);
      for (let start = 0; start < order.length; start += B) {
        fillMultiOutput(batch, set, order, start);
        forwardLosses(ge);
        metricsOf(ge, a);
      }
    } else {
      const orders = set.sets.map((s) => allRows(s.rows.length));
      const nb = Math.max(...orders.map((o) => Math.ceil(o.length / B)));
      for (let bi = 0; bi < nb; bi++) {
        for (let t = 0; t < T; t++) {
          fillMultiInputTask(batch, set, t, orders[t]!, bi);
          // a task with fewer batches is only scored once per row: mask its cycled repeats
          if (bi >= Math.ceil(orders[t]!.length / B)) batch.mask[t]!.fill(0);
        }
        forwardLosses(ge);
        metricsOf(ge, a);
      }
    }
    return a.result(tasks);
  };

  /** Raw task gradients (row t = ∂L_t/∂θ_s, no seeds) of the step on tape g, leaving every grad as it was (zero). */
  const rawTaskGradients = (features: Tensor | null): TaskMatrix => {
    let Jr: TaskMatrix;
    if (features !== null && mode !== 'backward') {
      if (!rawRbuf || rawRbuf.length !== T * features.size) rawRbuf = new Float32Array(T * features.size);
      Jr = jacobianByLanes(g, losses, features, shared, undefined, rawJbuf, rawRbuf);
    } else Jr = jacobianByBackward(g, losses, shared, undefined, rawJbuf);
    rawJbuf = Jr.data;
    // the head parameters accumulated their task's gradient: the real backward below adds it again
    for (const p of unshared) p.grad!.fill(0);
    return Jr;
  };

  /** Per-task losses of the current batch at the current parameters, on the eval tape (the step's tensors are kept). */
  const evalLossesNow = (): Float64Array => {
    const savedL = losses.slice(), savedP = predOf.slice();
    forwardLosses(ge);
    const out = Float64Array.from(losses, (L) => L.data[0]!);
    for (let t = 0; t < T; t++) { losses[t] = savedL[t]!; predOf[t] = savedP[t]!; }
    return out;
  };

  /** Raw per-task gradients for the loss weighting (its parameters, or the representation in mode 'rep'); every grad left zero. */
  let wJbuf: Float32Array | Float64Array | undefined;
  let wRbuf: Float32Array | Float64Array | undefined;
  const weightingGradients = (features: Tensor | null): TaskMatrix => {
    if (mode !== 'backward' && features === null) throw new OptionError('grad-mode', `weighting "${weighting.name}" with grad mode "${mode}" needs the network to expose its shared representation (features); use grad mode "backward"`);
    let Jw: TaskMatrix;
    if (mode === 'rep') Jw = repGradients(g, losses, features!, undefined, wJbuf);
    else if (mode === 'jacobian') {
      if (!wRbuf || wRbuf.length !== T * features!.size) wRbuf = new Float32Array(T * features!.size);
      Jw = jacobianByLanes(g, losses, features!, wParams, undefined, wJbuf, wRbuf);
    } else Jw = jacobianByBackward(g, losses, wParams, undefined, wJbuf);
    wJbuf = Jw.data;
    // head (and unlisted shared) parameters accumulated gradients: the step's real backward adds them again
    for (const gr of grads) gr.fill(0);
    return Jw;
  };

  const step = (epoch: number): void => {
    const features = forwardLosses(g);
    for (let t = 0; t < T; t++) {
      const v = losses[t]!.data[0]!;
      if (!Number.isFinite(v)) throw new NumericError(`training diverged: task "${tasks[t]!.name}" loss is ${v} at epoch ${epoch + 1}, step ${steps + 1} (lower the learning rate?)`);
      lossVals[t] = v;
    }
    metricsOf(g, acc);
    let wGrads = {};
    if (wNeedsGrads) {
      const Jw = weightingGradients(features);
      wGrads = { mode, jacobian: Jw, gramian: gramian(Jw) };
    }
    const wOut = weighting.weights({ losses: lossVals, step: steps, epoch, epochLosses, ...wGrads }, wState);
    wState = wOut.state;
    const w = wOut.weights;
    const seeds = Array.from(w);
    const wantProbe = probe !== undefined && steps % probe.every === 0;
    const wantSample = conflictEvery > 0 && !aggregatorGramian && steps % conflictEvery === 0;
    if (wantProbe || wantSample) {
      let Jr: TaskMatrix | null = null;
      const taskJ = (): TaskMatrix => (Jr ??= rawTaskGradients(features));
      if (wantProbe) {
        const ctx: ProbeContext = { step: steps, epoch, T, losses: lossVals, shared, taskGradients: taskJ, evalLosses: evalLossesNow };
        probe.observe(ctx);
      }
      if (wantSample) compAcc.add(gramian(taskJ()), 'sampled', features !== null && mode !== 'backward' ? 'jacobian' : 'backward');
    }
    if (!aggregator) {
      g.backward(losses, { seeds });
      for (let t = 0; t < T; t++) wSum[t]! += w[t]!;
    } else {
      if (mode !== 'backward' && features === null) throw new OptionError('grad-mode', `mode "${mode}" needs the network to expose its shared representation (features); use grad mode "backward"`);
      if (mode === 'rep') {
        const R = repGradients(g, losses, features!, seeds, Rbuf);
        Rbuf = R.data;
        const K = gramian(R);
        const o = aggregator.aggregate({ T, jacobian: aggregator.needs === 'jacobian' ? R : undefined, gramian: K, mode, losses: lossVals, step: steps, representation: features!.data, batch: features!.shape[0] ?? 1 }, aState);
        aState = o.state;
        const cot = new Float32Array(R.cols);
        if (o.weights) {
          for (let t = 0; t < T; t++) for (let i = 0; i < R.cols; i++) cot[i]! += o.weights[t]! * R.data[t * R.cols + i]!;
          for (let t = 0; t < T; t++) wSum[t]! += o.weights[t]! * w[t]!;
        } else if (o.direction) cot.set(o.direction);
        else throw new OptionError('aggregator', `aggregator "${aggregator.name}" returned neither weights nor a direction`);
        backwardShared(g, features!, cot);
      } else {
        if (mode === 'jacobian' && (!Rbuf || Rbuf.length !== T * features!.size)) Rbuf = new Float32Array(T * features!.size);
        J = mode === 'jacobian' ? jacobianByLanes(g, losses, features!, shared, seeds, Jbuf, Rbuf) : jacobianByBackward(g, losses, shared, seeds, Jbuf);
        Jbuf = J.data;
        const K = gramian(J);
        if (conflictEvery > 0) compAcc.add(unseededGramian(K, seeds, T), 'aggregator', mode);
        const o = aggregator.aggregate({ T, jacobian: aggregator.needs === 'jacobian' ? J : undefined, gramian: K, mode, losses: lossVals, step: steps }, aState);
        aState = o.state;
        if (o.weights) {
          if (dirBuf.length !== J.cols) dirBuf = new Float64Array(J.cols);
          const dir = dirBuf.fill(0);
          for (let t = 0; t < T; t++) {
            const wt = o.weights[t]!;
            for (let i = 0; i < J.cols; i++) dir[i]! += wt * J.data[t * J.cols + i]!;
            wSum[t]! += wt * w[t]!;
          }
          writeSharedGrad(shared, dir);
        } else if (o.direction) writeSharedGrad(shared, o.direction);
        else throw new OptionError('aggregator', `aggregator "${aggregator.name}" returned neither weights nor a direction`);
      }
    }
    cfg.optimizer.update(grads, optState, params);
    applyUpdates(params, grads);
    for (const gr of grads) gr.fill(0);
    // FAMO: the same batch's losses at the new parameters (eval tape: no dropout).
    if (weighting.afterStep) wState = weighting.afterStep(evalLossesNow(), wState);
    steps++;
  };

  for (let epoch = startEpoch; epoch < cfg.epochs; epoch++) {
    const te = performance.now();
    g.rng = derivedRandom(cfg.seed, epoch, 1);
    acc.reset(T);
    wSum.fill(0);
    compAcc.reset();
    let nSteps = 0;
    if (trainSet.layout === 'multi-output') {
      const order = derivedRandom(cfg.seed, epoch, 2).permutation(trainSet.sets[0]!.rows.length);
      for (let start = 0; start < order.length; start += B) {
        if (cfg.signal?.aborted) throw new AbortError('training');
        fillMultiOutput(batch, trainSet, order, start);
        net.setProgress?.((epoch + start / order.length) / cfg.epochs);
        step(epoch);
        nSteps++;
        lastProgress = progress(cfg, epoch, start / order.length, lastProgress);
      }
    } else {
      const orders = trainSet.sets.map((s, t) => derivedRandom(cfg.seed, epoch, 3 + t).permutation(s.rows.length));
      const nb = Math.max(...orders.map((o) => Math.ceil(o.length / B)));
      for (let bi = 0; bi < nb; bi++) {
        if (cfg.signal?.aborted) throw new AbortError('training');
        for (let t = 0; t < T; t++) fillMultiInputTask(batch, trainSet, t, orders[t]!, bi);
        net.setProgress?.((epoch + bi / nb) / cfg.epochs);
        step(epoch);
        nSteps++;
        lastProgress = progress(cfg, epoch, bi / nb, lastProgress);
      }
    }
    const tr = acc.result(tasks);
    epochLosses.push(Float64Array.from(tr.loss));
    const val = valSet ? evaluate(valSet) : null;
    let isBest = false;
    if (val) {
      // tasks without an observed validation label (NaN) do not count
      const scored = val.loss.filter((v) => Number.isFinite(v));
      const score = scored.length > 0 ? scored.reduce((a, b) => a + b, 0) / scored.length : Infinity;
      if (score < best.score) {
        isBest = true;
        best = { epoch, score, params: params.map((p) => p.data.slice()) as Float32Array[] };
        sinceBest = 0;
      } else sinceBest++;
    }
    const rec: EpochRecord = {
      epoch: epoch + 1,
      seconds: (performance.now() - te) / 1000,
      steps: nSteps,
      lr: cfg.lrSchedule ? cfg.lrSchedule(Math.max(0, steps - 1)) : null,
      train: tr,
      val,
      weights: Array.from(wSum, (s) => (nSteps > 0 ? s / nSteps : NaN)),
      metricName: tasks.map(metricName),
      competition: conflictEvery > 0 ? compAcc.record() : null,
      best: isBest,
      gradients: gradientsUsed,
    };
    history.push(rec);
    cfg.onEpoch?.(rec);
    cfg.onProgress?.({ fraction: (epoch + 1) / cfg.epochs, detail: `epoch ${epoch + 1}/${cfg.epochs}, train loss ${mean(tr.loss).toPrecision(4)}${val ? `, val loss ${mean(val.loss).toPrecision(4)}` : ''}` });
    const stop = val !== null && (cfg.patience ?? 0) > 0 && sinceBest >= cfg.patience!;
    if (cfg.checkpointEvery && ((epoch + 1) % cfg.checkpointEvery === 0 || stop || epoch + 1 === cfg.epochs)) {
      const ck: Checkpoint = {
        format: CHECKPOINT_FORMAT,
        version: CHECKPOINT_VERSION,
        epoch: epoch + 1,
        seed: cfg.seed,
        batchSize: B,
        tasks: tasks.map((t) => t.name),
        params: paramsSnapshot(params),
        optimizer: encodeOptState(optState),
        weighting: encodeState(wState),
        aggregator: encodeState(aState),
        history,
        epochLosses: encodeState(epochLosses),
        best: { epoch: best.epoch, score: best.score, params: best.params ? Object.fromEntries(params.map((p, i) => [p.name, encodeState(best.params![i])])) : null },
        sinceBest,
        steps,
      };
      writeFileAtomic(cfg.checkpointPath!, JSON.stringify(encodeState(ck)));
    }
    if (stop) { stoppedEarly = true; break; }
  }
  if (valSet && best.params && (cfg.restoreBest ?? true)) params.forEach((p, i) => p.data.set(best.params![i]!));
  net.setProgress?.(1);
  return { history, bestEpoch: best.epoch + 1, stoppedEarly, seconds: (performance.now() - t0) / 1000, steps };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function progress(cfg: TrainConfig, epoch: number, frac: number, last: number): number {
  if (!cfg.onProgress) return last;
  const now = performance.now();
  if (now - last < 250) return last;
  cfg.onProgress({ fraction: (epoch + frac) / cfg.epochs, detail: `epoch ${epoch + 1}/${cfg.epochs}, ${Math.round(frac * 100)}%` });
  return now;
}

/**
 * Predictions for rows of X (eval mode, in batches of at most `batchSize` rows): outputs[t] as a flat
 * array (n × out_t), for every task or only those in `tasks` (the others are left undefined; a
 * network of one trunk per task, stl-mlp, then runs only the trunks asked for). Pass a `tape` kept
 * between calls to reuse its buffers; the last, shorter batch runs at its own size (the arena's
 * capacity buffers take it without reallocating) and reads the caller's X without a copy.
 */
export function predictAll(net: MTLNetwork, X: Float32Array, n: number, d: number, batchSize = 256, tasks?: readonly number[], tape?: Tape): Float32Array[] {
  const g = tape ?? new Tape('float32', 0);
  const wasTraining = g.training;
  g.training = false;
  const res: Float32Array[] = [];
  const shape = [0, ...net.inShape];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      shape[0] = m;
      g.reset();
      const out = net.forward(g, g.input(X.subarray(start * d, (start + m) * d), shape), tasks);
      const want = tasks ?? out.outputs.map((_, t) => t);
      for (const t of want) {
        const o = out.outputs[t];
        if (!o) throw new OptionError('network', `forward returned no output for task ${t}`);
        const k = o.size / m;
        if (!res[t]) res[t] = new Float32Array(n * k);
        res[t]!.set(o.data.subarray(0, m * k), start * k);
      }
    }
  } finally {
    g.training = wasTraining;
  }
  return res;
}

export type { MultiInputData, MultiOutputData };
