// The plain TypeScript reference kernels: the definition the fast backends are tested against,
// and the fallback where WebAssembly SIMD is unavailable. Written for clarity first; loop orders
// keep the innermost loop on contiguous memory so they are not needlessly slow.
import { convWithGemm, referenceNn } from './nn-reference.ts';
import type { FloatArray } from '../matrix.ts';
import type { Kernels } from './types.ts';

function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: FloatArray, lda: number, b: FloatArray, ldb: number, beta: number, c: FloatArray, ldc: number): void {
  for (let i = 0; i < m; i++) {
    const ci = i * ldc;
    if (beta === 0) for (let j = 0; j < n; j++) c[ci + j] = 0;
    else if (beta !== 1) for (let j = 0; j < n; j++) c[ci + j]! *= beta;
  }
  if (alpha === 0 || k === 0) return;
  for (let i = 0; i < m; i++) {
    const ci = i * ldc;
    for (let p = 0; p < k; p++) {
      const aip = alpha * (transA ? a[p * lda + i]! : a[i * lda + p]!);
      if (aip === 0) continue;
      if (!transB) {
        const bp = p * ldb;
        for (let j = 0; j < n; j++) c[ci + j]! += aip * b[bp + j]!;
      } else {
        for (let j = 0; j < n; j++) c[ci + j]! += aip * b[j * ldb + p]!;
      }
    }
  }
}

function gemv(trans: boolean, m: number, n: number, alpha: number, a: FloatArray, lda: number,
  x: FloatArray, beta: number, y: FloatArray): void {
  const ylen = trans ? n : m;
  if (beta === 0) for (let i = 0; i < ylen; i++) y[i] = 0;
  else if (beta !== 1) for (let i = 0; i < ylen; i++) y[i]! *= beta;
  if (alpha === 0) return;
  if (!trans) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      const ai = i * lda;
      for (let j = 0; j < n; j++) s += a[ai + j]! * x[j]!;
      y[i]! += alpha * s;
    }
  } else {
    for (let i = 0; i < m; i++) {
      const xi = alpha * x[i]!;
      if (xi === 0) continue;
      const ai = i * lda;
      for (let j = 0; j < n; j++) y[j]! += xi * a[ai + j]!;
    }
  }
}

