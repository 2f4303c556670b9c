// The native addon (src/linalg/kernels/native.ts, native/*.cc) against the TypeScript reference:
// seeded random shapes including 0, 1, odd sizes and sizes that are not multiples of the
// micro-tiles (AVX-512 12×16 / 12×32, AVX2 6×8 / 6×16) or of the cache blocks, every transpose
// combination, padded leading dimensions (the gaps must stay untouched), alpha/beta variants and
// beta = 0 over NaN; both instruction-set paths and 1 or 2 pool threads; the aliasing rule; the
// decompositions against the TypeScript ones (1e-10 relative) and by their residuals; a whole
// linear fit across backends. Tolerance of a k-term product: 2·(k+2)·eps·(|α|·(|A||B|)ᵢⱼ + |β||Cᵢⱼ|)
// (Higham, Accuracy and Stability of Numerical Algorithms, eq. 3.12, doubled for two roundings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { NumericError, ShapeError } from '../../../src/errors.ts';
import { Random } from '../../../src/linalg/random.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { referenceKernels as ref } from '../../../src/linalg/kernels/reference.ts';
import { addonUrl, cpuHasAvx2Fma, loadNative, nativeLoad, nativeThreadsFromEnv } from '../../../src/linalg/kernels/native.ts';
import { availableBackends, backendName, nativeDecomp, setBackend } from '../../../src/linalg/backend.ts';
import { eigh } from '../../../src/linalg/decomp/eigh.ts';
import { svd, svdReconstruct } from '../../../src/linalg/decomp/svd.ts';
import { svdML } from '../../../src/linalg/decomp/mlmatrix.ts';
import { cholesky } from '../../../src/linalg/decomp/cholesky.ts';
import { MTLEstimator } from '../../../src/linear/estimator.ts';
import type { MultiTaskDataset } from '../../../src/data/dataset.ts';
import type { Kernels } from '../../../src/linalg/kernels/types.ts';
import type { FloatArray } from '../../../src/linalg/matrix.ts';
import { synthProblem } from '../../linear/helpers.ts';

const built = existsSync(fileURLToPath(addonUrl));
const cpuOk = cpuHasAvx2Fma() === true;
const loaded = nativeLoad.direct !== null;
const skip = !loaded && `native backend not loaded: ${nativeLoad.reason}`;
const direct = nativeLoad.direct as Kernels;
const native = nativeLoad.kernels as Kernels;
const SENTINEL = 12345.5;

test('the addon loads wherever it is built and the CPU has AVX2 + FMA (else the reason says why)', () => {
  if (built && cpuOk) assert.ok(loaded, nativeLoad.reason);
  else assert.match(nativeLoad.reason, /native|AVX2/);
});

test('load fallbacks: a CPU without AVX2/FMA, a missing addon — a reason, never a throw', () => {
  assert.equal(cpuHasAvx2Fma('flags\t\t: fpu sse sse2 avx avx2 fma avx512f\n'), true);
  assert.equal(cpuHasAvx2Fma('flags\t\t: fpu sse sse2 avx\n'), false);
  const old = loadNative(addonUrl, 'processor : 0\nflags : fpu sse2 avx\n');
  assert.equal(old.kernels, null);
  assert.match(old.reason, /this CPU lacks AVX2\/FMA/);
  if (cpuOk) {
    const missing = loadNative(new URL('file:///nonexistent-polytask/polytask_native.node'));
    assert.equal(missing.kernels, null);
    assert.match(missing.reason, /native addon not built/);
  }
  assert.equal(nativeThreadsFromEnv('3'), 3);
  assert.equal(nativeThreadsFromEnv(undefined), undefined);
  assert.equal(nativeThreadsFromEnv('x'), undefined);
});

type Ctor = { new (n: number): FloatArray };
interface Prec { name: 'f64' | 'f32'; Arr: Ctor; eps: number }
const F64: Prec = { name: 'f64', Arr: Float64Array, eps: 2 ** -52 };
const F32: Prec = { name: 'f32', Arr: Float32Array, eps: 2 ** -23 };

function randomStrided(rng: Random, p: Prec, rows: number, cols: number, ld: number): FloatArray {
  const a = new p.Arr(Math.max(0, rows * ld));
  a.fill(SENTINEL);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[i * ld + j] = rng.uniformIn(-1, 1);
  return a;
}

const abs = (a: FloatArray): FloatArray => a.map(Math.abs);
const gemmOf = (p: Prec, k: Kernels): Kernels['dgemm'] => (p.name === 'f64' ? k.dgemm : k.sgemm) as unknown as Kernels['dgemm'];

function gemmCase(rng: Random, p: Prec, kern: Kernels, m: number, n: number, k: number, transA: boolean, transB: boolean,
  alpha: number, beta: number, pad: number): void {
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  const lda = ac + pad, ldb = bc + pad, ldc = n + pad;
  const a = randomStrided(rng, p, ar, ac, lda);
  const b = randomStrided(rng, p, br, bc, ldb);
  const c0 = randomStrided(rng, p, m, n, ldc);
  if (beta === 0) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c0[i * ldc + j] = NaN;
  const want = c0.slice(), got = c0.slice();
  gemmOf(p, ref)(transA, transB, m, n, k, alpha, a as Float64Array, lda, b as Float64Array, ldb, beta, want as Float64Array, ldc);
  gemmOf(p, kern)(transA, transB, m, n, k, alpha, a as Float64Array, lda, b as Float64Array, ldb, beta, got as Float64Array, ldc);
  const bound = new p.Arr(Math.max(0, m * ldc));
  gemmOf(p, ref)(transA, transB, m, n, k, Math.abs(alpha), abs(a) as Float64Array, lda, abs(b) as Float64Array, ldb, 0, bound as Float64Array, ldc);
  const what = `${p.name} m=${m} n=${n} k=${k} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} alpha=${alpha} beta=${beta} pad=${pad}`;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const idx = i * ldc + j;
      const cOld = beta === 0 ? 0 : Math.abs(c0[idx]!);
      const tol = 2 * (k + 2) * p.eps * (bound[idx]! + Math.abs(beta) * cOld) + 1e-300;
      if (!(Math.abs(got[idx]! - want[idx]!) <= tol)) assert.fail(`${what}: C[${i},${j}] = ${got[idx]}, reference ${want[idx]} (tol ${tol})`);
    }
    for (let j = n; j < ldc && i < m - 1; j++) if (got[i * ldc + j] !== SENTINEL) assert.fail(`${what}: gap C[${i}, ${j}] overwritten`);
  }
}

