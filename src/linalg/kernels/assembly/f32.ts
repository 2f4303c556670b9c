// @ts-nocheck -- AssemblyScript source, type-checked by asc, not by tsc (see f64.ts).
// Float32 kernels over WebAssembly SIMD128 (f32x4 lanes). Same design as f64.ts — read that file
// first for the blocking scheme and its references — with a 4×8 micro-tile: 4 rows × 2 vectors of
// 4 floats = 8 v128 accumulators, so each register holds twice the useful work of the f64 tile.

const MR: i32 = 4;
const NR: i32 = 8;
// KC×NR×4 B = 8 KiB micro-panel of B in L1; MC×KC×4 B = 128 KiB block of A in L2.
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 2048;

/** Bytes of packing workspace sgemm/sgram need (A block + B block). */
export function sgemmWorkspace(): i32 {
  return (MC + MR) * KC * 4 + KC * (NC + NR) * 4;
}

const tile: usize = memory.data(MR * NR * 4, 16);

/** C (m×n, ldc) ← beta·C, beta = 0 overwriting. */
export function sscale(m: i32, n: i32, beta: f32, c: usize, ldc: i32): void {
  if (beta == 1.0) return;
  for (let i = 0; i < m; i++) {
    const row = c + <usize>(i * ldc) * 4;
    if (beta == 0.0) for (let j = 0; j < n; j++) store<f32>(row + <usize>j * 4, 0.0);
    else for (let j = 0; j < n; j++) store<f32>(row + <usize>j * 4, beta * load<f32>(row + <usize>j * 4));
  }
}

/** Pack op(A)[i0:i0+mc, p0:p0+kc] into MR-row micro-panels, zero-padded (see f64.ts packA). */
function packA(transA: bool, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    if (transA) {
      for (let p = 0; p < kc; p++) {
        const src = a + (<usize>(p0 + p) * <usize>lda + <usize>(i0 + ir)) * 4;
        if (rows == MR) v128.store(dst, v128.load(src));
        else for (let r = 0; r < MR; r++) store<f32>(dst + <usize>r * 4, r < rows ? load<f32>(src + <usize>r * 4) : 0.0);
        dst += MR * 4;
      }
    } else {
      const base = a + (<usize>(i0 + ir) * <usize>lda + <usize>p0) * 4;
      const step = <usize>lda * 4;
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          const s = base + <usize>p * 4;
          store<f32>(dst, load<f32>(s));
          store<f32>(dst, load<f32>(s + step), 4);
          store<f32>(dst, load<f32>(s + 2 * step), 8);
          store<f32>(dst, load<f32>(s + 3 * step), 12);
          dst += MR * 4;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<f32>(dst + <usize>r * 4, r < rows ? load<f32>(base + <usize>r * step + <usize>p * 4) : 0.0);
          dst += MR * 4;
        }
      }
    }
  }
}

/** Pack op(B)[p0:p0+kc, j0:j0+nc] into NR-column micro-panels, zero-padded (see f64.ts packB). */
function packB(transB: bool, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    if (!transB) {
      for (let p = 0; p < kc; p++) {
        const src = b + (<usize>(p0 + p) * <usize>ldb + <usize>(j0 + jr)) * 4;
        if (cols == NR) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        } else {
          for (let c = 0; c < NR; c++) store<f32>(dst + <usize>c * 4, c < cols ? load<f32>(src + <usize>c * 4) : 0.0);
        }
        dst += NR * 4;
      }
    } else {
      const base = b + (<usize>(j0 + jr) * <usize>ldb + <usize>p0) * 4;
      const step = <usize>ldb * 4;
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR; c++) store<f32>(dst + <usize>c * 4, c < cols ? load<f32>(base + <usize>c * step + <usize>p * 4) : 0.0);
        dst += NR * 4;
      }
    }
  }
}

