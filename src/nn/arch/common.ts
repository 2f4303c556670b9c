// What every multi-task architecture exposes (issue 11), and the building blocks they share.
//
// The contract an architecture keeps, so that task balancing (per-task Jacobians, rep-grad) works on
// any of them without knowing which it is:
//  - `features` is ONE tensor on the tape that cuts the network in two: every parameter behind it
//    (on the input side) is listed by `sharedParameters()`, every parameter after it by exactly one
//    `taskParameters(t)`, and a task-t parameter reaches no other task's output. Hence the lanes
//    Jacobian through `features` (torchjd's mtl_backward) equals T separate backward passes, and
//    `repGradients(losses, features)` is LibMTL's rep_grad. Where no single cut can separate them
//    exactly (PLE below its last level, cross-stitch columns once mixed), the parameters behind the
//    cut are the "shared" ones even if some reach only one task: their Jacobian rows are then zero
//    for the other tasks, which is exact information, not an approximation.
//  - gates (MMoE, CGC, PLE, DSelect-k) are returned by `forward` so that utilisation per task can
//    be measured on data (`gateUtilisation`), and `structure()` gives the data-free learned
//    structure (cross-stitch matrices, static DSelect-k gates) as JSON.
//
// Encoders are lists of stages so that the architectures that act between layers (cross-stitch
// mixes after every stage, MTAN attends after every stage, PLE stacks one extraction level per
// stage) can be written once for the MLP and the CNN (LeNet) forms.
import { OptionError, ShapeError } from '../../errors.ts';
import type { Random } from '../../linalg/random.ts';
import { Conv2d, KERNEL_ACT, Linear, MLP, activate, type Activation, type Layer, type Module } from '../module.ts';
import type { Activation as KernelActivation } from '../../linalg/kernels/types.ts';
import { expertsLinear } from '../ops/experts.ts';
import { maxPool2d } from '../ops/conv.ts';
import { mul } from '../ops/elementwise.ts';
import { sum } from '../ops/reduce.ts';
import { flatten, reshape, stack } from '../ops/shape.ts';
import { weightedSum } from '../ops/nn.ts';
import type { Tape } from '../tape.ts';
import type { DType, Param, Tensor } from '../tensor.ts';

export const ARCH_NAMES = ['stl', 'hps', 'cross-stitch', 'mmoe', 'cgc', 'ple', 'dselect-k', 'mtan', 'esmm'] as const;
export type ArchName = (typeof ARCH_NAMES)[number];

/** One gate's weights on the current batch: rows sum to 1 over `experts`. */
export interface GateRecord {
  /** Task the gate serves, or null for PLE's shared-branch gate. */
  readonly task: string | null;
  /** Extraction level (0 for single-level architectures). */
  readonly level: number;
  /** Names of the experts the gate weighs, in column order. */
  readonly experts: readonly string[];
  /** [B, E] (per-example gates) or [1, E] (static gates). */
  readonly weights: Tensor;
}

export interface MtlOutput {
  /** One output per task ([B, K_t]: logits or values); null for tasks not requested. */
  readonly outputs: readonly (Tensor | null)[];
  /** The cut between shared and task-specific parameters (null when nothing is shared: STL). */
  readonly features: Tensor | null;
  /** Per-task extra loss terms the architecture's paper adds (DSelect-k's regulariser), or null. */
  readonly aux: readonly (Tensor | null)[];
  readonly gates: readonly GateRecord[];
}

export interface MtlArchitecture extends Module {
  readonly kind: ArchName;
  readonly taskNames: readonly string[];
  /** Output width per task. */
  readonly outDims: readonly number[];
  /** Shape of one input example (e.g. [d] or [C, H, W]). */
  readonly inShape: readonly number[];
  /** Forward on a batch x [B, ...inShape]; `tasks` restricts the heads computed (multi-input data). */
  forward(g: Tape, x: Tensor, tasks?: readonly number[]): MtlOutput;
  sharedParameters(): Param[];
  taskParameters(t: number): Param[];
  /** Learned structure that does not depend on data (JSON-serialisable). */
  structure(): Record<string, unknown>;
  /** Fraction of training done, for annealed hyper-parameters (MTLNetwork.setProgress; DSelect-k's γ). */
  setProgress?(fraction: number): void;
}

// ---------------------------------------------------------------------------------------------
// Encoders as stages

export type EncoderSpec =
  /** MLP: in → hidden[0] → ... each stage Linear + activation. */
  | { readonly kind: 'mlp'; readonly input: number; readonly hidden: readonly number[]; readonly activation?: Activation }
  /**
   * LeNet as used for MultiMNIST by Sener & Koltun (2018, appendix): conv 5×5 (c1) → max-pool 2 →
   * ReLU → conv 5×5 (c2) → max-pool 2 → ReLU → flatten → linear (fc) → ReLU. Three stages.
   */
  | { readonly kind: 'lenet'; readonly channels: number; readonly height: number; readonly width: number; readonly c1?: number; readonly c2?: number; readonly fc?: number };

