// Many non-negative QPs with one matrix, solved together:
//     x⁽ⁱ⁾ = argmin_{x ≥ 0} ½ xᵀQx + q⁽ⁱ⁾ᵀx,   i = 1..m   (Q symmetric positive definite, n × n),
// the shape of UPGrad (Quinton & Rey 2024, Prop. 1: one projection per task, all with the Gramian).
// Solving them one by one (nnqp.ts) costs one dense factorisation of a different principal submatrix
// per problem — ~m·s³/3 flops in scalar loops, which dominates UPGrad at T = 128. Here all m problems
// advance at once by accelerated projected gradient (FISTA, Beck & Teboulle 2009, with the adaptive
// gradient restart of O'Donoghue & Candès 2015, per problem) on the m × n matrix X whose row i is x⁽ⁱ⁾:
// one matrix product R = XQ + Qrhs per iteration (the gradients of all problems, through the GEMM of the
// kernel backend), and, by linearity, the gradient at the extrapolated point for free
// (∇(X + β(X − X₋)) = R + β(R − R₋)). Step 1/L with L ≥ λ_max(Q) (power iteration, safety factor).
//
// Every problem is accepted only by its KKT certificate, checked on the exact gradient of the iterate:
//     x ≥ 0 (by construction),   ∇_j ≥ −tol,   |∇_j| ≤ tol where x_j > 0,
//     tol = relTol·(‖q⁽ⁱ⁾‖∞ + max Q_jj·‖x⁽ⁱ⁾‖∞)   (relTol 1e-12 by default).
// Projected gradient converges linearly at a rate set by the conditioning of Q on the free set: fast for
// well-conditioned Gramians (nearly orthogonal gradients), hopeless for rank-deficient ones (a tiny
// regularisation makes Q's condition number ~10³–10⁴). Problems not certified within `maxIter` go to
// a second batched phase that only has to find their active sets: ADMM (Boyd et al. 2011, §5.2; the
// splitting x = z, z ≥ 0 of OSQP, over-relaxation 1.6) whose x-update (Q + ρI)x = ρ(z − u) − q is one
// product with M = (Q + ρI)⁻¹, formed once from an eigendecomposition of Q and shared by all problems,
// with ρ = ½√(λ_min λ_max) (the step that balances ADMM's linear rate on ill-conditioned Q). ADMM's
// supports settle after tens of iterations even where projected gradient would need thousands; a
// problem leaves the batch when its support is unchanged over 5 iterations (admmCheck). Then each remaining
// problem is finished exactly by the active-set solver (nnqp.ts: primal-dual active-set fast path, then
// Lawson–Hanson) started from that support, which is usually the optimal active set (one factorisation) —
// so every returned solution carries a KKT certificate either way.
import { ShapeError } from '../../errors.ts';
import { kernels } from '../../linalg/backend.ts';
import { maxDiag } from '../core.ts';
import { eigh } from '../../linalg/decomp/eigh.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { makeNnqpSolver, type NnqpOptions } from './nnqp.ts';
import { nativeDecomp } from '../../linalg/backend.ts';

export interface BatchNnqpOptions {
  /** FISTA iterations (default 20; 0: none). */
  readonly maxIter?: number;
  /** ADMM iterations for the problems FISTA did not certify (default 150; 0: none). */
  readonly admmIter?: number;
  /** ADMM checks supports every this many iterations; a problem whose support did not change since the last check leaves the batch (default 5: on the rank-64 Gramian at T = 128, 12.4 vs 14.7 ms CPU per cold UPGrad call against 10, one thread, measured with the routes of bench/upgrad-cold.bench.ts). */
  readonly admmCheck?: number;
  /**
   * Cold start with the native solver: safeguarded PDAS steps allowed per problem in the probe (default
   * 4; 0 skips it). Nearly orthogonal gradients need 1–2. A rank-64 Gramian at T = 128 needs ~9 — all
   * 128 certified by PDAS alone, but each step refactorises a ~64 × 64 block, and ADMM's supports
   * were measured cheaper (bench/upgrad-cold.bench.ts, one thread: 11.8 ms ADMM route vs 21.1 ms PDAS
   * from the conflicting sets; docs/balance.md), so there the probe fails and ADMM runs.
   */
  readonly probeSteps?: number;
  /** Native ADMM in single precision (default true: it only finds supports — the exact finish and the certificate stay in double — and single precision cut its time by ~25 % on the rank-64 Gramian, bench/upgrad-cold.bench.ts). */
  readonly admmSingle?: boolean;
  /** Relative KKT tolerance of the batched path (default 1e-12). */
  readonly tol?: number;
  /** Options of the exact fallback solver. */
  readonly exact?: NnqpOptions & { readonly native?: boolean };
}

