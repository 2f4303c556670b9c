// The dirty model's row penalty (Jalali, Ravikumar, Sanghavi & Ruan, NIPS 2010) as a penalty on W = P + Q
// for the squared-loss solvers (issue 17): its value, the exact row minimisation of the BCD (./bcd.ts),
// its prox and dual norm for ADMM (./admm.ts), and the best split of a row into P and Q.
import type { Matrix } from '../../linalg/matrix.ts';
import type { GramPenalty } from './admm.ts';

/**
 * The dirty model's penalty on one row of W = P + Q (Jalali et al., NIPS 2010), as a function of w alone:
 *   g(w) = min_{p + q = w} λ_P‖p‖_∞ + λ_Q‖q‖₁,
 * the infimal convolution of the two norms, whose conjugate is the indicator of the intersection of
 * their dual balls B* = {z : ‖z‖₁ ≤ λ_P, ‖z‖_∞ ≤ λ_Q}. So the dirty model with squared loss is a
 * row-separable penalty on W and the row BCD applies. The best split puts p_t = sign(w_t)·min(|w_t|, m)
 * with m the K-th largest |w_t|, K = ⌈λ_P/λ_Q⌉ (m = 0 when K > T): the slope of λ_P m + λ_Q Σ(|w_t| − m)_+
 * in m is λ_P − λ_Q·#{|w_t| > m}.
 */
export function dirtySplitLevel(w: ArrayLike<number>, lambdaP: number, lambdaQ: number): number {
  const T = w.length;
  const K = Math.ceil(lambdaP / lambdaQ);
  if (K > T || K < 1) return 0;
  if (K === 1) {
    let m = 0;
    for (let t = 0; t < T; t++) m = Math.max(m, Math.abs(w[t]!));
    return m;
  }
  const u = Float64Array.from({ length: T }, (_, t) => Math.abs(w[t]!)).sort();
  return u[T - K]!;
}

/** g(w) of dirtySplitLevel's header. */
export function dirtyRowValue(w: ArrayLike<number>, lambdaP: number, lambdaQ: number): number {
  const m = dirtySplitLevel(w, lambdaP, lambdaQ);
  let v = lambdaP * m;
  for (let t = 0; t < w.length; t++) v += lambdaQ * Math.max(Math.abs(w[t]!) - m, 0);
  return v;
}

/**
 * argmin_u ½Σ a_t u_t² − bᵀu + g(u) for the dirty row penalty g (a_t ≥ 0). By duality (g is the support
 * function of B*), u = (b − z)/a with z the projection of b onto B* in the metric diag(1/a):
 * |z_t| = clip(|b_t| − θ a_t, 0, λ_Q), sign(z_t) = sign(b_t), θ ≥ 0 the smallest value with Σ|z_t| ≤ λ_P
 * (φ(θ) = Σ clip(·) is continuous, decreasing, piecewise linear: bracketed Newton, exact on the
 * right piece). A zero curvature (feature absent from a task) gives u_t = 0.
 */
export function dirtyRowSolve(a: Float64Array, b: Float64Array, lambdaP: number, lambdaQ: number, out: Float64Array): void {
  const T = a.length;
  // φ(θ) and its right slope −Σ_{t linear just after θ} a_t.
  const phiAt = (theta: number): { v: number; slope: number } => {
    let v = 0;
    let slope = 0;
    for (let t = 0; t < T; t++) {
      const x = Math.abs(b[t]!) - theta * a[t]!;
      if (x >= lambdaQ) {
        v += lambdaQ;
        if (x === lambdaQ) slope -= a[t]!;
      } else if (x > 0) {
        v += x;
        slope -= a[t]!;
      }
    }
    return { v, slope };
  };
  let theta = 0;
  let cur = phiAt(0);
  if (cur.v > lambdaP) {
    // Bracketed Newton on the piecewise-linear φ: exact once on the right piece (a few steps);
    // bisection whenever the step leaves the bracket.
    let lo = 0;
    let hi = 0;
    for (let t = 0; t < T; t++) if (a[t]! > 0) hi = Math.max(hi, Math.abs(b[t]!) / a[t]!);
    for (let it = 0; it < 200; it++) {
      let next = cur.slope < 0 ? theta + (cur.v - lambdaP) / -cur.slope : NaN;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      theta = next;
      cur = phiAt(theta);
      if (Math.abs(cur.v - lambdaP) <= 1e-14 * lambdaP || hi - lo <= 1e-15 * hi) break;
      if (cur.v > lambdaP) lo = theta;
      else hi = theta;
    }
  }
  for (let t = 0; t < T; t++) {
    if (!(a[t]! > 0)) {
      out[t] = 0;
      continue;
    }
    const bt = b[t]!;
    const z = Math.sign(bt) * Math.min(Math.max(Math.abs(bt) - theta * a[t]!, 0), lambdaQ);
    out[t] = (bt - z) / a[t]!;
  }
}

/**
 * prox of g with weights (lp, lq) and unit curvature at b, the Z-step of ADMM: u = b − z with z the
 * Euclidean projection of b onto B*(lp, lq), i.e. dirtyRowSolve with a = 1 (see there):
 * z_t = sign(b_t)·clip(|b_t| − θ, 0, lq), θ ≥ 0 the smallest value with Σ_t|z_t| ≤ lp. `theta0` is a
 * guess (the same row's θ at the previous ADMM iteration: consecutive iterates are close, so the
 * bracketed Newton usually needs one or two evaluations of φ instead of four or five from θ = 0).
 * Returns θ.
 */