/** Run `body` on every instruction-set path (AVX-512 where present, AVX2) and with 1 and 2 threads. */
function onEveryPath(body: (label: string) => void): void {
  try {
    for (const avx2 of [false, true]) {
      nativeLoad.setAvx2Only(avx2);
      for (const threads of [1, 2]) {
        nativeLoad.setThreads(threads);
        body(`${avx2 ? 'avx2' : 'default isa'}, ${threads} thread(s)`);
      }
    }
  } finally {
    nativeLoad.setAvx2Only(false);
    nativeLoad.setThreads(0);
  }
}

const DIMS = [0, 1, 2, 3, 5, 7, 8, 11, 13, 16, 17, 31, 33, 67];

for (const p of [F64, F32]) {
  test(`${p.name} gemm: random shapes, transposes, strides, alpha/beta, both ISAs, 1–2 threads`, { skip }, () => {
    const rng = new Random(p.name === 'f64' ? 1411 : 1412);
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
    onEveryPath(() => {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (let rep = 0; rep < 10; rep++) {
            gemmCase(rng, p, direct, pick(DIMS), pick(DIMS), pick(DIMS), transA, transB,
              pick([1, -0.5, 2.5, 0]), pick([0, 0, 1, 0.3]), pick([0, 0, 1, 3]));
          }
        }
      }
      // Large enough to split over threads (≥ 96³ multiply-adds) and to cross KC (384 / 512) and MC (96 / 48).
      gemmCase(rng, p, direct, 131, 125, 530, false, false, 1, 0, 1);
      gemmCase(rng, p, direct, 101, 97, 401, true, true, -1, 0.5, 0);
    });
  });

  test(`${p.name} gemm: a wide C crossing NC = 4096 and the registered backend's small-size path`, { skip }, () => {
    const rng = new Random(1421);
    gemmCase(rng, p, direct, 5, 4103, 3, false, true, 1.5, 1, 1);
    gemmCase(rng, p, native, 2, 3, 4, false, false, 1, 0, 0); // below NATIVE_SMALL_GEMM_WORK: reference
    gemmCase(rng, p, native, 20, 13, 9, true, false, 1, 0.5, 2);
  });

  test(`${p.name} gemv: both orientations, strides, alpha/beta, threaded sizes`, { skip }, () => {
    const rng = new Random(p.name === 'f64' ? 1431 : 1432);
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
    const gv = (p.name === 'f64' ? ref.dgemv : ref.sgemv) as unknown as Kernels['dgemv'];
    const kv = (p.name === 'f64' ? direct.dgemv : direct.sgemv) as unknown as Kernels['dgemv'];
    onEveryPath((label) => {
      for (let rep = 0; rep < 40; rep++) {
        const trans = rep % 2 === 1;
        const big = rep >= 38;
        const m = big ? 611 : pick([0, 1, 2, 3, 4, 5, 9, 17, 33]), n = big ? 517 : pick([0, 1, 2, 3, 7, 8, 9, 17, 40]);
        const pad = pick([0, 2]);
        const alpha = pick([1, -2, 0.5, 0]), beta = pick([0, 1, -0.25]);
        const lda = n + pad;
        const a = randomStrided(rng, p, m, n, lda);
        const xlen = trans ? m : n, ylen = trans ? n : m;
        const x = randomStrided(rng, p, 1, xlen, xlen);
        const y0 = randomStrided(rng, p, 1, ylen, ylen);
        if (beta === 0) y0.fill(NaN);
        const want = y0.slice(), got = y0.slice();
        gv(trans, m, n, alpha, a as Float64Array, lda, x as Float64Array, beta, want as Float64Array);
        kv(trans, m, n, alpha, a as Float64Array, lda, x as Float64Array, beta, got as Float64Array);
        const bound = new p.Arr(ylen);
        gv(trans, m, n, Math.abs(alpha), abs(a) as Float64Array, lda, abs(x) as Float64Array, 0, bound as Float64Array);
        for (let i = 0; i < ylen; i++) {
          const tol = 2 * ((trans ? m : n) + 2) * p.eps * (bound[i]! + (beta === 0 ? 0 : Math.abs(beta * y0[i]!))) + 1e-300;
          if (!(Math.abs(got[i]! - want[i]!) <= tol)) assert.fail(`${label} ${p.name} gemv ${trans ? 'T' : 'N'} ${m}×${n}: y[${i}] = ${got[i]}, want ${want[i]}`);
        }
      }
    });
  });

  test(`${p.name} gram: XᵀX against the reference, exactly symmetric, strides, beta`, { skip }, () => {
    const rng = new Random(p.name === 'f64' ? 1441 : 1442);
    const gr = (p.name === 'f64' ? ref.dgram : ref.sgram) as unknown as Kernels['dgram'];
    const kg = (p.name === 'f64' ? direct.dgram : direct.sgram) as unknown as Kernels['dgram'];
    onEveryPath((label) => {
      for (const [n, d, pad, beta] of [[0, 3, 0, 0], [1, 1, 0, 0], [7, 5, 1, 0.5], [40, 13, 0, 0], [300, 67, 2, 1], [260, 130, 0, 0]] as const) {
        const ldx = d + pad, ldc = d + 1;
        const x = randomStrided(rng, p, n, d, ldx);
        const c0 = randomStrided(rng, p, d, d, ldc);
        for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) c0[i * ldc + j] = c0[j * ldc + i]!; // symmetric C for beta ≠ 0
        if (beta === 0) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c0[i * ldc + j] = NaN;
        const want = c0.slice(), got = c0.slice();
        gr(n, d, 1.5, x as Float64Array, ldx, beta, want as Float64Array, ldc);
        kg(n, d, 1.5, x as Float64Array, ldx, beta, got as Float64Array, ldc);
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            const tol = 2 * (n + 2) * p.eps * 1.5 * n + 4 * p.eps * Math.abs(beta) * 2;
            if (!(Math.abs(got[i * ldc + j]! - want[i * ldc + j]!) <= tol)) assert.fail(`${label} gram ${n}×${d}: C[${i},${j}] = ${got[i * ldc + j]}, want ${want[i * ldc + j]}`);
            assert.equal(got[i * ldc + j], got[j * ldc + i]);
          }
          if (i < d - 1) assert.equal(got[i * ldc + d], SENTINEL, `${label}: gap after row ${i} overwritten`);
        }
      }
    });
  });
}