export interface BatchNnqpResult {
  /** m × n row-major: row i is x⁽ⁱ⁾. */
  readonly X: Float64Array;
  /** FISTA iterations run (matrix products). */
  readonly iterations: number;
  /** ADMM iterations run (matrix products over the problems still in the batch). */
  readonly admmIterations: number;
  /** Problems certified by the batched path. */
  readonly batched: number;
  /** Problems finished by the exact active-set solver, and its total steps. */
  readonly exact: number;
  readonly exactSteps: number;
  readonly converged: boolean;
}

/** An upper bound on λ_max of the symmetric n × n Q: 1.05 × power iteration, capped by Gershgorin. */
export function lambdaMaxBound(Q: Float64Array, n: number): number {
  let gersh = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(Q[i * n + j]!);
    gersh = Math.max(gersh, s);
  }
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let w = new Float64Array(n);
  let lam = 0;
  for (let it = 0; it < 30; it++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      const r = i * n;
      for (let j = 0; j < n; j++) s += Q[r + j]! * v[j]!;
      w[i] = s;
    }
    let nrm = 0;
    for (let i = 0; i < n; i++) nrm += w[i]! * w[i]!;
    nrm = Math.sqrt(nrm);
    if (!(nrm > 0)) break;
    const prev = lam;
    lam = nrm;
    for (let i = 0; i < n; i++) w[i]! /= nrm;
    [v, w] = [w, v];
    if (Math.abs(lam - prev) <= 1e-3 * lam) break;
  }
  return Math.min(1.05 * lam, gersh);
}

/**
 * Solves the m problems with right-hand sides the rows of `Qrhs` (m × n, row-major). `warm[i]`, when
 * given, is a guess of problem i's support for the exact fallback (such problems skip ADMM); `x0`
 * (m × n) a starting point for FISTA.
 */
