import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/engines.ts';
import { makeClusteredTasks } from '../../src/data/synthetic/clusters.ts';
import { foldsFor, GroupFitCache, pairwiseAffinity } from '../../src/select/affinity.ts';
import { assessHoa, checkGroups, hoaCheckJobs, spearman } from '../../src/select/hoa-check.ts';

test('spearman: 1 for a monotone relation, −1 reversed, ties get mean ranks', () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 1000]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // x ranks 1.5, 1.5, 3, 4 against y ranks 1..4: Pearson of the ranks
  const r = spearman([5, 5, 6, 7], [1, 2, 3, 4]);
  assert.ok(Math.abs(r - 0.9486832980505138) < 1e-12, String(r));
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
});

test('checkGroups: every group when few, a seeded sample of distinct groups when many', () => {
  const all = checkGroups(6, [3, 4], 100, 1);
  assert.equal(all.length, 20 + 15);
  const sample = checkGroups(20, [3, 4], 25, 1);
  assert.equal(sample.length, 50);
  assert.equal(new Set(sample.map((g) => g.join(','))).size, 50);
  assert.deepEqual(checkGroups(20, [3, 4], 25, 1), sample);
  assert.throws(() => checkGroups(5, [2], 10, 1), /check-hoa/);
});

// Two planted clusters of three tasks: groups inside a cluster gain, mixed groups lose. HOA from the
// pairs is set against every group of 3 and 4 actually fitted on the same folds.
test('HOA against true group fits on a planted problem (T = 6, all 35 groups of 3–4)', () => {
  const { dataset, truth } = makeClusteredTasks({ T: 6, d: 6, n: 20, k: 2, withinSd: 0.05, noise: 0.5, seed: 8 });
  const cache = new GroupFitCache(dataset, foldsFor(dataset, 3, 2), 'pooled', { lambda: 0.01 });
  const aff = pairwiseAffinity(dataset, { model: 'pooled', options: { lambda: 0.01 }, folds: 3, seed: 2, gain: 'log-ratio' }, cache);
  const groups = checkGroups(6, [3, 4], 100, 1);
  for (const j of hoaCheckJobs(groups, 3)) cache.errors(j.fold, j.tasks);
  const h = assessHoa(aff, cache, groups);
  assert.equal(h.fits, 35 * 3);
  const overall = h.summaries.find((s) => s.size === 'all')!;
  assert.equal(overall.groups, 35);
  // HOA orders the groups as their fits do, and gets the sign right for most of them.
  assert.ok(overall.spearman >= 0.8, `Spearman ${overall.spearman}`);
  assert.ok(overall.signAgreement >= 0.8, `sign ${overall.signAgreement}`);
  // The pure clusters are the two best groups by both the estimate and the measurement.
  const pure = (g: readonly number[]): boolean => g.every((i) => truth.clusters![i] === truth.clusters![g[0]!]);
  const top = (key: 'estimated' | 'measured'): boolean => [...h.groups].sort((a, b) => b[key] - a[key]).slice(0, 2).every((c) => pure(c.tasks));
  assert.ok(top('estimated') && top('measured'), JSON.stringify(h.groups.filter((c) => pure(c.tasks))));
  // Where it fails: recorded, not hidden — the error per task is finite and reported.
  assert.ok(Number.isFinite(overall.maePerTask) && overall.maePerTask >= 0);
});
