// DSelect-k (Hazimeh, Zhao, Chowdhery, Sathiamoorthy, Chen, Mazumder, Hong & Chi, NeurIPS 2021): a
// continuously differentiable gate that selects at most k of n experts, built from k "single expert
// selectors" over a binary encoding of the experts (section 3):
//  - smooth-step S(t) = 0 for t ≤ −γ/2, 1 for t ≥ γ/2, −2t³/γ³ + 3t/(2γ) + 1/2 between (eq. 2);
//    it is C¹ and EXACTLY 0 or 1 outside [−γ/2, γ/2], which is what makes the selection exact;
//  - selector i has m = ⌈log₂ n⌉ logits z^(i) and puts weight r(z^(i))_e = Π_j [S(z_j) if bit j of e
//    is 1 else 1 − S(z_j)] on expert e (eq. 3) — a distribution over the 2^m codes that is one-hot
//    once every |z_j| ≥ γ/2;
//  - the gate mixes the k selectors with softmax(α): q = Σ_i softmax(α)_i r(z^(i)) (eq. 4), so at
//    most k experts carry weight, exactly k when the selectors settle on distinct experts.
// Static gates (z, α parameters; section 3.1) or per-example gates (z = W_z x, α = W_α x; section
// 3.2). To reach binary selectors the paper adds an entropy regulariser λ Σ_i H(r(z^(i))) (section
// 3.3); when n is not a power of two some codes name no expert, and the mass they would take is
// pushed back by the penalty Σ_i 1/Σ_e r(z^(i))_e (as in the authors' TensorFlow code, which LibMTL
// ports). Both are returned per task as `aux` (added to that task's loss) and involve only that
// task's gate. Initialisation as the authors': z ~ U(−γ/100, γ/100), α ~ U(−0.05, 0.05).
//
// Exactly k. The paper's gate has AT MOST k non-zeros (its cardinality constraint ‖q‖₀ ≤ k, eq. 1):
// binary selectors that settle on the same expert leave fewer. Since softmax(α) never vanishes,
// q has exactly k non-zeros iff the k binary selectors name k distinct experts. To reach that
// (issue 11: "exactly k experts per task at convergence") we add, beside the entropy term, a
// distinctness penalty — our addition, not in the paper — μ Σ_{i<j} ⟨r(z^(i)), r(z^(j))⟩: the
// probability that selectors i and j pick the same expert, 1 for two binary selectors on one expert
// and 0 for distinct ones, so it vanishes exactly at the wanted solutions and leaves their loss
// unchanged. It acts while the selectors are still soft (the smooth-step is flat, with zero gradient,
// once |z_j| ≥ γ/2), i.e. it decides which experts the selectors settle on, before the entropy term
// makes them binary. μ = 0 gives the paper's gate.
//
// Exactly k per example. With per-example gates z = W x + b is linear in x, so (1) rows within γ/2 of a
// selector hyperplane stay soft — a share ≈ γ·density/‖w‖, which the task loss defends (a hard switch
// between experts makes the output discontinuous) and the entropy term, whose push S′(z)·log((1−S)/S)
// vanishes at the band's edges, does not finish; and (2) on a cell of inputs where two saturated
// selectors name the same expert no term built on r has a gradient (the smooth-step is flat), so the
// cell never empties. Our two additions, both off for the paper's gate (docs/nn/architectures.md,
// measured there): γ is annealed to γ_end = γ/1000 over the first 80 % of training (the trainer's
// setProgress), which shrinks the soft band whatever ‖w‖ reached; and the distinct and reachable-mass
// penalties read sigmoid selectors r̃ (σ(2z/γ) in place of S), which never saturate, so a duplicate cell
// keeps a gradient until its codes differ. μ = 0, λ = 0, γ_end = γ is the paper's gate.
// Experts, representation and towers as in MMoE (src/nn/arch/mmoe.ts).
import { OptionError } from '../../errors.ts';
import type { Random } from '../../linalg/random.ts';
import { Linear, makeParam, type Layer, type MLP } from '../module.ts';
import { add, addScalar, div, log, mul, relu, scale, sigmoid, square } from '../ops/elementwise.ts';
import { softmax } from '../ops/nn.ts';
import { sum } from '../ops/reduce.ts';
import { reshape, slice } from '../ops/shape.ts';
import type { Tape } from '../tape.ts';
import { makeData, type Data, type DType, type Param, type Tensor } from '../tensor.ts';
import {
  buildEncoder, buildHead, checkCommon, checkInput, encoderInShape, encoderOutDim, flat, flatSize, mixExperts,
  positiveInt, requestedTasks, runExperts, type ArchCommon, type EncoderSpec, type GateRecord, type MtlArchitecture, type MtlOutput,
} from './common.ts';

