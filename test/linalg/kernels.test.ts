// The WebAssembly SIMD kernels against the TypeScript reference on many seeded random shapes,
// including empty, 1-sized, odd and non-multiple-of-tile dimensions, every transpose combination,
// padded leading dimensions (strided sub-matrices), alpha/beta variants and beta = 0 over NaN.
// Tolerance: 2·(k+2)·eps·(|alpha|·(|A|·|B|)_ij + |beta|·|C_ij|), the standard forward error bound
// of a k-term dot product (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.,
// eq. 3.12), doubled because both implementations round.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { ShapeError, OptionError } from '../../src/errors.ts';
import { Random } from '../../src/linalg/random.ts';
import { referenceKernels as ref } from '../../src/linalg/kernels/reference.ts';
import { loadWasmKernels, pinMatrix, wasmLoad, SMALL_GEMM_WORK, setThreads, workerChunkCount, THREAD_CHUNK_ROWS } from '../../src/linalg/kernels/wasm.ts';
import { threadsFromEnv, THREADS_ENV } from '../../src/linalg/kernels/threads.ts';
import { selectBackend, BACKEND_ENV } from '../../src/linalg/backend.ts';
import type { BackendName, Kernels } from '../../src/linalg/kernels/types.ts';
import type { FloatArray } from '../../src/linalg/matrix.ts';

const loaded = wasmLoad.direct !== null;
const direct = wasmLoad.direct as Kernels;
const wasm = wasmLoad.kernels as Kernels;
const SENTINEL = 12345.5;

test('build/kernels.wasm is built and loads (run npm run build:wasm otherwise)', () => {
  assert.ok(loaded, wasmLoad.reason);
  assert.equal(direct.name, 'wasm');
});

type Ctor = { new (n: number): FloatArray };
interface Prec { name: 'f64' | 'f32'; Arr: Ctor; eps: number }
const F64: Prec = { name: 'f64', Arr: Float64Array, eps: 2 ** -52 };
const F32: Prec = { name: 'f32', Arr: Float32Array, eps: 2 ** -23 };

/** rows×cols stored with leading dimension ld ≥ cols; the gaps hold SENTINEL. */
function randomStrided(rng: Random, p: Prec, rows: number, cols: number, ld: number): FloatArray {
  const a = new p.Arr(Math.max(0, rows * ld));
  a.fill(SENTINEL);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[i * ld + j] = rng.uniformIn(-1, 1);
  return a;
}

function abs(a: FloatArray): FloatArray {
  return a.map(Math.abs);
}

function gemmOf(p: Prec, k: Kernels): Kernels['dgemm'] {
  return (p.name === 'f64' ? k.dgemm : k.sgemm) as unknown as Kernels['dgemm'];
}

const DIMS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 31, 64, 67];

function gemmCase(rng: Random, p: Prec, kern: Kernels, m: number, n: number, k: number, transA: boolean, transB: boolean,
  alpha: number, beta: number, pad: number): void {
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  const lda = ac + pad, ldb = bc + pad, ldc = n + pad;
  const a = randomStrided(rng, p, ar, ac, lda);
  const b = randomStrided(rng, p, br, bc, ldb);
  const c0 = randomStrided(rng, p, m, n, ldc);
  if (beta === 0) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c0[i * ldc + j] = NaN; // must be ignored
  const want = c0.slice();
  const got = c0.slice();
  gemmOf(p, ref)(transA, transB, m, n, k, alpha, a as Float64Array, lda, b as Float64Array, ldb, beta, want as Float64Array, ldc);
  gemmOf(p, kern)(transA, transB, m, n, k, alpha, a as Float64Array, lda, b as Float64Array, ldb, beta, got as Float64Array, ldc);
  // Elementwise bound from |A|·|B| (the gaps hold SENTINEL, which the reference never reads).
  const bound = new p.Arr(Math.max(0, m * ldc));
  gemmOf(p, ref)(transA, transB, m, n, k, Math.abs(alpha), abs(a) as Float64Array, lda, abs(b) as Float64Array, ldb, 0, bound as Float64Array, ldc);
  const what = `${p.name} m=${m} n=${n} k=${k} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} alpha=${alpha} beta=${beta} pad=${pad}`;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const idx = i * ldc + j;
      const cOld = beta === 0 ? 0 : Math.abs(c0[idx]!);
      const tol = 2 * (k + 2) * p.eps * (bound[idx]! + Math.abs(beta) * cOld) + 1e-300;
      assert.ok(Number.isFinite(got[idx]!), `${what}: C[${i},${j}] = ${got[idx]} is not finite`);
      assert.ok(Math.abs(got[idx]! - want[idx]!) <= tol, `${what}: C[${i},${j}] = ${got[idx]}, reference ${want[idx]} (tol ${tol})`);
    }
    for (let j = n; j < ldc && i < m - 1; j++) assert.equal(got[i * ldc + j], SENTINEL, `${what}: gap entry C[${i}, ${j}] was overwritten`);
  }
}