export function batchNnqp(Q: Float64Array, n: number, Qrhs: Float64Array, m: number, opts: BatchNnqpOptions = {}, warm?: readonly (readonly number[] | undefined)[] | null, x0?: Float64Array | null): BatchNnqpResult {
  if (Q.length !== n * n) throw new ShapeError(`batch nnqp: Q has ${Q.length} entries, expected ${n}×${n}`);
  if (Qrhs.length !== m * n) throw new ShapeError(`batch nnqp: the right-hand sides have ${Qrhs.length} entries, expected ${m}×${n}`);
  // With the native exact solver (one factorisation per problem at C++ speed), a problem with a
  // warm-start set goes straight to it: measured faster than FISTA's products in TypeScript
  // (bench/balance.bench.ts, part A).
  const nativeExact = opts.exact?.native !== false && !!nativeDecomp()?.nnqpBatch;
  const allWarm = !!warm && Array.from({ length: m }, (_, i) => warm[i] && warm[i]!.length > 0).every(Boolean);
  let maxIter = opts.maxIter ?? (nativeExact && allWarm ? 0 : 40);
  let probed = 0;
  let probeSteps = 0;
  let lhDirect = false;
  let probeFailed = false;
  const relTol = opts.tol ?? 1e-12;
  const scale = maxDiag(Q, n);
  if (x0 && x0.length !== m * n) throw new ShapeError(`batch nnqp: the starting point has ${x0.length} entries, expected ${m}×${n}`);
  // A starting point (the previous training step's solutions) is projected onto x ≥ 0.
  const X = new Float64Array(m * n);
  if (x0) for (let k = 0; k < m * n; k++) { const v = x0[k]!; if (v > 0) X[k] = v; }
  const done = new Uint8Array(m);
  let left = m;
  let iterations = 0;
  for (let i = 0; i < m; i++) {
    // x = 0 is optimal iff q ≥ 0
    let nonneg = true;
    for (let j = 0, o = i * n; j < n && nonneg; j++) nonneg = !(Qrhs[o + j]! < 0);
    if (nonneg) { done[i] = 1; left--; }
  }
  if (nativeExact && !x0 && !warm && opts.maxIter === undefined && opts.probeSteps !== 0 && left > 0) {
    // Cold start with the native solver: a primal-dual active-set probe (a few factorisations, no
    // Lawson–Hanson) from the conflicting indices, which is usually the optimal set when gradients are
    // nearly orthogonal. Tried on a few problems first (below); when most fail (rank-deficient Gramians, where PDAS
    // cycles), the rest skip it. FISTA is not run: ADMM + the exact solver handle what is left.
    maxIter = 0;
    const todo: number[] = [];
    for (let i = 0; i < m; i++) if (!done[i]) todo.push(i);
    const probe = (rows: number[]): number => {
      if (rows.length === 0) return 0;
      const sub = new Float64Array(rows.length * n);
      rows.forEach((i, r) => sub.set(Qrhs.subarray(i * n, i * n + n), r * n));
      const r = exactBatchNnqp(Q, n, sub, rows.length, null, { ...opts.exact, maxIter: 0, pdasSteps: opts.probeSteps ?? 4, redo: false });
      let ok = 0;
      probeSteps += r.exactSteps;
      rows.forEach((i, k) => { if (r.certified[k]) { X.set(r.X.subarray(k * n, k * n + n), i * n); done[i] = 1; left--; ok++; } });
      return ok;
    };
    // Tried on 2 problems first: both certified or both not decides (on the rank-64 Gramian at T = 128
    // none of the 128 is certified within 4 steps, so the failed probe costs 8 factorisations rather
    // than 32; the real and Gaussian Gramians of bench/balance.bench.ts certify 7 and 8 of their first
    // 8); one of two takes 6 more and the majority of the 8.
    const n2 = Math.min(2, todo.length);
    const two = probe(todo.slice(0, n2));
    const mixed = two > 0 && two < n2;
    const ok = mixed ? 2 * (two + probe(todo.slice(2, 8))) >= Math.min(8, todo.length) : two === n2;
    if (ok) {
      probe(todo.slice(mixed ? 8 : 2));
      // PDAS works on this Gramian: the few rows it left go straight to Lawson–Hanson (cheap when
      // active sets are small, as on real Gramians), not through ADMM
      lhDirect = true;
    } else probeFailed = true;
    probed = m - left - (m - todo.length);
  }
  if (maxIter > 0 && left > 0) {
    const qInf = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0, o = i * n; j < n; j++) s = Math.max(s, Math.abs(Qrhs[o + j]!));
      qInf[i] = s;
    }
    const k = kernels();
    const L = lambdaMaxBound(Q, n);
    const step = L > 0 ? 1 / L : 0;
    const Xprev = new Float64Array(m * n);
    const R = new Float64Array(m * n);
    const Rprev = new Float64Array(m * n);
    const t = new Float64Array(m).fill(1);
    const tPrev = new Float64Array(m).fill(1);
    let worst0 = 1;
    for (let it = 0; it < maxIter && left > 0 && step > 0; it++) {
      // R = XQ + Qrhs: the exact gradient of every problem at its iterate (Q symmetric; X = 0 at a
      // cold start, then R = Qrhs without a product).
      R.set(Qrhs);
      if (it > 0 || x0) k.dgemm(false, false, m, n, n, 1, X, n, Q, n, 1, R, n);
      iterations++;
      let worst = 0;
      for (let i = 0; i < m; i++) {
        if (done[i]) continue;
        const o = i * n;
        let xInf = 0;
        for (let j = 0; j < n; j++) xInf = Math.max(xInf, X[o + j]!);
        const tol = relTol * (qInf[i]! + scale * xInf);
        let viol = 0;
        for (let j = 0; j < n; j++) {
          const g = R[o + j]!;
          viol = Math.max(viol, -g, X[o + j]! > 0 ? g : 0);
        }
        if (viol <= tol) { done[i] = 1; left--; continue; }
        worst = Math.max(worst, viol / tol);
        // FISTA step from the extrapolated point Y = X + β(X − X₋), ∇(Y) = R + β(R − R₋).
        const beta = it === 0 ? 0 : (tPrev[i]! - 1) / t[i]!;
        let restart = 0;
        for (let j = 0; j < n; j++) {
          const x = X[o + j]!;
          const y = x + beta * (x - Xprev[o + j]!);
          const gy = R[o + j]! + beta * (R[o + j]! - Rprev[o + j]!);
          const xn = Math.max(y - step * gy, 0);
          restart += gy * (xn - x);
          Xprev[o + j] = x;
          Rprev[o + j] = R[o + j]!;
          X[o + j] = xn;
        }
        // O'Donoghue & Candès: restart the momentum when the step goes uphill.
        if (restart > 0) { t[i] = 1; tPrev[i] = 1; } else { tPrev[i] = t[i]!; t[i] = (1 + Math.sqrt(1 + 4 * t[i]! * t[i]!)) / 2; }
      }
      // Give up early on ill-conditioned Q: extrapolate the observed linear rate of the worst KKT
      // violation (in units of its tolerance) and stop when it would not reach 1 within maxIter.
      if (it === 0) worst0 = worst;
      else if (it >= 3 && left > 0 && worst > 1) {
        const rate = Math.pow(worst / worst0, 1 / it);
        if (!(rate < 1) || it + Math.log(worst) / -Math.log(rate) > maxIter) break;
      }
    }
  }
  const batched = m - left - probed;
  // After a failed cold probe (rank-deficient Gramians), 25 ADMM iterations for every row, then up to 24
  // safeguarded PDAS steps from their supports (most rows need one factorisation, a few a factor
  // update or two). Since ADMM's elementwise step is vectorised an iteration costs little more than its
  // b × n × n single-precision product, so more iterations pay for themselves in fewer PDAS steps: on the
  // rank-64 Gramian at T = 128, 15 / 20 / 25 / 30 / 35 iterations → 298 / 239 / 199 / 177 / 176 ADMM
  // iterations + PDAS steps, 4.2 / 4.3 / 4.2 / 4.1 / 4.4 ms CPU, one thread, 15 rounds (fastest; medians
  // 4.7–5.3); 25 (and before, 15 with a scalar update) chosen (bench/upgrad-cold.bench.ts routes).
  const shortAdmm = probeFailed && opts.admmIter === undefined && opts.admmCheck === undefined && opts.exact?.pdasSteps === undefined;
  const admmIter = opts.admmIter ?? (shortAdmm ? 25 : 150);
  const admmCheck = opts.admmCheck ?? (shortAdmm ? 25 : 5);
  const exactOpts = shortAdmm ? { ...opts.exact, pdasSteps: 24 } : opts.exact;
  let admmIterations = 0;
  // ADMM's supports (row i of the m × n mask, when hasSupport[i])
  const supports = new Uint8Array(m * n);
  const hasSupport = new Uint8Array(m);
  // Problems with a warm-start guess (the previous training step's active set) skip ADMM: the guess is
  // usually right already and the exact solver's fast path takes it in one factorisation.
  const skip = Uint8Array.from(done);
  if (warm) for (let i = 0; i < m; i++) if (warm[i] && warm[i]!.length > 0) skip[i] = 1;
  if (!lhDirect && skip.indexOf(0) >= 0 && admmIter > 0) admmIterations = admmSupports(Q, n, Qrhs, m, skip, admmIter, supports, hasSupport, admmCheck, opts.exact?.native, opts.admmSingle ?? true);
  let exact = probed;
  let exactSteps = probeSteps;
  let converged = true;
  if (left > 0) {
    // The rest, each from its best guess of the support (ADMM's, the warm start, FISTA's iterate, or
    // the conflicting indices: exactBatchNnqp takes those for an empty row), finished together by the
    // exact solver (native when available).
    const rows: number[] = [];
    for (let i = 0; i < m; i++) if (!done[i]) rows.push(i);
    const b = rows.length;
    const all = b === m;
    const sub = all ? Qrhs : new Float64Array(b * n);
    const starts = new Uint8Array(b * n);
    for (let r = 0; r < b; r++) {
      const i = rows[r]!;
      const o = i * n, so = r * n;
      if (!all) sub.set(Qrhs.subarray(o, o + n), so);
      const w = warm?.[i];
      if (hasSupport[i]) starts.set(supports.subarray(o, o + n), so);
      else if (w && w.length > 0) { for (const j of w) if (j >= 0 && j < n) starts[so + j] = 1; }
      else for (let j = 0; j < n; j++) starts[so + j] = X[o + j]! > 0 ? 1 : 0;
    }
    const r = exactBatchNnqp(Q, n, sub, b, starts, exactOpts);
    if (all) X.set(r.X);
    else rows.forEach((i, k) => X.set(r.X.subarray(k * n, k * n + n), i * n));
    exact += b;
    exactSteps += r.exactSteps;
    converged = r.converged;
  }
  return { X, iterations, admmIterations, batched, exact, exactSteps, converged };
}

