import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { PLE, gateUtilisation } from '../../../src/nn/arch/index.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { outputsOf } from './helpers.ts';

const make = () => new PLE({ taskNames: ['a', 'b'], outDims: [1, 1], encoder: { kind: 'mlp', input: 5, hidden: [4, 4, 3] }, sharedExperts: 2, taskExperts: 1, dtype: 'float64' }, new Random(1));

test('PLE has the paper\'s shared-branch gate at every level but the last, over ALL experts of the level', () => {
  const ple = make();
  const X = Float64Array.from({ length: 6 * 5 }, (_, i) => Math.cos(i));
  const g = new Tape('float64');
  const out = ple.forward(g, g.input(X, [6, 5]));
  const shared = out.gates.filter((r) => r.task === null);
  assert.deepEqual(shared.map((r) => r.level), [0, 1], 'levels 0 and 1 of 3');
  for (const r of shared) {
    assert.deepEqual(r.experts, ['a0', 'b0', 'shared0', 'shared1']);
    assert.deepEqual(r.weights.shape, [6, 4]);
  }
  assert.equal(out.gates.filter((r) => r.task !== null).length, 3 * 2, 'one gate per task per level');
  assert.ok(ple.levels[2]!.sharedGate === null && ple.levels[0]!.sharedGate !== null);
  const util = gateUtilisation(ple, new Tape('float64'), X, 6);
  assert.ok(util.every((r) => Math.abs(r.mean.reduce((s, v) => s + v, 0) - 1) < 1e-12));
});

test('PLE: through the shared gate, task b\'s lower-level expert reaches task a (in CGC it cannot); last-level b experts do not', () => {
  const ple = make();
  const X = Float64Array.from({ length: 6 * 5 }, (_, i) => Math.sin(i));
  const g = new Tape('float64');
  const before = outputsOf(g, ple, X);
  for (const p of ple.levels[0]!.own[1]![0]!.parameters()) p.data.fill(0.9);
  const after = outputsOf(g, ple, X);
  assert.ok(after[0]!.some((v, i) => v !== before[0]![i]), 'level-0 expert of b changes task a');
  // zero the shared gates' weights on b's expert by making its logit −∞-like: the path closes
  const ple2 = make();
  const sgW = ple2.levels[0]!.sharedGate!.weight; // [D, 4]; column 1 = b0
  const sgW1 = ple2.levels[1]!.sharedGate!.weight;
  for (const W of [sgW, sgW1]) for (let i = 0; i < W.shape[0]!; i++) W.data[i * 4 + 1] = 0;
  const b2 = outputsOf(g, ple2, X);
  for (const p of ple2.levels[2]!.own[1]![0]!.parameters()) p.data.fill(0.9);
  const a2 = outputsOf(g, ple2, X);
  assert.deepEqual(a2[0], b2[0], 'the last level has no shared gate: b\'s last expert never reaches a');
});
