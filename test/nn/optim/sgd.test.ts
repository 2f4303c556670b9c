import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sgd } from '../../../src/nn/optim/sgd.ts';
import { applyUpdates, clipByGlobalNorm, chain, scaleByLearningRate } from '../../../src/nn/optim/transform.ts';
import { Param } from '../../../src/nn/tensor.ts';
import { OptionError } from '../../../src/errors.ts';

test('SGD, momentum and Nesterov follow PyTorch torch.optim.SGD on a quadratic', () => {
  for (const nesterov of [false, true]) {
    const p = new Param('p', [1], Float64Array.from([1]));
    const tx = sgd({ lr: 0.1, momentum: 0.9, nesterov, weightDecay: 0.01 });
    const st = tx.init([p]);
    let x = 1, b = 0;
    for (let k = 0; k < 6; k++) {
      const gr = 2 * x + 0.01 * x; // f = x², plus coupled L2
      b = k === 0 ? gr : 0.9 * b + gr;
      x -= 0.1 * (nesterov ? gr + 0.9 * b : b);
      const u = [Float64Array.from([2 * p.data[0]!])];
      tx.update(u, st, [p]);
      applyUpdates([p], u);
      assert.ok(Math.abs(p.data[0]! - x) < 1e-14, `nesterov=${nesterov} step ${k}`);
    }
  }
  assert.throws(() => sgd({ lr: 0.1, nesterov: true }), OptionError);
});

test('global-norm clipping scales all parameters together, only above the threshold', () => {
  const a = new Param('a', [2], new Float64Array(2)), b = new Param('b', [1], new Float64Array(1));
  const tx = chain(clipByGlobalNorm(1), scaleByLearningRate(1));
  const st = tx.init([a, b]);
  const u = [Float64Array.from([3, 0]), Float64Array.from([4])];
  tx.update(u, st, [a, b]);
  assert.deepEqual([...u[0]!, ...u[1]!].map((v) => Math.round(v * 1e12) / 1e12 + 0), [-0.6, 0, -0.8]);
  const small = [Float64Array.from([0.3, 0]), Float64Array.from([0.4])];
  tx.update(small, st, [a, b]);
  assert.deepEqual([...small[0]!, ...small[1]!], [-0.3, -0, -0.4]);
});