/**
 * ADMM's x-update matrix M = (Q + ρI)⁻¹ and its step ρ = ½√(λ_min λ_max) (null when λ_max ≤ 0). With
 * the addon: extreme eigenvalues from power / inverse iteration and M from a Cholesky factor (native
 * admmMatrix; the eigendecomposition cost ~1.6 ms at n = 128, about a fifth of a cold UPGrad call on
 * the rank-64 Gramian, bench/upgrad-cold.bench.ts). Otherwise, or when the addon finds Q not
 * positive definite: M = V diag(1/(λ + ρ)) Vᵀ from eigh. ρ only sets ADMM's pace, so the two routes
 * may pick slightly different supports; the exact finish and its certificate do not depend on them.
 */
export function admmMatrix(Q: Float64Array, n: number, nat: ReturnType<typeof nativeDecomp> | null): { M: Float64Array; rho: number; lmin: number; lmax: number } | null {
  const M = new Float64Array(n * n);
  const b = nat?.admmMatrix?.(n, Q, M);
  if (b) return { M, lmin: b[0], lmax: b[1], rho: b[2] };
  const e = eigh(new Matrix(n, n, Q));
  const lmax = e.values[n - 1]!;
  if (!(lmax > 0)) return null;
  const lmin = Math.max(e.values[0]!, 1e-12 * lmax);
  const rho = 0.5 * Math.sqrt(lmin * lmax);
  const V = e.vectors.data as Float64Array;
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) W[i * n + k] = V[i * n + k]! / (Math.max(e.values[k]!, 0) + rho);
  kernels().dgemm(false, true, n, n, n, 1, W, n, V, n, 0, M, n);
  return { M, rho, lmin, lmax };
}

