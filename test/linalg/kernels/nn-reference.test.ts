// The neural engine's reference kernels: derivatives against central finite differences, softmax
// against its definition, column sums, and im2col against a direct convolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../../src/errors.ts';
import { Random } from '../../../src/linalg/random.ts';
import { ACTIVATIONS, referenceNn as nn } from '../../../src/linalg/kernels/nn-reference.ts';
import { referenceKernels } from '../../../src/linalg/kernels/reference.ts';

test('biasAct: y = act(x + b) and d = act′(x + b) against central differences, every activation', () => {
  const rng = new Random(301);
  const rows = 3, n = 5;
  const x = Float64Array.from({ length: rows * n }, () => rng.uniformIn(-4, 4));
  const b = Float64Array.from({ length: n }, () => rng.uniformIn(-1, 1));
  for (const act of ACTIVATIONS) {
    const y = new Float64Array(rows * n), d = new Float64Array(rows * n);
    nn.biasAct(act, rows, n, x, b, 0.1, y, d);
    const h = 1e-6;
    for (let i = 0; i < rows * n; i++) {
      const at = (v: number): number => {
        const xx = new Float64Array([v]), yy = new Float64Array(1);
        nn.biasAct(act, 1, 1, xx, null, 0.1, yy, null);
        return yy[0]!;
      };
      const v = x[i]! + b[i % n]!;
      assert.equal(y[i], at(v), `${act}: y[${i}] is act(x + b)`);
      const fd = (at(v + h) - at(v - h)) / (2 * h);
      assert.ok(Math.abs(fd - d[i]!) < 1e-6, `${act}: d[${i}] = ${d[i]}, finite difference ${fd}`);
    }
  }
  // Known values: sigmoid(0) = ½, gelu(0) = 0, leaky slope, no overflow in sigmoid's tails.
  const y = new Float64Array(4);
  nn.biasAct('sigmoid', 1, 4, new Float64Array([0, -800, 800, 1]), null, 0, y, null);
  assert.deepEqual(Array.from(y.subarray(0, 3)), [0.5, 0, 1]);
  nn.biasAct('leakyRelu', 1, 2, new Float64Array([-2, 3]), null, 0.25, y, null);
  assert.deepEqual(Array.from(y.subarray(0, 2)), [-0.5, 3]);
  assert.throws(() => nn.biasAct('swish' as never, 1, 1, y, null, 0, y, null), (e: unknown) => e instanceof ShapeError && /unknown activation "swish"/.test((e as Error).message));
  assert.throws(() => nn.biasAct('relu', 2, 3, new Float64Array(5), null, 0, y, null), /biasAct: x has 5 entries, needs 6/);
});

test('softmaxRows: positive, rows sum to 1, invariant to a shift, no overflow at 1000', () => {
  const x = new Float32Array([1, 2, 3, 1000, 1001, 1002]);
  const y = new Float32Array(6);
  nn.softmaxRows(2, 3, x, y);
  for (let r = 0; r < 2; r++) {
    const s = y[3 * r]! + y[3 * r + 1]! + y[3 * r + 2]!;
    assert.ok(Math.abs(s - 1) < 1e-6);
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(y[3 * r + j]! - y[j]!) < 1e-6, 'shift invariance');
  }
  const e = [Math.exp(-2), Math.exp(-1), 1];
  const z = e[0]! + e[1]! + e[2]!;
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(y[j]! - e[j]! / z) < 1e-7);
});

test('colSums: Σ over rows, beta accumulates, beta = 0 ignores NaN', () => {
  const x = new Float64Array([1, 2, 3, 4, 5, 6]);
  const out = new Float64Array([NaN, NaN, NaN]);
  nn.colSums(2, 3, x, 0, out);
  assert.deepEqual(Array.from(out), [5, 7, 9]);
  nn.colSums(2, 3, x, 2, out);
  assert.deepEqual(Array.from(out), [15, 21, 27]);
});

