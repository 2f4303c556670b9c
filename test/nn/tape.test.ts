import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/linalg/random.ts';
import { buildArchitecture, type ArchName, type MtlArchitecture } from '../../src/nn/arch/index.ts';
import { jacobianByLanes } from '../../src/nn/mtl.ts';
import { mseLoss } from '../../src/nn/ops/loss.ts';
import { adam } from '../../src/nn/optim/adam.ts';
import { applyUpdates } from '../../src/nn/optim/transform.ts';
import { Tape } from '../../src/nn/tape.ts';
import { zeroGrad } from '../../src/nn/tensor.ts';
import type { Tensor } from '../../src/nn/tensor.ts';

const D = 6;
const FULL = 16, PART = 9;

function net(name: ArchName): MtlArchitecture {
  return buildArchitecture(name, {
    taskNames: ['a', 'b', 'c'], outDims: [1, 1, 1],
    encoder: { kind: 'mlp', input: D, hidden: [8, 5], activation: 'relu' },
    headHidden: [4], experts: 3, dtype: 'float32',
  }, new Random(3));
}

/** Batches of every size used (inputs and targets built once: the caller's buffers, not the arena's). */
function batches(sizes: readonly number[], T: number): Map<number, { X: Float32Array; Y: Float32Array[] }> {
  const rng = new Random(5);
  const m = new Map<number, { X: Float32Array; Y: Float32Array[] }>();
  for (const b of sizes) {
    m.set(b, {
      X: Float32Array.from({ length: b * D }, () => rng.normal()),
      Y: Array.from({ length: T }, () => Float32Array.from({ length: b }, () => rng.normal())),
    });
  }
  return m;
}

/**
 * One training step as the trainer runs it: forward (the stl-mlp path asks for one task per forward,
 * as the trainer's per-task mode does), weighted backward, optionally the Jacobian of the shared
 * parameters (one lanes pass), Adam, update. Returns the losses.
 */
function makeStep(arch: MtlArchitecture, perTask: boolean, jacobian: boolean) {
  const params = arch.parameters();
  const opt = adam({ lr: 1e-2 });
  const state = opt.init(params);
  const grads = params.map((p) => p.grad!);
  const T = arch.taskNames.length;
  const only = Array.from({ length: T }, (_, t) => [t]);
  const losses: Tensor[] = new Array<Tensor>(T);
  const P = arch.sharedParameters().reduce((n, p) => n + p.size, 0);
  const J = new Float32Array(T * P); // the trainer's Jacobian buffer (T × P: not batch-dependent)
  return (g: Tape, X: Float32Array, Y: Float32Array[], b: number, update = true): number[] => {
    g.reset();
    let feats: Tensor | null = null;
    if (perTask) {
      for (let t = 0; t < T; t++) losses[t] = mseLoss(g, arch.forward(g, g.input(X, [b, D]), only[t])!.outputs[t]!, Y[t]!);
    } else {
      const out = arch.forward(g, g.input(X, [b, D]));
      feats = out.features;
      for (let t = 0; t < T; t++) losses[t] = mseLoss(g, out.outputs[t]!, Y[t]!);
    }
    if (jacobian && feats) {
      jacobianByLanes(g, losses, feats, arch.sharedParameters(), undefined, J);
      zeroGrad(params); // the lanes pass also fed the heads' grads
    }
    g.backward(losses);
    const vals = losses.map((L) => L.item());
    if (update) {
      opt.update(grads, state, params);
      applyUpdates(params, grads);
    }
    return vals;
  };
}

for (const [name, perTask, jacobian] of [['hps', false, true], ['mmoe', false, false], ['stl', true, false]] as const) {
  test(`${name === 'stl' ? 'stl-mlp (one forward per task)' : name}: steps with varying batch sizes (full, partial, full, ...) allocate nothing after the first full and partial step`, () => {
    const arch = net(name);
    const data = batches([FULL, PART], arch.taskNames.length);
    const step = makeStep(arch, perTask, jacobian);
    const g = new Tape('float32', 1);
    const run = (b: number): void => { const { X, Y } = data.get(b)!; step(g, X, Y, b); };
    run(FULL);
    run(PART); // warm-up: the first epoch sees both sizes
    const warm = g.allocations;
    assert.ok(warm > 0);
    const sizes = [FULL, PART, FULL, FULL, PART, PART, FULL];
    for (const b of sizes) {
      run(b);
      assert.equal(g.allocations, warm, `arena allocated ${g.allocations - warm} buffers in a steady-state step of batch ${b}`);
    }
  });
}

test('a partial batch on a reused (larger) arena gives exactly the losses and gradients of a fresh tape', () => {
  for (const name of ['hps', 'mmoe', 'stl'] as const) {
    const arch = net(name);
    const data = batches([FULL, PART], arch.taskNames.length);
    const params = arch.parameters();
    const step = makeStep(arch, name === 'stl', false);
    const g = new Tape('float32', 1);
    const full = data.get(FULL)!, part = data.get(PART)!;
    step(g, full.X, full.Y, FULL); // the arena now holds FULL-row buffers
    zeroGrad(params);
    const lr = step(g, part.X, part.Y, PART, false);
    const gr = params.map((p) => Float32Array.from(p.grad!));
    zeroGrad(params);
    const lf = step(new Tape('float32', 1), part.X, part.Y, PART, false);
    assert.deepEqual(lr, lf, `${name}: losses differ`);
    params.forEach((p, i) => assert.deepEqual(Array.from(p.grad!), Array.from(gr[i]!), `${name}: gradient of ${p.name} differs`));
    zeroGrad(params);
  }
});

test('growing past the capacity reallocates once, then the larger size is steady too', () => {
  const arch = net('hps');
  const data = batches([PART, FULL], 3);
  const step = makeStep(arch, false, false);
  const g = new Tape('float32', 1);
  const run = (b: number): void => { const { X, Y } = data.get(b)!; step(g, X, Y, b); };
  run(PART);
  const a0 = g.allocations;
  run(FULL);
  assert.ok(g.allocations > a0, 'a batch larger than every earlier one must get larger buffers');
  run(PART);
  const a1 = g.allocations;
  for (const b of [FULL, PART, FULL]) run(b);
  assert.equal(g.allocations, a1);
});
