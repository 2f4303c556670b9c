// The batched kernels (issue 15) against a loop of the plain per-task products they replace, on
// both backends, with ragged blocks (tasks of different sizes, an empty task) and alpha/beta cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.ts';
import { Random } from '../../src/linalg/random.ts';
import { referenceKernels as ref } from '../../src/linalg/kernels/reference.ts';
import { wasmLoad } from '../../src/linalg/kernels/wasm.ts';
import { nativeLoad } from '../../src/linalg/kernels/native.ts';
import { residentBlocks } from '../../src/linalg/batched.ts';
import { setBackend, availableBackends, backendName } from '../../src/linalg/backend.ts';

const restoreBackend = backendName();

const rnd = (rng: Random, n: number): Float64Array => Float64Array.from({ length: n }, () => rng.normal());

function close(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i]! - b[i]!) > 1e-12 * (1 + Math.abs(b[i]!))) assert.fail(`${what}: entry ${i}: ${a[i]} vs ${b[i]}`);
  }
}

/** Symmetric d×d blocks and the loop of dgemv calls the batched product must match. */
function symCase(rng: Random, T: number, d: number) {
  const a = new Float64Array(T * d * d);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      a[t * d * d + i * d + j] = v;
      a[t * d * d + j * d + i] = v;
    }
  }
  return { a, x: rnd(rng, T * d), y0: rnd(rng, T * d) };
}

const kernelSets = [
  { name: 'ts', k: ref },
  ...(wasmLoad.direct ? [{ name: 'wasm', k: wasmLoad.direct }] : []),
  ...(nativeLoad.direct?.dsymvBatched ? [{ name: 'native', k: nativeLoad.direct }] : []),
];
if (!nativeLoad.direct) console.log(`# batched kernels: native backend not tested (${nativeLoad.reason})`);

test('dsymvBatched equals a loop of per-block dgemv (both backends; alpha, beta = 0 overwrites NaN)', () => {
  const rng = new Random(3);
  for (const { name, k } of kernelSets) {
    for (const [T, d] of [[1, 1], [3, 5], [7, 50], [2, 0]] as const) {
      const { a, x, y0 } = symCase(rng, T, d);
      for (const [alpha, beta] of [[1, 0], [-0.5, 2]] as const) {
        const want = Float64Array.from(y0);
        for (let t = 0; t < T; t++) ref.dgemv(false, d, d, alpha, a.subarray(t * d * d), d, x.subarray(t * d), beta, want.subarray(t * d, (t + 1) * d));
        const got = beta === 0 ? new Float64Array(T * d).fill(NaN) : Float64Array.from(y0);
        k.dsymvBatched!(T, d, alpha, a, x, beta, got);
        close(got, want, `${name} dsymvBatched T=${T} d=${d} alpha=${alpha} beta=${beta}`);
      }
    }
  }
});

test('dgemvBatched (N and T) over ragged row-stacked blocks equals the per-task loop', () => {
  const rng = new Random(4);
  const sizes = [3, 0, 20, 1, 7];
  const offsets = new Int32Array(sizes.length + 1);
  sizes.forEach((s, t) => (offsets[t + 1] = offsets[t]! + s));
  const rows = offsets[sizes.length]!;
  for (const n of [1, 5, 50]) {
    const a = rnd(rng, rows * n);
    for (const { name, k } of kernelSets) {
      // N: r = A_t w_t − y_t (alpha 1, beta −1), the residual of the squared loss.
      const w = rnd(rng, sizes.length * n);
      const yv = rnd(rng, rows);
      const wantN = Float64Array.from(yv);
      sizes.forEach((s, t) => ref.dgemv(false, s, n, 1, a.subarray(offsets[t]! * n), n, w.subarray(t * n), -1, wantN.subarray(offsets[t]!, offsets[t]! + s)));
      const gotN = Float64Array.from(yv);
      k.dgemvBatched!(false, sizes.length, offsets, n, 1, a, w, -1, gotN);
      close(gotN, wantN, `${name} N n=${n}`);
      // T: g_t = 2·A_tᵀ r_t (beta 0 overwrites, the empty task gets zeros).
      const wantT = new Float64Array(sizes.length * n);
      sizes.forEach((s, t) => ref.dgemv(true, s, n, 2, a.subarray(offsets[t]! * n), n, gotN.subarray(offsets[t]!), 0, wantT.subarray(t * n, (t + 1) * n)));
      const gotT = new Float64Array(sizes.length * n).fill(NaN);
      k.dgemvBatched!(true, sizes.length, offsets, n, 2, a, gotN, 0, gotT);
      close(gotT, wantT, `${name} T n=${n}`);
      assert.equal(gotT[n], 0); // task 1 has no rows
    }
  }
});