/** C[MR×NR] ← alpha·(Apanel·Bpanel) + beta·C; accumulators in eight v128 registers. */
function kernel4x8(kc: i32, ap: usize, aStep: usize, bp: usize, bStep: usize, c: usize, ldc: i32, alpha: f32, beta: f32, rows: i32, cols: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += aStep;
    bp += bStep;
  }
  const va = f32x4.splat(alpha);
  if (rows == MR && cols == NR) {
    const step = <usize>ldc * 4;
    const r0 = c, r1 = c + step, r2 = c + 2 * step, r3 = c + 3 * step;
    if (beta == 0.0) {
      v128.store(r0, f32x4.mul(va, c00)); v128.store(r0, f32x4.mul(va, c01), 16);
      v128.store(r1, f32x4.mul(va, c10)); v128.store(r1, f32x4.mul(va, c11), 16);
      v128.store(r2, f32x4.mul(va, c20)); v128.store(r2, f32x4.mul(va, c21), 16);
      v128.store(r3, f32x4.mul(va, c30)); v128.store(r3, f32x4.mul(va, c31), 16);
    } else {
      const vb = f32x4.splat(beta);
      v128.store(r0, f32x4.add(f32x4.mul(va, c00), f32x4.mul(vb, v128.load(r0))));
      v128.store(r0, f32x4.add(f32x4.mul(va, c01), f32x4.mul(vb, v128.load(r0, 16))), 16);
      v128.store(r1, f32x4.add(f32x4.mul(va, c10), f32x4.mul(vb, v128.load(r1))));
      v128.store(r1, f32x4.add(f32x4.mul(va, c11), f32x4.mul(vb, v128.load(r1, 16))), 16);
      v128.store(r2, f32x4.add(f32x4.mul(va, c20), f32x4.mul(vb, v128.load(r2))));
      v128.store(r2, f32x4.add(f32x4.mul(va, c21), f32x4.mul(vb, v128.load(r2, 16))), 16);
      v128.store(r3, f32x4.add(f32x4.mul(va, c30), f32x4.mul(vb, v128.load(r3))));
      v128.store(r3, f32x4.add(f32x4.mul(va, c31), f32x4.mul(vb, v128.load(r3, 16))), 16);
    }
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let i = 0; i < rows; i++) {
    const row = c + <usize>(i * ldc) * 4;
    for (let j = 0; j < cols; j++) {
      const t = alpha * load<f32>(tile + <usize>(i * NR + j) * 4);
      const dst = row + <usize>j * 4;
      store<f32>(dst, beta == 0.0 ? t : t + beta * load<f32>(dst));
    }
  }
}

/** Blocked driver shared by sgemm and sgram (see f64.ts driver). */
function driver(transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, work: usize, upper: bool): void {
  if (m == 0 || n == 0) return;
  if (alpha == 0.0 || k == 0) {
    sscale(m, n, beta, c, ldc);
    return;
  }
  const packedA = work;
  const packedB = work + <usize>((MC + MR) * KC) * 4;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const betaBlock: f32 = pc == 0 ? beta : 1.0;
      packB(transB, b, ldb, pc, jc, kc, nc, packedB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        if (upper && jc + nc - 1 < ic) continue;
        packA(transA, a, lda, ic, pc, mc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = packedB + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            if (upper && jc + jr + cols - 1 < ic + ir) break;
            const ap = packedA + <usize>(ir * kc) * 4;
            const cp = c + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * 4;
            kernel4x8(kc, ap, <usize>MR * 4, bp, <usize>NR * 4, cp, ldc, alpha, betaBlock, rows, cols);
          }
        }
      }
    }
  }
}

export function sgemm(transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, work: usize): void {
  driver(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work, false);
}