function gram(n: number, d: number, alpha: number, x: FloatArray, ldx: number, beta: number, c: FloatArray, ldc: number): void {
  // Upper triangle by rank-1 updates row by row, then mirrored: half the FLOPs of a full XᵀX.
  for (let i = 0; i < d; i++) {
    const ci = i * ldc;
    for (let j = i; j < d; j++) c[ci + j] = beta === 0 ? 0 : beta * c[ci + j]!;
  }
  if (alpha !== 0) {
    for (let r = 0; r < n; r++) {
      const xr = r * ldx;
      for (let i = 0; i < d; i++) {
        const v = alpha * x[xr + i]!;
        if (v === 0) continue;
        const ci = i * ldc;
        for (let j = i; j < d; j++) c[ci + j]! += v * x[xr + j]!;
      }
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) c[i * ldc + j] = c[j * ldc + i]!;
}

/** y_t = alpha·A_t·x_t + beta·y_t over count contiguous d×d blocks (see types.ts). */
export function symvBatched(count: number, d: number, alpha: number, a: Float64Array, x: Float64Array, beta: number, y: Float64Array): void {
  const dd = d * d;
  for (let t = 0; t < count; t++) {
    const at = t * dd;
    const v = t * d;
    for (let i = 0; i < d; i++) {
      let s = 0;
      const ai = at + i * d;
      for (let j = 0; j < d; j++) s += a[ai + j]! * x[v + j]!;
      y[v + i] = alpha * s + (beta === 0 ? 0 : beta * y[v + i]!);
    }
  }
}

/** GEMV over row-stacked blocks (see types.ts). */
export function gemvBatched(trans: boolean, count: number, offsets: Int32Array, n: number, alpha: number, a: Float64Array,
  x: Float64Array, beta: number, y: Float64Array): void {
  for (let t = 0; t < count; t++) {
    const r0 = offsets[t]!;
    const r1 = offsets[t + 1]!;
    if (!trans) {
      const xt = t * n;
      for (let i = r0; i < r1; i++) {
        let s = 0;
        const ai = i * n;
        for (let j = 0; j < n; j++) s += a[ai + j]! * x[xt + j]!;
        y[i] = alpha * s + (beta === 0 ? 0 : beta * y[i]!);
      }
    } else {
      const yt = t * n;
      for (let j = 0; j < n; j++) y[yt + j] = beta === 0 ? 0 : beta * y[yt + j]!;
      for (let i = r0; i < r1; i++) {
        const xi = alpha * x[i]!;
        if (xi === 0) continue;
        const ai = i * n;
        for (let j = 0; j < n; j++) y[yt + j]! += xi * a[ai + j]!;
      }
    }
  }
}

/** r_t = A_t x_t − y_t and g_t = A_tᵀ r_t over row-stacked blocks (see types.ts). */
export function residualGradBatched(count: number, offsets: Int32Array, n: number, a: Float64Array, x: Float64Array, y: Float64Array,
  r: Float64Array, g: Float64Array): void {
  for (let t = 0; t < count; t++) {
    const xt = t * n;
    for (let j = 0; j < n; j++) g[xt + j] = 0;
    for (let i = offsets[t]!; i < offsets[t + 1]!; i++) {
      const ai = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += a[ai + j]! * x[xt + j]!;
      const ri = s - y[i]!;
      r[i] = ri;
      for (let j = 0; j < n; j++) g[xt + j]! += ri * a[ai + j]!;
    }
  }
}

/** The squared loss's per-task values and gradient columns over row-stacked blocks (see types.ts dsqGradBatched). */
export function sqGradBatched(count: number, offsets: Int32Array, n: number, a: Float64Array, cols: Int32Array, w: Float64Array, ldw: number,
  y: Float64Array, c: Float64Array, g: Float64Array, f: Float64Array): void {
  const wt = new Float64Array(n);
  const gt = new Float64Array(n);
  for (let k = 0; k < count; k++) {
    const col = cols[k]!;
    for (let j = 0; j < n; j++) wt[j] = w[j * ldw + col]!;
    gt.fill(0);
    let rr = 0;
    for (let i = offsets[k]!; i < offsets[k + 1]!; i++) {
      const ai = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += a[ai + j]! * wt[j]!;
      const ri = s - y[i]!;
      rr += ri * ri;
      for (let j = 0; j < n; j++) gt[j]! += ri * a[ai + j]!;
    }
    const ck = c[k]!;
    for (let j = 0; j < n; j++) g[j * ldw + col] = ck * gt[j]!;
    f[k] = 0.5 * ck * rr;
  }
}

/** dsqGradBatched with w and g task-major (count × n, see types.ts dsqGradTasks): the same operations task by task. */
export function sqGradTasks(count: number, offsets: Int32Array, n: number, a: Float64Array, w: Float64Array, y: Float64Array, c: Float64Array, g: Float64Array, f: Float64Array): void {
  const gt = new Float64Array(n);
  for (let k = 0; k < count; k++) {
    const o = k * n;
    gt.fill(0);
    let rr = 0;
    for (let i = offsets[k]!; i < offsets[k + 1]!; i++) {
      const ai = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += a[ai + j]! * w[o + j]!;
      const ri = s - y[i]!;
      rr += ri * ri;
      for (let j = 0; j < n; j++) gt[j]! += ri * a[ai + j]!;
    }
    const ck = c[k]!;
    for (let j = 0; j < n; j++) g[o + j] = ck * gt[j]!;
    f[k] = 0.5 * ck * rr;
  }
}

/**
 * One attempt of the task-major FISTA step of l21 with the squared loss, fused into one pass over the tasks
 * (types.ts fistaFusedTasks; native/fista_rows.cc follows this definition). Per task t, with fac given:
 *   z = w + β(w − wp), gz = g + β(g − gp) (the extrapolation, f quadratic), wn = fac ∘ (z − step·gz) (fac_j = 0:
 *   exactly 0), then the loss at wn as sqGradTasks computes it (gn, f[t]), then the check sums of fista-rows.ts
 *   passC with y = z, ∇f(y) = gz, x = w; and per feature j, in task order, rows[j] = Σ_t wn² and, for the next
 *   iteration's candidate (β', s') ∈ {(spec[0], spec[1]), (0, spec[1]), (spec[0], spec[2]), (0, spec[2])},
 *   rows[(1 + c)·n + j] = Σ_t v², v = z' − s'·gz' with z' = wn + β'(wn − w), gz' = gn + β'(gn − g) — the row sums
 *   that attempt's prox needs, formed exactly as it will form v. The scalar sums are kept per feature (each in
 *   task order) and added over the features in order at the end; sums[0] = Σ_t f[t] in task order. With β = 0,
 *   wp and gp are not read (taken as w and g), so sums[1] = sums[2] = 0.
 */
export function fistaFusedTasks(count: number, offsets: Int32Array, n: number, a: Float64Array, y: Float64Array, c: Float64Array,
  beta: number, step: number, L: number, fac: Float64Array, spec: Float64Array, w: Float64Array, wp: Float64Array, g: Float64Array, gp: Float64Array,
  wn: Float64Array, gn: Float64Array, f: Float64Array, rows: Float64Array, sums: Float64Array): boolean {
  const d = n;
  const acc = new Float64Array(7 * d); // per feature: ⟨g, Δ⟩, ⟨Δ, HΔ⟩, dd, gd, gdiff, r2, up
  rows.fill(0, 0, 5 * d);
  const z = new Float64Array(d);
  const gz = new Float64Array(d);
  const gt = new Float64Array(d);
  const bs = spec[0]!;
  const s1 = spec[1]!;
  const s2 = spec[2]!;
  let finite = true;
  // β = 0: x_prev and its gradient are not read (taken as w and g: Δ = 0, so z = w and gz = g exactly).
  const wq = beta === 0 ? w : wp;
  const gq = beta === 0 ? g : gp;
  for (let t = 0; t < count; t++) {
    const o = t * d;
    for (let j = 0; j < d; j++) {
      const i = o + j;
      const wi = w[i]!;
      const gi = g[i]!;
      const dl = wi - wq[i]!;
      const hd = gi - gq[i]!;
      const zv = wi + beta * dl;
      const gv = gi + beta * hd;
      acc[j]! += gi * dl;
      acc[d + j]! += dl * hd;
      const fj = fac[j]!;
      wn[i] = fj === 0 ? 0 : fj * (zv - step * gv);
      z[j] = zv;
      gz[j] = gv;
    }
    // The loss at wn, task t (sqGradTasks' operations).
    gt.fill(0);
    let rr = 0;
    for (let i = offsets[t]!; i < offsets[t + 1]!; i++) {
      const ai = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += a[ai + j]! * wn[o + j]!;
      const ri = s - y[i]!;
      rr += ri * ri;
      for (let j = 0; j < n; j++) gt[j]! += ri * a[ai + j]!;
    }
    const ck = c[t]!;
    f[t] = 0.5 * ck * rr;
    for (let j = 0; j < d; j++) {
      const i = o + j;
      const gnj = ck * gt[j]!;
      gn[i] = gnj;
      const xj = wn[i]!;
      const yj = z[j]!;
      const gyj = gz[j]!;
      const di = xj - yj;
      acc[2 * d + j]! += di * di;
      acc[3 * d + j]! += gyj * di;
      acc[4 * d + j]! += (gnj - gyj) * di;
      if (xj - xj !== 0) finite = false; // ±Infinity or NaN
      const v = gnj - gyj + L * (yj - xj);
      acc[5 * d + j]! += v * v;
      const wi = w[i]!;
      acc[6 * d + j]! += (yj - xj) * (xj - wi);
      rows[j]! += xj * xj;
      // The next attempt's v for each candidate, as that attempt's first loop will form it (x ← wn, x_prev ← w).
      const dl = xj - wi;
      const hd = gnj - g[i]!;
      const za = xj + bs * dl;
      const ga = gnj + bs * hd;
      const z0 = xj + 0 * dl;
      const g0 = gnj + 0 * hd;
      const v1 = za - s1 * ga;
      const v2 = z0 - s1 * g0;
      const v3 = za - s2 * ga;
      const v4 = z0 - s2 * g0;
      rows[d + j]! += v1 * v1;
      rows[2 * d + j]! += v2 * v2;
      rows[3 * d + j]! += v3 * v3;
      rows[4 * d + j]! += v4 * v4;
    }
  }
  let fs = 0;
  for (let t = 0; t < count; t++) fs += f[t]!;
  sums[0] = fs;
  for (let k = 0; k < 7; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += acc[k * d + j]!;
    sums[k + 1] = s;
  }
  return finite;
}

/** Rows per chunk of the packed layout (native/logistic_model.cc's B). */
export const LOGISTIC_CHUNK = 64;

/**
 * The packed layout of dlogisticModelBatched's x (its `packed` argument): each block's rows taken 64 at a
 * time, each chunk stored transposed (column j of the chunk's rows contiguous, 64 long) and a block's last
 * chunk padded with zero rows; chunks of all blocks one after another. Built once per fit, it spares the
 * native pass the transposition of every chunk at every point.
 */
export function packLogisticRows(offsets: Int32Array, d: number, x: Float64Array): Float64Array {
  const B = LOGISTIC_CHUNK;
  const count = offsets.length - 1;
  let chunks = 0;
  for (let t = 0; t < count; t++) chunks += Math.ceil((offsets[t + 1]! - offsets[t]!) / B);
  const out = new Float64Array(chunks * B * d);
  let o = 0;
  for (let t = 0; t < count; t++) {
    for (let i0 = offsets[t]!; i0 < offsets[t + 1]!; i0 += B, o += B * d) {
      const m = Math.min(B, offsets[t + 1]! - i0);
      for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) out[o + j * B + i] = x[(i0 + i) * d + j]!;
    }
  }
  return out;
}

