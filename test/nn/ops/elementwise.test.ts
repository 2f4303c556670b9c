import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Random } from '../../../src/linalg/random.ts';
import { add, addBias, addScalar, biasAct, div, exp, gelu, leakyRelu, log, mul, relu, scale, sigmoid, sqrt, square, sub, tanh } from '../../../src/nn/ops/elementwise.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { Tensor } from '../../../src/nn/tensor.ts';
import { ShapeError } from '../../../src/errors.ts';
import { gradcheck, randParam } from '../gradcheck.ts';

const shapeArb = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 });

// Broadcast partner: drop leading dims and set random dims to 1.
const pairArb = shapeArb.chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.boolean()));

test('add/sub/mul/div gradients with broadcasting (random shapes, both sides)', () => {
  const ops = [['add', add], ['sub', sub], ['mul', mul], ['div', div]] as const;
  fc.assert(fc.property(pairArb, fc.integer({ min: 0, max: 1000 }), ([s, drop, ones, swap], seed) => {
    const rng = new Random(seed);
    const t = s.slice(drop).map((d, i) => (ones[i] ? 1 : d));
    const [sa, sb] = swap ? [t, s] : [s, t];
    for (const [name, op] of ops) {
      const a = randParam(rng, 'a', sa);
      // keep divisors away from 0
      const b = name === 'div' ? randParam(rng, 'b', sb, 0.5, 2) : randParam(rng, 'b', sb);
      gradcheck(`${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, [a, b], (g) => op(g, a, b));
    }
  }), { numRuns: 12 });
});

test('broadcasting edge cases: scalar [], [1] vs [n], [n,1] vs [1,m]', () => {
  const rng = new Random(3);
  const cases: [number[], number[]][] = [[[], [2, 3]], [[1], [4]], [[3, 1], [1, 4]], [[2, 1, 3], [4, 1]], [[2, 3], [2, 3]]];
  for (const [sa, sb] of cases) {
    const a = randParam(rng, 'a', sa), b = randParam(rng, 'b', sb, 0.5, 2);
    gradcheck(`mul ${JSON.stringify(sa)}·${JSON.stringify(sb)}`, [a, b], (g) => mul(g, a, b));
    gradcheck(`div ${JSON.stringify(sa)}/${JSON.stringify(sb)}`, [a, b], (g) => div(g, a, b));
  }
  const g = new Tape('float64');
  const x = new Tensor([2, 3], new Float64Array(6)), y = new Tensor([4], new Float64Array(4));
  assert.throws(() => add(g, x, y), ShapeError);
});

test('forward values: broadcast add matches a hand computation', () => {
  const g = new Tape('float64');
  const a = new Tensor([2, 1], Float64Array.from([1, 2]));
  const b = new Tensor([3], Float64Array.from([10, 20, 30]));
  assert.deepEqual([...add(g, a, b).data], [11, 21, 31, 12, 22, 32]);
});

test('bias add and unary op gradients', () => {
  const rng = new Random(5);
  const x = randParam(rng, 'x', [3, 4]), b = randParam(rng, 'b', [4]);
  gradcheck('addBias', [x, b], (g) => addBias(g, x, b));
  const pos = randParam(rng, 'p', [3, 4], 0.2, 2);
  const unary = [['relu', relu], ['leakyRelu', (g: Tape, t: Tensor) => leakyRelu(g, t, 0.1)], ['gelu', gelu], ['tanh', tanh], ['sigmoid', sigmoid],
    ['exp', exp], ['scale', (g: Tape, t: Tensor) => scale(g, t, -2.5)], ['addScalar', (g: Tape, t: Tensor) => addScalar(g, t, 3)], ['square', square]] as const;
  // keep relu/leaky away from the kink at 0
  for (let i = 0; i < x.size; i++) if (Math.abs(x.data[i]!) < 0.05) x.data[i] = 0.3;
  for (const [name, op] of unary) gradcheck(name, [x], (g) => op(g, x));
  gradcheck('log', [pos], (g) => log(g, pos));
  gradcheck('sqrt', [pos], (g) => sqrt(g, pos));
});

test('sigmoid and gelu values', () => {
  const g = new Tape('float64');
  const x = new Tensor([3], Float64Array.from([-800, 0, 800]));
  assert.deepEqual([...sigmoid(g, x).data], [0, 0.5, 1]);
  const y = gelu(g, new Tensor([1], Float64Array.from([1])));
  // 0.5·(1 + tanh(√(2/π)·1.044715)) = 0.8411919906
  assert.ok(Math.abs(y.data[0]! - 0.8411919906) < 1e-9);
});

test('a reused tape slot rebuilds its broadcast maps when the shapes change (same element count)', () => {
  const g = new Tape('float64');
  g.reset();
  const a = new Tensor([2, 3], Float64Array.from([1, 2, 3, 4, 5, 6]));
  assert.deepEqual([...add(g, a, new Tensor([3], Float64Array.from([10, 20, 30]))).data], [11, 22, 33, 14, 25, 36]);
  g.reset();
  const b = new Tensor([3, 2], Float64Array.from([1, 2, 3, 4, 5, 6]));
  assert.deepEqual([...add(g, b, new Tensor([3, 1], Float64Array.from([10, 20, 30]))).data], [11, 12, 23, 24, 35, 36]);
  g.reset();
  assert.deepEqual([...add(g, b, new Tensor([3, 1], Float64Array.from([10, 20, 30]))).data], [11, 12, 23, 24, 35, 36]);
});

test('biasAct (fused bias + activation on the kernel backend): gradients of x and b for every activation, shapes with 1 and odd sizes', () => {
  const rng = new Random(4242);
  for (const s of [[1, 1], [3, 5], [2, 3, 7], [17]]) {
    const N = s[s.length - 1]!;
    const x = randParam(rng, 'x', s, -2, 2), b = randParam(rng, 'b', [N], -1, 1);
    for (const act of ['identity', 'relu', 'leakyRelu', 'gelu', 'tanh', 'sigmoid'] as const) {
      gradcheck(`biasAct ${act} ${JSON.stringify(s)}`, [x, b], (g) => biasAct(g, x, b, act, 0.2));
      gradcheck(`biasAct ${act} no bias ${JSON.stringify(s)}`, [x], (g) => biasAct(g, x, null, act, 0.2));
    }
    // equals the unfused ops
    const g = new Tape('float64');
    const fused = biasAct(g, x, b, 'tanh');
    const plain = tanh(g, addBias(g, x, b));
    for (let i = 0; i < fused.size; i++) assert.equal(fused.data[i], plain.data[i]);
  }
  assert.throws(() => biasAct(new Tape('float64'), randParam(rng, 'x', [2, 3]), randParam(rng, 'b', [2]), 'relu'), /addBias: bias \[2\] does not match/);
});