test('im2col: the column matrix times the kernel is the direct convolution (stride, padding)', () => {
  const rng = new Random(302);
  for (const [N, C, H, W, kh, kw, stride, pad] of [[2, 3, 5, 6, 3, 2, 1, 1], [1, 2, 7, 7, 3, 3, 2, 0], [1, 1, 4, 4, 4, 4, 1, 2]] as const) {
    const x = Float64Array.from({ length: N * C * H * W }, () => rng.uniformIn(-1, 1));
    const w = Float64Array.from({ length: C * kh * kw }, () => rng.uniformIn(-1, 1));
    const Ho = Math.floor((H + 2 * pad - kh) / stride) + 1, Wo = Math.floor((W + 2 * pad - kw) / stride) + 1;
    const K = C * kh * kw;
    const cols = new Float64Array(N * Ho * Wo * K).fill(NaN);
    nn.im2col(N, C, H, W, kh, kw, stride, pad, x, cols);
    for (let b = 0; b < N; b++) {
      for (let ho = 0; ho < Ho; ho++) {
        for (let wo = 0; wo < Wo; wo++) {
          let direct = 0;
          for (let c = 0; c < C; c++) {
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const hi = ho * stride + i - pad, wi = wo * stride + j - pad;
                if (hi >= 0 && hi < H && wi >= 0 && wi < W) direct += x[((b * C + c) * H + hi) * W + wi]! * w[(c * kh + i) * kw + j]!;
              }
            }
          }
          const row = (b * Ho * Wo + ho * Wo + wo) * K;
          let viaCols = 0;
          for (let k = 0; k < K; k++) viaCols += cols[row + k]! * w[k]!;
          assert.ok(Math.abs(viaCols - direct) < 1e-12, `N=${N} C=${C} ${H}×${W} k=${kh}×${kw} s=${stride} p=${pad} at ${b},${ho},${wo}`);
        }
      }
    }
  }
  assert.throws(() => nn.im2col(1, 1, 2, 2, 5, 5, 1, 0, new Float64Array(4), new Float64Array(1)), /im2col: kernel 5×5 does not fit input 2×2/);
});

test('biasActGrad and mulAcc: their definitions (go ⊙ d into gx, column sums into gb; out += a ⊙ b)', () => {
  const go = new Float64Array([1, 2, 3, 4, 5, 6]), d = new Float64Array([0, 1, 2, 1, 0, -1]);
  const gx = new Float64Array([10, 10, 10, 10, 10, 10]), gb = new Float64Array([1, 1, 1]);
  nn.biasActGrad(2, 3, go, d, gx, gb);
  assert.deepEqual(Array.from(gx), [10, 12, 16, 14, 10, 4]);
  assert.deepEqual(Array.from(gb), [1 + 0 + 4, 1 + 2 + 0, 1 + 6 - 6]);
  nn.biasActGrad(2, 3, go, null, null, gb);
  assert.deepEqual(Array.from(gb), [10, 10, 10]);
  const out = new Float64Array([1, 1, 1]);
  nn.mulAcc(3, new Float64Array([1, 2, 3]), new Float64Array([4, 5, 6]), out);
  assert.deepEqual(Array.from(out), [5, 11, 19]);
  nn.mulAcc(3, new Float64Array([1, 2, 3]), null, out);
  assert.deepEqual(Array.from(out), [6, 13, 22]);
  assert.throws(() => nn.biasActGrad(2, 3, go, d, gx, new Float64Array(2)), /biasActGrad: gb has 2 entries, needs 3/);
});

test('bmm: each product equals one GEMM of the reference, every transpose, strides and padded leading dimensions', () => {
  const rng = new Random(303);
  for (const [batch, m, n, k] of [[1, 1, 1, 1], [3, 2, 5, 4], [4, 7, 1, 3], [2, 3, 6, 1], [0, 2, 2, 2]] as const) {
    for (const ta of [false, true]) for (const tb of [false, true]) for (const beta of [0, 1, -0.5]) {
      const [ar, ac] = ta ? [k, m] : [m, k];
      const [br, bc] = tb ? [n, k] : [k, n];
      const lda = ac + 1, ldb = bc + 2, ldc = n + 1;
      const sa = ar * lda + 1, sb = br * ldb, sc = m * ldc + 2;
      const a = Float64Array.from({ length: batch * sa }, () => rng.uniformIn(-1, 1));
      const b = Float64Array.from({ length: batch * sb }, () => rng.uniformIn(-1, 1));
      const c = Float64Array.from({ length: batch * sc }, () => (beta === 0 ? NaN : rng.uniformIn(-1, 1)));
      const want = c.slice();
      for (let i = 0; i < batch; i++) {
        referenceKernels.dgemm(ta, tb, m, n, k, 1, a.subarray(i * sa), lda, b.subarray(i * sb), ldb, beta, want.subarray(i * sc), ldc);
      }
      nn.bmm(ta, tb, batch, m, n, k, a, sa, lda, b, sb, ldb, beta, c, sc, ldc);
      for (let i = 0; i < c.length; i++) {
        if (Number.isNaN(want[i]!)) assert.ok(Number.isNaN(c[i]!), 'gaps untouched');
        else assert.ok(Math.abs(c[i]! - want[i]!) < 1e-13, `batch=${batch} m=${m} n=${n} k=${k} ${ta}/${tb} beta=${beta} at ${i}: ${c[i]} vs ${want[i]}`);
      }
    }
  }
  assert.throws(() => nn.bmm(false, false, 2, 2, 2, 2, new Float64Array(7), 4, 2, new Float64Array(8), 4, 2, 0, new Float64Array(8), 4, 2), /bmm: a has 7 entries, needs 8/);
});