test('dresidualGradBatched equals dgemvBatched N (beta −1) then T, on both backends, resident too', () => {
  const rng = new Random(6);
  const sizes = [4, 0, 20, 1];
  const offsets = new Int32Array(sizes.length + 1);
  sizes.forEach((s, t) => (offsets[t + 1] = offsets[t]! + s));
  const rows = offsets[sizes.length]!;
  for (const n of [3, 50]) {
    const a = rnd(rng, rows * n);
    const x = rnd(rng, sizes.length * n);
    const y = rnd(rng, rows);
    const wantR = Float64Array.from(y);
    ref.dgemvBatched!(false, sizes.length, offsets, n, 1, a, x, -1, wantR);
    const wantG = new Float64Array(sizes.length * n);
    ref.dgemvBatched!(true, sizes.length, offsets, n, 1, a, wantR, 0, wantG);
    for (const { name, k } of kernelSets) {
      const r = new Float64Array(rows).fill(NaN);
      const g = new Float64Array(sizes.length * n).fill(NaN);
      k.dresidualGradBatched!(sizes.length, offsets, n, a, x, y, r, g);
      close(r, wantR, `${name} r n=${n}`);
      close(g, wantG, `${name} g n=${n}`);
    }
    for (const b of availableBackends()) {
      setBackend(b);
      const res = residentBlocks(a);
      const r = new Float64Array(rows);
      const g = new Float64Array(sizes.length * n);
      res.residualGradBatched(sizes.length, offsets, n, x, y, r, g);
      close(g, wantG, `resident ${b} g n=${n}`);
      res.free();
    }
    setBackend(restoreBackend);
  }
});

test('residentBlocks gives the same products on every backend; bad shapes are ShapeErrors', () => {
  const rng = new Random(5);
  const { a, x, y0 } = symCase(rng, 4, 6);
  const want = new Float64Array(24);
  ref.dsymvBatched!(4, 6, 1, a, x, 0, want);
  for (const b of availableBackends()) {
    setBackend(b);
    const r = residentBlocks(a);
    const got = Float64Array.from(y0);
    r.symvBatched(4, 6, 1, x, 0, got);
    r.symvBatched(4, 6, 1, x, 0, got); // a second call reuses the resident copy
    close(got, want, `resident ${b}`);
    r.free();
  }
  setBackend(restoreBackend);
  if (wasmLoad.direct) {
    assert.throws(() => wasmLoad.direct!.dsymvBatched!(5, 6, 1, a, x, 0, new Float64Array(30)), ShapeError);
    assert.throws(() => wasmLoad.direct!.dgemvBatched!(false, 2, new Int32Array([0, 3, 1]), 2, 1, new Float64Array(6), new Float64Array(4), 0, new Float64Array(3)), ShapeError);
    setBackend('wasm'); // only wasm pins a copy that can be freed
    const r = residentBlocks(a);
    r.free();
    assert.throws(() => r.symvBatched(1, 6, 1, x, 0, new Float64Array(6)), ShapeError);
    setBackend(restoreBackend);
  }
});

/**
 * The native kernels on random shapes (T = 1, odd d and n around the vector widths 4 and 8 and their
 * two-vector unroll, ragged tasks with empty ones), on both instruction-set paths (AVX-512 where the
 * CPU has it, and AVX2 forced), against the reference; also that they compute in place on the
 * caller's arrays when an input aliases an output (read as before the call, as the reference would
 * with a copy).
 */