export function dirtyProxRow(b: Float64Array, lp: number, lq: number, theta0: number, out: Float64Array): number {
  const T = b.length;
  // φ(θ) = Σ_t clip(|b_t| − θ, 0, lq) and its right slope −#{t : 0 < |b_t| − θ < lq or = lq}.
  let pv = 0;
  let ps = 0;
  const phiAt = (theta: number): void => {
    let v = 0;
    let slope = 0;
    for (let t = 0; t < T; t++) {
      const x = Math.abs(b[t]!) - theta;
      if (x >= lq) {
        v += lq;
        if (x === lq) slope--;
      } else if (x > 0) {
        v += x;
        slope--;
      }
    }
    pv = v;
    ps = slope;
  };
  let theta = 0;
  phiAt(0);
  if (pv > lp) {
    let lo = 0;
    let hi = 0;
    for (let t = 0; t < T; t++) hi = Math.max(hi, Math.abs(b[t]!));
    if (theta0 > lo && theta0 < hi) {
      theta = theta0;
      phiAt(theta);
      if (pv > lp) lo = theta;
      else hi = theta;
    }
    for (let it = 0; it < 200; it++) {
      if (Math.abs(pv - lp) <= 1e-14 * lp || hi - lo <= 1e-15 * hi) break;
      // Newton on the piecewise-linear φ (exact once on the right piece), bisection when the step
      // leaves the bracket.
      let next = ps < 0 ? theta + (pv - lp) / -ps : NaN;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      theta = next;
      phiAt(theta);
      if (pv > lp) lo = theta;
      else hi = theta;
    }
  }
  for (let t = 0; t < T; t++) {
    const bt = b[t]!;
    const a = Math.abs(bt) - theta;
    const z = a <= 0 ? 0 : a >= lq ? lq : a;
    out[t] = bt >= 0 ? bt - z : bt + z;
  }
  return theta;
}

/** Σ_j g(W_j,:) with weights λ_P, λ_Q, as ADMM sees it (matrices stored transposed, T × d). */
export function dirtyGramPenalty(lambdaP: number, lambdaQ: number): GramPenalty {
  if (!(lambdaP > 0 && lambdaQ > 0 && Number.isFinite(lambdaP) && Number.isFinite(lambdaQ))) throw new RangeError(`dirty: λ_P and λ_Q must be finite and > 0, got ${lambdaP}, ${lambdaQ}`);
  const rowOf = (Wt: Float64Array, d: number, T: number, j: number, out: Float64Array): void => {
    for (let t = 0; t < T; t++) out[t] = Wt[t * d + j]!;
  };
  const valueT = (Wt: Float64Array, d: number, T: number): number => {
    const row = new Float64Array(T);
    let v = 0;
    for (let j = 0; j < d; j++) {
      rowOf(Wt, d, T, j, row);
      v += dirtyRowValue(row, lambdaP, lambdaQ);
    }
    return v;
  };
  // The prox's work rows and each row's last θ (dirtyProxRow's warm start), kept between calls.
  let scratch: { row: Float64Array; u: Float64Array; theta: Float64Array } | undefined;
  return {
    name: 'dirty',
    proxT(Vt, d, T, step, out, wantValue = true) {
      // prox of step·g per row (weights step·λ), each row's θ warm-started from its previous call.
      if (!scratch || scratch.row.length !== T || scratch.theta.length !== d) scratch = { row: new Float64Array(T), u: new Float64Array(T), theta: new Float64Array(d) };
      const { row, u, theta } = scratch;
      let v = 0;
      for (let j = 0; j < d; j++) {
        rowOf(Vt, d, T, j, row);
        theta[j] = dirtyProxRow(row, step * lambdaP, step * lambdaQ, theta[j]!, u);
        for (let t = 0; t < T; t++) out[t * d + j] = u[t]!;
        if (wantValue) v += dirtyRowValue(u, lambdaP, lambdaQ);
      }
      return wantValue ? v : NaN;
    },
    valueT,
    proxDiagT(Bt, At, d, T, out) {
      if (!scratch || scratch.row.length !== T || scratch.theta.length !== d) scratch = { row: new Float64Array(T), u: new Float64Array(T), theta: new Float64Array(d) };
      const { row, u } = scratch;
      const a = new Float64Array(T);
      let v = 0;
      for (let j = 0; j < d; j++) {
        rowOf(At, d, T, j, a);
        rowOf(Bt, d, T, j, row);
        dirtyRowSolve(a, row, lambdaP, lambdaQ, u);
        for (let t = 0; t < T; t++) out[t * d + j] = u[t]!;
        v += dirtyRowValue(u, lambdaP, lambdaQ);
      }
      return v;
    },
    // Dual ball of g per row: ‖z‖₁ ≤ λ_P and ‖z‖_∞ ≤ λ_Q.
    dualRatioT(Gt, d, T) {
      let r = 0;
      for (let j = 0; j < d; j++) {
        let n1 = 0;
        let ni = 0;
        for (let t = 0; t < T; t++) {
          const a = Math.abs(Gt[t * d + j]!);
          n1 += a;
          ni = Math.max(ni, a);
        }
        r = Math.max(r, n1 / lambdaP, ni / lambdaQ);
      }
      return r;
    },
    exactValue(W: Matrix) {
      let v = 0;
      for (let j = 0; j < W.rows; j++) v += dirtyRowValue(W.data.subarray(j * W.cols, (j + 1) * W.cols), lambdaP, lambdaQ);
      return v;
    },
  };
}
