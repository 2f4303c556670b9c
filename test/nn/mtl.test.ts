import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/linalg/random.ts';
import { Linear, MLP, collectParameters } from '../../src/nn/module.ts';
import { backwardShared, gramian, jacobianByBackward, jacobianByLanes, repGradients, writeSharedGrad } from '../../src/nn/mtl.ts';
import { bceWithLogitsLoss, mseLoss } from '../../src/nn/ops/loss.ts';
import { Tape } from '../../src/nn/tape.ts';
import { zeroGrad } from '../../src/nn/tensor.ts';
import type { Tensor } from '../../src/nn/tensor.ts';

function setup(seed: number) {
  const rng = new Random(seed);
  const B = 7, D = 5, H = 4, T = 3;
  const trunk = new MLP('trunk', [D, 6, H], rng, { dtype: 'float64', activation: 'tanh', activateLast: true });
  const heads = Array.from({ length: T }, (_, t) => new Linear(`head${t}`, H, 1, rng, { dtype: 'float64' }));
  const X = Float64Array.from({ length: B * D }, () => rng.normal());
  const Y = Array.from({ length: T }, () => Float64Array.from({ length: B }, () => rng.normal()));
  const masks = Array.from({ length: T }, () => Uint8Array.from({ length: B }, () => (rng.uniform() < 0.8 ? 1 : 0)));
  const forward = (g: Tape): { feats: Tensor; losses: Tensor[] } => {
    g.reset();
    const x = g.input(X, [B, D]);
    const feats = trunk.forward(g, x);
    const losses = heads.map((h, t) => (t === 2 ? bceWithLogitsLoss(g, h.forward(g, feats), Y[t]!.map((v) => (v > 0 ? 1 : 0)), { mask: masks[t]! })
      : mseLoss(g, h.forward(g, feats), Y[t]!, { mask: masks[t]! })));
    return { feats, losses };
  };
  return { trunk, heads, forward, T, shared: trunk.parameters() };
}

test('the three ways agree: Jacobian rows (one lanes pass) = T separate backward gradients; rep grads chain to the weighted sum', () => {
  const { trunk, heads, forward, T, shared } = setup(1);
  const all = collectParameters([trunk, ...heads]);
  const g = new Tape('float64');
  const { feats, losses } = forward(g);
  zeroGrad(all);
  const J1 = jacobianByBackward(g, losses, shared);
  zeroGrad(all);
  const J2 = jacobianByLanes(g, losses, feats, shared);
  assert.equal(J1.rows, T);
  let maxAbs = 0;
  for (let i = 0; i < J1.data.length; i++) {
    assert.ok(Math.abs(J1.data[i]! - J2.data[i]!) < 1e-6 * Math.max(1, Math.abs(J1.data[i]!)), `entry ${i}: ${J1.data[i]} vs ${J2.data[i]}`);
    maxAbs = Math.max(maxAbs, Math.abs(J1.data[i]!));
  }
  assert.ok(maxAbs > 1e-3, 'the Jacobian is not trivially zero');
  // each row equals the gradient of that task's loss alone, from a fresh tape
  for (let t = 0; t < T; t++) {
    const g2 = new Tape('float64');
    const f = forward(g2);
    zeroGrad(all);
    g2.backward(f.losses[t]!);
    let off = 0;
    for (const p of shared) {
      for (let i = 0; i < p.size; i++) assert.ok(Math.abs(p.grad![i]! - J2.data[t * J2.cols + off + i]!) < 1e-9);
      off += p.size;
    }
  }
  // heads got their own task's gradient in the lanes way
  zeroGrad(all);
  jacobianByLanes(g, losses, feats, shared);
  for (let t = 0; t < T; t++) {
    const g2 = new Tape('float64');
    const f = forward(g2);
    const saved = all.map((p) => Float64Array.from(p.grad!));
    zeroGrad(all);
    g2.backward(f.losses[t]!);
    const hw = heads[t]!.weight;
    const own = Float64Array.from(hw.grad!);
    all.forEach((p, i) => p.grad!.set(saved[i]!));
    for (let i = 0; i < hw.size; i++) assert.ok(Math.abs(own[i]! - hw.grad![i]!) < 1e-9);
  }
  // rep way: Σ_t w_t ∂L_t/∂feats backpropagated once = Σ_t w_t J_t
  const w = [0.5, 2, 1.5];
  const R = repGradients(g, losses, feats);
  const comb = new Float64Array(R.cols);
  for (let t = 0; t < T; t++) for (let i = 0; i < R.cols; i++) comb[i] += w[t]! * R.data[t * R.cols + i]!;
  zeroGrad(shared);
  backwardShared(g, feats, comb);
  let off = 0;
  for (const p of shared) {
    for (let i = 0; i < p.size; i++) {
      let e = 0;
      for (let t = 0; t < T; t++) e += w[t]! * J1.data[t * J1.cols + off + i]!;
      assert.ok(Math.abs(p.grad![i]! - e) < 1e-9);
    }
    off += p.size;
  }
  // Gramian and writeSharedGrad
  const K = gramian(J1);
  let k01 = 0;
  for (let i = 0; i < J1.cols; i++) k01 += J1.data[i]! * J1.data[J1.cols + i]!;
  assert.ok(Math.abs(K[1]! - k01) < 1e-12 && K[1] === K[T]);
  writeSharedGrad(shared, J1.data.subarray(0, J1.cols));
  assert.equal(shared[0]!.grad![0], J1.data[0]);
});

test('the training step allocates nothing in the steady state (incl. the Jacobian way)', () => {
  const { forward, shared } = setup(2);
  const g = new Tape('float64');
  const counts: number[] = [];
  for (let step = 0; step < 5; step++) {
    const { feats, losses } = forward(g);
    g.backward(losses);
    jacobianByLanes(g, losses, feats, shared);
    counts.push(g.allocations);
  }
  assert.ok(counts[0]! > 0);
  assert.equal(counts[4], counts[1], `arena allocations grew after warm-up: ${counts.join(', ')}`);
});

test('the arena never writes into a caller buffer wrapped by input() when the op sequence changes', async () => {
  const { Tape } = await import('../../src/nn/tape.ts');
  const { Tensor } = await import('../../src/nn/tensor.ts');
  const { scale } = await import('../../src/nn/ops/elementwise.ts');
  const g = new Tape('float64');
  const user = Float64Array.from([1, 2, 3]);
  g.reset();
  g.input(user, [3]);
  g.reset();
  // now an op lands on slot 0 with the same size
  scale(g, new Tensor([3], Float64Array.from([5, 5, 5])), 2);
  assert.deepEqual([...user], [1, 2, 3]);
});