test('aliasing: an input that shares memory with the output is read as it was before the call', { skip }, () => {
  const rng = new Random(1451);
  const n = 40;
  const buf = new Float64Array(3 * n * n);
  for (let i = 0; i < buf.length; i++) buf[i] = rng.uniformIn(-1, 1);
  // C = A·B where C is A itself (same view), and where C is a view overlapping B's tail.
  for (const [aOff, bOff, cOff] of [[0, n * n, 0], [0, n * n, n * n + 7 * n]] as const) {
    const b0 = buf.slice();
    const a = b0.subarray(aOff, aOff + n * n), b = b0.subarray(bOff, bOff + n * n), c = b0.subarray(cOff, cOff + n * n);
    const want = new Float64Array(n * n);
    ref.dgemm(false, false, n, n, n, 1, a.slice(), n, b.slice(), n, 0, want, n);
    direct.dgemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n);
    for (let i = 0; i < n * n; i++) assert.ok(Math.abs(c[i]! - want[i]!) < 1e-12, `offsets ${aOff}/${bOff}/${cOff}: C[${i}]`);
  }
  // y = A·x with y overlapping x.
  const a = Float64Array.from({ length: n * n }, () => rng.uniformIn(-1, 1));
  const xy = Float64Array.from({ length: n }, () => rng.uniformIn(-1, 1));
  const want = new Float64Array(n);
  ref.dgemv(false, n, n, 1, a, n, xy.slice(), 0, want);
  direct.dgemv(false, n, n, 1, a, n, xy, 0, xy);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(xy[i]! - want[i]!) < 1e-12);
  // XᵀX into a C that overlaps X.
  const x = Float64Array.from({ length: 30 * 8 }, () => rng.uniformIn(-1, 1));
  const g = new Float64Array(64);
  ref.dgram(30, 8, 1, x, 8, 0, g, 8);
  direct.dgram(30, 8, 1, x, 8, 0, x, 8);
  for (let i = 0; i < 64; i++) assert.ok(Math.abs(x[i]! - g[i]!) < 1e-12);
});

test('bad shapes are ShapeErrors naming the kernel and operand (before any native code runs)', { skip }, () => {
  const a = new Float64Array(12), c = new Float64Array(9);
  assert.throws(() => direct.dgemm(false, false, 3, 3, 4, 1, a, 3, a, 3, 0, c, 3), (e: unknown) =>
    e instanceof ShapeError && /dgemm: leading dimension of A is 3, smaller than its 4 columns/.test(e.message));
  assert.throws(() => direct.dgemm(false, false, 3, 3, 4, 1, a, 4, new Float64Array(5), 3, 0, c, 3), /dgemm: B \(4×3, leading dimension 3\) needs 12 entries, has 5/);
  assert.throws(() => direct.sgram(4, 3, 1, new Float32Array(11), 3, 0, new Float32Array(9), 3), ShapeError);
  assert.throws(() => direct.dgemv(false, 3, 4, 1, a, 4, new Float64Array(3), 0, new Float64Array(3)), /dgemv: x has length 3, op\(A\) needs 4/);
  assert.throws(() => direct.dgemm(false, false, 2.5, 3, 4, 1, a, 4, a, 3, 0, c, 3), /dgemm: m = 2.5 is not a non-negative integer/);
  // A Float32Array handed to the f64 kernel is caught by the addon itself.
  assert.throws(() => direct.dgemm(false, false, 2, 2, 2, 1, new Float32Array(4) as unknown as Float64Array, 2, a, 2, 0, c, 2), /expected a Float64Array/);
});

// ---------------------------------------------------------------------------------------------
// The neural engine's kernels: native against the reference.

test('nn kernels: biasAct (every activation, with d), softmaxRows, colSums, im2col = reference, f32 and f64', { skip }, () => {
  const rng = new Random(1501);
  const nnN = direct.nn, nnR = ref.nn;
  for (const p of [F64, F32]) {
    const rel = p.name === 'f64' ? 1e-14 : 2 ** -22; // one rounding of the same double result (f32), libm vs V8 (f64)
    const close = (got: FloatArray, want: FloatArray, what: string): void => {
      for (let i = 0; i < want.length; i++) {
        if (!(Math.abs(got[i]! - want[i]!) <= rel * Math.max(1, Math.abs(want[i]!)))) assert.fail(`${p.name} ${what}: [${i}] ${got[i]} vs ${want[i]}`);
      }
    };
    for (const [rows, n] of [[1, 1], [3, 7], [33, 65]] as const) {
      const x = randomStrided(rng, p, rows, n, n).map((v) => 4 * v);
      const b = randomStrided(rng, p, 1, n, n);
      for (const act of ['identity', 'relu', 'leakyRelu', 'gelu', 'tanh', 'sigmoid'] as const) {
        for (const bias of [b, null]) {
          const y1 = new p.Arr(rows * n), d1 = new p.Arr(rows * n), y2 = new p.Arr(rows * n), d2 = new p.Arr(rows * n);
          nnR.biasAct(act, rows, n, x, bias, 0.1, y1, d1);
          nnN.biasAct(act, rows, n, x, bias, 0.1, y2, d2);
          close(y2, y1, `biasAct ${act} y`);
          close(d2, d1, `biasAct ${act} d`);
        }
      }
      // In place.
      const xi = x.slice(), want = new p.Arr(rows * n);
      nnR.biasAct('tanh', rows, n, x, b, 0, want, null);
      nnN.biasAct('tanh', rows, n, xi, b, 0, xi, null);
      close(xi, want, 'biasAct in place');
      const s1 = new p.Arr(rows * n), s2 = new p.Arr(rows * n);
      nnR.softmaxRows(rows, n, x, s1);
      nnN.softmaxRows(rows, n, x, s2);
      close(s2, s1, 'softmaxRows');
      const c1 = new p.Arr(n).fill(1), c2 = new p.Arr(n).fill(1);
      nnR.colSums(rows, n, x, 0.5, c1);
      nnN.colSums(rows, n, x, 0.5, c2);
      close(c2, c1, 'colSums');
    }
    const [N, C, H, W, kh, kw, stride, pad] = [2, 3, 9, 8, 3, 3, 2, 1];
    const x = randomStrided(rng, p, 1, N * C * H * W, N * C * H * W);
    const Ho = Math.floor((H + 2 * pad - kh) / stride) + 1, Wo = Math.floor((W + 2 * pad - kw) / stride) + 1;
    const k1 = new p.Arr(N * Ho * Wo * C * kh * kw).fill(NaN), k2 = k1.slice();
    nnR.im2col(N, C, H, W, kh, kw, stride, pad, x, k1);
    nnN.im2col(N, C, H, W, kh, kw, stride, pad, x, k2);
    assert.deepEqual(k2, k1);
    // col2im (the adjoint) on the same geometry and on 1 × 1 images with padding: accumulates into x
    for (const [n2, c2, h2, w2, kh2, kw2, s2, p2] of [[N, C, H, W, kh, kw, stride, pad], [3, 2, 1, 1, 1, 1, 1, 1], [2, 5, 13, 11, 5, 5, 1, 0]] as const) {
      const ho = Math.floor((h2 + 2 * p2 - kh2) / s2) + 1, wo = Math.floor((w2 + 2 * p2 - kw2) / s2) + 1;
      const cc = randomStrided(rng, p, 1, n2 * ho * wo * c2 * kh2 * kw2, n2 * ho * wo * c2 * kh2 * kw2);
      const x1 = randomStrided(rng, p, 1, n2 * c2 * h2 * w2, n2 * c2 * h2 * w2), x2 = x1.slice();
      nnR.col2im(n2, c2, h2, w2, kh2, kw2, s2, p2, cc, x1);
      nnN.col2im(n2, c2, h2, w2, kh2, kw2, s2, p2, cc, x2);
      for (let i = 0; i < x1.length; i++) if (!(Math.abs(x2[i]! - x1[i]!) <= 32 * p.eps * 8)) assert.fail(`${p.name} col2im ${n2}/${c2}/${h2}×${w2}: [${i}] ${x2[i]} vs ${x1[i]}`);
    }
  }
  assert.throws(() => nnN.biasAct('relu', 2, 3, new Float32Array(6), null, 0, new Float64Array(6), null), /share a precision/);
  assert.throws(() => nnN.softmaxRows(2, 3, new Float32Array(5), new Float32Array(6)), ShapeError);
});

