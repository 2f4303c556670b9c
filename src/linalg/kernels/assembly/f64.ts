// @ts-nocheck -- AssemblyScript source (see below), type-checked by asc, not by tsc.
// Float64 kernels in AssemblyScript over WebAssembly SIMD128 (f64x2 lanes).
//
// GEMM follows the Goto/van de Geijn scheme (Goto & van de Geijn, "Anatomy of high-performance
// matrix multiplication", ACM TOMS 34(3), 2008, §4; Van Zee & van de Geijn, BLIS, TOMS 41(3) 2015,
// Fig. 2): three cache-blocking loops (NC over columns of C, KC over the shared dimension, MC over
// rows) around two register-tiling loops; A and B blocks are first copied ("packed") into
// contiguous micro-panels so the inner kernel streams memory linearly and transposes/leading
// dimensions cost nothing inside it.
//
// This file only sees raw addresses; src/linalg/kernels/wasm.ts owns the linear memory layout.
// All sizes are element counts, all leading dimensions are in elements, addresses are in bytes.
// This file is compiled by AssemblyScript (scripts/build-wasm.mjs), not tsc: `v128`, `load`,
// `store`, `memory.data` and the integer types are AssemblyScript built-ins, hence @ts-nocheck.

// Micro-tile MR×NR: 4 rows × 4 columns = 8 v128 accumulators (4 rows × 2 vectors of 2 doubles),
// leaving registers for 2 B vectors and the broadcast A values within x86-64's 16 XMM registers.
const MR: i32 = 4;
const NR: i32 = 4;
// KC×NR×8 B = 8 KiB micro-panel of B stays in L1 (48 KiB here); MC×KC×8 B = 256 KiB block of A
// stays in L2 (1 MiB per core); KC×NC block of B is streamed from L3.
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 2048;

/** Bytes of packing workspace dgemm/dgram need (A block + B block), for the JS arena. */
export function dgemmWorkspace(): i32 {
  return (MC + MR) * KC * 8 + KC * (NC + NR) * 8;
}

// Edge tiles are stored here first, then the valid part is written to C with scalar code.
const tile: usize = memory.data(MR * NR * 8, 16);

/** C (m×n, ldc) ← beta·C, with beta = 0 overwriting (BLAS semantics: NaN in C is ignored). */
export function dscale(m: i32, n: i32, beta: f64, c: usize, ldc: i32): void {
  if (beta == 1.0) return;
  for (let i = 0; i < m; i++) {
    const row = c + <usize>(i * ldc) * 8;
    if (beta == 0.0) for (let j = 0; j < n; j++) store<f64>(row + <usize>j * 8, 0.0);
    else for (let j = 0; j < n; j++) store<f64>(row + <usize>j * 8, beta * load<f64>(row + <usize>j * 8));
  }
}

/**
 * Pack op(A)[i0:i0+mc, p0:p0+kc] into MR-row micro-panels: for each panel and each p, MR values
 * op(A)[i, p] for the panel's rows, zero-padded past mc so the kernel never branches on edges.
 */
function packA(transA: bool, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    if (transA) {
      // op(A)[i, p] = A[p, i]: the MR values of one p are contiguous in memory.
      for (let p = 0; p < kc; p++) {
        const src = a + (<usize>(p0 + p) * <usize>lda + <usize>(i0 + ir)) * 8;
        if (rows == MR) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        } else {
          for (let r = 0; r < MR; r++) store<f64>(dst + <usize>r * 8, r < rows ? load<f64>(src + <usize>r * 8) : 0.0);
        }
        dst += MR * 8;
      }
    } else {
      // op(A)[i, p] = A[i, p]: gather MR rows, stride lda.
      const base = a + (<usize>(i0 + ir) * <usize>lda + <usize>p0) * 8;
      const step = <usize>lda * 8;
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          const s = base + <usize>p * 8;
          store<f64>(dst, load<f64>(s));
          store<f64>(dst, load<f64>(s + step), 8);
          store<f64>(dst, load<f64>(s + 2 * step), 16);
          store<f64>(dst, load<f64>(s + 3 * step), 24);
          dst += MR * 8;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<f64>(dst + <usize>r * 8, r < rows ? load<f64>(base + <usize>r * step + <usize>p * 8) : 0.0);
          dst += MR * 8;
        }
      }
    }
  }
}

