// Shared set-up for the architecture tests: every architecture on a tiny problem, in float64.
import { Random } from '../../../src/linalg/random.ts';
import { buildArchitecture, type ArchName, type ArchOptions, type MtlArchitecture } from '../../../src/nn/arch/index.ts';
import { mseLoss } from '../../../src/nn/ops/loss.ts';
import { adam } from '../../../src/nn/optim/adam.ts';
import { train } from '../../../src/nn/train/trainer.ts';
import type { Tape } from '../../../src/nn/tape.ts';
import type { Tensor } from '../../../src/nn/tensor.ts';

export const D = 5;
export const B = 6;

export function tinyOptions(name: ArchName, over: Partial<ArchOptions> = {}): ArchOptions {
  return {
    taskNames: name === 'esmm' ? ['ctr', 'ctcvr'] : ['a', 'b', 'c'],
    outDims: name === 'esmm' ? [1, 1] : [1, 2, 1],
    encoder: { kind: 'mlp', input: D, hidden: [4, 3], activation: 'tanh' },
    headHidden: [3],
    experts: 3,
    k: 2,
    sharedExperts: 2,
    taskExperts: 1,
    dtype: 'float64',
    ...over,
  };
}

export function tinyArch(name: ArchName, seed = 1, over: Partial<ArchOptions> = {}): MtlArchitecture {
  return buildArchitecture(name, tinyOptions(name, over), new Random(seed));
}

/** A fixed batch and per-task regression targets (MSE on every output; for tests of structure only). */
export function tinyBatch(arch: MtlArchitecture, seed = 2): { X: Float64Array; Y: Float64Array[] } {
  const rng = new Random(seed);
  const per = arch.inShape.reduce((a, b) => a * b, 1);
  return {
    X: Float64Array.from({ length: B * per }, () => rng.normal()),
    Y: arch.outDims.map((K) => Float64Array.from({ length: B * K }, () => rng.normal())),
  };
}

export function tinyLosses(g: Tape, arch: MtlArchitecture, X: Float64Array, Y: Float64Array[]): { losses: Tensor[]; features: Tensor | null } {
  g.reset();
  const out = arch.forward(g, g.input(X, [B, ...arch.inShape]));
  return { losses: out.outputs.map((z, t) => mseLoss(g, z!, Y[t]!)), features: out.features };
}

/** Outputs of one forward as plain arrays (inference mode). */
export function outputsOf(g: Tape, arch: MtlArchitecture, X: Float64Array): number[][] {
  g.reset();
  g.training = false;
  const out = arch.forward(g, g.input(X, [X.length / arch.inShape.reduce((a, b) => a * b, 1), ...arch.inShape]));
  g.training = true;
  return out.outputs.map((z) => Array.from(z!.data.subarray(0, z!.size)));
}

/** Trains with the engine's trainer (float32, Adam, no validation split): the arch tests' loop. */
export function fitPlain(arch: MtlArchitecture, X: Float32Array, n: number, targets: readonly { kind: 'regression' | 'binary'; y: Float32Array }[], o: { epochs: number; batchSize: number; lr: number; seed: number }): number[] {
  const d = arch.inShape.reduce((a, b) => a * b, 1);
  const r = train(arch, { layout: 'multi-output', X, n, d, targets: targets.map((t) => t.y) }, {
    tasks: targets.map((t, i) => ({ name: arch.taskNames[i]!, kind: t.kind })),
    epochs: o.epochs, batchSize: o.batchSize, seed: o.seed, optimizer: adam({ lr: o.lr }), valRatio: 0,
  });
  return r.history.map((h) => h.train.loss.reduce((a, b) => a + b, 0));
}
