import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { eigh } from '../../../src/linalg/decomp/eigh.ts';
import { projectCappedSimplex } from '../../../src/linear/structure/capped-simplex.ts';
import {
  cmtlConstants, cmtlGradM, cmtlGradMMalsar, cmtlGradW, cmtlMResidual, cmtlOptimalM, cmtlPenaltyValue, cmtlReduced, projectM,
} from '../../../src/linear/structure/cmtl-m-step.ts';
import { directional, gradientError, inner, randomMatrix, randomOrthogonal, withEigenvalues } from './fd-util.ts';

function frob(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i]! - b.data[i]!) ** 2;
  return Math.sqrt(s);
}

function randomFeasibleM(rng: Random, T: number, k: number): Matrix {
  const g = projectCappedSimplex(rng.normals(T, 0.5, 1), k);
  return withEigenvalues(randomOrthogonal(rng, T), g);
}

test('cmtlConstants match MALSAR: η = ρ2/ρ1, c = ρ1·η(1+η); bad weights are rejected by name', () => {
  const k = cmtlConstants(2, 3);
  assert.equal(k.eta, 1.5);
  assert.equal(k.c, 2 * 1.5 * 2.5);
  assert.throws(() => cmtlConstants(0, 1), /lambda/);
  assert.throws(() => cmtlConstants(1, -1), /rho2/);
});

test('CMTL penalty: W-gradient and the symmetric M-gradient agree with finite differences; MALSAR\'s asymmetric one does not', () => {
  const rng = new Random(21);
  const d = 4;
  const T = 5;
  const consts = cmtlConstants(0.7, 1.3);
  const W = randomMatrix(rng, d, T);
  const M = randomFeasibleM(rng, T, 2);
  const gW = cmtlGradW(W, M, consts);
  const errW = gradientError((X) => cmtlPenaltyValue(X, M, consts), gW, W, rng);
  assert.ok(errW < 1e-6, `W-gradient error ${errW}`);
  const gM = cmtlGradM(W, M, consts);
  assert.ok(frob(gM, gM.transpose()) === 0, 'the M-gradient is symmetric');
  // M lives in the symmetric matrices, so the derivative is checked along symmetric directions.
  const sym = (): Matrix => {
    const E = randomMatrix(rng, T, T);
    for (let i = 0; i < T; i++) for (let j = 0; j < i; j++) E.data[i * T + j] = E.data[j * T + i]!;
    return E;
  };
  const gBad = cmtlGradMMalsar(W, M, consts);
  assert.ok(frob(gBad, gBad.transpose()) > 1e-3, 'MALSAR\'s gradient is asymmetric');
  let worstBad = 0;
  for (let r = 0; r < 5; r++) {
    const Es = sym();
    const fd = directional((X) => cmtlPenaltyValue(W, X, consts), M, Es);
    assert.ok(Math.abs(inner(gM, Es) - fd) < 1e-6 * Math.max(1, Math.abs(fd)), `M-gradient: ${inner(gM, Es)} vs FD ${fd}`);
    worstBad = Math.max(worstBad, Math.abs(inner(gBad, Es) - fd) / Math.max(1, Math.abs(fd)));
  }
  // MALSAR's −c·WᵀW A⁻² misses the directional derivatives (by far more than FD error).
  assert.ok(worstBad > 1e-3, `MALSAR's gradient should fail the FD check (worst error ${worstBad})`);
});

test('projectM: output is in {tr M = k, 0 ⪯ M ⪯ I} and is the Euclidean projection (beats 2000 random feasible points, VI holds)', () => {
  const rng = new Random(22);
  for (const [T, k] of [[4, 1], [5, 2], [6, 3]] as const) {
    const S = randomMatrix(rng, T, T, 1.5);
    const A = S.clone();
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) A.data[i * T + j] = 0.5 * (S.data[i * T + j]! + S.data[j * T + i]!);
    const P = projectM(A, k);
    const e = eigh(P);
    let tr = 0;
    for (const v of e.values) {
      assert.ok(v >= -1e-12 && v <= 1 + 1e-12, `eigenvalue ${v}`);
      tr += v;
    }
    assert.ok(Math.abs(tr - k) < 1e-10);
    assert.ok(frob(P, P.transpose()) < 1e-14);
    const dist = frob(A, P);
    for (let r = 0; r < 2000; r++) {
      const X = randomFeasibleM(rng, T, k);
      assert.ok(frob(A, X) >= dist - 1e-12, 'a random feasible point is closer than the projection');
      // Variational inequality ⟨A − P, X − P⟩ ≤ 0 for every feasible X.
      let ip = 0;
      for (let i = 0; i < A.data.length; i++) ip += (A.data[i]! - P.data[i]!) * (X.data[i]! - P.data[i]!);
      assert.ok(ip <= 1e-10, `variational inequality violated: ${ip}`);
    }
    assert.ok(frob(projectM(P, k), P) < 1e-10, 'projection is idempotent');
  }
});

for (const [d, T] of [[3, 6], [6, 4]] as const) {
  test(`cmtlReduced (d=${d}, T=${T}): value = penalty at the closed-form M*, gradient vs finite differences, M* is stationary`, () => {
    const rng = new Random(23 + d);
    const k = 2;
    const consts = cmtlConstants(0.5, 0.8);
    const W = randomMatrix(rng, d, T);
    const r = cmtlReduced(W, k, consts.eta);
    const Mstar = cmtlOptimalM(W, k, consts.eta);
    assert.ok(Math.abs(r.value * consts.c - cmtlPenaltyValue(W, Mstar, consts)) < 1e-10 * r.value * consts.c);
    assert.ok(gradientError((X) => cmtlReduced(X, k, consts.eta).value, r.gradient, W, rng) < 1e-6);
    // Danskin: ∇g = 2W(ηI+M*)⁻¹ = ∇_W pen(W, M*)/c
    const gW = cmtlGradW(W, Mstar, consts);
    for (let i = 0; i < gW.data.length; i++) assert.ok(Math.abs(gW.data[i]! / consts.c - r.gradient.data[i]!) < 1e-9);
    assert.ok(cmtlMResidual(W, Mstar, k, consts) < 1e-9, 'M* satisfies the projected-gradient fixed point');
    // ... and a random feasible M is worse and not stationary.
    const M = randomFeasibleM(rng, T, k);
    assert.ok(cmtlPenaltyValue(W, M, consts) > cmtlPenaltyValue(W, Mstar, consts));
    assert.ok(cmtlMResidual(W, M, k, consts) > 1e-3);
  });
}
