// A small hard-parameter-sharing network for trainer tests (the real architectures live in
// src/nn/arch; this one only exercises the MTLNetwork interface).
import { Random } from '../../../src/linalg/random.ts';
import { Dropout, Linear, MLP } from '../../../src/nn/module.ts';
import type { Tape } from '../../../src/nn/tape.ts';
import type { Param, Tensor } from '../../../src/nn/tensor.ts';
import type { MTLNetwork, NetworkOutput } from '../../../src/nn/train/types.ts';

export class TinyHPS implements MTLNetwork {
  readonly trunk: MLP;
  readonly drop: Dropout;
  readonly heads: Linear[];
  constructor(readonly d: number, readonly hidden: number, outs: readonly number[], seed: number, dropout = 0, readonly exposeFeatures = true) {
    const rng = new Random(seed);
    this.trunk = new MLP('trunk', [d, hidden, hidden], rng, { activateLast: true, activation: 'tanh' });
    this.drop = new Dropout(dropout);
    this.heads = outs.map((k, t) => new Linear(`head${t}`, hidden, k, rng));
  }
  get taskNames(): string[] { return this.heads.map((_, t) => `task${t}`); }
  get inShape(): number[] { return [this.d]; }
  parameters(): Param[] { return [...this.trunk.parameters(), ...this.heads.flatMap((h) => h.parameters())]; }
  sharedParameters(): Param[] { return this.trunk.parameters(); }
  forward(g: Tape, x: Tensor): NetworkOutput {
    const f = this.drop.forward(g, this.trunk.forward(g, x));
    return { outputs: this.heads.map((h) => h.forward(g, f)), features: this.exposeFeatures ? f : null };
  }
}

/** Multi-output planted problem: 2 regression tasks + 1 binary, ~20% labels missing per task. */
export function plantedMultiOutput(n: number, d: number, seed: number) {
  const rng = new Random(seed);
  const X = Float32Array.from({ length: n * d }, () => rng.normal());
  const w = Array.from({ length: 3 }, () => Float64Array.from({ length: d }, () => rng.normal()));
  const targets = w.map((wt, t) => Float32Array.from({ length: n }, (_, i) => {
    if (rng.uniform() < 0.2) return NaN;
    let s = 0;
    for (let j = 0; j < d; j++) s += X[i * d + j]! * wt[j]!;
    return t === 2 ? (s > 0 ? 1 : 0) : Math.sin(s) + 0.05 * rng.normal();
  }));
  return { layout: 'multi-output' as const, X, n, d, targets };
}

/**
 * Every task reads the SAME scalar output f(x) of a shared MLP (no task heads), so tasks with
 * opposed targets truly compete for θ_s (separate linear heads could absorb a sign flip).
 */
export class SharedOutputNet implements MTLNetwork {
  readonly trunk: MLP;
  constructor(readonly d: number, hidden: number, readonly T: number, seed: number) {
    this.trunk = new MLP('trunk', [d, hidden, 1], new Random(seed), { activateLast: false, activation: 'tanh' });
  }
  get taskNames(): string[] { return Array.from({ length: this.T }, (_, t) => `task${t}`); }
  get inShape(): number[] { return [this.d]; }
  parameters(): Param[] { return this.trunk.parameters(); }
  sharedParameters(): Param[] { return this.trunk.parameters(); }
  forward(g: Tape, x: Tensor): NetworkOutput {
    const f = this.trunk.forward(g, x);
    return { outputs: Array.from({ length: this.T }, () => f), features: f };
  }
}

/**
 * Planted groups: task t's target is s_t·u(x) + small task-specific part + noise, u(x) = sin(x·w),
 * with sign s_t = signs[t] (+1 / −1): tasks of one sign help each other, opposite signs conflict.
 */
export function plantedSignGroups(n: number, d: number, signs: readonly number[], seed: number) {
  const rng = new Random(seed);
  const X = Float32Array.from({ length: n * d }, () => rng.normal());
  const w = Float64Array.from({ length: d }, () => rng.normal() / Math.sqrt(d));
  const own = signs.map(() => Float64Array.from({ length: d }, () => 0.15 * rng.normal() / Math.sqrt(d)));
  const targets = signs.map((s, t) => Float32Array.from({ length: n }, (_, i) => {
    let u = 0, v = 0;
    for (let j = 0; j < d; j++) { u += X[i * d + j]! * w[j]!; v += X[i * d + j]! * own[t]![j]!; }
    return s * Math.sin(2 * u) + v + 0.05 * rng.normal();
  }));
  return { layout: 'multi-output' as const, X, n, d, targets };
}
