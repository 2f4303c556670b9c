// Smooth Tchebycheff scalarisation (Lin et al., "Smooth Tchebycheff Scalarization for
// Multi-Objective Optimization", ICML 2024, eq. 9, in the log-loss form of the authors' MTL code as
// LibMTL runs it): during warm-up epochs 0..W the objective is Σ_t log L_t (w_t = 1/L_t), and the
// mean losses of epoch W give the nadir point z; afterwards, with ℓ_t = log(L_t / z_t),
//     objective = μ T log Σ_t exp(ℓ_t / μ),   w_t = T softmax(ℓ/μ)_t / L_t.
// (LibMTL also accumulates the nadir during epoch W itself, so warm-up lasts W + 1 epochs.)
import { lossWeighting, positiveOption, softmax } from '../core.ts';

export interface StchState {
  readonly sum: Float64Array;
  readonly count: number;
  readonly nadir: Float64Array | null;
}

export function stchObjective(L: ArrayLike<number>, nadir: ArrayLike<number>, mu: number): number {
  const T = L.length;
  const l = Array.from({ length: T }, (_, t) => Math.log(L[t]! / nadir[t]!) / mu);
  const mx = Math.max(...l);
  let s = 0;
  for (const v of l) s += Math.exp(v - mx);
  return mu * T * (mx + Math.log(s));
}

export function stch(opts: { mu?: number; warmupEpochs?: number } = {}) {
  const mu = positiveOption('stch', 'mu', opts.mu ?? 1);
  const W = opts.warmupEpochs ?? 4;
  if (!Number.isInteger(W) || W < 0) throw new RangeError(`stch: warmupEpochs must be an integer ≥ 0, got ${W}`);
  return lossWeighting<StchState>({
    name: 'stch',
    paper: 'Lin et al., ICML 2024, eq. 9 (smooth Tchebycheff on log losses with a nadir point)',
    positive: true,
    init: (T) => ({ sum: new Float64Array(T), count: 0, nadir: null }),
    step: (input, state) => {
      const L = input.losses;
      const T = L.length;
      if (input.epoch <= W) {
        let o = 0;
        for (let t = 0; t < T; t++) o += Math.log(L[t]!);
        const st = input.epoch === W ? { sum: state.sum.map((v, t) => v + L[t]!), count: state.count + 1, nadir: null } : state;
        return { weights: Float64Array.from(L, (l) => 1 / l), objective: o, state: st };
      }
      const nadir = state.nadir ?? (state.count > 0 ? state.sum.map((v) => v / state.count) : Float64Array.from(L));
      const z = softmax(Array.from({ length: T }, (_, t) => Math.log(L[t]! / nadir[t]!) / mu));
      const w = z.map((v, t) => (T * v) / L[t]!);
      return { weights: w, objective: stchObjective(L, nadir, mu), state: { sum: state.sum, count: state.count, nadir } };
    },
  });
}
