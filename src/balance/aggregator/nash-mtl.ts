// Nash-MTL (Navon et al., "Multi-Task Learning as a Bargaining Game", ICML 2022, Claim 3.1 / eq. 3):
// the Nash bargaining solution is d = Σ_t α_t g_t with α > 0 solving
//     K α = 1/α  (elementwise),
// computed, as in the reference code, on K/‖K‖_F (the solution then scales by ‖K‖_F^{-1/2}); the
// reference approximates it by 20 sequential convex programmes in cvxpy, we solve it exactly by
// Newton's method (../solvers/power-equation.ts), warm-started from the previous step's α. Weights
// are recomputed every `updateWeightsEvery` steps (reference default 1) and reused in between. The
// reference clips the norm of the final shared gradient to `maxNorm` (default 1; 0 disables): done
// here in weight space, ‖d‖ = √(αᵀKα). A positive solution exists iff 0 is not in the convex hull
// of the gradients (checked first, by the min-norm solver); otherwise a ridge 1e-4·I is added to
// the normalised K and reported in info.ridge.
import { OptionError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { normFro } from '../../linalg/ops.ts';
import { gramianAggregator, quad } from '../core.ts';
import { minNormPoint } from '../solvers/min-norm.ts';
import { solvePowerEquation } from '../solvers/power-equation.ts';

export interface NashState {
  readonly step: number;
  readonly alpha: Float64Array | null;
  /** The ridge α was found with (0: none); absent in states written before it was recorded. */
  readonly ridge?: number;
}

/** α with (K/‖K‖_F + ρI) α = 1/α, ρ = 0 when that has a solution. */
/**
 * `reference: true` runs the previous session's solvers (Wolfe's min-norm test, Newton evaluating f at
 * every line-search trial) — same answers, kept for the side-by-side benchmark.
 */
export function nashAlpha(K: Matrix, x0?: Float64Array, x0Ridge = 0, opts: { reference?: boolean } = {}): { alpha: Float64Array; ridge: number; residual: number; iterations: number } {
  const T = K.rows;
  const f = normFro(K);
  if (!(f > 0)) return { alpha: new Float64Array(T), ridge: 0, residual: 0, iterations: 0 };
  const Kn = new Matrix(T, T, K.data.map((v) => v / f));
  const ref = opts.reference === true;
  // Warm start (the previous step's α, found without a ridge): when Newton converges to a positive α,
  // that α is itself the proof that a positive solution exists, so the min-norm test is not needed.
  if (x0 && x0Ridge === 0) {
    const r = solvePowerEquation(Kn, 1, { x0, maxIter: 15, evaluate: ref });
    if (r.converged && r.x.every((v) => v > 0 && Number.isFinite(v))) return { alpha: r.x, ridge: 0, residual: r.residual, iterations: r.iterations };
  }
  // A positive solution exists iff 0 ∉ conv{g_t} (then ½αᵀKα − Σ log α is coercive; otherwise it is
  // unbounded below along the v ≥ 0 with Gᵀv = 0): test that first with the exact min-norm solver.
  if (minNormPoint(Kn, { native: !ref }).normSq > 1e-10) {
    const r = solvePowerEquation(Kn, 1, { evaluate: ref, ...(x0 ? { x0 } : {}) });
    if (r.converged) return { alpha: r.x, ridge: 0, residual: r.residual, iterations: r.iterations };
  }
  const ridge = 1e-4;
  const r = solvePowerEquation(Kn, 1, { ridge, maxIter: 200, evaluate: ref, ...(x0 ? { x0 } : {}) });
  return { alpha: r.x, ridge, residual: r.residual, iterations: r.iterations };
}

export function nashMtl(opts: { maxNorm?: number; updateWeightsEvery?: number } = {}) {
  const maxNorm = opts.maxNorm ?? 1;
  const every = opts.updateWeightsEvery ?? 1;
  if (!(maxNorm >= 0)) throw new OptionError('--nash-max-norm', `must be ≥ 0, got ${maxNorm}`);
  if (!Number.isInteger(every) || every < 1) throw new OptionError('--nash-update-weights-every', `must be an integer ≥ 1, got ${every}`);
  return gramianAggregator<NashState>({
    name: 'nash-mtl',
    paper: 'Navon et al., ICML 2022, Claim 3.1 / eq. 3 (K α = 1/α), solved exactly by Newton',
    init: () => ({ step: 0, alpha: null, ridge: 0 }),
    weights: (K, _input, state) => {
      const T = K.rows;
      let alpha = state.alpha;
      let ridge = state.ridge ?? 1;
      let info: Record<string, number> = {};
      if (alpha === null || alpha.length !== T || state.step % every === 0) {
        const prev = alpha && alpha.length === T && alpha.every((v) => v > 0 && Number.isFinite(v)) ? alpha : undefined;
        const r = nashAlpha(K, prev, state.ridge ?? 1);
        alpha = r.alpha;
        ridge = r.ridge;
        info = { ridge: r.ridge, residual: r.residual, iterations: r.iterations };
      }
      const w = Float64Array.from(alpha);
      if (maxNorm > 0) {
        const norm = Math.sqrt(Math.max(quad(K.data, T, w), 0));
        if (norm > maxNorm) for (let t = 0; t < T; t++) w[t]! *= maxNorm / norm;
      }
      return { weights: w, state: { step: state.step + 1, alpha, ridge }, info };
    },
  });
}
