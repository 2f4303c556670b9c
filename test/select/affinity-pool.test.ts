import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/engines.ts';
import { makeClusteredTasks } from '../../src/data/synthetic/clusters.ts';
import { leaveOneOutAffinity, pairwiseAffinity } from '../../src/select/affinity.ts';
import { fitAffinity } from '../../src/select/affinity-pool.ts';
import { liveJobWorkers } from '../../src/eval/job-pool.ts';

const { dataset } = makeClusteredTasks({ T: 6, d: 5, n: 18, k: 2, withinSd: 0.05, noise: 0.5, seed: 11 });
const opts = { model: 'pooled', options: { lambda: 0.01 }, folds: 3, seed: 4 } as const;

test('pairwise affinity: 1 worker and 2 workers give identical matrices, equal to the calling-thread path', async () => {
  const seen: number[] = [];
  const one = await fitAffinity(dataset, 'pairs', { ...opts, workers: 1 });
  const two = await fitAffinity(dataset, 'pairs', { ...opts, workers: 2, onProgress: (d) => seen.push(d) });
  const sync = pairwiseAffinity(dataset, opts);
  assert.equal(one.workers, 1);
  assert.equal(two.workers, 2);
  for (const a of [two, sync]) {
    assert.deepEqual(a.gain, one.gain);
    assert.deepEqual(a.se, one.se);
    assert.deepEqual(a.aloneError, one.aloneError);
    assert.equal(a.fits, one.fits);
  }
  assert.equal(one.fits, 3 * (6 + 15));
  // Fits go to workers in batches (and the calling thread fits while they start): progress counts
  // up by whole batches, strictly increasing, to every fit exactly once.
  assert.ok(seen.length >= 2 && seen.every((d, k) => k === 0 || d > seen[k - 1]!), `progress ${seen.join(',')}`);
  assert.equal(seen[seen.length - 1], one.fits, 'progress ends at the number of fits');
  assert.ok([...one.gain].some((v) => v !== 0), 'the matrix is not trivially zero');
  assert.equal(liveJobWorkers(), 0, 'no worker left behind');
});

test('leave-one-out affinity on 2 workers equals the sequential one', async () => {
  const two = await fitAffinity(dataset, 'leave-one-out', { ...opts, workers: 2 });
  const seq = leaveOneOutAffinity(dataset, opts);
  assert.deepEqual(two.gain, seq.gain);
  assert.deepEqual(two.se, seq.se);
  assert.equal(two.fits, 3 * (6 + 1));
  assert.equal(liveJobWorkers(), 0);
});

test('failed fits: NaN gains and the same failure list whether run here or stored from a worker outcome', async () => {
  const bad = { ...opts, options: { lambda: -1 } };
  const here = pairwiseAffinity(dataset, bad);
  assert.equal(here.failures.length, here.fits);
  assert.ok([...here.gain].every((v, k) => k % 7 === 0 || Number.isNaN(v)));
  // The worker path stores outcomes with GroupFitCache.put: replay the same outcomes through it.
  const { GroupFitCache, runFitJob, affinityJobs, assembleAffinity, foldsFor } = await import('../../src/select/affinity.ts');
  const splits = foldsFor(dataset, 3, 4);
  const cache = new GroupFitCache(dataset, splits, 'pooled', { lambda: -1 });
  for (const job of affinityJobs(6, 3, 'pairs')) cache.put(job, runFitJob(dataset, splits, 'pooled', { lambda: -1 }, job));
  const stored = assembleAffinity(dataset, cache, 'pairs', 3, 'relative', 'pooled', 0);
  assert.deepEqual(stored.failures, here.failures);
  await assert.rejects(fitAffinity(dataset, 'pairs', { ...opts, workers: 0 }), /workers/);
});