export interface DSelectKOptions extends ArchCommon {
  readonly encoder: EncoderSpec;
  /** Number of experts n ≥ 2 (default 4). */
  readonly experts?: number;
  /** Number of selectors k, 1 ≤ k ≤ n (default 2). */
  readonly k?: number;
  /** Smooth-step width γ (default 1). */
  readonly gamma?: number;
  /** Entropy regularisation weight λ (default 0.1: binary selectors within tens of epochs, measured in docs/nn/architectures.md). */
  readonly entropyReg?: number;
  /** 'static' (one gate per task) or 'per-example' (default). */
  readonly gate?: 'static' | 'per-example';
  /** Weight μ of the distinct-selector penalty (0: the paper's gate, at most k experts). Default 1 (static), 5 (per-example). */
  readonly distinctReg?: number;
  /**
   * γ at the end of its anneal (γ → γ_end geometrically over the first 80 % of training, then held).
   * Default γ/1000 for per-example gates, γ (no anneal: the paper's fixed γ) for static gates.
   */
  readonly gammaEnd?: number;
}

/** Fraction of training over which γ is annealed; the last 20 % train at γ_end. */
export const GAMMA_ANNEAL_FRACTION = 0.8;
/** Slope of the sigmoid selectors the distinct penalty reads: σ(DISTINCT_SLOPE·z/γ). */
export const DISTINCT_SLOPE = 2; // 6 (the smooth-step's slope at 0) left 98.75 % rows exactly k on the worst seed, 2 left 99.50 % (docs)

/**
 * The smooth-step S(t) of eq. 2 as ops, written in u = clamp(t/γ + ½, 0, 1) as S = u²(3 − 2u) (the same
 * cubic: expand u = ½ + t/γ). WHY this form: the clamp is 1 − relu(1 − relu(v)), which is exactly 0 for
 * v ≤ 0 and exactly 1 for v ≥ 1 in floating point, so S and 1 − S are EXACT zeros once |t| ≥ γ/2 for
 * every γ (the cubic in t, evaluated at ±γ/2 in float32, leaves rounding residues such as 6e-8 for
 * γ = 0.02, and "selected" means a non-zero weight).
 */
export function smoothStep(g: Tape, t: Tensor, gamma: number): Tensor {
  const v = addScalar(g, scale(g, t, 1 / gamma), 0.5);
  const u = addScalar(g, scale(g, relu(g, addScalar(g, scale(g, relu(g, v), -1), 1)), -1), 1);
  return mul(g, square(g, u), addScalar(g, scale(g, u, -2), 3));
}

/** Reference value of S(t) (tests, structure JSON). */
export function smoothStepValue(t: number, gamma: number): number {
  const u = Math.min(1, Math.max(0, t / gamma + 0.5));
  return u * u * (3 - 2 * u);
}

