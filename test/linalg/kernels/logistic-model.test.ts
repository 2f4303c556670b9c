// dlogisticModelBatched (issue 17: prox-Newton's whole logistic per-point pass in one call): the
// TypeScript reference (src/linalg/kernels/reference.ts) checked against its definition — the loss's
// gradient by central finite differences of the returned loss, the curvature XᵀDX / XᵀD1 / 1ᵀD1 by
// finite differences of the gradient — and the native kernel (native/logistic_model.cc) against the
// reference to 1e-12 relative, on ragged tasks (one empty) with and without sample weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { logisticModelBatched as ref, packLogisticRows, unpackLogisticRows } from '../../../src/linalg/kernels/reference.ts';
import { nativeLoad } from '../../../src/linalg/kernels/native.ts';
import type { Kernels } from '../../../src/linalg/kernels/types.ts';

interface Case {
  count: number; d: number; offsets: Int32Array; x: Float64Array; y: Float64Array; s: Float64Array | null;
  w: Float64Array; b: Float64Array; c: Float64Array;
}

function makeCase(seed: number, weighted: boolean, sizes: readonly number[] = [7, 0, 31, 1, 18]): Case {
  const rng = new Random(seed);
  const count = sizes.length;
  const d = 9;
  const offsets = new Int32Array(count + 1);
  for (let t = 0; t < count; t++) offsets[t + 1] = offsets[t]! + sizes[t]!;
  const n = offsets[count]!;
  // Columns of very different scales, as raw features; some points far out in both tails.
  const x = Float64Array.from({ length: n * d }, (_, i) => rng.normal() * 10 ** ((i % d) - 4));
  const y = Float64Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : -1));
  const s = weighted ? Float64Array.from({ length: n }, () => 0.1 + 2 * rng.uniform()) : null;
  const w = Float64Array.from({ length: d * count }, (_, i) => rng.normal() * 10 ** (3 - Math.floor(i / count)) * 0.3);
  const b = Float64Array.from({ length: count }, () => rng.normal());
  const c = Float64Array.from({ length: count }, (_, t) => 1 / Math.max(1, sizes[t]!));
  return { count, d, offsets, x, y, s, w, b, c };
}

function run(fn: NonNullable<Kernels['dlogisticModelBatched']>, k: Case, w = k.w, b = k.b, packed = false) {
  const { count, d } = k;
  const out = {
    g: new Float64Array(d * count), gb: new Float64Array(count), h: new Float64Array(count * d * d),
    sx: new Float64Array(count * d), s0: new Float64Array(count), f: new Float64Array(count),
  };
  fn(count, k.offsets, d, packed ? packLogisticRows(k.offsets, d, k.x) : k.x, k.y, k.s, w, b, k.c, true, out.g, out.gb, out.h, out.sx, out.s0, out.f, packed);
  return out;
}

function assertClose(a: Float64Array, b: Float64Array, rel: number, what: string): void {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.length; i++) {
    assert.ok(Number.isFinite(a[i]!), `${what}[${i}] not finite`);
    assert.ok(Math.abs(a[i]! - b[i]!) <= rel * Math.max(scale, 1e-300), `${what}[${i}]: ${a[i]} vs ${b[i]} (scale ${scale})`);
  }
}