/** Pack op(B)[p0:p0+kc, j0:j0+nc] into NR-column micro-panels (for each p, NR values), zero-padded. */
function packB(transB: bool, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    if (!transB) {
      // op(B)[p, j] = B[p, j]: the NR values of one p are contiguous.
      for (let p = 0; p < kc; p++) {
        const src = b + (<usize>(p0 + p) * <usize>ldb + <usize>(j0 + jr)) * 8;
        if (cols == NR) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        } else {
          for (let c = 0; c < NR; c++) store<f64>(dst + <usize>c * 8, c < cols ? load<f64>(src + <usize>c * 8) : 0.0);
        }
        dst += NR * 8;
      }
    } else {
      // op(B)[p, j] = B[j, p]: gather NR rows of B, stride ldb.
      const base = b + (<usize>(j0 + jr) * <usize>ldb + <usize>p0) * 8;
      const step = <usize>ldb * 8;
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR; c++) store<f64>(dst + <usize>c * 8, c < cols ? load<f64>(base + <usize>c * step + <usize>p * 8) : 0.0);
        dst += NR * 8;
      }
    }
  }
}

/**
 * The register-tiled inner kernel: C[MR×NR] ← alpha·(Apanel·Bpanel) + beta·C over kc rank-1
 * updates, accumulators held in eight v128 registers. `rows`/`cols` < MR/NR marks an edge tile.
 */
function kernel4x4(kc: i32, ap: usize, aStep: usize, bp: usize, bStep: usize, c: usize, ldc: i32, alpha: f64, beta: f64, rows: i32, cols: i32): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    ap += aStep;
    bp += bStep;
  }
  const va = f64x2.splat(alpha);
  if (rows == MR && cols == NR) {
    const step = <usize>ldc * 8;
    const r0 = c, r1 = c + step, r2 = c + 2 * step, r3 = c + 3 * step;
    if (beta == 0.0) {
      v128.store(r0, f64x2.mul(va, c00)); v128.store(r0, f64x2.mul(va, c01), 16);
      v128.store(r1, f64x2.mul(va, c10)); v128.store(r1, f64x2.mul(va, c11), 16);
      v128.store(r2, f64x2.mul(va, c20)); v128.store(r2, f64x2.mul(va, c21), 16);
      v128.store(r3, f64x2.mul(va, c30)); v128.store(r3, f64x2.mul(va, c31), 16);
    } else {
      const vb = f64x2.splat(beta);
      v128.store(r0, f64x2.add(f64x2.mul(va, c00), f64x2.mul(vb, v128.load(r0))));
      v128.store(r0, f64x2.add(f64x2.mul(va, c01), f64x2.mul(vb, v128.load(r0, 16))), 16);
      v128.store(r1, f64x2.add(f64x2.mul(va, c10), f64x2.mul(vb, v128.load(r1))));
      v128.store(r1, f64x2.add(f64x2.mul(va, c11), f64x2.mul(vb, v128.load(r1, 16))), 16);
      v128.store(r2, f64x2.add(f64x2.mul(va, c20), f64x2.mul(vb, v128.load(r2))));
      v128.store(r2, f64x2.add(f64x2.mul(va, c21), f64x2.mul(vb, v128.load(r2, 16))), 16);
      v128.store(r3, f64x2.add(f64x2.mul(va, c30), f64x2.mul(vb, v128.load(r3))));
      v128.store(r3, f64x2.add(f64x2.mul(va, c31), f64x2.mul(vb, v128.load(r3, 16))), 16);
    }
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let i = 0; i < rows; i++) {
    const row = c + <usize>(i * ldc) * 8;
    for (let j = 0; j < cols; j++) {
      const t = alpha * load<f64>(tile + <usize>(i * NR + j) * 8);
      const dst = row + <usize>j * 8;
      store<f64>(dst, beta == 0.0 ? t : t + beta * load<f64>(dst));
    }
  }
}

/**
 * The blocked driver shared by dgemm and dgram. With `upper`, micro-tiles lying entirely below
 * the diagonal of C are skipped (XᵀX is symmetric: dgram fills the other triangle by mirroring).
 */
