// Largest eigenvalue of a symmetric positive semidefinite operator by power iteration, used for the
// first step size of the gradient solvers (1/L). The Rayleigh quotient approaches λ_max from below,
// so callers treat it as an estimate and backtrack (solver/fista.ts); a fixed deterministic start
// vector keeps fits reproducible without drawing random numbers.
import { norm2 } from '../../linalg/ops.ts';

export function powerIteration(apply: (v: Float64Array, out: Float64Array) => void, dim: number, iters = 40, rtol = 1e-6): number {
  if (dim === 0) return 0;
  let v = new Float64Array(dim);
  // A start vector not orthogonal to any fixed direction in practice: 1 + a slow ramp.
  for (let i = 0; i < dim; i++) v[i] = 1 + (0.5 * i) / dim;
  let nv = norm2(v);
  for (let i = 0; i < dim; i++) v[i]! /= nv;
  let w = new Float64Array(dim);
  let lambda = 0;
  for (let k = 0; k < iters; k++) {
    apply(v, w);
    let rq = 0;
    for (let i = 0; i < dim; i++) rq += v[i]! * w[i]!;
    nv = norm2(w);
    if (nv === 0) return 0;
    for (let i = 0; i < dim; i++) w[i]! /= nv;
    const done = Math.abs(rq - lambda) <= rtol * Math.abs(rq);
    lambda = rq;
    [v, w] = [w, v];
    if (done) break;
  }
  return lambda;
}
