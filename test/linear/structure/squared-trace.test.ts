import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { svd } from '../../../src/linalg/decomp/svd.ts';
import { shrinkSquaredSum, squaredTraceProx, squaredTraceValue } from '../../../src/linear/structure/squared-trace.ts';
import { randomMatrix } from './fd-util.ts';

/** ½‖x − σ‖² + (a/2)(Σx)² minimised over x ≥ 0 by projected gradient (a slow, obviously correct reference). */
function bruteShrink(sigma: number[], a: number): number[] {
  let x = sigma.slice();
  const L = 1 + a * sigma.length;
  for (let it = 0; it < 20000; it++) {
    const S = x.reduce((p, q) => p + q, 0);
    x = x.map((xi, i) => Math.max(xi - (xi - sigma[i]! + a * S) / L, 0));
  }
  return x;
}

test('shrinkSquaredSum equals a brute-force minimisation', () => {
  const rng = new Random(61);
  for (let trial = 0; trial < 30; trial++) {
    const n = 1 + rng.int(6);
    const sigma = Array.from(rng.normals(n), Math.abs).sort((p, q) => q - p);
    const a = 0.05 + 2 * rng.uniform();
    const fast = shrinkSquaredSum(sigma, a);
    const slow = bruteShrink(sigma, a);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(fast[i]! - slow[i]!) < 1e-9, `σ=${sigma}, a=${a}: ${fast} vs ${slow}`);
  }
});

test('squaredTraceProx minimises ½‖Z − V‖² + s(μ/2)‖Z‖_*² (beats random perturbations; singular vectors kept)', () => {
  const rng = new Random(62);
  const V = randomMatrix(rng, 5, 4);
  const step = 0.3;
  const mu = 0.7;
  const P = squaredTraceProx(V, step, mu);
  const f = (Z: Matrix): number => {
    let s = 0;
    for (let i = 0; i < Z.data.length; i++) s += 0.5 * (Z.data[i]! - V.data[i]!) ** 2;
    return s + step * squaredTraceValue(Z, mu);
  };
  const best = f(P);
  for (let r = 0; r < 500; r++) {
    const Z = P.clone();
    const scale = r < 250 ? 1e-3 : 0.1;
    for (let i = 0; i < Z.data.length; i++) Z.data[i]! += scale * rng.normal();
    assert.ok(f(Z) >= best - 1e-12, 'a perturbation did better than the prox');
  }
  // Same singular vectors as V: the singular values of P are the shrunk ones.
  const expected = shrinkSquaredSum(svd(V).s, step * mu);
  const got = svd(P).s;
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(got[i]! - expected[i]!) < 1e-10);
});
