// Clustered MTL, convex relaxation (Zhou, Chen & Ye, "Clustered multi-task learning via alternating
// structure optimization", NIPS 2011; MALSAR Least_CMTL / Logistic_CMTL with (ρ1, ρ2, k)):
//
//   min_{W, b, M}  L(W, b) + c·tr(W (ηI + M)⁻¹ Wᵀ) + ridge·‖W‖²_F
//   s.t. tr M = k, 0 ⪯ M ⪯ I,     η = ρ2/ρ1, c = ρ1·η(1 + η),   --rho1 = ρ1, --rho2 = ρ2, --clusters = k
// (model files of formatVersion 1 stored ρ1 as lambda and ρ2 as lambda2).
//
// How we solve it (docs/models/cmtl.md): the problem is jointly convex in (W, M), and for fixed W the
// minimiser over M has a closed form (structure/cmtl-m-step.ts: M* = V diag(γ) Vᵀ with V the right
// singular vectors of W and γ from a one-dimensional KKT root). Substituting it gives
//   F(W) = L(W, b) + c·g(W) + ridge·‖W‖²,  g(W) = min_M tr(W(ηI + M)⁻¹Wᵀ),
// which is convex and smooth (∇g = 2W(ηI + M*)⁻¹ by Danskin's theorem, Lipschitz 2/η), so FISTA
// minimises it directly (solver 'fista'; the default for the logistic loss). For the squared loss the
// default is ADMM (solver/admm.ts) with c·g's exact prox, which keeps the M-block inside the step
// (solver/spectral-admm.ts: g at η + 2sc), and its duality gap (issue 17). This is block-coordinate descent with an exact M-block at every gradient
// evaluation; unlike MALSAR's joint projected gradient it needs no M step size and cannot use the
// wrong (asymmetric) M-gradient. At the returned point we certify BOTH blocks: the W-gradient of the
// joint objective at (W, M*), and the projected-gradient fixed point of M* using the correct
// symmetric gradient −c·A⁻¹WᵀWA⁻¹ (structure/cmtl-m-step.ts, cmtlMResidual).
//
// Cluster labels: k-means (k-means++ seeding, seeded Random) on the rows of V_k·diag(√γ_k), the top-k
// eigenvectors of M* scaled by their eigenvalues. M relaxes the normalised cluster-indicator projector
// F Fᵀ of the ASO formulation, so for separated clusters its top-k eigenspace is spanned by cluster
// indicators and these rows are (nearly) constant within a cluster; the √γ weights make directions
// that M barely uses (γ ≈ 0) irrelevant, which spectral clustering of WᵀW would not do.
import { ConvergenceError, OptionError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { Random } from '../../linalg/random.ts';
import { eigh } from '../../linalg/decomp/eigh.ts';
import { createLoss } from '../loss/index.ts';
import { ridgePenalty } from '../penalty/ridge.ts';
import type { Penalty } from '../penalty/types.ts';
import { linearObjective, solveLinear, type LinearSolution } from '../solver/composite.ts';
import { admmGram } from '../solver/admm.ts';
import { gramProblem } from '../solver/gram-form.ts';
import { cmtlGramPenalty } from '../solver/spectral-admm.ts';
import { proxGradientResidual } from '../solver/fista.ts';
import type { FitInfo, FitOptions, Problem } from '../types.ts';
import { kmeans } from '../structure/clustering.ts';
import { cmtlConstants, cmtlMResidual, cmtlMResidualThin, cmtlOptimalM, cmtlOptimalThin, cmtlReduced, thinMMatrix, type CmtlConstants, type CmtlThinM } from '../structure/cmtl-m-step.ts';
import { useThinTaskSpectrum } from '../structure/task-spectrum.ts';
import { linearModel, smoothPenalty, solverBase, weight, weightParam } from './common.ts';

/** k ≤ T needs the data, so it is checked at fit time (the declaration checks k ≥ 1 at construction). */
function clusterCount(options: FitOptions, T: number): number {
  const k = options.clusters;
  if (k === undefined || !Number.isInteger(k) || k < 1 || k > T) {
    throw new OptionError('clusters', `cmtl (--clusters) needs a whole number of clusters 1 ≤ k ≤ ${T} (the number of tasks), got ${String(k)}`);
  }
  return k;
}

/** c·g(W) as a smooth penalty (value and gradient share one eigendecomposition). */
export function cmtlReducedPenalty(k: number, consts: CmtlConstants): Penalty {
  return smoothPenalty('cmtl', (2 * consts.c) / consts.eta, (W) => {
    const r = cmtlReduced(W, k, consts.eta);
    const g = r.gradient;
    for (let i = 0; i < g.data.length; i++) g.data[i]! *= consts.c;
    return { value: consts.c * r.value, gradient: g };
  });
}

/**
 * clustersFromM for M = M*(W) in the thin form (d < T; issue 15): M's eigenpairs are (γ_i, v_i) on W's
 * right singular vectors and γ_rest elsewhere. With γ_rest = 0 the top-k rows of V·diag(√γ) are the
 * same embedding up to an orthogonal map inside each eigenspace of equal γ (the dense eigh picks any
 * basis there), so k-means sees the same distances; O(T·k) instead of an eigh of M (~9T³ flops).
 * γ_rest > 0 (W of rank ≤ k) needs directions outside W's row space: the dense route then.
 */
export function clustersFromThinM(m: CmtlThinM, k: number, rng: Random): Int32Array | null {
  if (m.gammaRest !== 0) return null;
  const T = m.tasks;
  const V = m.spectrum.V;
  const r = V.cols;
  const emb = Matrix.zeros(T, k);
  for (let q = 0; q < Math.min(k, r); q++) {
    const s = Math.sqrt(Math.max(0, m.gamma[q]!));
    for (let i = 0; i < T; i++) emb.data[i * k + q] = s * V.data[i * r + q]!;
  }
  return kmeans(emb, k, rng).labels;
}

/** Cluster labels from M: k-means on the rows of the top-k eigenvectors of M scaled by √γ. */
export function clustersFromM(M: Matrix, k: number, rng: Random): Int32Array {
  const T = M.rows;
  const e = eigh(M); // ascending
  const emb = Matrix.zeros(T, k);
  for (let q = 0; q < k; q++) {
    const src = T - 1 - q;
    const s = Math.sqrt(Math.max(0, e.values[src]!));
    for (let i = 0; i < T; i++) emb.data[i * k + q] = s * e.vectors.data[i * T + src]!;
  }
  return kmeans(emb, k, rng).labels;
}

export interface CmtlCertificate {
  /** ‖∇_W F(W, M*)‖ (with the intercept block) relative to ‖∇F(0)‖. */
  readonly wResidual: number;
  /** Projected-gradient fixed-point residual of M* (structure/cmtl-m-step.ts). */
  readonly mResidual: number;
}

export const cmtlSpec = linearModel({
  name: 'cmtl',
  summary: 'clustered MTL, convex relaxation (Zhou, Chen & Ye 2011): ρ1, ρ2, k clusters; learned cluster labels and M',
  params: [
    weightParam('rho1', 'ρ1, the weight of the cluster-structure term', 1, { positive: true, points: 6, decades: 4 }),
    weightParam('rho2', 'ρ2, the weight of ‖W‖² inside the relaxation (η = ρ2/ρ1)', 1, { positive: true, points: 5, decades: 4 }),
    { name: 'clusters', flag: '--clusters', type: 'integer', min: 1, default: 2, help: 'k, the number of task clusters (≤ number of tasks)' },
  ],
  solvers: ['admm', 'fista', 'gd'],
  solverHelp: 'admm (exact per-task steps, the M-block inside the prox, duality gap; squared loss, the default for it) | fista (W with the M-block minimised exactly; the default otherwise) | gd (textbook gradient, benchmark baseline)',
  fit(problem: Problem, o, warm, hooks) {
    const T = problem.tasks.length;
    const rho1 = weight(o, 'rho1');
    const rho2 = weight(o, 'rho2');
    if (!(rho1 > 0) || !(rho2 > 0)) throw new OptionError(rho1 > 0 ? 'rho2' : 'rho1', 'cmtl needs ρ1 > 0 and ρ2 > 0 (--rho1, --rho2)');
    const ridge = weight(o, 'ridge');
    const k = clusterCount(o, T);
    const consts = cmtlConstants(rho1, rho2);
    const smooth: Penalty[] = [cmtlReducedPenalty(k, consts)];
    if (ridge > 0) smooth.push(ridgePenalty(ridge));
    const solver = o.solver ?? (problem.loss === 'squared' ? 'admm' : 'fista');
    let sol: LinearSolution;
    if (solver === 'admm') {
      // Issue 17: FISTA on the reduced problem takes one step 1/L with L ≥ 2ρ1(1 + η) (the curvature of
      // c·g in the directions M leaves out), so large ρ1 with small η crawls (the demo's 7 fits at the
      // 20 000 cap); ADMM takes the penalty through its exact prox (solver/spectral-admm.ts) instead.
      if (problem.loss !== 'squared') throw new OptionError('solver', `"admm" needs the squared loss (the loss is "${problem.loss}"); use --solver fista`);
      const started = performance.now();
      const gp = gramProblem(problem, { ridge });
      const W0 = warm?.W && warm.W.rows === problem.d && warm.W.cols === T ? warm.W : undefined;
      const base = solverBase(o, hooks);
      const r = admmGram(gp, cmtlGramPenalty(consts.c, consts.eta, k), { ...base, started, solverName: 'admm (cmtl: the M-block inside the prox)', ...(W0 ? { W0 } : {}) });
      sol = { W: r.W, intercepts: gp.intercepts(r.W), info: r.info, lipschitz: NaN };
    } else {
      // 'gd': the textbook gradient method (no momentum, no Gram cache), kept as the benchmark baseline.
      const textbook = solver === 'gd';
      sol = solveLinear(
        problem,
        { smooth },
        {
          tol: o.tol,
          maxIter: o.maxIter,
          requireConvergence: o.requireConvergence ?? false,
          accelerate: !textbook,
          gram: !textbook,
          solverName: `${textbook ? 'gd' : 'fista'} (cmtl: W with the M-block minimised exactly)`,
          ...(hooks ? { hooks } : {}),
        },
        warm,
      );
    }
    // d < T: M*, its certificate and the clusters from W's thin SVD (O(T·d² + T²·d), not ~9T³ per
    // dense eigh of a T × T matrix; structure/task-spectrum.ts). The dense M is still returned.
    const thin = useThinTaskSpectrum(sol.W) ? cmtlOptimalThin(sol.W, k, consts.eta) : null;
    const M = thin ? thinMMatrix(thin) : cmtlOptimalM(sol.W, k, consts.eta);
    const loss = createLoss(problem);
    const x = loss.explicitIntercept ? [sol.W, new Matrix(1, T, Float64Array.from(sol.intercepts))] : [sol.W];
    // Smooth objective: the prox-gradient mapping is the gradient itself for any step.
    const cert: CmtlCertificate = {
      wResidual: proxGradientResidual(linearObjective(loss, smooth), x, 1),
      mResidual: thin ? cmtlMResidualThin(thin, k, consts) : cmtlMResidual(sol.W, M, k, consts),
    };
    // ADMM stops on its relative duality gap (its optimality measure, as for trace); FISTA on the
    // certificate itself. Both report the certificate in the message.
    const optimality = solver === 'admm' ? sol.info.optimality : Math.max(cert.wResidual, cert.mResidual);
    const converged = sol.info.converged && optimality <= o.tol;
    const info: FitInfo = {
      ...sol.info,
      optimality,
      converged,
      message: `${sol.info.message}; certificate at the returned (W, M): W-gradient ${cert.wResidual.toExponential(2)}, M fixed point ${cert.mResidual.toExponential(2)}`,
    };
    if (!converged && o.requireConvergence) throw new ConvergenceError(`cmtl: ${info.message}`);
    const clusters = (thin ? clustersFromThinM(thin, k, new Random(o.seed ?? 0)) : null) ?? clustersFromM(M, k, new Random(o.seed ?? 0));
    return {
      W: sol.W,
      intercepts: sol.intercepts,
      info,
      learned: { clusters, clusterMatrix: M },
      warm: { W: sol.W, intercepts: sol.intercepts, extra: { M } },
    };
  },
});