/**
 * ADMM on the problems not yet done, all at once (rows gathered into a compact batch); writes each
 * problem's support (the positive entries of z) into `supports` once it is stable. Returns the
 * number of iterations.
 */
function admmSupports(Q: Float64Array, n: number, Qrhs: Float64Array, m: number, done: Uint8Array, maxIter: number, supports: Uint8Array, hasSupport: Uint8Array, check: number, native?: boolean, single = false): number {
  const nat = native === false ? null : nativeDecomp();
  const prepared = admmMatrix(Q, n, nat);
  if (!prepared) return 0;
  const { M, rho } = prepared;
  const kern = kernels();
  let rows: number[] = [];
  for (let i = 0; i < m; i++) if (!done[i]) rows.push(i);
  let b = rows.length;
  const relax = 1.6;
  if (nat?.admmSupports) {
    // the same iterations in the addon (native/nnqp.cc): here the elementwise updates cost more than the products
    const Qb = b === m ? Qrhs : new Float64Array(b * n);
    if (b < m) for (let r = 0; r < b; r++) Qb.set(Qrhs.subarray(rows[r]! * n, rows[r]! * n + n), r * n);
    const out = b === m ? supports : new Uint8Array(b * n);
    const its = nat.admmSupports(n, b, M, Qb, { rho, relax, maxIter, check, single }, out);
    for (let r = 0; r < b; r++) {
      const i = rows[r]!;
      if (out !== supports) supports.set(out.subarray(r * n, r * n + n), i * n);
      hasSupport[i] = 1;
    }
    return its;
  }
  let Z = new Float64Array(b * n), U = new Float64Array(b * n), B = new Float64Array(b * n), X = new Float64Array(b * n);
  let Qb = new Float64Array(b * n);
  for (let r = 0; r < b; r++) Qb.set(Qrhs.subarray(rows[r]! * n, rows[r]! * n + n), r * n);
  let prev: string[] = new Array<string>(b).fill('');
  let it = 0;
  while (it < maxIter && b > 0) {
    for (let k = 0; k < b * n; k++) B[k] = rho * (Z[k]! - U[k]!) - Qb[k]!;
    kern.dgemm(false, false, b, n, n, 1, B, n, M, n, 0, X, n);
    for (let k = 0; k < b * n; k++) {
      const xh = relax * X[k]! + (1 - relax) * Z[k]!;
      const z = Math.max(0, xh + U[k]!);
      U[k]! += xh - z;
      Z[k] = z;
    }
    it++;
    if (it % check !== 0 && it < maxIter) continue;
    // Problems whose support did not change over the last `check` iterations leave the batch.
    const keep: number[] = [];
    for (let r = 0; r < b; r++) {
      const s: number[] = [];
      for (let j = 0; j < n; j++) if (Z[r * n + j]! > 0) s.push(j);
      const key = s.join(',');
      if ((it >= 2 * check && key === prev[r]) || it >= maxIter) {
        const i = rows[r]!;
        for (const j of s) supports[i * n + j] = 1;
        hasSupport[i] = 1;
      }
      else { keep.push(r); prev[r] = key; }
    }
    if (keep.length < b) {
      const nb = keep.length;
      const Z2 = new Float64Array(nb * n), U2 = new Float64Array(nb * n), Q2 = new Float64Array(nb * n);
      for (let a = 0; a < nb; a++) {
        const r = keep[a]!;
        Z2.set(Z.subarray(r * n, r * n + n), a * n);
        U2.set(U.subarray(r * n, r * n + n), a * n);
        Q2.set(Qb.subarray(r * n, r * n + n), a * n);
      }
      rows = keep.map((r) => rows[r]!);
      prev = keep.map((r) => prev[r]!);
      b = nb;
      Z = Z2; U = U2; Qb = Q2;
      B = new Float64Array(b * n); X = new Float64Array(b * n);
    }
  }
  return it;
}

