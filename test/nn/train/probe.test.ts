import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adam } from '../../../src/nn/optim/adam.ts';
import { sgd } from '../../../src/nn/optim/sgd.ts';
import { mseLoss } from '../../../src/nn/ops/loss.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { sumAggregator } from '../../../src/nn/train/hooks.ts';
import type { LossWeighting } from '../../../src/nn/train/hooks.ts';
import { train } from '../../../src/nn/train/trainer.ts';
import { CompetitionAcc, unseededGramian } from '../../../src/nn/train/probe.ts';
import type { EpochRecord, MTLNetwork, TaskSpec } from '../../../src/nn/train/types.ts';
import { OptionError } from '../../../src/errors.ts';
import { SharedOutputNet, TinyHPS, plantedMultiOutput, plantedSignGroups } from './helpers.ts';

const params = (net: MTLNetwork): number[] => net.parameters().flatMap((p) => Array.from(p.data));
const reg = (T: number): TaskSpec[] => Array.from({ length: T }, (_, t) => ({ name: `t${t}`, kind: 'regression' as const }));

test('competition = cosines and norm ratios of finite-difference task gradients at the first step', () => {
  const data = plantedSignGroups(16, 3, [1, -1], 5);
  const tasks = reg(2);
  const recs: EpochRecord[] = [];
  const net = new TinyHPS(3, 4, [1, 1], 9);
  // one full batch, one step: the record is the geometry at the initial parameters
  train(net, data, { tasks, epochs: 1, batchSize: 16, seed: 1, optimizer: sgd({ lr: 0.1 }), logConflictEvery: 1, onEpoch: (r) => recs.push(r) });
  const c = recs[0]!.competition!;
  assert.equal(c.samples, 1);
  assert.equal(c.source, 'sampled');
  const ref = new TinyHPS(3, 4, [1, 1], 9);
  const lossOf = (t: number): number => {
    const g = new Tape('float32', 0);
    const out = ref.forward(g, g.input(data.X, [16, 3]));
    return mseLoss(g, out.outputs[t]!, data.targets[t]!).data[0]!;
  };
  const G = [0, 1].map((t) => ref.sharedParameters().flatMap((p) => Array.from({ length: p.size }, (_, k) => {
    const v = p.data[k]!, eps = 3e-3;
    p.data[k] = v + eps; const up = lossOf(t);
    p.data[k] = v - eps; const dn = lossOf(t);
    p.data[k] = v;
    return (up - dn) / (2 * eps);
  })));
  const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
  const n0 = Math.sqrt(dot(G[0]!, G[0]!)), n1 = Math.sqrt(dot(G[1]!, G[1]!));
  const cos = dot(G[0]!, G[1]!) / (n0 * n1);
  assert.ok(Math.abs(c.cosine[1]! - cos) < 1e-2, `cosine ${c.cosine[1]} vs finite differences ${cos}`);
  assert.ok(Math.abs(c.cosine[0]! - 1) < 1e-6 && Math.abs(c.cosine[3]! - 1) < 1e-6);
  assert.ok(Math.abs(c.norm[0]! - n0) < 1e-2 * n0 && Math.abs(c.norm[1]! - n1) < 1e-2 * n1, `norms ${c.norm} vs ${n0}, ${n1}`);
  assert.ok(Math.abs(c.normRatio[0]! - (2 * n0) / (n0 + n1)) < 1e-2);
  assert.equal(c.conflicts, cos < 0 ? 1 : 0);
});

test('planted conflict: opposed targets on a shared output come to conflict, aligned ones never do', () => {
  const data = plantedSignGroups(200, 4, [1, 1, -1], 2);
  const recs: EpochRecord[] = [];
  train(new SharedOutputNet(4, 8, 3, 3), data, { tasks: reg(3), epochs: 6, batchSize: 20, seed: 2, optimizer: adam({ lr: 0.01 }), logConflictEvery: 2, onEpoch: (r) => recs.push(r) });
  // at first every task pulls f towards the targets' common scale (all cosines > 0); once that is
  // fitted, the opposed task fights the other two
  for (const r of recs) {
    const c = r.competition!;
    assert.equal(c.samples, 5); // 10 steps per epoch, every 2nd
    assert.equal(c.every, 2);
    assert.ok(c.cosine[0 * 3 + 1]! > 0.5, `aligned pair cosine ${c.cosine[1]}`);
    assert.deepEqual(r.weights, [1, 1, 1]);
    assert.ok(c.maxOverMin !== null && c.maxOverMin >= 1);
    assert.equal(JSON.parse(JSON.stringify(r)).competition.samples, 5, 'JSON-lines friendly');
  }
  assert.equal(recs[0]!.competition!.conflicts, 0);
  for (const r of recs.slice(4)) {
    const c = r.competition!;
    assert.ok(c.cosine[0 * 3 + 2]! < -0.5 && c.cosine[1 * 3 + 2]! < -0.5, `opposed pairs ${c.cosine}`);
    assert.equal(c.conflicts, 2);
    assert.equal(c.conflictRate[0 * 3 + 2], 1);
    assert.equal(c.conflictRate[0 * 3 + 1], 0);
  }
});

