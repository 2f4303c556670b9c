// The neural engine's reference kernels: derivatives against central finite differences, softmax
// against its definition, column sums, and im2col against a direct convolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../../src/errors.ts';
import { Random } from '../../../src/linalg/random.ts';
import { ACTIVATIONS, referenceNn as nn } from '../../../src/linalg/kernels/nn-reference.ts';

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