/**
 * Upper triangle of C = alpha·XᵀX + beta·C without packing: a micro-panel of Xᵀ (rows i..i+MR of
 * C) at step p is X[p, i..i+MR) and one of X (columns j..j+NR) is X[p, j..j+NR) — both already
 * contiguous in row-major X, one row of X (ldx elements) apart from one p to the next. So the
 * kernel streams X directly, in row blocks of GRAM_KB rows sized to stay in L1/L2 while every
 * upper-triangle tile of C passes over them. (For the narrow X of least squares, packing would cost
 * as much as a quarter of the work: it is O(n·d) against O(n·d²/2) FLOPs.) Lanes past column d
 * read neighbouring memory (wasm.ts pads X by 64 bytes); they only feed accumulators of rows or
 * columns ≥ d, which the edge-tile path never writes.
 */
function gramUpperDirect(n: i32, d: i32, alpha: f32, x: usize, ldx: i32, beta: f32, c: usize, ldc: i32): void {
  const step = <usize>ldx * 4;
  for (let p0 = 0; p0 < n; p0 += GRAM_KB) {
    const kc = min(GRAM_KB, n - p0);
    const betaBlock: f32 = p0 == 0 ? beta : 1.0;
    const rowBase = x + <usize>p0 * step;
    for (let j0 = 0; j0 < d; j0 += NR) {
      const cols = min(NR, d - j0);
      for (let i0 = 0; i0 < d && i0 <= j0 + cols - 1; i0 += MR) {
        const rows = min(MR, d - i0);
        const cp = c + (<usize>i0 * <usize>ldc + <usize>j0) * 4;
        kernel4x8(kc, rowBase + <usize>i0 * 4, step, rowBase + <usize>j0 * 4, step, cp, ldc, alpha, betaBlock, rows, cols);
      }
    }
  }
}

// Measured (docs/kernels.md): streaming X directly beat both the packed GEMM driver and a
// pack-once variant for every d tried (28..384), with 128-row blocks (64 KiB of X at d = 64 f64).
// Wider X goes through the packed driver, whose MC/NC blocking keeps working sets in cache.
const GRAM_KB: i32 = 128;
const GRAM_DIRECT_MAX_D: i32 = 512;

/**
 * C (d×d) = alpha·XᵀX + beta·C: the upper triangle (directly from X when d ≤ GRAM_DIRECT_MAX_D,
 * else by the packed GEMM driver skipping tiles below the diagonal), then mirrored.
 */
export function sgram(n: i32, d: i32, alpha: f32, x: usize, ldx: i32, beta: f32, c: usize, ldc: i32, work: usize): void {
  if (d == 0) return;
  if (n == 0 || alpha == 0.0) sscale(d, d, beta, c, ldc);
  else if (d <= GRAM_DIRECT_MAX_D) gramUpperDirect(n, d, alpha, x, ldx, beta, c, ldc);
  else driver(true, false, d, d, n, alpha, x, ldx, x, ldx, beta, c, ldc, work, true);
  for (let i = 1; i < d; i++) {
    for (let j = 0; j < i; j++) {
      store<f32>(c + (<usize>i * <usize>ldc + <usize>j) * 4, load<f32>(c + (<usize>j * <usize>ldc + <usize>i) * 4));
    }
  }
}