function driver(transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: f64,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f64, c: usize, ldc: i32, work: usize, upper: bool): void {
  if (m == 0 || n == 0) return;
  if (alpha == 0.0 || k == 0) {
    dscale(m, n, beta, c, ldc);
    return;
  }
  const packedA = work;
  const packedB = work + <usize>((MC + MR) * KC) * 8;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // Only the first pass over k applies the caller's beta; later passes accumulate.
      const betaBlock = pc == 0 ? beta : 1.0;
      packB(transB, b, ldb, pc, jc, kc, nc, packedB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        if (upper && jc + nc - 1 < ic) continue;
        packA(transA, a, lda, ic, pc, mc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = packedB + <usize>(jr * kc) * 8;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            if (upper && jc + jr + cols - 1 < ic + ir) break; // this and later row tiles are below the diagonal
            const ap = packedA + <usize>(ir * kc) * 8;
            const cp = c + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * 8;
            kernel4x4(kc, ap, <usize>MR * 8, bp, <usize>NR * 8, cp, ldc, alpha, betaBlock, rows, cols);
          }
        }
      }
    }
  }
}

/** C = alpha·op(A)·op(B) + beta·C (see src/linalg/kernels/types.ts). `work`: dgemmWorkspace() bytes. */
export function dgemm(transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: f64,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f64, c: usize, ldc: i32, work: usize): void {
  driver(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work, false);
}