for (const weighted of [false, true]) {
  test(`reference: gradient and curvature are the finite differences of the loss and gradient (${weighted ? 'weighted' : 'unweighted'})`, () => {
    // Moderate scales for finite differences (the ragged/tail case is the native comparison's).
    const k = makeCase(11, weighted);
    const rng = new Random(5);
    k.x = k.x.map(() => rng.normal());
    k.w = k.w.map(() => 0.5 * rng.normal());
    const { count, d } = k;
    const base = run(ref, k);
    const hstep = 1e-6;
    for (let t = 0; t < count; t++) {
      const empty = k.offsets[t + 1] === k.offsets[t];
      for (let j = 0; j <= d; j++) {
        // coordinate j < d: w[j, t]; j = d: the intercept b[t]
        const shifted = (e: number) => {
          const w = Float64Array.from(k.w);
          const b = Float64Array.from(k.b);
          if (j < d) w[j * count + t]! += e;
          else b[t]! += e;
          return run(ref, k, w, b);
        };
        const p = shifted(hstep);
        const m = shifted(-hstep);
        const fd = (p.f[t]! - m.f[t]!) / (2 * hstep);
        const an = j < d ? base.g[j * count + t]! : base.gb[t]!;
        assert.ok(Math.abs(fd - an) <= 1e-6 * Math.max(1, Math.abs(an)), `task ${t} coord ${j}: gradient ${an} vs FD ${fd}`);
        // Curvature: d/dθ_j of (g_t, gb_t) is row j of [[XᵀDX, XᵀD1], [1ᵀDX, 1ᵀD1]].
        for (let q = 0; q <= d; q++) {
          const gp = q < d ? p.g[q * count + t]! : p.gb[t]!;
          const gm = q < d ? m.g[q * count + t]! : m.gb[t]!;
          const fdH = (gp - gm) / (2 * hstep);
          const anH = j < d && q < d ? base.h[t * d * d + j * d + q]! : j < d ? base.sx[t * d + j]! : q < d ? base.sx[t * d + q]! : base.s0[t]!;
          assert.ok(Math.abs(fdH - anH) <= 1e-6 * Math.max(1, Math.abs(anH)), `task ${t} (${j}, ${q}): curvature ${anH} vs FD ${fdH}`);
        }
      }
      if (empty) assert.equal(base.f[t], 0);
    }
  });

  test(`native kernel matches the reference to 1e-12 on ragged tasks (${weighted ? 'weighted' : 'unweighted'})`, (t) => {
    const native = (nativeLoad.kernels as Kernels | null)?.dlogisticModelBatched;
    if (!native) return t.skip(`native dlogisticModelBatched not available: ${nativeLoad.reason || 'addon built before it'}`);
    // Both instruction-set paths (AVX-512 where the CPU has it, and AVX2 + FMA).
    for (const [seed, avx2] of [[1, false], [2, false], [3, false], [1, true], [3, true]] as const) {
      nativeLoad.setAvx2Only(avx2);
      t.after(() => nativeLoad.setAvx2Only(false));
      const k = makeCase(seed, weighted, seed === 1 ? [7, 0, 31, 1, 18] : [130, 0, 64, 1, 65]);
      if (seed === 3) k.w = k.w.map((v) => 300 * v); // |z| in the tens: both tails of σ and log1p
      const a = run(native, k);
      const r = run(ref, k);
      assertClose(a.f, r.f, 1e-12, 'f');
      assertClose(a.gb, r.gb, 1e-12, 'gb');
      assertClose(a.s0, r.s0, 1e-12, 's0');
      for (let q = 0; q < k.count; q++) {
        assertClose(a.g.filter((_, i) => i % k.count === q), r.g.filter((_, i) => i % k.count === q), 1e-12, `g task ${q}`);
        assertClose(a.h.subarray(q * 81, (q + 1) * 81), r.h.subarray(q * 81, (q + 1) * 81), 1e-12, `h task ${q}`);
        assertClose(a.sx.subarray(q * 9, (q + 1) * 9), r.sx.subarray(q * 9, (q + 1) * 9), 1e-12, `sx task ${q}`);
      }
      const ap = run(native, k, k.w, k.b, true);
      for (const key of ['f', 'g', 'gb', 'h', 'sx', 's0'] as const) assert.deepEqual(ap[key], a[key], `packed ${key} (avx2 only: ${avx2})`);
      // Without the model: the loss and gradient are the same, the curvature outputs untouched.
      const g = new Float64Array(k.d * k.count);
      const gb = new Float64Array(k.count);
      const f = new Float64Array(k.count);
      const h = new Float64Array(k.count * 81).fill(7);
      native(k.count, k.offsets, k.d, k.x, k.y, k.s, k.w, k.b, k.c, false, g, gb, h, new Float64Array(0), new Float64Array(0), f);
      assertClose(f, r.f, 1e-12, 'f (no model)');
      assertClose(g, a.g, 0, 'g (no model)');
      assert.ok(h.every((v) => v === 7), 'h untouched without the model');
    }
  });
}

