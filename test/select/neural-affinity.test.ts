import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adam } from '../../src/nn/optim/adam.ts';
import { gramian } from '../../src/nn/mtl.ts';
import { train } from '../../src/nn/train/trainer.ts';
import type { StepProbe } from '../../src/nn/train/probe.ts';
import type { MTLNetwork, TaskSpec } from '../../src/nn/train/types.ts';
import { affinityProbe, cosineAffinity, neuralAffinity, tagLookahead } from '../../src/select/neural-affinity.ts';
import type { NeuralAffinity } from '../../src/select/neural-affinity.ts';
import { OptionError } from '../../src/errors.ts';
import { SharedOutputNet, TinyHPS, plantedSignGroups } from '../nn/train/helpers.ts';

const reg = (T: number): TaskSpec[] => Array.from({ length: T }, (_, t) => ({ name: `t${t}`, kind: 'regression' as const }));
const params = (net: MTLNetwork): number[] => net.parameters().flatMap((p) => Array.from(p.data));

// Planted: tasks 0, 2 share a target, tasks 1, 3 have the opposite one (interleaved on purpose).
const SIGNS = [1, -1, 1, -1];
const GROUPS = [[0, 2], [1, 3]];
const data = plantedSignGroups(240, 4, SIGNS, 11);
const cfg = { tasks: reg(4), epochs: 6, batchSize: 24, seed: 3, optimizer: adam({ lr: 0.01 }), logConflictEvery: 0 };

/** Groups by a threshold: connected components of {i ~ j : gain_ij + gain_ji > 0}. */
function thresholdGroups(a: NeuralAffinity): number[][] {
  const T = a.T, label = Array.from({ length: T }, (_, i) => i);
  const find = (i: number): number => (label[i] === i ? i : (label[i] = find(label[i]!)));
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) if (a.gain[i * T + j]! + a.gain[j * T + i]! > 0) label[find(i)] = find(j);
  const m = new Map<number, number[]>();
  for (let i = 0; i < T; i++) m.set(find(i), [...(m.get(find(i)) ?? []), i]);
  return [...m.values()].sort((x, y) => x[0]! - y[0]!);
}

function checkPlanted(a: NeuralAffinity): void {
  const T = a.T;
  let minWithin = Infinity, maxAcross = -Infinity;
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      if (i === j) continue;
      const v = a.gain[i * T + j]!;
      if (SIGNS[i] === SIGNS[j]) minWithin = Math.min(minWithin, v);
      else maxAcross = Math.max(maxAcross, v);
    }
  }
  assert.ok(minWithin > maxAcross, `${a.measure}: within-group min ${minWithin} must exceed across-group max ${maxAcross}`);
  assert.deepEqual(thresholdGroups(a), GROUPS, `${a.measure}: gain ${Array.from(a.gain).map((v) => v.toFixed(3))}`);
  for (let k = 0; k < T * T; k++) assert.ok(Number.isFinite(a.se[k]!) && a.se[k]! >= 0, `se[${k}] = ${a.se[k]}`);
}

test('gradient-cosine affinity recovers planted groups; symmetric with unit diagonal', () => {
  const { affinity: a, train: r } = neuralAffinity(new SharedOutputNet(4, 8, 4, 5), data, cfg, { measure: 'gradient-cosine', every: 2, model: 'shared-output' });
  assert.equal(a.T, 4);
  assert.deepEqual(a.tasks, ['t0', 't1', 't2', 't3']);
  assert.equal(a.measure, 'gradient-cosine');
  assert.equal(a.model, 'shared-output');
  assert.equal(r.steps, 60);
  assert.equal(a.samples, 30);
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(a.gain[i * 5]! - 1) < 1e-9);
    for (let j = 0; j < 4; j++) assert.ok(Math.abs(a.gain[i * 4 + j]! - a.gain[j * 4 + i]!) < 1e-12);
  }
  checkPlanted(a);
  assert.ok(a.cost.msPerSample > 0 && a.cost.measureSeconds < a.cost.trainSeconds);
});