export class DSelectK implements MtlArchitecture {
  readonly kind = 'dselect-k' as const;
  readonly taskNames: readonly string[];
  readonly outDims: readonly number[];
  readonly inShape: readonly number[];
  readonly experts: Layer[][];
  readonly towers: MLP[];
  readonly expertNames: string[];
  readonly n: number;
  readonly k: number;
  readonly m: number;
  readonly gamma: number;
  readonly gammaEnd: number;
  readonly entropyReg: number;
  readonly distinctReg: number;
  readonly gateKind: 'static' | 'per-example';
  /** Static: z [k, m] and α [k] per task. Per-example: linear maps from x. */
  readonly zStatic: Param[] = [];
  readonly aStatic: Param[] = [];
  readonly zLin: Linear[] = [];
  readonly aLin: Linear[] = [];
  private readonly codes: { c: Data; d: Data }[];
  /** Fraction of training done (setProgress): 0 when built (γ), 1 after training and for a loaded
   *  model (γ_end: the trainer and the model loader set it). */
  private progress = 0;
  constructor(o: DSelectKOptions, rng: Random) {
    checkCommon(o);
    const dtype: DType = o.dtype ?? 'float32';
    this.n = positiveInt('experts', o.experts, 4);
    if (this.n < 2) throw new OptionError('experts', 'DSelect-k needs at least 2 experts');
    this.k = positiveInt('k', o.k, 2);
    if (this.k > this.n) throw new OptionError('k', `must be at most the number of experts (${this.n}), got ${this.k}`);
    this.gamma = o.gamma ?? 1;
    if (!(this.gamma > 0) || !Number.isFinite(this.gamma)) throw new OptionError('gamma', `must be positive, got ${this.gamma}`);
    this.gateKind = o.gate ?? 'per-example';
    this.gammaEnd = o.gammaEnd ?? (this.gateKind === 'per-example' ? this.gamma / 1000 : this.gamma);
    if (!(this.gammaEnd > 0) || !Number.isFinite(this.gammaEnd) || this.gammaEnd > this.gamma) throw new OptionError('gammaEnd', `must be positive and at most γ = ${this.gamma}, got ${this.gammaEnd}`);
    this.entropyReg = o.entropyReg ?? 0.1;
    if (!(this.entropyReg >= 0)) throw new OptionError('entropyReg', `must be ≥ 0, got ${this.entropyReg}`);
    // per-example default 5: the worst of 16 seed × task runs 99.5 % rows exactly k vs 97.75 % at μ = 1 (docs)
    this.distinctReg = o.distinctReg ?? (this.gateKind === 'per-example' ? 5 : 1);
    if (!(this.distinctReg >= 0) || !Number.isFinite(this.distinctReg)) throw new OptionError('distinctReg', `must be ≥ 0, got ${this.distinctReg}`);
    if (this.gateKind !== 'static' && this.gateKind !== 'per-example') throw new OptionError('gate', `must be "static" or "per-example", got "${String(this.gateKind)}"`);
    this.m = Math.ceil(Math.log2(this.n));
    this.taskNames = [...o.taskNames];
    this.outDims = [...o.outDims];
    this.inShape = encoderInShape(o.encoder);
    this.expertNames = Array.from({ length: this.n }, (_, i) => `expert${i}`);
    this.experts = this.expertNames.map((e) => buildEncoder(o.encoder, e, rng, dtype));
    const D = flatSize(this.inShape), H = encoderOutDim(o.encoder);
    const zInit = (d: Data) => { for (let i = 0; i < d.length; i++) d[i] = rng.uniformIn(-this.gamma / 100, this.gamma / 100); };
    const aInit = (d: Data) => { for (let i = 0; i < d.length; i++) d[i] = rng.uniformIn(-0.05, 0.05); };
    for (const t of o.taskNames) {
      if (this.gateKind === 'static') {
        this.zStatic.push(makeParam(`gate.${t}.z`, [this.k, this.m], dtype, zInit));
        this.aStatic.push(makeParam(`gate.${t}.alpha`, [this.k], dtype, aInit));
      } else {
        const zl = new Linear(`gate.${t}.z`, D, this.k * this.m, rng, { dtype });
        const al = new Linear(`gate.${t}.alpha`, D, this.k, rng, { dtype });
        for (const p of zl.parameters()) zInit(p.data);
        for (const p of al.parameters()) aInit(p.data);
        this.zLin.push(zl);
        this.aLin.push(al);
      }
    }
    this.towers = o.taskNames.map((t, i) => buildHead(`tower.${t}`, H, o.headHidden ?? [], o.outDims[i]!, rng, dtype));
    // bit j of expert e: r's factor is S_j·c_j[e] + d_j[e] = S_j (bit 1) or 1 − S_j (bit 0)
    this.codes = Array.from({ length: this.m }, (_, j) => {
      const c = makeData(dtype, this.n), d = makeData(dtype, this.n);
      for (let e = 0; e < this.n; e++) {
        const bit = (e >> j) & 1;
        c[e] = 2 * bit - 1;
        d[e] = 1 - bit;
      }
      return { c, d };
    });
  }