/**
 * The m problems solved exactly one by one from guessed passive sets (`start[i]`, or row i of an m × n
 * 0/1 mask, which is then filled in place for rows without a guess; e.g. the previous
 * training step's; default the indices with q⁽ⁱ⁾_j < 0, which for nearly orthogonal gradients is
 * usually the optimal set), by the primal-dual active-set fast path and Lawson–Hanson (nnqp.ts) — in
 * native code (native/nnqp.cc, the same algorithm, spread over the addon's threads) when the backend
 * is native. Every solution is certified afterwards here, in TypeScript, by the KKT conditions on the
 * exact gradients R = XQ + Qrhs (one product for all); a problem that fails the check is solved
 * again by the TypeScript solver from scratch.
 */
export function exactBatchNnqp(Q: Float64Array, n: number, Qrhs: Float64Array, m: number, start?: readonly (readonly number[] | undefined)[] | Uint8Array | null, opts: NnqpOptions & { readonly native?: boolean; readonly redo?: boolean; /** 'ts': the TypeScript certificate even with the addon's */ readonly certify?: 'ts' } = {}): BatchNnqpResult & { readonly native: boolean; readonly certified: Uint8Array; readonly updatedFactor: number } {
  if (Q.length !== n * n) throw new ShapeError(`batch nnqp: Q has ${Q.length} entries, expected ${n}×${n}`);
  if (Qrhs.length !== m * n) throw new ShapeError(`batch nnqp: the right-hand sides have ${Qrhs.length} entries, expected ${m}×${n}`);
  const relTol = opts.tol ?? 1e-13;
  const ridge = opts.ridge ?? 1e-12;
  const pdasSteps = opts.pdasSteps ?? 6;
  const maxIter = opts.maxIter ?? 10 * n + 50;
  // the guessed passive sets as an m × n mask (given as one — used in place — or as index lists); a row
  // without a guess starts from the indices with q_j < 0
  const mask = start instanceof Uint8Array ? start : new Uint8Array(m * n);
  if (start instanceof Uint8Array && start.length !== m * n) throw new ShapeError(`batch nnqp: the start mask has ${start.length} entries, expected ${m}×${n}`);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    if (start instanceof Uint8Array) {
      let any = false;
      for (let j = 0; j < n && !any; j++) any = mask[o + j] === 1;
      if (!any) for (let j = 0; j < n; j++) mask[o + j] = Qrhs[o + j]! < 0 ? 1 : 0;
      continue;
    }
    const s = start?.[i];
    if (s && s.length > 0) { for (const j of s) if (j >= 0 && j < n) mask[o + j] = 1; }
    else for (let j = 0; j < n; j++) if (Qrhs[o + j]! < 0) mask[o + j] = 1;
  }
  const X = new Float64Array(m * n);
  let exactSteps = 0;
  // problems the native PDAS certified on a Cholesky factor updated from the previous step's (native/nnqp.cc)
  let updatedFactor = 0;
  const nat = opts.native === false ? null : nativeDecomp();
  const useNative = !!nat?.nnqpBatch;
  if (useNative) {
    const stats = new Int32Array(2 * m);
    nat!.nnqpBatch!(n, m, Q, Qrhs, mask, X, stats, { relTol, ridge, pdasSteps, maxIter });
    for (let i = 0; i < m; i++) {
      exactSteps += stats[2 * i]!;
      if (stats[2 * i + 1] === 3) updatedFactor++;
    }
  } else {
    const solve = makeNnqpSolver(Q, n, opts);
    const set: number[] = [];
    for (let i = 0; i < m; i++) {
      const o = i * n;
      set.length = 0;
      for (let j = 0; j < n; j++) if (mask[o + j]) set.push(j);
      const r = solve(Qrhs.subarray(o, o + n), set);
      X.set(r.x, o);
      exactSteps += r.iterations;
    }
  }
  // The certificate, on the Q given: x ≥ 0, ∇ ≥ −tol, |∇_j| ≤ tol where x_j > 0 (natively when the
  // addon has it: the same comparisons, kktCertify below being the fallback).
  const certified = new Uint8Array(m);
  if (useNative && nat!.nnqpCertify && opts.certify !== 'ts') nat!.nnqpCertify(n, m, Q, Qrhs, X, relTol, certified);
  else kktCertify(Q, n, Qrhs, X, m, relTol, certified);
  let converged = true;
  let redo = 0;
  for (let i = 0; i < m; i++) {
    if (certified[i]) continue;
    const o = i * n;
    if (opts.redo === false) { converged = false; continue; }
    certified[i] = 1;
    // from scratch, without the caller's iteration caps
    const r = makeNnqpSolver(Q, n, { tol: relTol, ridge })(Qrhs.subarray(o, o + n));
    X.set(r.x, o);
    exactSteps += r.iterations;
    converged &&= r.converged;
    if (!r.converged) certified[i] = 0;
    redo++;
  }
  return { X, iterations: 0, admmIterations: 0, batched: 0, exact: m - redo, exactSteps, converged, native: useNative, certified, updatedFactor };
}