test('nn kernels: biasActGrad, mulAcc, adam, bmm = reference on random shapes (1, odd, beyond the vector width), f32 and f64, 1–2 threads', { skip }, () => {
  const rng = new Random(1502);
  const nnN = direct.nn, nnR = ref.nn;
  for (const p of [F64, F32]) {
    const rand = (n: number): FloatArray => randomStrided(rng, p, 1, n, n);
    const close = (got: FloatArray, want: FloatArray, tol: number, what: string): void => {
      for (let i = 0; i < want.length; i++) {
        if (!(Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)))) assert.fail(`${p.name} ${what}: [${i}] ${got[i]} vs ${want[i]}`);
      }
    };
    for (const [rows, n] of [[1, 1], [1, 17], [3, 7], [33, 65], [5, 200]] as const) {
      const go = rand(rows * n), d = rand(rows * n);
      for (const [withD, withX, withB] of [[true, true, true], [false, true, true], [true, false, true], [true, true, false]] as const) {
        const gx0 = rand(rows * n), gb0 = rand(n);
        const gx1 = gx0.slice(), gb1 = gb0.slice(), gx2 = gx0.slice(), gb2 = gb0.slice();
        nnR.biasActGrad(rows, n, go, withD ? d : null, withX ? gx1 : null, withB ? gb1 : null);
        nnN.biasActGrad(rows, n, go, withD ? d : null, withX ? gx2 : null, withB ? gb2 : null);
        close(gx2, gx1, 4 * p.eps, `biasActGrad gx rows=${rows} n=${n}`);
        close(gb2, gb1, 4 * (rows + 2) * p.eps, `biasActGrad gb rows=${rows} n=${n}`);
      }
      const o1 = rand(rows * n), o2 = o1.slice();
      nnR.mulAcc(rows * n, go, d, o1);
      nnN.mulAcc(rows * n, go, d, o2);
      close(o2, o1, 4 * p.eps, 'mulAcc');
      nnR.mulAcc(rows * n, go, null, o1);
      nnN.mulAcc(rows * n, go, null, o2);
      close(o2, o1, 4 * p.eps, 'mulAcc without b');
      // adam: three steps in place on the same state, native = reference (both in double, one rounding to the array)
      const gR = rand(rows * n), mR = rand(rows * n), vR = rand(rows * n).map(Math.abs);
      const gN = gR.slice(), mN = mR.slice(), vN = vR.slice();
      for (let t = 1; t <= 3; t++) {
        const bc1 = 1 - 0.9 ** t, sbc2 = Math.sqrt(1 - 0.999 ** t);
        nnR.adam(rows * n, gR, mR, vR, 0.9, 0.999, bc1, sbc2, 1e-8);
        nnN.adam(rows * n, gN, mN, vN, 0.9, 0.999, bc1, sbc2, 1e-8);
        close(mN, mR, 8 * p.eps, `adam m step ${t}`);
        close(vN, vR, 8 * p.eps, `adam v step ${t}`);
        close(gN, gR, 64 * p.eps, `adam update step ${t}`);
      }
    }
    onEveryPath((label) => {
      for (const [batch, m, n, k] of [[1, 1, 1, 1], [3, 1, 17, 8], [5, 8, 33, 3], [7, 3, 5, 67], [2, 16, 1, 31], [300, 8, 40, 8]] as const) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            for (const beta of [0, 1, 0.5]) {
              const pad = 1;
              const [ar, ac] = ta ? [k, m] : [m, k];
              const [br, bc] = tb ? [n, k] : [k, n];
              const lda = ac + pad, ldb = bc + pad, ldc = n + pad;
              const sa = ar * lda + 2, sb = br * ldb, sc = m * ldc + 3;
              const a = rand(batch * sa), b = rand(batch * sb), c0 = rand(batch * sc);
              if (beta === 0) c0.fill(NaN);
              const want = c0.slice(), got = c0.slice();
              nnR.bmm(ta, tb, batch, m, n, k, a, sa, lda, b, sb, ldb, beta, want, sc, ldc);
              nnN.bmm(ta, tb, batch, m, n, k, a, sa, lda, b, sb, ldb, beta, got, sc, ldc);
              for (let i = 0; i < batch; i++) {
                for (let r = 0; r < m; r++) {
                  for (let j = 0; j < ldc; j++) {
                    const idx = i * sc + r * ldc + j;
                    if (j >= n) { // gaps keep their (possibly NaN) contents
                      if (!Object.is(got[idx], c0[idx])) assert.fail(`bmm ${label}: gap [${i},${r},${j}] written`);
                      continue;
                    }
                    const tol = 2 * (k + 2) * p.eps * (k + 1);
                    if (!(Math.abs(got[idx]! - want[idx]!) <= tol)) assert.fail(`${p.name} bmm ${label} batch=${batch} m=${m} n=${n} k=${k} ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} beta=${beta}: [${i},${r},${j}] ${got[idx]} vs ${want[idx]}`);
                  }
                }
              }
            }
          }
        }
      }
    });
  }
  assert.throws(() => nnN.bmm(false, false, 2, 2, 2, 2, new Float32Array(7), 4, 2, new Float32Array(8), 4, 2, 0, new Float32Array(8), 4, 2), /bmm: a has 7 entries, needs 8/);
  assert.throws(() => nnN.bmm(false, false, 1, 2, 2, 3, new Float32Array(6), 6, 2, new Float32Array(6), 6, 2, 0, new Float32Array(4), 4, 2), /bmm: lda = 2 is smaller than A's 3 columns/);
  assert.throws(() => nnN.mulAcc(3, new Float32Array(3), null, new Float64Array(3)), /share a precision|needs/);
});

