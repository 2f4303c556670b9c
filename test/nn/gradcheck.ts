// Gradient check helper (float64): analytic reverse-mode gradients of Σ out ⊙ R (R a fixed random
// cotangent) against central differences, for every parameter element; and the lanes pass (two
// stacked cotangents) against two separate passes.
import assert from 'node:assert/strict';
import { Random } from '../../src/linalg/random.ts';
import { Tape } from '../../src/nn/tape.ts';
import { Param } from '../../src/nn/tensor.ts';
import type { Tensor } from '../../src/nn/tensor.ts';

export function randParam(rng: Random, name: string, shape: readonly number[], lo = -1, hi = 1): Param {
  let n = 1;
  for (const d of shape) n *= d;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.uniformIn(lo, hi);
  return new Param(name, shape, d);
}

export interface CheckOptions {
  readonly h?: number;
  readonly tol?: number;
  readonly seed?: number;
  /** Also check the 2-lane pass against two 1-lane passes (default true). */
  readonly lanes?: boolean;
}

/** Asserts analytic = numeric gradients of f w.r.t. params, in float64. */
export function gradcheck(label: string, params: readonly Param[], f: (g: Tape) => Tensor, opts: CheckOptions = {}): void {
  const h = opts.h ?? 1e-6, tol = opts.tol ?? 1e-6;
  const rng = new Random(opts.seed ?? 99);
  const g = new Tape('float64', 1);
  g.reset();
  const out0 = f(g);
  const n = out0.size;
  const R = new Float64Array(n);
  for (let i = 0; i < n; i++) R[i] = rng.uniformIn(-1, 1);
  for (const p of params) p.grad!.fill(0);
  g.backwardFrom(out0, R, 1);
  const analytic = params.map((p) => Float64Array.from(p.grad!));
  const value = (): number => {
    const t = new Tape('float64', 1); // same seed: stochastic ops redraw the same mask
    t.reset();
    const o = f(t);
    let s = 0;
    for (let i = 0; i < n; i++) s += o.data[i]! * R[i]!;
    return s;
  };
  params.forEach((p, j) => {
    for (let i = 0; i < p.size; i++) {
      const x = p.data[i]!;
      p.data[i] = x + h;
      const fp = value();
      p.data[i] = x - h;
      const fm = value();
      p.data[i] = x;
      const num = (fp - fm) / (2 * h);
      const an = analytic[j]![i]!;
      const err = Math.abs(num - an) / Math.max(1, Math.abs(num), Math.abs(an));
      assert.ok(err < tol, `${label}: d/d${p.name}[${i}] analytic ${an} vs numeric ${num} (rel err ${err.toExponential(2)})`);
    }
  });
  if (opts.lanes === false) return;
  // lanes: cotangents [R; R2] in one pass equal two separate passes
  const R2 = new Float64Array(n);
  for (let i = 0; i < n; i++) R2[i] = rng.uniformIn(-1, 1);
  for (const p of params) p.grad!.fill(0);
  g.backwardFrom(out0, R2, 1);
  const second = params.map((p) => Float64Array.from(p.grad!));
  const both = new Float64Array(2 * n);
  both.set(R, 0);
  both.set(R2, n);
  g.backwardFrom(out0, both, 2);
  params.forEach((p, j) => {
    const jac = g.hasJac(p) ? p.jac! : new Float64Array(2 * p.size);
    for (let i = 0; i < p.size; i++) {
      assert.ok(Math.abs(jac[i]! - analytic[j]![i]!) < 1e-9 * Math.max(1, Math.abs(analytic[j]![i]!)), `${label}: lane 0 of ${p.name}[${i}] ${jac[i]} vs ${analytic[j]![i]}`);
      assert.ok(Math.abs(jac[p.size + i]! - second[j]![i]!) < 1e-9 * Math.max(1, Math.abs(second[j]![i]!)), `${label}: lane 1 of ${p.name}[${i}] ${jac[p.size + i]} vs ${second[j]![i]}`);
    }
  });
}