  /** Training progress in [0, 1] from the trainer (MTLNetwork.setProgress). */
  setProgress(fraction: number): void {
    if (!Number.isFinite(fraction)) throw new OptionError('progress', `must be a finite fraction, got ${fraction}`);
    this.progress = Math.min(1, Math.max(0, fraction));
  }

  /** The smooth-step width now: γ·(γ_end/γ)^min(1, progress/0.8). Equals γ when γ_end = γ. */
  currentGamma(): number {
    if (this.gammaEnd === this.gamma) return this.gamma;
    return this.gamma * (this.gammaEnd / this.gamma) ** Math.min(1, this.progress / GAMMA_ANNEAL_FRACTION);
  }

  /** Selector outputs r [R, k, n] and gate q [R, n] for task t (R = B, or 1 for static gates). */
  private selectors(g: Tape, S: Tensor): Tensor {
    const { m, n } = this;
    let r: Tensor | null = null;
    for (let j = 0; j < m; j++) {
      const Sj = slice(g, S, 2, j, j + 1); // [R, k, 1]
      const f = add(g, mul(g, Sj, g.input(this.codes[j]!.c, [n])), g.input(this.codes[j]!.d, [n]));
      r = r === null ? f : mul(g, r, f);
    }
    return r!;
  }

  private gate(g: Tape, t: number, xf: Tensor): { r: Tensor; q: Tensor; rows: number; z: Tensor } {
    const { k, m, n } = this;
    let z: Tensor, a: Tensor, R: number;
    if (this.gateKind === 'static') {
      R = 1;
      z = reshape(g, this.zStatic[t]!, [1, k, m]);
      a = reshape(g, this.aStatic[t]!, [1, k]);
    } else {
      R = xf.shape[0]!;
      z = reshape(g, this.zLin[t]!.forward(g, xf), [R, k, m]);
      a = this.aLin[t]!.forward(g, xf);
    }
    const r = this.selectors(g, smoothStep(g, z, this.currentGamma()));
    const w = reshape(g, softmax(g, a), [R, k, 1]);
    const q = sum(g, mul(g, r, w), [1]); // [R, n]
    return { r, q, rows: R, z };
  }