// ---------------------------------------------------------------------------------------------
// Decompositions: native against the TypeScript ones.

function randomSym(rng: Random, n: number): Matrix {
  const a = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.data[i * n + j] = a.data[j * n + i] = rng.uniformIn(-1, 1);
  return a;
}

function withBackend<T>(name: 'native' | 'ts', f: () => T): T {
  const before = backendName();
  setBackend(name);
  try {
    return f();
  } finally {
    setBackend(before);
  }
}

/** max |x − y| / max |y| over columns matched up to sign (eigen/singular vectors are unique up to sign). */
function colDiff(x: Matrix, y: Matrix): number {
  let top = 0, diff = 0;
  for (let k = 0; k < y.cols; k++) {
    let dot = 0;
    for (let i = 0; i < y.rows; i++) dot += x.data[i * x.cols + k]! * y.data[i * y.cols + k]!;
    const s = dot < 0 ? -1 : 1;
    for (let i = 0; i < y.rows; i++) {
      top = Math.max(top, Math.abs(y.data[i * y.cols + k]!));
      diff = Math.max(diff, Math.abs(s * x.data[i * x.cols + k]! - y.data[i * y.cols + k]!));
    }
  }
  return top === 0 ? diff : diff / top;
}

function relDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let top = 0, diff = 0;
  for (let i = 0; i < y.length; i++) {
    top = Math.max(top, Math.abs(y[i]!));
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
  }
  return top === 0 ? diff : diff / top;
}

test('eigh: native = TypeScript to 1e-10, A V = V Λ and VᵀV = I to 1e-12', { skip }, () => {
  const rng = new Random(1461);
  for (const n of [1, 2, 3, 5, 17, 64, 120]) {
    const a = randomSym(rng, n);
    const nat = withBackend('native', () => eigh(a));
    const ts = withBackend('ts', () => eigh(a));
    assert.ok(relDiff(nat.values, ts.values) < 1e-10, `n=${n}: eigenvalues differ by ${relDiff(nat.values, ts.values)}`);
    assert.ok(colDiff(nat.vectors, ts.vectors) < 1e-10, `n=${n}: eigenvectors differ by ${colDiff(nat.vectors, ts.vectors)}`);
    const V = nat.vectors;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        let av = 0, vtv = 0;
        for (let j = 0; j < n; j++) {
          av += a.data[i * n + j]! * V.data[j * n + k]!;
          vtv += V.data[j * n + i]! * V.data[j * n + k]!;
        }
        assert.ok(Math.abs(av - nat.values[k]! * V.data[i * n + k]!) < 1e-12 * n, `n=${n}: residual (A V − V Λ)[${i},${k}]`);
        assert.ok(Math.abs(vtv - (i === k ? 1 : 0)) < 1e-12 * n, `n=${n}: (VᵀV)[${i},${k}] = ${vtv}`);
      }
    }
  }
  // A repeated eigenvalue (identity block) and a zero matrix take the same paths.
  const rep = Matrix.identity(6);
  rep.data[0] = 3;
  assert.deepEqual(Array.from(withBackend('native', () => eigh(rep)).values), [1, 1, 1, 1, 1, 3]);
});

test('svd: native = TypeScript to 1e-10 (tall, wide, ill-conditioned), U diag(s) Vᵀ = A, orthonormal U, V', { skip }, () => {
  const rng = new Random(1471);
  for (const [m, n, cond] of [[1, 1, 1], [7, 3, 1], [3, 7, 1], [200, 28, 1], [60, 20, 1e10]] as const) {
    const a = Matrix.zeros(m, n);
    for (let i = 0; i < a.data.length; i++) a.data[i] = rng.uniformIn(-1, 1);
    if (cond > 1) for (let i = 0; i < m; i++) a.data[i * n + n - 1] = a.data[i * n]! + a.data[i * n + n - 1]! / cond;
    const nat = withBackend('native', () => svd(a));
    const ts = withBackend('ts', () => svd(a));
    const r = Math.min(m, n);
    assert.ok(relDiff(nat.s, ts.s) < 1e-10, `${m}×${n}: singular values differ by ${relDiff(nat.s, ts.s)}`);
    if (cond === 1) {
      assert.ok(colDiff(nat.U, ts.U) < 1e-10, `${m}×${n}: U differs by ${colDiff(nat.U, ts.U)}`);
      assert.ok(colDiff(nat.V, ts.V) < 1e-10, `${m}×${n}: V differs by ${colDiff(nat.V, ts.V)}`);
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (let k = 0; k < r; k++) v += nat.U.data[i * r + k]! * nat.s[k]! * nat.V.data[j * r + k]!;
        assert.ok(Math.abs(v - a.data[i * n + j]!) < 1e-12 * Math.max(m, n), `${m}×${n}: reconstruction at ${i},${j}`);
      }
    }
    for (const Q of [nat.U, nat.V]) {
      for (let p = 0; p < r; p++) {
        for (let q = 0; q < r; q++) {
          let d = 0;
          for (let i = 0; i < Q.rows; i++) d += Q.data[i * r + p]! * Q.data[i * r + q]!;
          assert.ok(Math.abs(d - (p === q ? 1 : 0)) < 1e-10, `${m}×${n}: orthonormality ${p},${q}: ${d}`);
        }
      }
    }
  }
  // An exactly rank-deficient A (a zero singular value) completes U in TypeScript.
  const z = Matrix.zeros(5, 3);
  for (let i = 0; i < 5; i++) { z.data[i * 3] = i + 1; z.data[i * 3 + 1] = 2 * (i + 1); }
  const d = withBackend('native', () => svd(z));
  assert.equal(d.s[2], 0);
  let norm = 0;
  for (let i = 0; i < 5; i++) norm += d.U.data[i * 3 + 2]! ** 2;
  assert.ok(Math.abs(norm - 1) < 1e-12);
});