test('native kernel rejects bad offsets and short arrays with a clear error', (t) => {
  const native = (nativeLoad.kernels as Kernels | null)?.dlogisticModelBatched;
  if (!native) return t.skip('native dlogisticModelBatched not available');
  const k = makeCase(4, false);
  const bad = Int32Array.from(k.offsets);
  bad[2] = bad[1]! - 1;
  assert.throws(() => run(native, { ...k, offsets: bad }), /non-decreasing/);
  assert.throws(() => run(native, { ...k, y: k.y.subarray(0, 3) }), /shorter than its shape/);
});

test('packed layout (64-row chunks, transposed, zero-padded): round trip, and the kernels give the same results as on row-major X', (t) => {
  // Blocks across the chunk boundaries: 130 = 2·64 + 2, exactly 64, empty, 65, 1.
  const k = makeCase(8, true, [130, 64, 0, 65, 1]);
  const p = packLogisticRows(k.offsets, k.d, k.x);
  assert.equal(p.length, (3 + 1 + 0 + 2 + 1) * 64 * k.d);
  assert.deepEqual(unpackLogisticRows(k.offsets, k.d, p), k.x);
  // Chunk 0, column j, row i is x[i, j]; the padding of block 0's last chunk (rows 2…63 of chunk 2) is 0.
  assert.equal(p[3 * 64 + 5], k.x[5 * k.d + 3]);
  for (let j = 0; j < k.d; j++) for (let i = 2; i < 64; i++) assert.equal(p[2 * 64 * k.d + j * 64 + i], 0);
  const r = run(ref, k);
  const rp = run(ref, k, k.w, k.b, true);
  for (const key of ['f', 'g', 'gb', 'h', 'sx', 's0'] as const) assert.deepEqual(rp[key], r[key], `reference ${key}`);
  const native = (nativeLoad.kernels as Kernels | null)?.dlogisticModelBatched;
  const pack = (nativeLoad.kernels as Kernels | null)?.dpackLogisticRows;
  if (!native || !pack) return t.skip('native dlogisticModelBatched / dpackLogisticRows not available');
  const np = new Float64Array(p.length).fill(Number.NaN); // the padding must be written too
  pack(k.count, k.offsets, k.d, k.x, np);
  assert.deepEqual(np, p, 'native packer = packLogisticRows');
  assert.throws(() => pack(k.count, k.offsets, k.d, k.x, np.subarray(1)), /shorter than its shape/);
  const a = run(native, k);
  const ap = run(native, k, k.w, k.b, true);
  // Same numbers in the same order: only where the chunk's columns come from differs.
  for (const key of ['f', 'g', 'gb', 'h', 'sx', 's0'] as const) assert.deepEqual(ap[key], a[key], `native ${key}`);
  assertClose(ap.h, r.h, 1e-12, 'native packed h vs reference');
  assertClose(ap.f, r.f, 1e-12, 'native packed f vs reference');
  assert.throws(() => native(k.count, k.offsets, k.d, k.x.subarray(0, p.length - 1), k.y, k.s, k.w, k.b, k.c, true,
    new Float64Array(k.d * k.count), new Float64Array(k.count), new Float64Array(k.count * k.d * k.d), new Float64Array(k.count * k.d), new Float64Array(k.count), new Float64Array(k.count), true), /shorter than its shape/);
});