/** y = alpha·A·x + beta·y, four rows at a time (see f64.ts gemvN). */
function gemvN(m: i32, n: i32, alpha: f32, a: usize, lda: i32, x: usize, beta: f32, y: usize): void {
  const n4 = n & ~3;
  const step = <usize>lda * 4;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = a + <usize>i * step, r1 = r0 + step, r2 = r1 + step, r3 = r2 + step;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j * 4;
      const xv = v128.load(x + o);
      s0 = f32x4.add(s0, f32x4.mul(v128.load(r0 + o), xv));
      s1 = f32x4.add(s1, f32x4.mul(v128.load(r1 + o), xv));
      s2 = f32x4.add(s2, f32x4.mul(v128.load(r2 + o), xv));
      s3 = f32x4.add(s3, f32x4.mul(v128.load(r3 + o), xv));
    }
    let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
    for (let j = n4; j < n; j++) {
      const o = <usize>j * 4;
      const xl = load<f32>(x + o);
      t0 += load<f32>(r0 + o) * xl; t1 += load<f32>(r1 + o) * xl;
      t2 += load<f32>(r2 + o) * xl; t3 += load<f32>(r3 + o) * xl;
    }
    const yi = y + <usize>i * 4;
    store<f32>(yi, alpha * t0 + (beta == 0.0 ? 0.0 : beta * load<f32>(yi)));
    store<f32>(yi, alpha * t1 + (beta == 0.0 ? 0.0 : beta * load<f32>(yi, 4)), 4);
    store<f32>(yi, alpha * t2 + (beta == 0.0 ? 0.0 : beta * load<f32>(yi, 8)), 8);
    store<f32>(yi, alpha * t3 + (beta == 0.0 ? 0.0 : beta * load<f32>(yi, 12)), 12);
  }
  for (; i < m; i++) {
    const r = a + <usize>i * step;
    let s = f32x4.splat(0);
    for (let j = 0; j < n4; j += 4) s = f32x4.add(s, f32x4.mul(v128.load(r + <usize>j * 4), v128.load(x + <usize>j * 4)));
    let t = hsum(s);
    for (let j = n4; j < n; j++) t += load<f32>(r + <usize>j * 4) * load<f32>(x + <usize>j * 4);
    const yi = y + <usize>i * 4;
    store<f32>(yi, alpha * t + (beta == 0.0 ? 0.0 : beta * load<f32>(yi)));
  }
}

function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** y = alpha·Aᵀ·x + beta·y, four rows of A per pass over y (see f64.ts gemvT). */
function gemvT(m: i32, n: i32, alpha: f32, a: usize, lda: i32, x: usize, beta: f32, y: usize): void {
  sscale(1, n, beta, y, n);
  if (alpha == 0.0) return;
  const n4 = n & ~3;
  const step = <usize>lda * 4;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = a + <usize>i * step, r1 = r0 + step, r2 = r1 + step, r3 = r2 + step;
    const xp = x + <usize>i * 4;
    const x0 = alpha * load<f32>(xp), x1 = alpha * load<f32>(xp, 4);
    const x2 = alpha * load<f32>(xp, 8), x3 = alpha * load<f32>(xp, 12);
    const v0 = f32x4.splat(x0), v1 = f32x4.splat(x1), v2 = f32x4.splat(x2), v3 = f32x4.splat(x3);
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j * 4;
      let acc = v128.load(y + o);
      acc = f32x4.add(acc, f32x4.mul(v0, v128.load(r0 + o)));
      acc = f32x4.add(acc, f32x4.mul(v1, v128.load(r1 + o)));
      acc = f32x4.add(acc, f32x4.mul(v2, v128.load(r2 + o)));
      acc = f32x4.add(acc, f32x4.mul(v3, v128.load(r3 + o)));
      v128.store(y + o, acc);
    }
    for (let j = n4; j < n; j++) {
      const o = <usize>j * 4;
      store<f32>(y + o, load<f32>(y + o) + x0 * load<f32>(r0 + o) + x1 * load<f32>(r1 + o) + x2 * load<f32>(r2 + o) + x3 * load<f32>(r3 + o));
    }
  }
  for (; i < m; i++) {
    const r = a + <usize>i * step;
    const xi = alpha * load<f32>(x + <usize>i * 4);
    const v = f32x4.splat(xi);
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j * 4;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(v, v128.load(r + o))));
    }
    for (let j = n4; j < n; j++) store<f32>(y + <usize>j * 4, load<f32>(y + <usize>j * 4) + xi * load<f32>(r + <usize>j * 4));
  }
}

export function sgemv(trans: bool, m: i32, n: i32, alpha: f32, a: usize, lda: i32, x: usize, beta: f32, y: usize): void {
  if (trans) gemvT(m, n, alpha, a, lda, x, beta, y);
  else if (alpha == 0.0 || n == 0) sscale(1, m, beta, y, m);
  else gemvN(m, n, alpha, a, lda, x, beta, y);
}