/** The row-major rows of packLogisticRows' layout (its inverse). */
export function unpackLogisticRows(offsets: Int32Array, d: number, packed: Float64Array): Float64Array {
  const B = LOGISTIC_CHUNK;
  const count = offsets.length - 1;
  const x = new Float64Array(offsets[count]! * d);
  let o = 0;
  for (let t = 0; t < count; t++) {
    for (let i0 = offsets[t]!; i0 < offsets[t + 1]!; i0 += B, o += B * d) {
      const m = Math.min(B, offsets[t + 1]! - i0);
      for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) x[(i0 + i) * d + j] = packed[o + j * B + i]!;
    }
  }
  return x;
}

/**
 * Prox-Newton's logistic per-point pass over row-stacked blocks (see types.ts dlogisticModelBatched): the
 * definition native/logistic_model.cc follows operation by operation. One pass per row: z, the loss, the
 * residual's gradient and (model) the curvature's Gram accumulated row by row in its upper triangle.
 */
export function logisticModelBatched(count: number, offsets: Int32Array, d: number, x: Float64Array, y: Float64Array, s: Float64Array | null,
  w: Float64Array, b: Float64Array, c: Float64Array, model: boolean,
  g: Float64Array, gb: Float64Array, h: Float64Array, sx: Float64Array, s0: Float64Array, f: Float64Array, packed = false): void {
  if (packed) x = unpackLogisticRows(offsets, d, x);
  const wt = new Float64Array(d);
  const gt = new Float64Array(d);
  const st = new Float64Array(d);
  const Ht = new Float64Array(d * d);
  for (let t = 0; t < count; t++) {
    for (let j = 0; j < d; j++) wt[j] = w[j * count + t]!;
    gt.fill(0);
    st.fill(0);
    if (model) Ht.fill(0);
    const bt = b[t]!;
    let val = 0;
    let gsum = 0;
    let S = 0;
    for (let i = offsets[t]!; i < offsets[t + 1]!; i++) {
      const o = i * d;
      let z = 0;
      for (let j = 0; j < d; j++) z += x[o + j]! * wt[j]!;
      z += bt;
      const si = s ? s[i]! : 1;
      // Stable: e = e^(−|z|), σ(z) from it, log(1 + e^(−yz)) = max(−yz, 0) + log1p(e).
      const e = Math.exp(-Math.abs(z));
      const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      const yi = y[i]!;
      const m = -yi * z;
      val += si * ((m > 0 ? m : 0) + Math.log1p(e));
      const r = si * (yi > 0 ? p - 1 : p);
      gsum += r;
      for (let j = 0; j < d; j++) gt[j]! += r * x[o + j]!;
      if (!model) continue;
      const D = si * p * (1 - p);
      S += D;
      for (let j = 0; j < d; j++) {
        const a = D * x[o + j]!;
        st[j]! += a;
        const hr = j * d;
        for (let k = j; k < d; k++) Ht[hr + k]! += a * x[o + k]!;
      }
    }
    const ct = c[t]!;
    f[t] = ct * val;
    gb[t] = ct * gsum;
    for (let j = 0; j < d; j++) g[j * count + t] = ct * gt[j]!;
    if (!model) continue;
    s0[t] = ct * S;
    const M = t * d * d;
    for (let j = 0; j < d; j++) {
      sx[t * d + j] = ct * st[j]!;
      for (let k = j; k < d; k++) h[M + j * d + k] = h[M + k * d + j] = ct * Ht[j * d + k]!;
    }
  }
}

export const referenceKernels: Kernels = {
  name: 'ts',
  dgemm: gemm,
  sgemm: gemm,
  dgemv: gemv,
  sgemv: gemv,
  dgram: gram,
  sgram: gram,
  dsymvBatched: symvBatched,
  dgemvBatched: gemvBatched,
  dresidualGradBatched: residualGradBatched,
  dsqGradBatched: sqGradBatched,
  dsqGradTasks: sqGradTasks,
  fistaFusedTasks,
  dlogisticModelBatched: logisticModelBatched,
  // the convolution's products on this backend's GEMM (the loops of referenceNn are its definition)
  nn: { ...referenceNn, ...convWithGemm(gemm) },
};