for (const p of [F64, F32]) {
  test(`${p.name} gemm: SIMD kernels agree with the reference on random shapes, transposes, strides, alpha/beta`, { skip: !loaded }, () => {
    const rng = new Random(p.name === 'f64' ? 11 : 12);
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (let rep = 0; rep < 40; rep++) {
          gemmCase(rng, p, direct, pick(DIMS), pick(DIMS), pick(DIMS), transA, transB,
            pick([1, -0.5, 2.5, 0]), pick([0, 0, 1, 0.3]), pick([0, 0, 1, 3]));
        }
      }
    }
  });

  test(`${p.name} gemm: shapes crossing every cache block (MC=128, KC=256, NC=2048)`, { skip: !loaded }, () => {
    const rng = new Random(21);
    gemmCase(rng, p, direct, 133, 29, 300, false, false, 1, 0, 0);
    gemmCase(rng, p, direct, 130, 37, 261, true, true, -1, 0.5, 2);
    gemmCase(rng, p, direct, 6, 2053, 5, false, true, 1.5, 1, 1);
    gemmCase(rng, p, direct, 5, 2050, 3, true, false, 1, 0, 0);
  });

  test(`${p.name} gemm through the registered backend (small sizes take the reference path)`, { skip: !loaded }, () => {
    const rng = new Random(31);
    gemmCase(rng, p, wasm, 3, 4, 5, false, false, 1, 0, 0); // below SMALL_GEMM_WORK
    gemmCase(rng, p, wasm, 40, 33, 21, true, false, 1, 0.5, 1); // above
    assert.ok(3 * 4 * 5 < SMALL_GEMM_WORK && 40 * 33 * 21 >= SMALL_GEMM_WORK);
  });

  test(`${p.name} gemv: both orientations, strides, alpha/beta, beta = 0 over NaN`, { skip: !loaded }, () => {
    const rng = new Random(p.name === 'f64' ? 41 : 42);
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
    const dims = [0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 33, 100];
    for (const kern of [direct, wasm]) {
      for (let rep = 0; rep < 120; rep++) {
        const trans = rep % 2 === 1;
        const m = pick(dims), n = pick(dims), pad = pick([0, 0, 2]);
        const alpha = pick([1, -2, 0.5, 0]), beta = pick([0, 0, 1, -0.25]);
        const lda = n + pad;
        const a = randomStrided(rng, p, m, n, lda);
        const xlen = trans ? m : n, ylen = trans ? n : m;
        const x = randomStrided(rng, p, 1, xlen, xlen);
        const y0 = randomStrided(rng, p, 1, ylen, ylen);
        if (beta === 0) y0.fill(NaN);
        const want = y0.slice(), got = y0.slice();
        const gv = (p.name === 'f64' ? ref.dgemv : ref.sgemv) as unknown as Kernels['dgemv'];
        const kv = (p.name === 'f64' ? kern.dgemv : kern.sgemv) as unknown as Kernels['dgemv'];
        gv(trans, m, n, alpha, a as Float64Array, lda, x as Float64Array, beta, want as Float64Array);
        kv(trans, m, n, alpha, a as Float64Array, lda, x as Float64Array, beta, got as Float64Array);
        const bound = new p.Arr(ylen);
        gv(trans, m, n, Math.abs(alpha), abs(a) as Float64Array, lda, abs(x) as Float64Array, 0, bound as Float64Array);
        const kk = trans ? m : n;
        for (let i = 0; i < ylen; i++) {
          const tol = 2 * (kk + 2) * p.eps * (bound[i]! + (beta === 0 ? 0 : Math.abs(beta * y0[i]!))) + 1e-300;
          assert.ok(Math.abs(got[i]! - want[i]!) <= tol,
            `${p.name} gemv ${trans ? 'T' : 'N'} m=${m} n=${n} lda=${lda} alpha=${alpha} beta=${beta}: y[${i}] = ${got[i]}, reference ${want[i]}`);
        }
      }
    }
  });

  test(`${p.name} gram: XᵀX agrees with the reference, is exactly symmetric, leaves gaps alone`, { skip: !loaded }, () => {
    const rng = new Random(p.name === 'f64' ? 51 : 52);
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
    const gr = (p.name === 'f64' ? ref.dgram : ref.sgram) as unknown as Kernels['dgram'];
    for (const kern of [direct, wasm]) {
      const kg = (p.name === 'f64' ? kern.dgram : kern.sgram) as unknown as Kernels['dgram'];
      for (let rep = 0; rep < 40; rep++) {
        const n = pick([0, 1, 2, 5, 9, 64, 257, 300]), d = pick([0, 1, 2, 3, 5, 8, 9, 17, 28, 67]);
        const pad = pick([0, 0, 3]), alpha = pick([1, 0.5, -1, 0]), beta = pick([0, 0, 1, 2]);
        const ldx = d + pad, ldc = d + pad;
        const x = randomStrided(rng, p, n, d, ldx);
        // A symmetric starting C, so that beta·C is symmetric and the mirrored result is well defined.
        const c0 = randomStrided(rng, p, d, d, ldc);
        for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) c0[i * ldc + j] = beta === 0 ? NaN : c0[j * ldc + i]!;
        if (beta === 0) for (let i = 0; i < d; i++) c0[i * ldc + i] = NaN;
        const want = c0.slice(), got = c0.slice();
        gr(n, d, alpha, x as Float64Array, ldx, beta, want as Float64Array, ldc);
        kg(n, d, alpha, x as Float64Array, ldx, beta, got as Float64Array, ldc);
        const bound = new p.Arr(d * ldc);
        gr(n, d, Math.abs(alpha), abs(x) as Float64Array, ldx, 0, bound as Float64Array, ldc);
        const what = `${p.name} gram n=${n} d=${d} pad=${pad} alpha=${alpha} beta=${beta}`;
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            const idx = i * ldc + j;
            const tol = 2 * (n + 2) * p.eps * (bound[idx]! + (beta === 0 ? 0 : Math.abs(beta * c0[idx]!))) + 1e-300;
            assert.ok(Math.abs(got[idx]! - want[idx]!) <= tol, `${what}: C[${i},${j}] = ${got[idx]}, reference ${want[idx]}`);
            assert.equal(got[idx], got[j * ldc + i], `${what}: C[${i},${j}] ≠ C[${j},${i}]`);
          }
          for (let j = d; j < ldc && i < d - 1; j++) assert.equal(got[i * ldc + j], SENTINEL, `${what}: gap C[${i},${j}] overwritten`);
        }
      }
    }
  });
}

