// The plain TypeScript reference kernels: the definition the fast backends are tested against,
// and the fallback where WebAssembly SIMD is unavailable. Written for clarity first; loop orders
// keep the innermost loop on contiguous memory so they are not needlessly slow.
import { referenceNn } from './nn-reference.ts';
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

export const referenceKernels: Kernels = {
  name: 'ts',
  dgemm: gemm,
  sgemm: gemm,
  dgemv: gemv,
  sgemv: gemv,
  dgram: gram,
  sgram: gram,
  nn: referenceNn,
};