export function encoderInShape(spec: EncoderSpec): number[] {
  return spec.kind === 'mlp' ? [spec.input] : [spec.channels, spec.height, spec.width];
}

/** Output shape (without the batch axis) of every stage. */
export function stageShapes(spec: EncoderSpec): number[][] {
  if (spec.kind === 'mlp') {
    if (spec.hidden.length === 0) throw new OptionError('hidden', 'needs at least one hidden layer');
    return spec.hidden.map((h) => [h]);
  }
  const c1 = spec.c1 ?? 10, c2 = spec.c2 ?? 20, fc = spec.fc ?? 50;
  const h1 = Math.floor((spec.height - 4) / 2), w1 = Math.floor((spec.width - 4) / 2);
  const h2 = Math.floor((h1 - 4) / 2), w2 = Math.floor((w1 - 4) / 2);
  if (h2 < 1 || w2 < 1) throw new OptionError('image', `LeNet needs images of at least 16 × 16, got ${spec.height} × ${spec.width}`);
  return [[c1, h1, w1], [c2, h2, w2], [fc]];
}

export function flatSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A stage: a few layers applied in order, with its parameters. */
class Stage implements Layer {
  /**
   * @param dense set when the stage is exactly act(x·W + b) (an MLP stage): parallel experts of such
   *   stages then run as one expertsLinear op (runExperts).
   */
  constructor(private readonly run: (g: Tape, x: Tensor) => Tensor, private readonly mods: readonly Module[],
    readonly dense: { readonly lin: Linear; readonly act: Activation } | null = null) {}
  parameters(): Param[] { return this.mods.flatMap((m) => m.parameters()); }
  forward(g: Tape, x: Tensor): Tensor { return this.run(g, x); }
}

/** Builds stage j of the encoder (input: the shape of stage j−1's output, or the input). */
export function buildStage(spec: EncoderSpec, j: number, name: string, rng: Random, dtype: DType): Layer {
  const shapes = stageShapes(spec);
  if (spec.kind === 'mlp') {
    const inDim = j === 0 ? spec.input : spec.hidden[j - 1]!;
    const lin = new Linear(name, inDim, spec.hidden[j]!, rng, { dtype });
    const act = spec.activation ?? 'relu';
    return new Stage((g, x) => lin.forwardAct(g, x, act), [lin], { lin, act });
  }
  if (j === 0 || j === 1) {
    const cin = j === 0 ? spec.channels : shapes[0]![0]!;
    const conv = new Conv2d(name, cin, shapes[j]![0]!, 5, rng, { dtype });
    return new Stage((g, x) => activate(g, maxPool2d(g, conv.forward(g, x), 2), 'relu'), [conv]);
  }
  const lin = new Linear(name, flatSize(shapes[1]!), shapes[2]![0]!, rng, { dtype });
  return new Stage((g, x) => lin.forwardAct(g, flatten(g, x), 'relu'), [lin]);
}

export function buildEncoder(spec: EncoderSpec, name: string, rng: Random, dtype: DType): Layer[] {
  return stageShapes(spec).map((_, j) => buildStage(spec, j, `${name}.${j}`, rng, dtype));
}

export function runStages(g: Tape, stages: readonly Layer[], x: Tensor): Tensor {
  let h = x;
  for (const s of stages) h = s.forward(g, h);
  return h;
}

/** The dense (Linear + activation) form of stage j of every expert, or null when one is not dense. */
function denseStage(experts: readonly (readonly Layer[])[], j: number): { weights: Param[]; biases: Param[] | null; act: KernelActivation } | null {
  const ds = experts.map((e) => (e[j] instanceof Stage ? e[j].dense : null));
  if (ds.some((d) => d === null)) return null;
  const d0 = ds[0]!;
  if (ds.some((d) => d!.act !== d0.act || (d!.lin.bias === null) !== (d0.lin.bias === null))) return null;
  return {
    weights: ds.map((d) => d!.lin.weight),
    biases: d0.lin.bias ? ds.map((d) => d!.lin.bias!) : null,
    act: KERNEL_ACT[d0.act],
  };
}

/**
 * The stacked outputs [B, n, H] of n parallel experts on one input x. MLP experts run layer by layer
 * as ONE expertsLinear op over all experts (no per-expert ops, no stack copy; src/nn/ops/experts.ts);
 * other encoders (LeNet) run one by one and are stacked. Same values and gradients either way.
 */
export function runExperts(g: Tape, experts: readonly (readonly Layer[])[], x: Tensor): Tensor {
  const L = experts[0]!.length;
  const dense = Array.from({ length: L }, (_, j) => denseStage(experts, j));
  if (x.shape.length === 2 && experts.every((e) => e.length === L) && dense.every((d) => d !== null)) {
    let h = x;
    for (const d of dense) h = expertsLinear(g, h, d!.weights, d!.biases, d!.act);
    return h;
  }
  return stack(g, experts.map((e) => runStages(g, e, x)), 1);
}

