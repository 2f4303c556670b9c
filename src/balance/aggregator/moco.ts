// MoCo (Fernando et al., "Mitigating Gradient Bias in Multi-objective Learning: A Provably Convergent
// Approach", ICLR 2023, Alg. 1, in LibMTL's form): gradients are rescaled to ĝ_t = L_t g_t / ‖g_t‖,
// tracked by y ← y − β_k (y − Ĝ), and the weights follow a projected-free (softmax) step on the
// MGDA objective: λ ← softmax(λ − γ_k (y yᵀ + ρI) λ); direction yᵀλ. β_k = β / k^σβ, γ_k = γ / k^σγ.
// y lives in the space of the shared parameters: needs the Jacobian and parameter gradients.
import { OptionError } from '../../errors.ts';
import { assertMode, inputJacobian, inputLosses, softmax } from '../core.ts';
import type { Aggregator } from '../types.ts';

export interface MocoState {
  readonly step: number;
  readonly y: Float64Array | null;
  readonly lambda: Float64Array | null;
}

export interface MocoOptions {
  readonly beta?: number;
  readonly betaSigma?: number;
  readonly gamma?: number;
  readonly gammaSigma?: number;
  readonly rho?: number;
}

export function moco(opts: MocoOptions = {}): Aggregator<MocoState> {
  const { beta = 0.5, betaSigma = 0.5, gamma = 0.1, gammaSigma = 0.5, rho = 0 } = opts;
  for (const [k, v] of Object.entries({ beta, betaSigma, gamma, gammaSigma, rho })) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new OptionError(`--moco-${k}`, `must be a finite number ≥ 0, got ${v}`);
  }
  const agg: Aggregator<MocoState> = {
    name: 'moco',
    paper: 'Fernando et al., ICLR 2023, Alg. 1 (tracked gradients, softmax weight update)',
    modes: ['jacobian', 'backward'],
    modeNote: 'its tracking variable y is kept in parameter space across steps; representation gradients change with every batch',
    needs: 'jacobian',
    init: (T) => ({ step: 0, y: null, lambda: new Float64Array(T).fill(1 / T) }),
    aggregate(input, state) {
      assertMode('aggregator', agg, input.mode);
      const G = inputJacobian('moco', input);
      const T = G.rows;
      const P = G.cols;
      const L = inputLosses('moco', input.losses, T);
      const k = state.step + 1;
      const bk = beta / k ** betaSigma;
      const gk = gamma / k ** gammaSigma;
      const y0 = state.y && state.y.length === T * P ? state.y : new Float64Array(T * P);
      const lam0 = state.lambda && state.lambda.length === T ? state.lambda : new Float64Array(T).fill(1 / T);
      const y = new Float64Array(T * P);
      for (let t = 0; t < T; t++) {
        let s = 0;
        for (let j = 0; j < P; j++) s += G.data[t * P + j]! ** 2;
        const f = s > 0 ? L[t]! / Math.sqrt(s) : 0;
        for (let j = 0; j < P; j++) {
          const g = G.data[t * P + j]! * f;
          y[t * P + j] = y0[t * P + j]! - bk * (y0[t * P + j]! - g);
        }
      }
      // (y yᵀ + ρI) λ
      const Yl = new Float64Array(P);
      for (let t = 0; t < T; t++) for (let j = 0; j < P; j++) Yl[j]! += lam0[t]! * y[t * P + j]!;
      const z = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        let s = rho * lam0[t]!;
        for (let j = 0; j < P; j++) s += y[t * P + j]! * Yl[j]!;
        z[t] = lam0[t]! - gk * s;
      }
      const lambda = softmax(z);
      const d = new Float64Array(P);
      for (let t = 0; t < T; t++) for (let j = 0; j < P; j++) d[j]! += lambda[t]! * y[t * P + j]!;
      return { kind: 'direction', direction: d, state: { step: k, y, lambda }, mode: input.mode };
    },
  };
  return agg;
}