test('TAG look-ahead affinity (Fifty et al. 2021, eq. 3) recovers planted groups; orientation gain[i,j] = Z_{j→i}', () => {
  const { affinity: a } = neuralAffinity(new SharedOutputNet(4, 8, 4, 5), data, cfg, { measure: 'tag-lookahead', every: 3, lookaheadLr: 0.05 });
  assert.equal(a.measure, 'tag-lookahead(lr=0.05)');
  assert.equal(a.samples, 20);
  checkPlanted(a);
  // a task's own look-ahead step lowers its own loss
  for (let i = 0; i < 4; i++) assert.ok(a.gain[i * 5]! > 0, `Z_{${i}→${i}} = ${a.gain[i * 5]}`);
});

test('TAG look-ahead: first order η g_iᵀg_j / L_j, orientation, and exact restoration of θ_s', () => {
  const d2 = plantedSignGroups(40, 4, [1, -1, 1], 4);
  const checks: { Z: Float64Array; K: Float64Array; L: Float64Array }[] = [];
  const lr = 1e-3;
  const probe: StepProbe = {
    every: 1,
    observe(ctx) {
      const before = params(net);
      const Z = tagLookahead(ctx, lr);
      assert.deepEqual(params(net), before, 'look-ahead restores the shared parameters exactly');
      checks.push({ Z, K: gramian(ctx.taskGradients()), L: ctx.evalLosses() });
    },
  };
  const net = new TinyHPS(4, 6, [1, 1, 1], 8);
  train(net, d2, { tasks: reg(3), epochs: 1, batchSize: 20, seed: 1, optimizer: adam({ lr: 0.01 }), probe });
  assert.equal(checks.length, 2);
  for (const { Z, K, L } of checks) {
    let scale = 0;
    for (const v of K) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        // Z_{j→i} = 1 − L_i(θ − η g_j)/L_i(θ) ≈ η g_iᵀ g_j / L_i to first order
        const firstOrder = K[i * 3 + j]!;
        const measured = (Z[i * 3 + j]! * L[i]!) / lr;
        assert.ok(Math.abs(measured - firstOrder) < 0.03 * scale, `(${i},${j}): ${measured} vs ${firstOrder} (scale ${scale})`);
      }
    }
  }
  // measuring never changes the training trajectory (no dropout: bit-identical)
  const plain = new TinyHPS(4, 6, [1, 1, 1], 8);
  train(plain, d2, { tasks: reg(3), epochs: 1, batchSize: 20, seed: 1, optimizer: adam({ lr: 0.01 }) });
  assert.deepEqual(params(plain), params(net));
});

test('cosineAffinity of a hand-made Jacobian; bad options are refused clearly', () => {
  const A = cosineAffinity({ rows: 3, cols: 2, data: Float64Array.from([1, 0, 0, 2, -3, 0]) });
  assert.deepEqual(Array.from(A), [1, 0, -1, 0, 1, 0, -1, 0, 1]);
  const Z = cosineAffinity({ rows: 2, cols: 2, data: Float64Array.from([0, 0, 1, 1]) });
  assert.deepEqual(Array.from(Z), [0, 0, 0, 1], 'a zero gradient has no direction: 0');
  assert.throws(() => affinityProbe(2, { measure: 'tag-lookahead' }), (e: unknown) => e instanceof OptionError && /look-ahead learning rate/.test(e.message));
  assert.throws(() => affinityProbe(2, { measure: 'cosine' as never }), OptionError);
  assert.throws(() => affinityProbe(2, { measure: 'gradient-cosine', every: 0 }), OptionError);
  assert.throws(() => neuralAffinity(new SharedOutputNet(4, 8, 4, 5), data, { ...cfg, probe: { every: 1, observe: () => {} } }, { measure: 'gradient-cosine' }), OptionError);
});