/** C (d×d) = alpha·XᵀX + beta·C: the upper triangle by the GEMM driver, then mirrored. */
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
function gramUpperDirect(n: i32, d: i32, alpha: f64, x: usize, ldx: i32, beta: f64, c: usize, ldc: i32): void {
  const step = <usize>ldx * 8;
  for (let p0 = 0; p0 < n; p0 += GRAM_KB) {
    const kc = min(GRAM_KB, n - p0);
    const betaBlock: f64 = p0 == 0 ? beta : 1.0;
    const rowBase = x + <usize>p0 * step;
    for (let j0 = 0; j0 < d; j0 += NR) {
      const cols = min(NR, d - j0);
      for (let i0 = 0; i0 < d && i0 <= j0 + cols - 1; i0 += MR) {
        const rows = min(MR, d - i0);
        const cp = c + (<usize>i0 * <usize>ldc + <usize>j0) * 8;
        kernel4x4(kc, rowBase + <usize>i0 * 8, step, rowBase + <usize>j0 * 8, step, cp, ldc, alpha, betaBlock, rows, cols);
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
export function dgram(n: i32, d: i32, alpha: f64, x: usize, ldx: i32, beta: f64, c: usize, ldc: i32, work: usize): void {
  if (d == 0) return;
  if (n == 0 || alpha == 0.0) dscale(d, d, beta, c, ldc);
  else if (d <= GRAM_DIRECT_MAX_D) gramUpperDirect(n, d, alpha, x, ldx, beta, c, ldc);
  else driver(true, false, d, d, n, alpha, x, ldx, x, ldx, beta, c, ldc, work, true);
  for (let i = 1; i < d; i++) {
    for (let j = 0; j < i; j++) {
      store<f64>(c + (<usize>i * <usize>ldc + <usize>j) * 8, load<f64>(c + (<usize>j * <usize>ldc + <usize>i) * 8));
    }
  }
}

/**
 * y = alpha·A·x + beta·y (A m×n, lda): four rows at a time, each a SIMD dot product with x, so
 * every x vector loaded is used four times.
 */
function gemvN(m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, beta: f64, y: usize): void {
  const n2 = n & ~1;
  const step = <usize>lda * 8;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = a + <usize>i * step, r1 = r0 + step, r2 = r1 + step, r3 = r2 + step;
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    for (let j = 0; j < n2; j += 2) {
      const o = <usize>j * 8;
      const xv = v128.load(x + o);
      s0 = f64x2.add(s0, f64x2.mul(v128.load(r0 + o), xv));
      s1 = f64x2.add(s1, f64x2.mul(v128.load(r1 + o), xv));
      s2 = f64x2.add(s2, f64x2.mul(v128.load(r2 + o), xv));
      s3 = f64x2.add(s3, f64x2.mul(v128.load(r3 + o), xv));
    }
    let t0 = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
    let t1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
    let t2 = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
    let t3 = f64x2.extract_lane(s3, 0) + f64x2.extract_lane(s3, 1);
    if (n2 < n) {
      const o = <usize>n2 * 8;
      const xl = load<f64>(x + o);
      t0 += load<f64>(r0 + o) * xl; t1 += load<f64>(r1 + o) * xl;
      t2 += load<f64>(r2 + o) * xl; t3 += load<f64>(r3 + o) * xl;
    }
    const yi = y + <usize>i * 8;
    store<f64>(yi, alpha * t0 + (beta == 0.0 ? 0.0 : beta * load<f64>(yi)));
    store<f64>(yi, alpha * t1 + (beta == 0.0 ? 0.0 : beta * load<f64>(yi, 8)), 8);
    store<f64>(yi, alpha * t2 + (beta == 0.0 ? 0.0 : beta * load<f64>(yi, 16)), 16);
    store<f64>(yi, alpha * t3 + (beta == 0.0 ? 0.0 : beta * load<f64>(yi, 24)), 24);
  }
  for (; i < m; i++) {
    const r = a + <usize>i * step;
    let s = f64x2.splat(0);
    for (let j = 0; j < n2; j += 2) s = f64x2.add(s, f64x2.mul(v128.load(r + <usize>j * 8), v128.load(x + <usize>j * 8)));
    let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    if (n2 < n) t += load<f64>(r + <usize>n2 * 8) * load<f64>(x + <usize>n2 * 8);
    const yi = y + <usize>i * 8;
    store<f64>(yi, alpha * t + (beta == 0.0 ? 0.0 : beta * load<f64>(yi)));
  }
}

/** y = alpha·Aᵀ·x + beta·y (A m×n, y length n): y += (alpha·x_i)·A_i, four rows of A per pass over y. */
function gemvT(m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, beta: f64, y: usize): void {
  dscale(1, n, beta, y, n);
  if (alpha == 0.0) return;
  const n2 = n & ~1;
  const step = <usize>lda * 8;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = a + <usize>i * step, r1 = r0 + step, r2 = r1 + step, r3 = r2 + step;
    const x0 = alpha * load<f64>(x + <usize>i * 8), x1 = alpha * load<f64>(x + <usize>i * 8, 8);
    const x2 = alpha * load<f64>(x + <usize>i * 8, 16), x3 = alpha * load<f64>(x + <usize>i * 8, 24);
    const v0 = f64x2.splat(x0), v1 = f64x2.splat(x1), v2 = f64x2.splat(x2), v3 = f64x2.splat(x3);
    for (let j = 0; j < n2; j += 2) {
      const o = <usize>j * 8;
      let acc = v128.load(y + o);
      acc = f64x2.add(acc, f64x2.mul(v0, v128.load(r0 + o)));
      acc = f64x2.add(acc, f64x2.mul(v1, v128.load(r1 + o)));
      acc = f64x2.add(acc, f64x2.mul(v2, v128.load(r2 + o)));
      acc = f64x2.add(acc, f64x2.mul(v3, v128.load(r3 + o)));
      v128.store(y + o, acc);
    }
    if (n2 < n) {
      const o = <usize>n2 * 8;
      store<f64>(y + o, load<f64>(y + o) + x0 * load<f64>(r0 + o) + x1 * load<f64>(r1 + o) + x2 * load<f64>(r2 + o) + x3 * load<f64>(r3 + o));
    }
  }
  for (; i < m; i++) {
    const r = a + <usize>i * step;
    const xi = alpha * load<f64>(x + <usize>i * 8);
    const v = f64x2.splat(xi);
    for (let j = 0; j < n2; j += 2) {
      const o = <usize>j * 8;
      v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(v, v128.load(r + o))));
    }
    if (n2 < n) store<f64>(y + <usize>n2 * 8, load<f64>(y + <usize>n2 * 8) + xi * load<f64>(r + <usize>n2 * 8));
  }
}