  private regulariser(g: Tape, r: Tensor, rows: number, z: Tensor): Tensor | null {
    const powerOfTwo = this.n === 2 ** this.m;
    let reg: Tensor | null = null;
    if (this.entropyReg > 0) {
      const ent = sum(g, mul(g, r, log(g, addScalar(g, r, 1e-6)))); // −Σ H
      reg = scale(g, ent, -this.entropyReg / rows);
    }
    // Per-example (or annealed) gates: the distinct and reachable-mass penalties read sigmoid selectors
    // r̃, which never saturate (header: a cell of inputs where two binary selectors agree, or where a
    // selector sits on a code naming no expert, gets no gradient from any term of the smooth-step's r,
    // and a row with Σ_e r_e = 0 would make the paper's 1/Σ_e r_e infinite). Static gates with the
    // paper's fixed γ keep r itself (one selection for all rows; measured exact there, docs).
    const soft = this.gateKind === 'per-example' || this.gammaEnd < this.gamma;
    const rs = soft ? this.selectors(g, sigmoid(g, scale(g, z, DISTINCT_SLOPE / this.gamma))) : r;
    if (this.distinctReg > 0 && this.k > 1) {
      // μ Σ_{i<j} Σ_e r_ie r_je, summed over the R rows and averaged
      let overlap: Tensor | null = null;
      const sel = Array.from({ length: this.k }, (_, i) => slice(g, rs, 1, i, i + 1)); // [R, 1, n]
      for (let i = 0; i < this.k; i++) {
        for (let j = i + 1; j < this.k; j++) {
          const o = sum(g, mul(g, sel[i]!, sel[j]!));
          overlap = overlap === null ? o : add(g, overlap, o);
        }
      }
      const pen = scale(g, overlap!, this.distinctReg / rows);
      reg = reg === null ? pen : add(g, reg, pen);
    }
    if (!powerOfTwo) {
      // paper: Σ 1/Σ_e r_e (≥ 1 per selector, 1 when all mass is on experts); soft: Σ −log(Σ_e r̃_e + 10⁻⁶),
      // finite on every row and 0 when all mass is on experts
      const pen = soft
        ? scale(g, sum(g, log(g, addScalar(g, sum(g, rs, [2]), 1e-6))), -1 / rows)
        : scale(g, sum(g, div(g, g.full([rows, this.k], 1), sum(g, r, [2]))), 1 / rows);
      reg = reg === null ? pen : add(g, reg, pen);
    }
    return reg;
  }

  forward(g: Tape, x: Tensor, tasks?: readonly number[]): MtlOutput {
    checkInput(this, x);
    const want = requestedTasks(this.taskNames.length, tasks);
    const E = runExperts(g, this.experts, x);
    const xf = flat(g, x);
    const gates: GateRecord[] = [];
    const aux: (Tensor | null)[] = this.taskNames.map(() => null);
    const outputs = this.towers.map((tw, t) => {
      if (!want[t]) return null;
      const { r, q, rows, z } = this.gate(g, t, xf);
      gates.push({ task: this.taskNames[t]!, level: 0, experts: this.expertNames, weights: q });
      if (g.training) aux[t] = this.regulariser(g, r, rows, z);
      return tw.forward(g, mixExperts(g, E, q));
    });
    return { outputs, features: E, aux, gates };
  }

  /** Static gates: q per task computed from the parameters (float64, exact zeros where unselected). */
  staticGates(): number[][] | null {
    if (this.gateKind !== 'static') return null;
    return this.taskNames.map((_, t) => {
      const z = this.zStatic[t]!.data, a = this.aStatic[t]!.data, gam = this.currentGamma();
      const amax = Math.max(...a);
      const ea = Array.from(a, (v) => Math.exp(v - amax));
      const es = ea.reduce((s, v) => s + v, 0);
      const q = new Array<number>(this.n).fill(0);
      for (let i = 0; i < this.k; i++) {
        for (let e = 0; e < this.n; e++) {
          let r = 1;
          for (let j = 0; j < this.m; j++) {
            const s = smoothStepValue(z[i * this.m + j]!, gam);
            r *= (e >> j) & 1 ? s : 1 - s;
          }
          q[e]! += (ea[i]! / es) * r;
        }
      }
      return q;
    });
  }

  sharedParameters(): Param[] { return this.experts.flatMap((e) => e.flatMap((s) => s.parameters())); }
  taskParameters(t: number): Param[] {
    const gate = this.gateKind === 'static' ? [this.zStatic[t]!, this.aStatic[t]!] : [...this.zLin[t]!.parameters(), ...this.aLin[t]!.parameters()];
    return [...gate, ...this.towers[t]!.parameters()];
  }
  parameters(): Param[] { return [...this.sharedParameters(), ...this.taskNames.flatMap((_, t) => this.taskParameters(t))]; }
  structure(): Record<string, unknown> {
    const q = this.staticGates();
    return { experts: this.expertNames, k: this.k, gate: this.gateKind, gamma: this.gamma, gammaEnd: this.gammaEnd, distinctReg: this.distinctReg, ...(q ? { staticGates: Object.fromEntries(this.taskNames.map((n, t) => [n, q[t]])) } : {}) };
  }
}
