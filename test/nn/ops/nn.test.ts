import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { dropout, gather, layerNorm, logSoftmax, softmax, weightedSum } from '../../../src/nn/ops/nn.ts';
import { mul } from '../../../src/nn/ops/elementwise.ts';
import { sum } from '../../../src/nn/ops/reduce.ts';
import { reshape } from '../../../src/nn/ops/shape.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { Tensor } from '../../../src/nn/tensor.ts';
import { ShapeError } from '../../../src/errors.ts';
import { gradcheck, randParam } from '../gradcheck.ts';

test('softmax / logSoftmax / layerNorm / gather / dropout gradients', () => {
  const rng = new Random(21);
  for (const s of [[5], [3, 4], [2, 2, 3]]) {
    const x = randParam(rng, 'x', s, -3, 3);
    gradcheck(`softmax ${JSON.stringify(s)}`, [x], (g) => softmax(g, x));
    gradcheck(`logSoftmax ${JSON.stringify(s)}`, [x], (g) => logSoftmax(g, x));
    const D = s[s.length - 1]!;
    const gam = randParam(rng, 'gamma', [D]), bet = randParam(rng, 'beta', [D]);
    gradcheck(`layerNorm ${JSON.stringify(s)}`, [x, gam, bet], (g) => layerNorm(g, x, gam, bet));
    gradcheck(`layerNorm no affine ${JSON.stringify(s)}`, [x], (g) => layerNorm(g, x, null, null));
  }
  const table = randParam(rng, 'table', [5, 3]);
  gradcheck('gather with repeats', [table], (g) => gather(g, table, [4, 0, 4, 2]));
  const x = randParam(rng, 'x', [4, 6]);
  gradcheck('dropout', [x], (g) => dropout(g, x, 0.4));
});

test('softmax is stable for large logits; layerNorm normalises; dropout keeps the mean', () => {
  const g = new Tape('float64', 7);
  const s = softmax(g, new Tensor([2], Float64Array.from([1000, 1000])));
  assert.deepEqual([...s.data], [0.5, 0.5]);
  const ls = logSoftmax(g, new Tensor([2], Float64Array.from([0, -1e4])));
  assert.ok(Math.abs(ls.data[0]!) < 1e-12 && ls.data[1]! < -9999);
  const y = layerNorm(g, new Tensor([1, 4], Float64Array.from([1, 2, 3, 4])), null, null, 0);
  const mu = [...y.data].reduce((a, b) => a + b, 0) / 4;
  const v = [...y.data].reduce((a, b) => a + (b - mu) ** 2, 0) / 4;
  assert.ok(Math.abs(mu) < 1e-12 && Math.abs(v - 1) < 1e-12);
  const ones = new Tensor([20000], new Float64Array(20000).fill(1));
  const d = dropout(g, ones, 0.3);
  const m = [...d.data].reduce((a, b) => a + b, 0) / 20000;
  assert.ok(Math.abs(m - 1) < 0.03, `dropout mean ${m}`);
  const zeros = [...d.data].filter((v) => v === 0).length / 20000;
  assert.ok(Math.abs(zeros - 0.3) < 0.02, `dropout rate ${zeros}`);
  g.training = false;
  assert.equal(dropout(g, ones, 0.3), ones);
  assert.throws(() => gather(g, new Tensor([2, 2], new Float64Array(4)), [2]), ShapeError);
});

test('weightedSum: gradients, and equal to mul + sum over the expert axis', () => {
  const rng = new Random(77);
  for (const s of [[3, 4, 5], [2, 3], [2, 3, 2, 2]]) {
    const x = randParam(rng, 'x', s), w = randParam(rng, 'w', [s[0]!, s[1]!]);
    gradcheck(`weightedSum ${JSON.stringify(s)}`, [x, w], (g) => weightedSum(g, x, w));
    const g = new Tape('float64');
    const a = weightedSum(g, x, w);
    const b = sum(g, mul(g, x, reshape(g, w, [s[0]!, s[1]!, ...s.slice(2).map(() => 1)])), [1]);
    assert.deepEqual(a.shape, b.shape);
    for (let i = 0; i < a.size; i++) assert.ok(Math.abs(a.data[i]! - b.data[i]!) < 1e-12);
  }
  assert.throws(() => weightedSum(new Tape('float64'), randParam(rng, 'x', [2, 3, 4]), randParam(rng, 'w', [2, 4])), ShapeError);
});
