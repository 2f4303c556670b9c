// The thin task-side route (issue 15: mtrl's Ω and cmtl's M*, certificate and clusters from the SVD
// of Wᵀ instead of an eigh of the T × T WᵀW) against the dense eigh route, to 1e-10 relative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { eigh, fromEigen } from '../../../src/linalg/decomp/eigh.ts';
import { matmul } from '../../../src/linalg/ops.ts';
import { fromTaskSpectrum, taskSpectrum } from '../../../src/linear/structure/task-spectrum.ts';
import { mtrlOmegaExact } from '../../../src/linear/structure/mtrl-omega.ts';
import { cmtlOptimalEigenvalues } from '../../../src/linear/structure/capped-simplex.ts';
import {
  cmtlConstants, cmtlMResidual, cmtlMResidualThin, cmtlOptimalM, cmtlOptimalThin, thinMMatrix, type CmtlThinM,
} from '../../../src/linear/structure/cmtl-m-step.ts';
import { clustersFromM, clustersFromThinM } from '../../../src/linear/models/cmtl.ts';
import { randomMatrix } from './fd-util.ts';

function relErr(a: Matrix, b: Matrix): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.data.length; i++) {
    num += (a.data[i]! - b.data[i]!) ** 2;
    den += b.data[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}

/** The dense reference: f applied to the eigenvalues of WᵀW (T × T eigh, the old route). */
function denseSpectral(W: Matrix, f: (ev: Float64Array) => Float64Array): Matrix {
  const e = eigh(matmul(W, W, { transA: true }));
  return fromEigen(e.vectors, f(e.values.map((v) => Math.max(v, 0))));
}

test('fromTaskSpectrum(taskSpectrum(W), σ², 0) is WᵀW; with a base it adds base·I off the row space', () => {
  const rng = new Random(3);
  const W = randomMatrix(rng, 4, 11);
  const sp = taskSpectrum(W);
  assert.equal(sp.V.rows, 11);
  assert.equal(sp.V.cols, 4);
  for (let i = 1; i < sp.sigma.length; i++) assert.ok(sp.sigma[i - 1]! >= sp.sigma[i]!, 'σ descending');
  const G = matmul(W, W, { transA: true });
  assert.ok(relErr(fromTaskSpectrum(sp, sp.sigma.map((s) => s * s), 0), G) < 1e-13);
  // f(WᵀW) with f(0) = 0.5: G + 0.5·I on the whole space, since G's kernel gets f(0) and V's directions σ² + 0.5.
  const withBase = fromTaskSpectrum(sp, sp.sigma.map((s) => s * s + 0.5), 0.5);
  const ref = G.clone();
  for (let i = 0; i < 11; i++) ref.data[i * 11 + i]! += 0.5;
  assert.ok(relErr(withBase, ref) < 1e-13);
});

test('mtrlOmegaExact (d < T, thin route) equals (WᵀW)^½/tr from the dense eigh to 1e-10, also with a zero column', () => {
  const rng = new Random(5);
  for (const [d, T] of [[3, 9], [5, 40]] as const) {
    const W = randomMatrix(rng, d, T);
    for (let j = 0; j < d; j++) W.data[j * T + 2] = 0; // task 2 has no weights
    const ref = denseSpectral(W, (ev) => {
      // The dense route's rounding noise in the kernel of WᵀW (~1e-16·σ²_max) has a square root of
      // ~1e-8·σ_max: the old route's own error, zeroed here as the exact spectrum has it.
      const top = Math.max(...ev);
      const root = ev.map((v) => (v > 1e-12 * top ? Math.sqrt(v) : 0));
      const s = root.reduce((a, b) => a + b, 0);
      return root.map((r) => r / s);
    });
    const om = mtrlOmegaExact(W);
    assert.ok(relErr(om, ref) < 1e-10, `d=${d}, T=${T}: ${relErr(om, ref)}`);
  }
  // W = 0: no information, Ω = I/T.
  const Z = mtrlOmegaExact(Matrix.zeros(2, 5));
  assert.equal(Z.data[0], 0.2);
  assert.equal(Z.data[1], 0);
});

test('cmtl thin M* equals the dense eigh route to 1e-10 (rank > k, and rank ≤ k where the rest of the trace goes off the row space)', () => {
  const rng = new Random(9);
  const consts = cmtlConstants(0.5, 0.8);
  for (const [d, T, k] of [[4, 12, 2], [6, 30, 3], [2, 8, 3]] as const) {
    const W = randomMatrix(rng, d, T);
    const ref = denseSpectral(W, (ev) => {
      // The dense route's rounding noise in the kernel of WᵀW is not a direction of W: zero it as the exact spectrum has it.
      const top = Math.max(...ev);
      return cmtlOptimalEigenvalues(ev.map((v) => (v > 1e-12 * top ? Math.sqrt(v) : 0)), k, consts.eta);
    });
    const M = cmtlOptimalM(W, k, consts.eta);
    assert.ok(relErr(M, ref) < 1e-10, `d=${d}, T=${T}, k=${k}: ${relErr(M, ref)}`);
    // The dense certificate at the thin M* is ~0: it is the minimiser.
    assert.ok(cmtlMResidual(W, M, k, consts) < 1e-9);
  }
});

test('cmtlMResidualThin equals the dense cmtlMResidual at M* and at non-optimal M in the same eigenbasis', () => {
  const rng = new Random(13);
  const consts = cmtlConstants(0.7, 0.3);
  const k = 2;
  const W = randomMatrix(rng, 5, 20);
  const opt = cmtlOptimalThin(W, k, consts.eta);
  assert.ok(cmtlMResidualThin(opt, k, consts) < 1e-12);
  // Non-optimal feasible eigenvalues: uniform k/T everywhere, and the optimum's mass moved to the smallest σ.
  const uniform: CmtlThinM = { ...opt, gamma: new Float64Array(5).fill(k / 20), gammaRest: k / 20 };
  const reversed: CmtlThinM = { ...opt, gamma: Float64Array.from(opt.gamma).reverse() };
  for (const m of [uniform, reversed]) {
    const thin = cmtlMResidualThin(m, k, consts);
    const dense = cmtlMResidual(W, thinMMatrix(m), k, consts);
    assert.ok(thin > 1e-3, 'a non-optimal M is not stationary');
    assert.ok(Math.abs(thin - dense) <= 1e-10 * dense, `thin ${thin} vs dense ${dense}`);
  }
});

test('clustersFromThinM recovers the same planted clusters as the dense eigh of M, and defers to it when γ_rest > 0', () => {
  const rng = new Random(17);
  const d = 6;
  const T = 40;
  const k = 3;
  // Three clusters of tasks around three centres.
  const centres = [rng.normals(d), rng.normals(d), rng.normals(d)];
  const W = Matrix.zeros(d, T);
  const truth = Int32Array.from({ length: T }, (_, t) => t % k);
  for (let t = 0; t < T; t++) for (let j = 0; j < d; j++) W.data[j * T + t] = 3 * centres[truth[t]!]![j]! + 0.1 * rng.normal();
  const consts = cmtlConstants(1, 1);
  const thin = cmtlOptimalThin(W, k, consts.eta);
  assert.equal(thin.gammaRest, 0);
  const a = clustersFromThinM(thin, k, new Random(0))!;
  const b = clustersFromM(thinMMatrix(thin), k, new Random(0));
  // Same partition (labels may be permuted): tasks together in one are together in the other.
  for (let s = 0; s < T; s++) for (let t = s + 1; t < T; t++) {
    assert.equal(a[s] === a[t], b[s] === b[t]);
    assert.equal(a[s] === a[t], truth[s] === truth[t]);
  }
  // d = 2 < k: the rest of the trace lies off W's row space (γ_rest > 0), so the thin labels defer to the dense route.
  const small = cmtlOptimalThin(randomMatrix(rng, 2, T), k, consts.eta);
  assert.ok(small.gammaRest > 0);
  assert.equal(clustersFromThinM(small, k, new Random(0)), null);
});