test('logging never changes training (bit-identical parameters, with dropout, both gradient routes)', () => {
  const data = plantedMultiOutput(120, 5, 1);
  const tasks: TaskSpec[] = [{ name: 'a', kind: 'regression' }, { name: 'b', kind: 'regression' }, { name: 'c', kind: 'binary' }];
  for (const expose of [true, false]) {
    const run = (every: number): number[] => {
      const net = new TinyHPS(5, 8, [1, 1, 1], 4, 0.2, expose);
      train(net, data, { tasks, epochs: 2, batchSize: 30, seed: 3, optimizer: adam({ lr: 0.01 }), logConflictEvery: every });
      return params(net);
    };
    assert.deepEqual(run(1), run(0), `features exposed: ${expose}`);
  }
});

test("with an aggregator the step's own Gramian is used (seeds divided out) and agrees with sampling", () => {
  const data = plantedSignGroups(60, 4, [1, -1, 1], 7);
  const fixed: LossWeighting<null> = { name: 'fixed', init: () => null, weights: () => ({ weights: Float64Array.from([2, 0.5, 1]), state: null }) };
  const run = (agg: boolean): EpochRecord[] => {
    const recs: EpochRecord[] = [];
    train(new TinyHPS(4, 6, [1, 1, 1], 5), data, {
      tasks: reg(3), epochs: 2, batchSize: 20, seed: 4, optimizer: sgd({ lr: 0.05 }), weighting: fixed, logConflictEvery: 1,
      ...(agg ? { aggregator: sumAggregator, gradMode: 'jacobian' as const } : {}), onEpoch: (r) => recs.push(r),
    });
    return recs;
  };
  const a = run(true), s = run(false);
  for (let e = 0; e < 2; e++) {
    const ca = a[e]!.competition!, cs = s[e]!.competition!;
    assert.equal(ca.source, 'aggregator');
    assert.equal(cs.source, 'sampled');
    assert.equal(ca.samples, 3);
    ca.cosine.forEach((v, k) => assert.ok(Math.abs(v - cs.cosine[k]!) < 1e-4, `cosine ${k}: ${v} vs ${cs.cosine[k]}`));
    ca.norm.forEach((v, k) => assert.ok(Math.abs(v - cs.norm[k]!) < 1e-4 * (1 + v), `norm ${k}: ${v} vs ${cs.norm[k]}`));
  }
  // off: no record, and a bad value is refused
  const recs: EpochRecord[] = [];
  train(new TinyHPS(4, 6, [1, 1, 1], 5), data, { tasks: reg(3), epochs: 1, batchSize: 20, seed: 4, optimizer: sgd({ lr: 0.05 }), logConflictEvery: 0, onEpoch: (r) => recs.push(r) });
  assert.equal(recs[0]!.competition, null);
  assert.throws(() => train(new TinyHPS(4, 6, [1, 1, 1], 5), data, { tasks: reg(3), epochs: 1, batchSize: 20, seed: 4, optimizer: sgd({ lr: 0.05 }), logConflictEvery: 1.5 }), OptionError);
});

test('CompetitionAcc averages; unseededGramian divides the seeds out', () => {
  const acc = new CompetitionAcc(2, 1);
  acc.add(Float64Array.from([1, -1, -1, 4]), 'sampled', 'backward'); // cos −0.5, norms 1, 2
  acc.add(Float64Array.from([1, 0.5, 0.5, 1]), 'sampled', 'backward'); // cos 0.5, norms 1, 1
  const r = acc.record()!;
  assert.ok(Math.abs(r.cosine[1]! - 0) < 1e-12);
  assert.equal(r.conflicts, 0.5);
  assert.ok(Math.abs(r.maxOverMin! - Math.sqrt(2)) < 1e-12);
  assert.ok(Math.abs(r.norm[1]! - 1.5) < 1e-12);
  acc.reset();
  assert.equal(acc.record(), null);
  assert.deepEqual(Array.from(unseededGramian(Float64Array.from([4, 2, 2, 9]), [2, 3], 2)), [1, 2 / 6, 2 / 6, 1]);
});