test('gram with d = 520 > 512 takes the packed GEMM driver (upper tiles only) and agrees with the reference', { skip: !loaded }, () => {
  const rng = new Random(71);
  for (const p of [F64, F32]) {
    const n = 7, d = 520;
    const x = randomStrided(rng, p, n, d, d);
    const want = new p.Arr(d * d), got = new p.Arr(d * d).fill(NaN);
    ((p.name === 'f64' ? ref.dgram : ref.sgram) as unknown as Kernels['dgram'])(n, d, 1, x as Float64Array, d, 0, want as Float64Array, d);
    ((p.name === 'f64' ? direct.dgram : direct.sgram) as unknown as Kernels['dgram'])(n, d, 1, x as Float64Array, d, 0, got as Float64Array, d);
    let worst = 0;
    for (let i = 0; i < d * d; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    assert.ok(worst <= 2 * (n + 2) * p.eps * n, `${p.name} gram d=520: max error ${worst}`);
  }
});

test('gram over several row chunks of X (wasm.ts streams X in ~256 KiB pieces) accumulates beta once', { skip: !loaded }, () => {
  const rng = new Random(72);
  for (const p of [F64, F32]) {
    const n = 2000, d = 70, ldx = 73; // f64: 384-row chunks, f32: 896-row chunks
    const x = randomStrided(rng, p, n, d, ldx);
    const c0 = new p.Arr(d * d);
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) c0[i * d + j] = c0[j * d + i] = rng.uniformIn(-1, 1);
    const want = c0.slice(), got = c0.slice();
    ((p.name === 'f64' ? ref.dgram : ref.sgram) as unknown as Kernels['dgram'])(n, d, 0.5, x as Float64Array, ldx, 2, want as Float64Array, d);
    ((p.name === 'f64' ? direct.dgram : direct.sgram) as unknown as Kernels['dgram'])(n, d, 0.5, x as Float64Array, ldx, 2, got as Float64Array, d);
    for (let i = 0; i < d * d; i++) {
      const tol = 2 * (n + 2) * p.eps * (0.5 * n + 2);
      assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${p.name} chunked gram: C[${i}] = ${got[i]}, reference ${want[i]}`);
    }
  }
});

test('two-thread GEMM (main thread + worker, row chunks) agrees with the reference, and the worker takes part', { skip: !loaded }, async () => {
  const rng = new Random(81);
  setThreads(2, 0); // force the split even for these small products
  try {
    const before = workerChunkCount();
    // The worker starts asynchronously: until it is up, the main thread claims every chunk, which
    // must give the same result. Keep calling (each call checked) until the worker has done some.
    for (let call = 0; call < 400 && workerChunkCount() === before; call++) {
      const p = call % 2 === 0 ? F64 : F32;
      const m = 2 * THREAD_CHUNK_ROWS + (call % 5) * 13;
      gemmCase(rng, p, direct, m, 17 + (call % 3), 40, call % 4 >= 2, call % 3 === 1, 1.5, call % 2 === 0 ? 0 : 0.5, call % 2);
      if (call % 20 === 19) await new Promise((r) => setTimeout(r, 20)); // let the worker's start-up events run
    }
    assert.ok(workerChunkCount() > before, 'the worker thread never computed a chunk');
    for (const p of [F64, F32]) gemmCase(rng, p, direct, 300, 45, 70, true, true, -1, 0.25, 2);
  } finally {
    setThreads('auto');
  }
});

test('POLYTASK_THREADS: 1, 2 or more (split), or unset (auto); anything else names the variable', () => {
  assert.equal(threadsFromEnv(undefined), 'auto');
  assert.equal(threadsFromEnv(''), 'auto');
  assert.equal(threadsFromEnv('1'), 1);
  assert.equal(threadsFromEnv(' 2 '), 2);
  assert.equal(threadsFromEnv('4'), 2); // the native pool uses 4; the wasm split has one helper
  for (const bad of ['0', 'two', '1.5', '65']) {
    assert.throws(() => threadsFromEnv(bad), (e: unknown) =>
      e instanceof OptionError && e.option === THREADS_ENV && new RegExp(`POLYTASK_THREADS: "${bad}" is not a thread count`).test(e.message));
  }
});

test('gemm and gram reject a leading dimension below the width and too-short arrays (ShapeError)', { skip: !loaded }, () => {
  const a = new Float64Array(12), c = new Float64Array(9);
  assert.throws(() => direct.dgemm(false, false, 3, 3, 4, 1, a, 3, a, 3, 0, c, 3), (e: unknown) =>
    e instanceof ShapeError && /dgemm: leading dimension of A is 3, smaller than its 4 columns/.test(e.message));
  assert.throws(() => direct.dgemm(false, false, 3, 3, 4, 1, a, 4, new Float64Array(5), 3, 0, c, 3), (e: unknown) =>
    e instanceof ShapeError && /dgemm: B \(4×3, leading dimension 3\) needs 12 entries, has 5/.test(e.message));
  assert.throws(() => direct.sgram(4, 3, 1, new Float32Array(11), 3, 0, new Float32Array(9), 3), ShapeError);
  assert.throws(() => direct.dgemv(false, 3, 4, 1, a, 4, new Float64Array(3), 0, new Float64Array(3)), /dgemv: x has length 3, op\(A\) needs 4/);
});

test('a resident (pinned) matrix gives the same GEMV as the copying path, and survives memory growth', { skip: !loaded }, () => {
  const rng = new Random(61);
  const m = 37, n = 53;
  const a = randomStrided(rng, F64, m, n, n) as Float64Array;
  const x = randomStrided(rng, F64, 1, n, n) as Float64Array;
  const xt = randomStrided(rng, F64, 1, m, m) as Float64Array;
  const r = pinMatrix(a, m, n);
  const want = new Float64Array(m), got = new Float64Array(m);
  direct.dgemv(false, m, n, 1.5, a, n, x, 0, want);
  r.gemv(false, 1.5, x, 0, got);
  assert.deepEqual(got, want);
  // A large product in between grows the memory (detaching old views); the pinned copy must persist.
  const big = 700;
  const ab = new Float64Array(big * big).fill(1), cb = new Float64Array(big * big);
  direct.dgemm(false, false, big, big, big, 1, ab, big, ab, big, 0, cb, big);
  assert.equal(cb[big * big - 1], big);
  const wantT = new Float64Array(n), gotT = new Float64Array(n);
  direct.dgemv(true, m, n, -1, a, n, xt, 0, wantT);
  r.gemv(true, -1, xt, 0, gotT);
  assert.deepEqual(gotT, wantT);
  r.free();
  assert.throws(() => r.gemv(false, 1, x, 0, got), /freed/);
});

test('a missing or invalid kernels.wasm falls back (reason given), never throws', () => {
  const missing = loadWasmKernels(new URL('file:///nonexistent-polytask/kernels.wasm'));
  assert.equal(missing.kernels, null);
  assert.match(missing.reason, /not found \(run npm run build:wasm\)/);
  const dir = mkdtempSync(join(tmpdir(), 'polytask-wasm-'));
  const bad = join(dir, 'kernels.wasm');
  writeFileSync(bad, 'not wasm at all');
  const invalid = loadWasmKernels(pathToFileURL(bad));
  assert.equal(invalid.kernels, null);
  assert.match(invalid.reason, /is not a usable kernels module/);
});

test('selectBackend: POLYTASK_BACKEND chooses, bad values name the variable, default prefers native, then wasm', () => {
  const tsOnly = new Map<BackendName, Kernels>([['ts', ref]]);
  const fakeWasm: Kernels = { ...ref, name: 'wasm' };
  const both = new Map<BackendName, Kernels>([['ts', ref], ['wasm', fakeWasm]]);
  assert.equal(selectBackend(undefined, both, 'loaded').kernels.name, 'wasm');
  assert.equal(selectBackend('', both, 'loaded').kernels.name, 'wasm');
  assert.equal(selectBackend('ts', both, 'loaded').kernels.name, 'ts');
  assert.equal(selectBackend(' WASM ', both, 'loaded').kernels.name, 'wasm');
  const fallback = selectBackend(undefined, tsOnly, 'file missing');
  assert.equal(fallback.kernels.name, 'ts');
  assert.match(fallback.reason, /wasm unavailable: file missing/);
  assert.throws(() => selectBackend('gpu', both, 'loaded'), (e: unknown) =>
    e instanceof OptionError && e.option === BACKEND_ENV && /POLYTASK_BACKEND: "gpu" is not a backend; use native, wasm or ts/.test(e.message));
  assert.throws(() => selectBackend('wasm', tsOnly, 'file missing'), (e: unknown) =>
    e instanceof OptionError && /POLYTASK_BACKEND: wasm was requested but is not available: file missing/.test(e.message));
  const fakeNative: Kernels = { ...ref, name: 'native' };
  const all = new Map<BackendName, Kernels>([['ts', ref], ['wasm', fakeWasm], ['native', fakeNative]]);
  assert.equal(selectBackend(undefined, all, 'loaded', 'native loaded').kernels.name, 'native');
  assert.equal(selectBackend('wasm', all, 'loaded', 'native loaded').kernels.name, 'wasm');
  assert.equal(selectBackend('Native', all, 'loaded', 'native loaded').kernels.name, 'native');
  // Without the addon: wasm, and the reason says why native is not used (one line for --version).
  const noNative = selectBackend(undefined, both, 'wasm loaded', 'native addon not built (no compiler)');
  assert.equal(noNative.kernels.name, 'wasm');
  assert.match(noNative.reason, /wasm loaded — native addon not built \(no compiler\)/);
  assert.throws(() => selectBackend('native', both, 'loaded', 'this CPU lacks AVX2/FMA'), (e: unknown) =>
    e instanceof OptionError && /POLYTASK_BACKEND: native was requested but is not available: this CPU lacks AVX2\/FMA/.test(e.message));
});

test('POLYTASK_BACKEND in a child process selects the backend reported by backendInfo()', () => {
  const script = "import('./src/linalg/backend.ts').then((b) => { try { console.log(JSON.stringify(b.backendInfo())); } catch (e) { console.log('ERR ' + e.message); } })";
  const run = (value: string): string => spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    env: { ...process.env, [BACKEND_ENV]: value }, encoding: 'utf8',
  }).stdout.trim();
  assert.deepEqual(JSON.parse(run('ts')), { name: 'ts', reason: 'POLYTASK_BACKEND=ts' });
  assert.match(run('fast'), /^ERR POLYTASK_BACKEND: "fast" is not a backend/);
});