test('col2im is the adjoint of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩, and it accumulates', () => {
  const rng = new Random(304);
  for (const [N, C, H, W, kh, kw, stride, pad] of [[2, 3, 5, 6, 3, 2, 1, 1], [1, 2, 7, 7, 3, 3, 2, 0], [1, 1, 4, 4, 4, 4, 1, 2]] as const) {
    const Ho = Math.floor((H + 2 * pad - kh) / stride) + 1, Wo = Math.floor((W + 2 * pad - kw) / stride) + 1;
    const x = Float64Array.from({ length: N * C * H * W }, () => rng.uniformIn(-1, 1));
    const c = Float64Array.from({ length: N * Ho * Wo * C * kh * kw }, () => rng.uniformIn(-1, 1));
    const cols = new Float64Array(c.length);
    nn.im2col(N, C, H, W, kh, kw, stride, pad, x, cols);
    const x0 = Float64Array.from({ length: x.length }, () => rng.uniformIn(-1, 1)), back = x0.slice();
    nn.col2im(N, C, H, W, kh, kw, stride, pad, c, back);
    let lhs = 0, rhs = 0;
    for (let i = 0; i < c.length; i++) lhs += cols[i]! * c[i]!;
    for (let i = 0; i < x.length; i++) rhs += x[i]! * (back[i]! - x0[i]!);
    assert.ok(Math.abs(lhs - rhs) < 1e-10, `adjoint: ${lhs} vs ${rhs}`);
  }
});

test('conv2d / conv2dGrad: the loops (referenceNn) = a direct convolution and = the GEMM form of the ts backend; maxPool = brute force', async () => {
  const { referenceNn } = await import('../../../src/linalg/kernels/nn-reference.ts');
  const { referenceKernels } = await import('../../../src/linalg/kernels/reference.ts');
  const { Random } = await import('../../../src/linalg/random.ts');
  const rng = new Random(77);
  const rand = (n: number): Float64Array => Float64Array.from({ length: n }, () => rng.uniformIn(-1, 1));
  for (const [N, C, H, W, O, kh, kw, s, pad] of [[2, 3, 7, 6, 4, 3, 2, 1, 1], [1, 2, 9, 9, 3, 5, 5, 2, 0], [3, 1, 4, 5, 2, 1, 1, 1, 0]] as const) {
    const Ho = Math.floor((H + 2 * pad - kh) / s) + 1, Wo = Math.floor((W + 2 * pad - kw) / s) + 1, P = Ho * Wo, K = C * kh * kw;
    const x = rand(N * C * H * W), w = rand(O * K), b = rand(O);
    const cols = new Float64Array(N * K * P), y = new Float64Array(N * O * P);
    referenceNn.conv2d(N, C, H, W, O, kh, kw, s, pad, x, w, b, cols, y);
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < Ho; i++) for (let j = 0; j < Wo; j++) {
      let v = b[o]!;
      for (let c = 0; c < C; c++) for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) {
        const hi = i * s + a - pad, wj = j * s + e - pad;
        if (hi >= 0 && hi < H && wj >= 0 && wj < W) v += x[((n * C + c) * H + hi) * W + wj]! * w[((o * C + c) * kh + a) * kw + e]!;
      }
      assert.ok(Math.abs(y[((n * O + o) * Ho + i) * Wo + j]! - v) < 1e-12, `conv2d ${N}/${C}/${H}×${W} at ${n},${o},${i},${j}`);
    }
    const y2 = new Float64Array(y.length), cols2 = new Float64Array(cols.length);
    referenceKernels.nn.conv2d(N, C, H, W, O, kh, kw, s, pad, x, w, b, cols2, y2);
    assert.deepEqual(cols2, cols);
    y2.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) < 1e-12));
    const go = rand(y.length);
    const g1 = [rand(O * K), rand(O), rand(x.length)], g2 = g1.map((a) => a.slice());
    referenceNn.conv2dGrad(N, C, H, W, O, kh, kw, s, pad, cols, w, go, g1[0]!, g1[1]!, g1[2]!, new Float64Array(K * P));
    referenceKernels.nn.conv2dGrad(N, C, H, W, O, kh, kw, s, pad, cols, w, go, g2[0]!, g2[1]!, g2[2]!, new Float64Array(K * P));
    g1.forEach((a, i) => a.forEach((v, j) => assert.ok(Math.abs(v - g2[i]![j]!) < 1e-12, `conv2dGrad part ${i}`)));
  }
  const x = rand(2 * 5 * 7);
  const y = new Float64Array(2 * 2 * 3), arg = new Int32Array(y.length);
  referenceNn.maxPool(2, 5, 7, 2, 2, x, y, arg);
  let q = 0;
  for (let c = 0; c < 2; c++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
    const win = [0, 1].flatMap((a) => [0, 1].map((e) => c * 35 + (2 * i + a) * 7 + 2 * j + e));
    const m = Math.max(...win.map((k) => x[k]!));
    assert.equal(y[q], m);
    assert.equal(x[arg[q]!], m);
    q++;
  }
});