// The hard cases of test/linalg/decomp.test.ts (issue 9): graded columns, graded Gram matrices with
// subnormal entries, and 42×19 matrices at κ = 1e12 with graded, clustered, tiny and rank-deficient
// spectra. Values agree to 1e-10 of the largest. Vectors are compared as spectral projectors of
// groups of (relatively) separated values, to 1e-10 or to what perturbation theory allows where the
// problem itself is ill-determined: sin Θ ≤ ‖E‖/gap (Wedin 1972; Davis & Kahan 1970) with ‖E‖ the
// rounding-level backward error, bounded here by 50ε·‖A‖. (A clustered pair 1e-13 apart, or σ ≈ 1e-15
// next to σ ≈ 2e-15, has vectors that a one-ulp change of A moves by O(1): the TypeScript SVD of A and
// of A with every entry perturbed by one ulp differ exactly as much as native and TypeScript do.)
// Where Jacobi is relatively accurate (columns graded by scaling) the check is per value and per vector.

/** Index groups [start, end) of values sorted by magnitude order, split where neighbours differ by > 1e-3 relative. */
function valueGroups(v: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let k = 1; k <= v.length; k++) {
    if (k === v.length || Math.abs(v[k]! - v[k - 1]!) > 1e-3 * Math.max(Math.abs(v[k]!), Math.abs(v[k - 1]!))) {
      out.push([start, k]);
      start = k;
    }
  }
  return out;
}

/** max |P_x − P_y| for the projectors onto columns [g0, g1) of x and y. */
function projectorDiff(x: Matrix, y: Matrix, g0: number, g1: number): number {
  let diff = 0;
  for (let i = 0; i < y.rows; i++) {
    for (let j = 0; j < y.rows; j++) {
      let px = 0, py = 0;
      for (let k = g0; k < g1; k++) {
        px += x.data[i * x.cols + k]! * x.data[j * x.cols + k]!;
        py += y.data[i * y.cols + k]! * y.data[j * y.cols + k]!;
      }
      diff = Math.max(diff, Math.abs(px - py));
    }
  }
  return diff;
}

/** Projectors of every value group agree to max(1e-10, 50ε·top/gap); gap to the other values and to 0 (a complement). */
function checkSubspaces(label: string, values: ArrayLike<number>, top: number, pairs: [string, Matrix, Matrix][], withZero: boolean): void {
  for (const [g0, g1] of valueGroups(values)) {
    let gap = Infinity;
    for (let k = g0; k < g1; k++) {
      for (let j = 0; j < values.length; j++) if (j < g0 || j >= g1) gap = Math.min(gap, Math.abs(values[k]! - values[j]!));
      if (withZero) gap = Math.min(gap, Math.abs(values[k]!));
    }
    const bound = Math.max(1e-10, (50 * 2.220446049250313e-16 * top) / gap);
    for (const [name, x, y] of pairs) {
      const d = projectorDiff(x, y, g0, g1);
      assert.ok(d < bound, `${label}: ${name} projector of values ${g0}..${g1 - 1} differs by ${d} (bound ${bound})`);
    }
  }
}

