import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { sqrtmPsd } from '../../../src/linalg/decomp/solve.ts';
import { matmul, trace } from '../../../src/linalg/ops.ts';
import { createLoss } from '../../../src/linear/loss/index.ts';
import { mtrlObjective, mtrlSpec, squaredTracePenalty, zObjective, type MtrlState, type MtrlWeights } from '../../../src/linear/models/mtrl.ts';
import { ridgePenalty } from '../../../src/linear/penalty/ridge.ts';
import { linearObjective } from '../../../src/linear/solver/composite.ts';
import { proxGradientResidual } from '../../../src/linear/solver/fista.ts';
import { mtrlOmegaStep, omegaPower } from '../../../src/linear/structure/mtrl-omega.ts';
import { gradientError, randomMatrix } from '../structure/fd-util.ts';
import { plantedProblem } from './planted.ts';

// Planted task correlation: tasks 0–2 positively correlated (0.8), tasks 3–5 likewise, the two groups
// negatively correlated (−0.6). W = U·C^½ with U Gaussian (d × T), so the columns have correlation C.
function planted(seed: number) {
  const rng = new Random(seed);
  const T = 6;
  const d = 30;
  const C = Matrix.zeros(T, T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) C.set(i, j, i === j ? 1 : (i < 3) === (j < 3) ? 0.8 : -0.6);
  const W = matmul(new Matrix(d, T, rng.normals(d * T)), sqrtmPsd(C));
  return { C, problem: plantedProblem(rng, W, { n: 60, noise: 0.5 }) };
}

test('mtrl: recovers the sign pattern of the planted task correlations; Ω has trace 1; optimal at the returned point', () => {
  const { C, problem } = planted(3);
  const lambda = 0.1;
  const lambda2 = 0.01;
  const r = mtrlSpec.fit(problem, { tol: 1e-9, maxIter: 20000, lambda2: lambda, lambda1: lambda2 });
  assert.ok(r.info.converged, r.info.message);
  const R = r.learned.taskCorrelation!;
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) if (i !== j) assert.equal(Math.sign(R.get(i, j)), Math.sign(C.get(i, j)), `(${i}, ${j})`);
  assert.ok(Math.abs(trace(r.learned.taskCovariance!) - 1) < 1e-12);
  // Independent check: the prox-gradient mapping of L + (lambda2/2)‖W‖² + (lambda/2)‖W‖_*² vanishes.
  const loss = createLoss(problem);
  const obj = linearObjective(loss, [ridgePenalty(lambda2 / 2)], squaredTracePenalty(lambda));
  assert.ok(proxGradientResidual(obj, [r.W], 1) < 1e-8);
  // And the reported objective is the MTRL objective with Ω at its optimum: L + (λ1/2)‖W‖² + (λ/2)tr(WΩ⁻¹Wᵀ).
  const inv = omegaPower(mtrlOmegaStep(r.W, 1e-300), -1);
  const coupling = trace(matmul(matmul(r.W, inv), r.W, { transB: true }));
  let sq = 0;
  for (const v of r.W.data) sq += v * v;
  const F = loss.value(r.W) + (lambda2 / 2) * sq + (lambda / 2) * coupling;
  assert.ok(Math.abs(F - r.info.objective) < 1e-8 * F, `objective ${r.info.objective} vs ${F}`);
});

test('mtrl: the paper\'s alternating scheme decreases its objective monotonically and reaches the same optimum', () => {
  const { problem } = planted(3);
  const opts = { tol: 1e-9, maxIter: 5000, lambda2: 0.1, lambda1: 0.01 };
  const prox = mtrlSpec.fit(problem, opts);
  // A looser tolerance for the alternating scheme: its block optimality bottoms out near 1e-9 here.
  const alt = mtrlSpec.fit(problem, { ...opts, tol: 1e-7, solver: 'alternating' });
  assert.ok(alt.info.converged, alt.info.message);
  const tr = alt.info.objectiveTrace;
  for (let i = 1; i < tr.length; i++) assert.ok(tr[i]! <= tr[i - 1]! * (1 + 1e-13), `objective rose at outer iteration ${i}`);
  // The ε-objective exceeds the ε = 0 one by at most (λ/2)(2√ε·T‖W‖_* + T²ε); here ε ≈ 1e-7 makes that ≤ 1e-5 relative.
  const rel = (alt.info.objective - prox.info.objective) / prox.info.objective;
  assert.ok(rel > -1e-9 && rel < 1e-5, `alternating ${alt.info.objective} vs fista ${prox.info.objective}`);
  for (let i = 0; i < 36; i++) assert.ok(Math.abs(alt.learned.taskCorrelation!.data[i]! - prox.learned.taskCorrelation!.data[i]!) < 1e-3);
  assert.throws(() => mtrlSpec.fit(problem, { ...opts, solver: 'sgd' }), /solver/);
});

test('mtrl W-step terms: gradients of the ε-objective in W and of the Z-objective match finite differences', () => {
  const rng = new Random(71);
  const { problem } = planted(4);
  const loss = createLoss(problem);
  const w: MtrlWeights = { lambda: 0.3, lambda2: 0.05, ridge: 0.02, epsilon: 1e-3 };
  const W = randomMatrix(rng, 30, 6, 0.3);
  const o = mtrlOmegaStep(randomMatrix(rng, 30, 6), w.epsilon);
  const Om = { omega: o.omega, vectors: o.vectors, values: o.values };
  const state = (X: Matrix): MtrlState => ({ W: X, b: new Float64Array(6), Om });
  // ∇_W of the full objective at fixed Ω: ∇L + (λ1 + 2ridge)W + λWΩ⁻¹.
  const G = loss.evaluate(W).G;
  const WOi = matmul(W, omegaPower(o, -1));
  for (let i = 0; i < G.data.length; i++) G.data[i]! += (w.lambda2 + 2 * w.ridge) * W.data[i]! + w.lambda * WOi.data[i]!;
  assert.ok(gradientError((X) => mtrlObjective(loss, w, state(X)), G, W, rng, 5, 1e-5) < 1e-6);
  // Z-objective: gradient vs finite differences.
  const zo = zObjective(loss, w, Om);
  const Z = randomMatrix(rng, 30, 6, 0.3);
  const gz = zo.smooth([Z]).grad[0]!;
  assert.ok(gradientError((X) => zo.smooth([X]).value, gz, Z, rng, 5, 1e-5) < 1e-6);
});
