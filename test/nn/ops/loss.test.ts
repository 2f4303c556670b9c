import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { bceWithLogitsLoss, mseLoss, softmaxCrossEntropy } from '../../../src/nn/ops/loss.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { Tensor } from '../../../src/nn/tensor.ts';
import { DataError } from '../../../src/errors.ts';
import { gradcheck, randParam } from '../gradcheck.ts';

test('loss gradients with per-sample weights and a missing-label mask', () => {
  const rng = new Random(41);
  const B = 5;
  const weights = Float64Array.from({ length: B }, () => rng.uniformIn(0.2, 2));
  const mask = Uint8Array.from([1, 0, 1, 1, 0]);
  for (const K of [1, 3]) {
    const p = randParam(rng, 'p', K === 1 ? [B] : [B, K]);
    const y = Float64Array.from({ length: B * K }, (_, i) => (mask[Math.floor(i / K)] ? rng.normal() : NaN));
    const yb = Float64Array.from({ length: B * K }, () => (rng.uniform() < 0.5 ? 1 : 0));
    for (const o of [{}, { weights }, { mask }, { weights, mask }]) {
      gradcheck(`mse K=${K}`, [p], (g) => mseLoss(g, p, o === undefined || 'mask' in o ? y : y.map((v) => (Number.isNaN(v) ? 0 : v)), o));
      gradcheck(`bce K=${K}`, [p], (g) => bceWithLogitsLoss(g, p, yb, o));
    }
  }
  const z = randParam(rng, 'z', [B, 4], -2, 2);
  const labels = Int32Array.from([0, -1, 3, 2, -1]);
  gradcheck('softmax CE', [z], (g) => softmaxCrossEntropy(g, z, labels, { weights, mask }));
});

test('loss values: weighted masked mean, empty batch gives 0, bad targets are refused', () => {
  const g = new Tape('float64');
  const p = new Tensor([3], Float64Array.from([1, 2, 3]));
  const L = mseLoss(g, p, [0, NaN, 1], { weights: [1, 5, 3], mask: Uint8Array.from([1, 0, 1]) });
  assert.ok(Math.abs(L.item() - (1 * 1 + 3 * 4) / 4) < 1e-12);
  assert.equal(mseLoss(g, p, [NaN, NaN, NaN], { mask: new Uint8Array(3) }).item(), 0);
  assert.throws(() => mseLoss(g, p, [0, NaN, 1]), DataError);
  assert.throws(() => bceWithLogitsLoss(g, p, [0, 2, 1]), DataError);
  // BCE matches the naive formula where it is safe, and is finite for huge logits
  const z = new Tensor([2], Float64Array.from([0.3, -1.2]));
  const b = bceWithLogitsLoss(g, z, [1, 0]).item();
  const s = (v: number): number => 1 / (1 + Math.exp(-v));
  assert.ok(Math.abs(b - (-Math.log(s(0.3)) - Math.log(1 - s(-1.2))) / 2) < 1e-12);
  assert.ok(Number.isFinite(bceWithLogitsLoss(g, new Tensor([1], Float64Array.from([-1000])), [1]).item()));
  const ce = softmaxCrossEntropy(g, new Tensor([1, 3], Float64Array.from([1, 2, 3])), [2]).item();
  assert.ok(Math.abs(ce - (Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3)) < 1e-12);
});