/** Output width of the encoder (its last stage must be flat). */
export function encoderOutDim(spec: EncoderSpec): number {
  const shapes = stageShapes(spec);
  const last = shapes[shapes.length - 1]!;
  if (last.length !== 1) throw new ShapeError('encoder: the last stage must output a flat vector');
  return last[0]!;
}

/** A task head: MLP [in, ...hidden, out] without activation after the output. */
export function buildHead(name: string, inDim: number, hidden: readonly number[], outDim: number, rng: Random, dtype: DType): MLP {
  return new MLP(name, [inDim, ...hidden, outDim], rng, { dtype, activateLast: false });
}

// ---------------------------------------------------------------------------------------------
// Shared option handling

export interface ArchCommon {
  readonly taskNames: readonly string[];
  /** Output width of each task (1 for regression / binary, C for C-class classification). */
  readonly outDims: readonly number[];
  readonly headHidden?: readonly number[];
  readonly dtype?: DType;
}

export function checkCommon(o: ArchCommon): void {
  if (o.taskNames.length < 1) throw new OptionError('tasks', 'needs at least one task');
  if (new Set(o.taskNames).size !== o.taskNames.length) throw new OptionError('tasks', `task names must be distinct, got ${o.taskNames.join(', ')}`);
  if (o.outDims.length !== o.taskNames.length) throw new OptionError('outDims', `${o.outDims.length} output widths for ${o.taskNames.length} tasks`);
  for (const k of o.outDims) if (!Number.isInteger(k) || k < 1) throw new OptionError('outDims', `output widths must be positive integers, got ${o.outDims.join(', ')}`);
}

export function positiveInt(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 1) throw new OptionError(name, `must be a positive integer, got ${x}`);
  return x;
}

/** Which task indices a forward computes (all when omitted); checks range. */
export function requestedTasks(T: number, tasks?: readonly number[]): boolean[] {
  const want = new Array<boolean>(T).fill(tasks === undefined);
  if (tasks) for (const t of tasks) {
    if (!Number.isInteger(t) || t < 0 || t >= T) throw new ShapeError(`forward: task index ${t} is outside 0..${T - 1}`);
    want[t] = true;
  }
  return want;
}

export function checkInput(arch: { inShape: readonly number[]; kind: string }, x: Tensor): void {
  const s = x.shape;
  if (s.length !== arch.inShape.length + 1 || arch.inShape.some((d, i) => s[i + 1] !== d)) {
    throw new ShapeError(`${arch.kind}: input must be [B, ${arch.inShape.join(', ')}], got [${s.join(', ')}]`);
  }
}

/** x as [B, prod(inShape)] (gate inputs read the flattened example). */
export function flat(g: Tape, x: Tensor): Tensor {
  return x.shape.length === 2 ? x : flatten(g, x);
}

/** Σ_e w[b, e] · E[b, e, ...] for stacked experts E [B, E, ...] and weights w [B, E] (or [1, E]). */
export function mixExperts(g: Tape, experts: Tensor, w: Tensor): Tensor {
  // per-example gates: the engine's fused op (no [B, E, ...] intermediate); static gates ([1, E]) broadcast
  if (w.shape[0] === experts.shape[0]) return weightedSum(g, experts, w);
  const extra = experts.shape.length - 2;
  const wShape = [w.shape[0]!, w.shape[1]!, ...new Array<number>(extra).fill(1)];
  return sum(g, mul(g, experts, reshape(g, w, wShape)), [1]);
}

/** Mean gate weights over data: runs the architecture on X in batches (inference mode). */
export function gateUtilisation(arch: MtlArchitecture, g: Tape, X: Float32Array | Float64Array, n: number, batch = 256): { task: string | null; level: number; experts: readonly string[]; mean: number[] }[] {
  const per = flatSize(arch.inShape);
  const wasTraining = g.training;
  g.training = false;
  let acc: { task: string | null; level: number; experts: readonly string[]; mean: number[] }[] = [];
  try {
    for (let s = 0; s < n; s += batch) {
      const b = Math.min(batch, n - s);
      g.reset();
      const x = g.input(X.subarray(s * per, (s + b) * per), [b, ...arch.inShape]);
      const out = arch.forward(g, x);
      if (s === 0) acc = out.gates.map((r) => ({ task: r.task, level: r.level, experts: r.experts, mean: new Array<number>(r.experts.length).fill(0) }));
      out.gates.forEach((r, k) => {
        const E = r.experts.length, rows = r.weights.shape[0]!, d = r.weights.data;
        // a static gate ([1, E]) counts once per example
        for (let i = 0; i < b; i++) {
          const row = rows === 1 ? 0 : i;
          for (let e = 0; e < E; e++) acc[k]!.mean[e]! += d[row * E + e]! / n;
        }
      });
    }
  } finally {
    g.training = wasTraining;
    g.reset();
  }
  return acc;
}

/** Copies a parameter's values into a plain array (structure JSON). */
export function paramValues(p: Param): number[] {
  return Array.from(p.data);
}
