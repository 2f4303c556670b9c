import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/engines.ts';
import { makeClusteredTasks } from '../../src/data/synthetic/clusters.ts';
import { pairwiseAffinity } from '../../src/select/affinity.ts';
import { chooseGroups } from '../../src/select/grouping.ts';
import { groupedPlan } from '../../src/select/grouped.ts';
import { adjustedRandIndex } from '../../src/linear/structure/clustering.ts';
import { compare } from '../../src/eval/compare.ts';
import { registryPlan } from '../../src/eval/plans.ts';

// Three planted clusters of three tasks, few samples per task: pooling a task with its own
// cluster helps, with another cluster hurts.
const { dataset, truth } = makeClusteredTasks({ T: 9, d: 8, n: 24, k: 3, withinSd: 0.05, noise: 0.5, seed: 3 });

test('pairwise transfer affinity recovers planted clusters (adjusted Rand ≥ 0.9)', () => {
  const aff = pairwiseAffinity(dataset, { model: 'pooled', options: { lambda: 0.01 }, folds: 3, seed: 1 });
  assert.equal(aff.fits, 3 * (9 + 36));
  assert.equal(aff.failures.length, 0);
  // within-cluster gains positive, across-cluster negative, on average
  let within = 0, across = 0, nw = 0, na = 0;
  for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) {
    if (i === j) continue;
    const v = aff.gain[i * 9 + j]!;
    if (truth.clusters![i] === truth.clusters![j]) { within += v; nw++; } else { across += v; na++; }
  }
  assert.ok(within / nw > 0 && across / na < 0, `within ${within / nw}, across ${across / na}`);
  const r = chooseGroups(aff, { budget: 3, method: 'exact' });
  assert.ok(adjustedRandIndex(r.serve, truth.clusters!) >= 0.9, JSON.stringify(r.groups));
});

test('the chosen grouping beats all-in-one on held-out data (compare on the same splits)', () => {
  const aff = pairwiseAffinity(dataset, { model: 'pooled', options: { lambda: 0.01 }, folds: 3, seed: 1 });
  const r = chooseGroups(aff, { budget: 3, method: 'greedy' });
  const groups = r.groups.map((G) => G.map((i) => aff.tasks[i]!));
  const result = compare(dataset, {
    models: ['pooled', 'grouped'],
    plans: (name) => (name === 'grouped' ? groupedPlan('grouped', 'pooled', { groups }) : registryPlan(name)),
    repeats: 3,
    testRatio: 0.3,
    cvFolds: 3,
    seed: 2,
  });
  const rmse = (name: string): number => result.models.find((m) => m.name === name)!.metrics.rmse_task_avg!.mean;
  assert.ok(rmse('grouped') < rmse('pooled'), `grouped ${rmse('grouped')} vs all-in-one ${rmse('pooled')}`);
});

test('leave-one-out affinity (T + 1 fits per fold) also separates the planted clusters', async () => {
  const { leaveOneOutAffinity } = await import('../../src/select/affinity.ts');
  const aff = leaveOneOutAffinity(dataset, { model: 'pooled', options: { lambda: 0.01 }, folds: 3, seed: 1 });
  assert.equal(aff.fits, 3 * (9 + 1));
  let within = 0, across = 0, nw = 0, na = 0;
  for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) {
    if (i === j) continue;
    const v = aff.gain[i * 9 + j]!;
    if (truth.clusters![i] === truth.clusters![j]) { within += v; nw++; } else { across += v; na++; }
  }
  assert.ok(within / nw > across / na, `within ${within / nw}, across ${across / na}`);
  const r = chooseGroups(aff, { budget: 3, method: 'exact' });
  assert.ok(adjustedRandIndex(r.serve, truth.clusters!) >= 0.9, JSON.stringify(r.groups));
});