test('native batched kernels equal the reference on random shapes, both ISA paths', { skip: !nativeLoad.direct?.dsymvBatched && `native backend not loaded: ${nativeLoad.reason}` }, () => {
  const nk = nativeLoad.direct!;
  const rng = new Random(11);
  const shapes: [number, number][] = [[1, 1], [1, 50], [3, 3], [2, 7], [5, 8], [4, 9], [3, 15], [2, 16], [3, 17], [6, 33], [1, 64]];
  for (const avx2 of [false, true]) {
    nativeLoad.setAvx2Only(avx2);
    try {
      for (const [T, d] of shapes) {
        const { a, x, y0 } = symCase(rng, T, d);
        for (const [alpha, beta] of [[1, 0], [0.7, -1.5], [-2, 1]] as const) {
          const want = Float64Array.from(y0);
          ref.dsymvBatched!(T, d, alpha, a, x, beta, want);
          const got = beta === 0 ? new Float64Array(T * d).fill(NaN) : Float64Array.from(y0);
          nk.dsymvBatched!(T, d, alpha, a, x, beta, got);
          close(got, want, `native${avx2 ? ' avx2' : ''} dsymvBatched T=${T} d=${d} alpha=${alpha} beta=${beta}`);
        }
        // Ragged row-stacked blocks: T tasks of 0..2d rows.
        const sizes = Array.from({ length: T }, () => rng.int(2 * d + 1));
        if (T > 2) sizes[1] = 0;
        const offsets = new Int32Array(T + 1);
        sizes.forEach((s, t) => (offsets[t + 1] = offsets[t]! + s));
        const rows = offsets[T]!;
        const A = rnd(rng, rows * d), w = rnd(rng, T * d), yv = rnd(rng, rows);
        for (const trans of [false, true]) {
          const ylen = trans ? T * d : rows;
          const xin = trans ? yv : w;
          const yinit = rnd(rng, ylen);
          for (const [alpha, beta] of [[1, 0], [-0.5, 2]] as const) {
            const want = Float64Array.from(yinit);
            ref.dgemvBatched!(trans, T, offsets, d, alpha, A, xin, beta, want);
            const got = beta === 0 ? new Float64Array(ylen).fill(NaN) : Float64Array.from(yinit);
            nk.dgemvBatched!(trans, T, offsets, d, alpha, A, xin, beta, got);
            close(got, want, `native${avx2 ? ' avx2' : ''} dgemvBatched ${trans ? 'T' : 'N'} T=${T} n=${d} alpha=${alpha} beta=${beta}`);
          }
        }
        const wantR = new Float64Array(rows), wantG = new Float64Array(T * d);
        ref.dresidualGradBatched!(T, offsets, d, A, w, yv, wantR, wantG);
        const r = new Float64Array(rows).fill(NaN), g = new Float64Array(T * d).fill(NaN);
        nk.dresidualGradBatched!(T, offsets, d, A, w, yv, r, g);
        close(r, wantR, `native${avx2 ? ' avx2' : ''} residual T=${T} n=${d}`);
        close(g, wantG, `native${avx2 ? ' avx2' : ''} gradient T=${T} n=${d}`);
      }
    } finally {
      nativeLoad.setAvx2Only(false);
    }
  }
  // Aliasing: y is x (in place), read as before the call.
  const { a, x } = symCase(rng, 3, 5);
  const want = new Float64Array(15);
  ref.dsymvBatched!(3, 5, 1, a, x, 0, want);
  const inPlace = Float64Array.from(x);
  nk.dsymvBatched!(3, 5, 1, a, inPlace, 0, inPlace);
  close(inPlace, want, 'native dsymvBatched in place');
  // Bad shapes are ShapeErrors before the addon is reached.
  assert.throws(() => nk.dsymvBatched!(5, 6, 1, a, x, 0, new Float64Array(30)), ShapeError);
  assert.throws(() => nk.dgemvBatched!(false, 2, new Int32Array([0, 3, 1]), 2, 1, new Float64Array(6), new Float64Array(4), 0, new Float64Array(3)), ShapeError);
  assert.throws(() => nk.dresidualGradBatched!(1, new Int32Array([0, 2]), 3, new Float64Array(6), new Float64Array(3), new Float64Array(2), new Float64Array(2), new Float64Array(2)), ShapeError);
});

/** A dsqGradBatched case: ragged blocks (an empty one, one over the 32-row chunk), tasks in columns `cols` of d × ldw. */
function sqCase(rng: Random, sizes: number[], d: number, ldw: number) {
  const count = sizes.length;
  const offsets = new Int32Array(count + 1);
  sizes.forEach((s, t) => (offsets[t + 1] = offsets[t]! + s));
  const rows = offsets[count]!;
  // Columns: a shuffled subset of 0..ldw−1 (the solvers' data-path tasks among Gram-path ones).
  const perm = Array.from({ length: ldw }, (_, j) => j);
  for (let j = ldw - 1; j > 0; j--) {
    const k = rng.int(j + 1);
    [perm[j], perm[k]] = [perm[k]!, perm[j]!];
  }
  return { count, offsets, rows, a: rnd(rng, rows * d), cols: Int32Array.from(perm.slice(0, count)), w: rnd(rng, d * ldw), y: rnd(rng, rows), c: Float64Array.from({ length: count }, () => 0.1 + rng.uniform()) };
}