test('eigh/SVD on the graded, clustered, tiny, rank-deficient and κ = 1e12 cases (issue 9): native = TypeScript', { skip }, () => {
  const rng = new Random(1477);
  const gaussian = (m: number, n: number): Matrix => new Matrix(m, n, rng.normals(m * n));
  const withSingularValues = (m: number, n: number, s: number[]): Matrix =>
    svdReconstruct({ U: svdML(gaussian(m, s.length)).U, s: Float64Array.from(s), V: svdML(gaussian(n, s.length)).U });
  const graded = (step: number): Matrix => {
    const a = gaussian(42, 19);
    for (let i = 0; i < 42; i++) for (let j = 0; j < 19; j++) a.data[i * 19 + j]! *= Math.pow(10, -step * j);
    return a;
  };
  const n = 19;
  const spectra: Record<string, number[]> = {
    'κ=1e12 graded': Array.from({ length: n }, (_, i) => Math.pow(1e12, -i / (n - 1))),
    clustered: Array.from({ length: n }, (_, i) => (i < 9 ? 1 + 1e-13 * i : 1e-12 * (1 + 1e-13 * i))),
    tiny: Array.from({ length: n }, (_, i) => (i < 3 ? 1 : 1e-15 * (i + 1))),
    'rank-deficient': Array.from({ length: n }, (_, i) => (i < 5 ? 1 / (i + 1) : 0)),
  };
  const cases: [string, Matrix, boolean][] = [];
  for (const [label, s] of Object.entries(spectra)) {
    const a = withSingularValues(42, n, s);
    cases.push([`42×19 ${label}`, a, false], [`19×42 ${label}`, a.transpose(), false]);
  }
  for (const step of [5, 10, 20]) {
    const a = graded(step);
    cases.push([`columns 10^(-${step}j)`, a, true], [`rows 10^(-${step}j)`, a.transpose(), true]);
  }
  // The addon's entry points (nativeDecomp() is null unless the native backend is active).
  const decomp = withBackend('native', () => nativeDecomp());
  assert.ok(decomp !== null);
  let nativePath = 0;
  for (const [label, a, relative] of cases) {
    const nat = withBackend('native', () => svd(a));
    const ts = withBackend('ts', () => svd(a));
    assert.ok(relDiff(nat.s, ts.s) < 1e-10, `${label}: singular values differ by ${relDiff(nat.s, ts.s)}`);
    // The native code finishes the SVD itself unless a singular value is exactly 0 (U is then
    // completed in TypeScript): it must not bail out on graded input.
    const r = Math.min(a.rows, a.cols);
    const code = decomp.svd(a.rows, a.cols, a.data as Float64Array, new Float64Array(a.rows * r), new Float64Array(r), new Float64Array(a.cols * r));
    if (ts.s.every((v) => v > 0)) {
      assert.ok(code > 0, `${label}: native SVD returned code ${code}`);
      nativePath++;
    } else assert.equal(code, -2, `${label}: an exactly zero singular value goes to TypeScript`);
    if (relative) {
      for (let k = 0; k < r; k++) {
        const e = ts.s[k] === 0 ? nat.s[k]! : Math.abs(nat.s[k]! - ts.s[k]!) / ts.s[k]!;
        assert.ok(e < 1e-12, `${label}: σ${k} ${nat.s[k]} vs ${ts.s[k]}`);
      }
      assert.ok(colDiff(nat.U, ts.U) < 1e-11, `${label}: U differs by ${colDiff(nat.U, ts.U)}`);
      assert.ok(colDiff(nat.V, ts.V) < 1e-11, `${label}: V differs by ${colDiff(nat.V, ts.V)}`);
    }
    checkSubspaces(label, ts.s, ts.s[0]!, [['U', nat.U, ts.U], ['V', nat.V, ts.V]], true);
  }
  assert.ok(nativePath >= 12, `only ${nativePath} SVDs ran natively`);
  // eigh: the Gram matrices of the graded sets (entries down to subnormal and 0), and κ = 1e12.
  const Q = svdML(gaussian(30, 30)).U;
  const ecases: [string, Matrix][] = [
    ...[5, 10, 20].map((step): [string, Matrix] => {
      const a = graded(step);
      const g = Matrix.zeros(19, 19);
      ref.dgram(42, 19, 1, a.data as Float64Array, 19, 0, g.data as Float64Array, 19);
      return [`Gram of columns 10^(-${step}j)`, g];
    }),
    ['κ=1e12 30×30', svdReconstruct({ U: Q, s: Float64Array.from({ length: 30 }, (_, i) => Math.pow(1e12, -i / 29)), V: Q })],
  ];
  for (const [label, a] of ecases) {
    const code = decomp.eigh(a.rows, a.data as Float64Array, new Float64Array(a.rows), new Float64Array(a.rows * a.rows));
    assert.equal(code, 0, `${label}: native eigh returned code ${code}`);
    const nat = withBackend('native', () => eigh(a));
    const ts = withBackend('ts', () => eigh(a));
    assert.ok(relDiff(nat.values, ts.values) < 1e-10, `${label}: eigenvalues differ by ${relDiff(nat.values, ts.values)}`);
    const top = Math.max(...Array.from(ts.values, Math.abs));
    checkSubspaces(label, ts.values, top, [['V', nat.vectors, ts.vectors]], false);
  }
});

test('cholesky: native = TypeScript to 1e-10, L Lᵀ = A, and the same error naming the failing pivot', { skip }, () => {
  const rng = new Random(1481);
  // 150 > the 64-column block: the trailing updates go through GEMM.
  for (const n of [1, 2, 9, 50, 150]) {
    const g = Matrix.zeros(n, n);
    const x = Matrix.zeros(n + 10, n);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rng.uniformIn(-1, 1);
    ref.dgram(n + 10, n, 1, x.data as Float64Array, n, 0, g.data as Float64Array, n);
    const L = withBackend('native', () => cholesky(g));
    const Lt = withBackend('ts', () => cholesky(g));
    assert.ok(relDiff(L.data, Lt.data) < 1e-10, `n=${n}: ${relDiff(L.data, Lt.data)}`);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += L.data[i * n + k]! * L.data[j * n + k]!;
        assert.ok(Math.abs(s - g.data[i * n + j]!) < 1e-12 * n * n, `n=${n}: (L Lᵀ − A)[${i},${j}] = ${s - g.data[i * n + j]!}`);
        if (j > i) assert.equal(L.data[i * n + j], 0);
      }
    }
  }
  // A failing pivot in a later block (index 100 of 130) gives the same message too.
  const late = Matrix.identity(130);
  late.data[100 * 130 + 100] = -1;
  const lateMsg = (name: 'native' | 'ts'): string => {
    try {
      withBackend(name, () => cholesky(late));
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.equal(lateMsg('native'), lateMsg('ts'));
  assert.match(lateMsg('native'), /pivot 101 of 130 is -1/);
  const bad = new Matrix(2, 2, new Float64Array([1, 2, 2, 1]));
  const msg = (name: 'native' | 'ts'): string => {
    try {
      withBackend(name, () => cholesky(bad));
    } catch (e) {
      assert.ok(e instanceof NumericError);
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.equal(msg('native'), msg('ts'));
  assert.match(msg('native'), /pivot 2 of 2 is -3/);
});

// ---------------------------------------------------------------------------------------------
// A whole fit across backends, and backend selection in a child process.

function dataset(seed: number): MultiTaskDataset {
  const { problem } = synthProblem({ T: 4, d: 12, n: [40, 50, 45, 60], loss: 'squared', seed });
  return {
    layout: 'per-task',
    kind: 'regression',
    featureNames: Array.from({ length: 12 }, (_, i) => `f${i}`),
    tasks: problem.tasks.map((t) => ({ name: t.name, X: t.X, y: t.y, rows: Int32Array.from(t.y, (_, i) => i) })),
    source: 'synthetic',
  };
}

test('a linear fit (trace norm: SVD each step; MTRL: eigh each step) agrees across native, wasm and ts to 1e-9', { skip }, () => {
  const ds = dataset(1491);
  const others = availableBackends().filter((b) => b !== 'native');
  for (const [model, opts] of [['trace', { lambda: 0.5 }], ['mtrl', { lambda1: 0.1, lambda2: 0.1 }]] as const) {
    const fitWith = (b: 'native' | 'wasm' | 'ts'): Matrix => {
      const before = backendName();
      setBackend(b);
      try {
        return new MTLEstimator(model, { ...opts, tol: 1e-12, maxIter: 5000 }).fit(ds).W;
      } finally {
        setBackend(before);
      }
    };
    const wn = fitWith('native');
    for (const b of others) {
      const wb = fitWith(b);
      const d = relDiff(wn.data, wb.data);
      assert.ok(d < 1e-9, `${model}: native vs ${b} differ by ${d}`);
    }
  }
});

test('POLYTASK_BACKEND=native / POLYTASK_THREADS=1 in a child process', { skip }, () => {
  const script = "import('./src/linalg/backend.ts').then((b) => console.log(JSON.stringify(b.backendInfo())))";
  const out = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    env: { ...process.env, POLYTASK_BACKEND: 'native', POLYTASK_THREADS: '1' }, encoding: 'utf8',
  }).stdout.trim();
  const info = JSON.parse(out) as { name: string; reason: string };
  assert.equal(info.name, 'native');
  assert.match(info.reason, /POLYTASK_BACKEND=native; native (avx512|avx2\+fma) kernels, 1 thread /);
});

