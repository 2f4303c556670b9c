import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perTask, shareTaskPreparation } from '../../src/linear/task-cache.ts';
import { buildProblem } from '../../src/linear/problem.ts';
import { solveDirect } from '../../src/linear/solver/direct.ts';
import { meanPenalty } from '../../src/linear/penalty/laplacian.ts';
import { makeClusteredTasks } from '../../src/data/synthetic/clusters.ts';

test('perTask: computes every time for tasks not declared shared, once per key for shared ones', () => {
  const a = { name: 'a' };
  const b = { name: 'b' };
  let calls = 0;
  const make = (): number => ++calls;
  perTask(a, 'k', make);
  perTask(a, 'k', make);
  assert.equal(calls, 2);
  shareTaskPreparation([b]);
  assert.equal(perTask(b, 'k', make), 3);
  assert.equal(perTask(b, 'k', make), 3);
  assert.equal(perTask(b, 'other', make), 4);
  assert.equal(calls, 4);
});

test('shared tasks: fits of overlapping task sets give exactly the fits of fresh, unshared copies', () => {
  const { dataset } = makeClusteredTasks({ T: 8, d: 5, n: 12, k: 2, withinSd: 0.1, noise: 0.5, seed: 3 });
  const shared = dataset.tasks;
  shareTaskPreparation(shared);
  for (const drop of [0, 3, 7]) {
    const tasks = shared.filter((_, k) => k !== drop);
    const fresh = tasks.map((t) => ({ ...t, X: t.X.clone(), y: Float64Array.from(t.y) }));
    const a = solveDirect(buildProblem({ ...dataset, tasks }), [meanPenalty(0.7)], { tol: 1e-10, maxIter: 100 });
    const b = solveDirect(buildProblem({ ...dataset, tasks: fresh }), [meanPenalty(0.7)], { tol: 1e-10, maxIter: 100 });
    assert.ok(a.info.converged);
    assert.deepEqual([...a.W.data], [...b.W.data]);
    assert.deepEqual([...a.intercepts], [...b.intercepts]);
  }
});