/** The plain per-task loop (dgemv N, then T, through the reference) that dsqGradBatched replaces. */
function sqLoop(q: ReturnType<typeof sqCase>, d: number, ldw: number, g: Float64Array, f: Float64Array): void {
  for (let k = 0; k < q.count; k++) {
    const n = q.offsets[k + 1]! - q.offsets[k]!;
    const wt = Float64Array.from({ length: d }, (_, j) => q.w[j * ldw + q.cols[k]!]!);
    const r = Float64Array.from(q.y.subarray(q.offsets[k]!, q.offsets[k + 1]!));
    ref.dgemv(false, n, d, 1, q.a.subarray(q.offsets[k]! * d), d, wt, -1, r);
    const gt = new Float64Array(d);
    ref.dgemv(true, n, d, q.c[k]!, q.a.subarray(q.offsets[k]! * d), d, r, 0, gt);
    for (let j = 0; j < d; j++) g[j * ldw + q.cols[k]!] = gt[j]!;
    f[k] = 0.5 * q.c[k]! * r.reduce((s, v) => s + v * v, 0);
  }
}

test('dsqGradBatched equals the per-task loop (reference and native, both ISAs, one and two threads); other columns untouched', () => {
  const rng = new Random(21);
  // Small (one thread) and large enough to be split over the pool (native/batched_napi.cc).
  const cases: [number[], number, number][] = [
    [[4, 0, 70, 1, 20], 50, 9],
    [[3, 3, 3], 1, 3],
    [[2, 5], 7, 4],
    [Array.from({ length: 400 }, (_, t) => (t % 7 === 3 ? 0 : 5 + (t % 30))), 50, 450],
    // rows·d ≥ 2^22: split over two threads when the pool has them.
    [Array.from({ length: 4800 }, (_, t) => (t % 11 === 5 ? 0 : 20)), 50, 4800],
  ];
  const natives = nativeLoad.direct?.dsqGradBatched ? [false, true] : [];
  if (natives.length === 0) console.log(`# dsqGradBatched: native not tested (${nativeLoad.reason ?? 'addon without dsqGradBatched'})`);
  for (const [sizes, d, ldw] of cases) {
    const q = sqCase(rng, sizes, d, ldw);
    const g0 = rnd(rng, d * ldw);
    const wantG = Float64Array.from(g0);
    const wantF = new Float64Array(q.count);
    sqLoop(q, d, ldw, wantG, wantF);
    const runs: { name: string; run: (g: Float64Array, f: Float64Array) => void }[] = [
      { name: 'ts', run: (g, f) => ref.dsqGradBatched!(q.count, q.offsets, d, q.a, q.cols, q.w, ldw, q.y, q.c, g, f) },
    ];
    for (const avx2 of natives) {
      for (const threads of [1, 2]) {
        runs.push({
          name: `native${avx2 ? ' avx2' : ''} ${threads} thread(s)`,
          run: (g, f) => {
            nativeLoad.setAvx2Only(avx2);
            nativeLoad.setThreads(threads);
            try {
              nativeLoad.direct!.dsqGradBatched!(q.count, q.offsets, d, q.a, q.cols, q.w, ldw, q.y, q.c, g, f);
            } finally {
              nativeLoad.setAvx2Only(false);
              nativeLoad.setThreads(0);
            }
          },
        });
      }
    }
    for (const { name, run } of runs) {
      const g = Float64Array.from(g0);
      const f = new Float64Array(q.count).fill(NaN);
      run(g, f);
      close(g, wantG, `${name} gradient, ${q.count} tasks d=${d}`);
      close(f, wantF, `${name} values, ${q.count} tasks d=${d}`);
    }
  }
});

test('native dsqGradBatched refuses repeated or out-of-range columns and short arrays (ShapeError)', { skip: !nativeLoad.direct?.dsqGradBatched && `native backend not loaded: ${nativeLoad.reason}` }, () => {
  const sets = [{ name: 'native', k: nativeLoad.direct! }];
  const off = new Int32Array([0, 1, 2]);
  const a = new Float64Array(4), w = new Float64Array(6), y = new Float64Array(2), c = new Float64Array(2), f = new Float64Array(2);
  for (const { name, k } of sets) {
    assert.throws(() => k.dsqGradBatched!(2, off, 2, a, new Int32Array([1, 1]), w, 3, y, c, new Float64Array(6), f), ShapeError, `${name}: repeated column`);
    assert.throws(() => k.dsqGradBatched!(2, off, 2, a, new Int32Array([0, 3]), w, 3, y, c, new Float64Array(6), f), ShapeError, `${name}: column ≥ ldw`);
    assert.throws(() => k.dsqGradBatched!(2, off, 2, a, new Int32Array([0, 1]), w, 3, y, c, new Float64Array(5), f), ShapeError, `${name}: short g`);
    assert.throws(() => k.dsqGradBatched!(2, new Int32Array([0, 2, 1]), 2, a, new Int32Array([0, 1]), w, 3, y, c, new Float64Array(6), f), ShapeError, `${name}: offsets`);
  }
});
