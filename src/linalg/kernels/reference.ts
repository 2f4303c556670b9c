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
  dlogisticModelBatched: logisticModelBatched,
  // the convolution's products on this backend's GEMM (the loops of referenceNn are its definition)
  nn: { ...referenceNn, ...convWithGemm(gemm) },
};