/**
 * exactBatchNnqp's certificate in TypeScript (the fallback of the addon's nnqpCertify, same
 * comparisons): R = XQ + Qrhs, then row i is certified when x ≥ 0, ∇ ≥ −tol and ∇_j ≤ tol where
 * x_j > 0, tol = 100·relTol·(‖q‖∞ + max Q_jj·‖x‖∞) — the solvers' own acceptance test is relTol on ∇
 * computed row by row, the product sums in another order, hence 100× for rounding. NaN never passes.
 */
export function kktCertify(Q: Float64Array, n: number, Qrhs: Float64Array, X: Float64Array, m: number, relTol: number, certified: Uint8Array): number {
  const R = Qrhs.slice(0, m * n);
  kernels().dgemm(false, false, m, n, n, 1, X, n, Q, n, 1, R, n);
  const scale = maxDiag(Q, n);
  let count = 0;
  for (let i = 0; i < m; i++) {
    const o = i * n;
    let qInf = 0, xInf = 0, viol = 0;
    for (let j = 0; j < n; j++) {
      const q = Qrhs[o + j]!;
      if (q > qInf) qInf = q;
      else if (-q > qInf) qInf = -q;
      const x = X[o + j]!;
      const g = R[o + j]!;
      if (x > 0) {
        if (x > xInf) xInf = x;
        if (g > viol) viol = g;
      } else if (x < 0 && -x > viol) viol = -x;
      if (-g > viol) viol = -g;
      if (g !== g || x !== x) viol = Infinity; // NaN: never certified
    }
    certified[i] = viol <= 100 * relTol * (qInf + scale * xInf) || !(viol > 0) ? 1 : 0;
    count += certified[i]!;
  }
  return count;
}
