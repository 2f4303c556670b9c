import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { conv2d, maxPool2d } from '../../../src/nn/ops/conv.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { Tensor } from '../../../src/nn/tensor.ts';
import { ShapeError } from '../../../src/errors.ts';
import { gradcheck, randParam } from '../gradcheck.ts';

test('conv2d gradients (stride, padding, bias) and max-pool gradients', () => {
  const rng = new Random(31);
  for (const [stride, pad] of [[1, 0], [2, 1], [1, 1]] as const) {
    const x = randParam(rng, 'x', [2, 2, 5, 4]);
    const w = randParam(rng, 'w', [3, 2, 3, 2]);
    const b = randParam(rng, 'b', [3]);
    gradcheck(`conv2d s=${stride} p=${pad}`, [x, w, b], (g) => conv2d(g, x, w, b, stride, pad));
  }
  const x = randParam(rng, 'x', [2, 2, 4, 6]);
  gradcheck('maxPool2d 2', [x], (g) => maxPool2d(g, x, 2));
  gradcheck('maxPool2d 3 stride 1', [x], (g) => maxPool2d(g, x, 3, 1));
});

test('conv2d equals a direct convolution; max-pool values', () => {
  const rng = new Random(2);
  const N = 1, C = 2, H = 4, W = 5, O = 2, k = 3;
  const x = new Tensor([N, C, H, W], Float64Array.from({ length: N * C * H * W }, () => rng.normal()));
  const w = new Tensor([O, C, k, k], Float64Array.from({ length: O * C * k * k }, () => rng.normal()));
  const g = new Tape('float64');
  const y = conv2d(g, x, w, null, 1, 1);
  assert.deepEqual(y.shape, [1, 2, 4, 5]);
  for (let o = 0; o < O; o++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
    let s = 0;
    for (let c = 0; c < C; c++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
      const hi = i + a - 1, wj = j + b - 1;
      if (hi >= 0 && hi < H && wj >= 0 && wj < W) s += x.data[(c * H + hi) * W + wj]! * w.data[((o * C + c) * k + a) * k + b]!;
    }
    assert.ok(Math.abs(y.data[(o * H + i) * W + j]! - s) < 1e-12);
  }
  const p = maxPool2d(g, new Tensor([1, 1, 2, 4], Float64Array.from([1, 5, 2, 0, 3, 4, 8, 7])), 2);
  assert.deepEqual([...p.data], [5, 8]);
  assert.throws(() => conv2d(g, x, new Tensor([1, 3, 3, 3], new Float64Array(27)), null), ShapeError);
});

test('conv2d and max-pool gradients in float64 on every backend, at sizes where the native kernels run (not their small-size path)', async () => {
  const { availableBackends, backendName, setBackend } = await import('../../../src/linalg/backend.ts');
  const before = backendName();
  try {
    for (const backend of availableBackends()) {
      setBackend(backend);
      const rng = new Random(41);
      // N·C·H·W = 3·2·9·8 = 432 ≥ NATIVE_SMALL_NN; P = 7·6 or 5·4: products with vector tails
      for (const [stride, pad, O] of [[1, 0, 5], [2, 1, 3], [1, 2, 6]] as const) {
        const x = randParam(rng, 'x', [3, 2, 9, 8]);
        const w = randParam(rng, 'w', [O, 2, 3, 3]);
        const b = randParam(rng, 'b', [O]);
        gradcheck(`${backend} conv2d s=${stride} p=${pad}`, [x, w, b], (g) => conv2d(g, x, w, b, stride, pad));
      }
      const x = randParam(rng, 'x', [3, 4, 10, 9]);
      gradcheck(`${backend} maxPool2d 2`, [x], (g) => maxPool2d(g, x, 2));
      gradcheck(`${backend} maxPool2d 3 stride 2`, [x], (g) => maxPool2d(g, x, 3, 2));
      gradcheck(`${backend} conv → pool`, [x], (g) => maxPool2d(g, conv2d(g, x, randParam(new Random(3), 'w', [5, 4, 3, 3]), null), 2));
    }
  } finally {
    setBackend(before);
  }
});