test('a worker thread started with POLYTASK_THREADS=1 (as compare\'s pool does) uses 1 thread; the main thread keeps its own count', { skip }, async () => {
  nativeLoad.setThreads(2);
  try {
    const worker = new Worker(new URL('../../../src/eval/worker-entry.mjs', import.meta.url), {
      workerData: { module: fileURLToPath(new URL('./native-worker.fixture.ts', import.meta.url)) },
      env: { ...process.env, POLYTASK_THREADS: '1' },
    });
    // The main thread computes a split GEMM at the same time (the pool is shared by the process).
    const rng = new Random(1511);
    gemmCase(rng, F64, direct, 200, 190, 180, false, false, 1, 0, 0);
    const msg = await new Promise<{ threads: number; err: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.equal(msg.threads, 1);
    assert.ok(msg.err < 1e-10, `worker GEMM error ${msg.err}`);
    assert.equal(nativeLoad.threads(), 2, 'the worker\'s setting must not leak into the main thread');
  } finally {
    nativeLoad.setThreads(0);
  }
});

test('nn kernels: conv2d, conv2dGrad, maxPool, maxPoolGrad = reference on random geometries (stride, padding, vector tails), f32 and f64', { skip }, () => {
  const rng = new Random(1503);
  const nnN = direct.nn, nnR = ref.nn;
  for (const p of [F64, F32]) {
    const tol = p.name === 'f64' ? 1e-12 : 2e-5; // summation order differs (blocked vector sums vs the reference's loops)
    const close = (got: FloatArray, want: FloatArray, what: string): void => {
      let scale = 1;
      for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
      for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i]! - want[i]!) <= tol * scale)) assert.fail(`${p.name} ${what}: [${i}] ${got[i]} vs ${want[i]}`);
    };
    const rand = (n: number): FloatArray => randomStrided(rng, p, 1, n, n);
    for (const [N, C, H, W, O, kh, kw, stride, pad] of [[2, 1, 36, 36, 10, 5, 5, 1, 0], [3, 10, 16, 16, 20, 5, 5, 1, 0], [2, 3, 9, 7, 5, 3, 2, 2, 1], [1, 2, 5, 6, 9, 3, 3, 1, 2], [4, 1, 3, 3, 1, 1, 1, 1, 0]] as const) {
      const Ho = Math.floor((H + 2 * pad - kh) / stride) + 1, Wo = Math.floor((W + 2 * pad - kw) / stride) + 1, P = Ho * Wo, K = C * kh * kw;
      const x = rand(N * C * H * W), w = rand(O * K), b = rand(O);
      const c1 = new p.Arr(N * K * P), c2 = new p.Arr(N * K * P), y1 = new p.Arr(N * O * P).fill(NaN), y2 = y1.slice();
      nnR.conv2d(N, C, H, W, O, kh, kw, stride, pad, x, w, b, c1, y1);
      nnN.conv2d(N, C, H, W, O, kh, kw, stride, pad, x, w, b, c2, y2);
      assert.deepEqual(c2, c1, `${p.name} conv2d cols`);
      close(y2, y1, `conv2d y ${N}/${C}/${H}×${W}/${O}`);
      const go = rand(N * O * P);
      const g1 = [rand(O * K), rand(O), rand(N * C * H * W)], g2 = g1.map((a) => a.slice());
      nnR.conv2dGrad(N, C, H, W, O, kh, kw, stride, pad, c1, w, go, g1[0]!, g1[1]!, g1[2]!, new p.Arr(K * P));
      nnN.conv2dGrad(N, C, H, W, O, kh, kw, stride, pad, c2, w, go, g2[0]!, g2[1]!, g2[2]!, new p.Arr(K * P));
      ['gw', 'gb', 'gx'].forEach((what, i) => close(g2[i]!, g1[i]!, `conv2dGrad ${what} ${N}/${C}/${H}×${W}/${O}`));
      // each gradient alone (the others null) accumulates the same
      const gw = rand(O * K), gw2 = gw.slice();
      nnR.conv2dGrad(N, C, H, W, O, kh, kw, stride, pad, c1, w, go, gw, null, null, null);
      nnN.conv2dGrad(N, C, H, W, O, kh, kw, stride, pad, c2, w, go, gw2, null, null, null);
      close(gw2, gw, 'conv2dGrad gw alone');
    }
    for (const [NC, H, W, k, s] of [[6, 32, 32, 2, 2], [5, 7, 9, 2, 2], [3, 8, 7, 3, 2], [2, 5, 5, 2, 1]] as const) {
      const x = rand(NC * H * W);
      x[3] = x[2]!; // a tie: the first maximum wins on both
      const n = NC * (Math.floor((H - k) / s) + 1) * (Math.floor((W - k) / s) + 1);
      const y1 = new p.Arr(n), y2 = new p.Arr(n), a1 = new Int32Array(n), a2 = new Int32Array(n);
      nnR.maxPool(NC, H, W, k, s, x, y1, a1);
      nnN.maxPool(NC, H, W, k, s, x, y2, a2);
      assert.deepEqual(y2, y1);
      assert.deepEqual(a2, a1);
      const go = rand(n), gx1 = rand(NC * H * W), gx2 = gx1.slice();
      nnR.maxPoolGrad(n, a1, go, gx1);
      nnN.maxPoolGrad(n, a2, go, gx2);
      assert.deepEqual(gx2, gx1);
    }
  }
  assert.throws(() => nnN.maxPoolGrad(1, Int32Array.from([5]), new Float32Array(1), new Float32Array(3)), /index|outside|range/);
  assert.throws(() => nnN.conv2d(1, 1, 4, 4, 1, 5, 5, 1, 0, new Float32Array(16), new Float32Array(25), null, new Float32Array(25), new Float32Array(1)), ShapeError);
});
