import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/linalg/random.ts';
import { initFill } from '../../src/nn/init.ts';
import { Conv2d, Embedding, LayerNormLayer, Linear, MLP, MaxPool2d, collectParameters } from '../../src/nn/module.ts';
import { flatten } from '../../src/nn/ops/shape.ts';
import { Tape } from '../../src/nn/tape.ts';
import { Param } from '../../src/nn/tensor.ts';
import { OptionError } from '../../src/errors.ts';
import { gradcheck, randParam } from './gradcheck.ts';

test('initialisers have the variances of their papers and are reproducible for a seed', () => {
  const fanIn = 200, fanOut = 50, n = 40000;
  const variance = (d: Float64Array): number => d.reduce((a, b) => a + b * b, 0) / d.length;
  const cases: [Parameters<typeof initFill>[1], number][] = [
    ['kaiming-uniform', 2 / fanIn], ['kaiming-normal', 2 / fanIn],
    ['xavier-uniform', 2 / (fanIn + fanOut)], ['xavier-normal', 2 / (fanIn + fanOut)], ['torch-default', 1 / (3 * fanIn)],
  ];
  for (const [name, v] of cases) {
    const d = new Float64Array(n);
    initFill(d, name, new Random(1), fanIn, fanOut);
    assert.ok(Math.abs(variance(d) / v - 1) < 0.03, `${name}: variance ${variance(d)} vs ${v}`);
    const e = new Float64Array(n);
    initFill(e, name, new Random(1), fanIn, fanOut);
    assert.deepEqual(e, d);
  }
  assert.throws(() => initFill(new Float64Array(1), 'bogus' as never, new Random(1), 1, 1), OptionError);
});

test('module forwards: shapes, gradients through MLP (layer norm, gelu) and a conv stack', () => {
  const rng = new Random(4);
  const mlp = new MLP('m', [3, 5, 2], rng, { dtype: 'float64', activation: 'gelu', layerNorm: true, activateLast: true });
  const x = randParam(rng, 'x', [4, 3]);
  gradcheck('mlp', [x, ...mlp.parameters()], (g) => mlp.forward(g, x), { lanes: false });
  const conv = new Conv2d('c', 2, 3, 3, rng, { dtype: 'float64', padding: 1 });
  const pool = new MaxPool2d(2);
  const lin = new Linear('l', 3 * 2 * 2, 2, rng, { dtype: 'float64' });
  const img = randParam(rng, 'img', [2, 2, 4, 4]);
  const g = new Tape('float64');
  const y = lin.forward(g, flatten(g, pool.forward(g, conv.forward(g, img))));
  assert.deepEqual(y.shape, [2, 2]);
  gradcheck('conv stack', [img, ...conv.parameters(), ...lin.parameters()], (t) => lin.forward(t, flatten(t, pool.forward(t, conv.forward(t, img)))), { lanes: false });
  const emb = new Embedding('e', 7, 3, rng, { dtype: 'float64' });
  const ln = new LayerNormLayer('ln', 3, { dtype: 'float64' });
  gradcheck('embedding + layer norm', [...emb.parameters(), ...ln.parameters()], (t) => ln.forward(t, emb.forward(t, [1, 6, 1])));
  assert.equal(collectParameters([mlp, conv]).length, mlp.parameters().length + 2);
  assert.throws(() => collectParameters([mlp, mlp]), /two parameters/);
  assert.throws(() => new MLP('bad', [3], rng), OptionError);
  assert.ok(new Linear('z', 2, 2, rng).weight instanceof Param);
});
