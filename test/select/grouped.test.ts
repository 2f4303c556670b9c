import '../../src/engines.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, type CompareOptions } from '../../src/eval/compare.ts';
import { compareAsync, liveWorkers } from '../../src/eval/parallel.ts';
import { registryPlan } from '../../src/eval/plans.ts';
import type { ComparisonResult } from '../../src/eval/types.ts';
import { groupedPlan } from '../../src/select/grouped.ts';
import { syntheticTasks } from '../eval/helpers.ts';

// `polytask group`'s compare step: the grouping against all-in-one and STL on the same splits.
const ds = syntheticTasks({ T: 6, n: 30, d: 4, noise: 1, seed: 21, unrelated: true });
const names = ds.tasks.map((t) => t.name);
const spec = { groups: [names.slice(0, 3), names.slice(2)], serve: Object.fromEntries(names.map((n, i) => [n, i < 3 ? 0 : 1])) };
const opts: CompareOptions = {
  models: ['mean', 'grouped-mean'],
  plans: (m) => (m === 'grouped-mean' ? groupedPlan('grouped-mean', 'mean', spec) : registryPlan(m)),
  repeats: 2,
  testRatio: 0.3,
  seed: 5,
  cvFolds: 2,
  cv: { points: 3, decades: 2 },
};

function untimed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untimed);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'seconds' && k !== 'wallSeconds' && k !== 'workers').map(([k, x]) => [k, untimed(x)]));
  return v;
}

test('the grouped plan runs on compare\'s worker pool (rebuilt there from its groups) with results bit-identical to the calling thread', async () => {
  const sequential = compare(ds, opts);
  const one = await compareAsync(ds, { ...opts, workers: 1 });
  const two = await compareAsync(ds, { ...opts, workers: 2 });
  assert.equal(two.workers, 2, 'the grouped plan must not force a sequential run');
  assert.equal(two.protocol.note ?? '', sequential.protocol.note ?? '');
  assert.deepEqual(untimed(one), untimed(sequential));
  assert.deepEqual(untimed(two), untimed(sequential));
  const g = (r: ComparisonResult) => r.models.find((m) => m.name === 'grouped-mean')!;
  const rm = (r: ComparisonResult) => g(r).metrics['rmse_task_avg']!.mean;
  assert.ok(Number.isFinite(rm(two)) && Object.is(rm(two), rm(sequential)));
  assert.equal(g(two).units_failed, 0);
  assert.equal(liveWorkers(), 0);
});