/** y = alpha·op(A)·x + beta·y with A stored m×n (lda); op(A) = Aᵀ when trans. */
export function dgemv(trans: bool, m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, beta: f64, y: usize): void {
  if (trans) gemvT(m, n, alpha, a, lda, x, beta, y);
  else if (alpha == 0.0 || n == 0) dscale(1, m, beta, y, m);
  else gemvN(m, n, alpha, a, lda, x, beta, y);
}

// ---------------------------------------------------------------------------------------------
// Batched kernels (issue 15, many tasks): one call runs the per-task products of a solver iteration
// over all T tasks, so the cost per task is the arithmetic, not a JS→wasm call and operand copy each.

/**
 * y_t = alpha·A_t·x_t + beta·y_t for t < count, with A_t the t-th contiguous d×d row-major block of
 * a (symmetric, e.g. a Gram block H_t = X_tᵀX_t; read in full so every row is a contiguous dot
 * product), x_t and y_t the t-th contiguous length-d pieces of x and y.
 */
export function dsymvBatched(count: i32, d: i32, alpha: f64, a: usize, x: usize, beta: f64, y: usize): void {
  const block = <usize>d * <usize>d * 8;
  const vec = <usize>d * 8;
  for (let t = 0; t < count; t++) {
    const at = a + <usize>t * block;
    const xt = x + <usize>t * vec;
    const yt = y + <usize>t * vec;
    if (alpha == 0.0 || d == 0) dscale(1, d, beta, yt, d);
    else gemvN(d, d, alpha, at, d, xt, beta, yt);
  }
}

/**
 * GEMV over row-stacked blocks: block t is rows offsets[t] .. offsets[t+1] of a (n columns,
 * row-major, contiguous), offsets an i32 array of count + 1 entries.
 *   trans = 0: y[offsets[t] ..] = alpha·A_t·x_t + beta·y[offsets[t] ..], x_t = x[t·n, (t+1)·n);
 *   trans = 1: y_t = alpha·A_tᵀ·x[offsets[t] ..] + beta·y_t,          y_t = y[t·n, (t+1)·n).
 */
export function dgemvBatched(trans: bool, count: i32, offsets: usize, n: i32, alpha: f64, a: usize, x: usize, beta: f64, y: usize): void {
  const vec = <usize>n * 8;
  for (let t = 0; t < count; t++) {
    const r0 = load<i32>(offsets + <usize>t * 4);
    const m = load<i32>(offsets + <usize>(t + 1) * 4) - r0;
    const at = a + <usize>r0 * vec;
    if (trans) {
      gemvT(m, n, alpha, at, n, x + <usize>r0 * 8, beta, y + <usize>t * vec);
    } else {
      const yt = y + <usize>r0 * 8;
      if (alpha == 0.0 || n == 0) dscale(1, m, beta, yt, m);
      else gemvN(m, n, alpha, at, n, x + <usize>t * vec, beta, yt);
    }
  }
}

/**
 * The least-squares residual and gradient of every block in one pass over it: for t < count,
 * r_t = A_t·x_t − y_t and g_t = A_tᵀ·r_t, with A_t rows offsets[t] .. offsets[t+1] of a (n columns),
 * x_t = x[t·n ..], y_t and r_t at rows offsets[t] .. of y and r, g_t = g[t·n ..]. The second product
 * reads A_t while it is still in L1 (a 20 × 50 block is 8 KB), so the blocks stream from memory
 * once instead of twice — the batched form of the data path of the squared loss.
 */
export function dresidualGradBatched(count: i32, offsets: usize, n: i32, a: usize, x: usize, y: usize, r: usize, g: usize): void {
  const vec = <usize>n * 8;
  for (let t = 0; t < count; t++) {
    const r0 = load<i32>(offsets + <usize>t * 4);
    const m = load<i32>(offsets + <usize>(t + 1) * 4) - r0;
    const at = a + <usize>r0 * vec;
    const rt = r + <usize>r0 * 8;
    memory.copy(rt, y + <usize>r0 * 8, <usize>m * 8);
    if (n > 0) gemvN(m, n, 1.0, at, n, x + <usize>t * vec, -1.0, rt);
    else for (let i = 0; i < m; i++) store<f64>(rt + <usize>i * 8, -load<f64>(rt + <usize>i * 8));
    gemvT(m, n, 1.0, at, n, rt, 0.0, g + <usize>t * vec);
  }
}
