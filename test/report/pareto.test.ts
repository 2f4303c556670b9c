// The Pareto view: the front is exactly the non-dominated models on constructed examples (both
// directions, ties), the 2-task scatter marks exactly them, and the >2-task parallel coordinates
// draw them solid and keep dominance under the per-task rescaling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ComparisonResult } from '../../src/eval/types.ts';
import { nonDominated, paretoSection } from '../../src/report/pareto.ts';
import type { LineChart } from '../../src/report/specs.ts';
import { fixtureResult } from './fixture.ts';

/** A comparison whose models have the given per-task RMSE (or AUC). */
function withTaskValues(values: Record<string, number[]>, metric: 'rmse' | 'auc' = 'rmse'): ComparisonResult {
  const base = fixtureResult(1, { T: values[Object.keys(values)[0]!]!.length, withExtras: false });
  const tasks = base.dataset.tasks.map((t) => t.name);
  const proto = base.models[0]!;
  return {
    ...base,
    primaryMetric: metric,
    higherIsBetter: metric === 'auc',
    models: Object.entries(values).map(([name, v]) => ({ ...proto, name, tasks: tasks.map((task, t) => ({ ...proto.tasks[t]!, task, [metric]: v[t]! })) })),
  };
}

test('nonDominated: the constructed front, ties kept, both directions', () => {
  // (1,4) (2,2) (4,1) form the front; (3,3) is dominated by (2,2); (2,5) by (1,4); (2,2) twice: both stay.
  const P = [[1, 4], [2, 2], [4, 1], [3, 3], [2, 5], [2, 2]];
  assert.deepEqual(nonDominated(P, false), [true, true, true, false, false, true]);
  // Higher is better: the mirror image.
  assert.deepEqual(nonDominated(P, true), [false, false, true, true, true, false]);
  assert.deepEqual(nonDominated([[1, 1]], false), [true]);
  // Equal on one task, better on the other: dominated.
  assert.deepEqual(nonDominated([[1, 1], [1, 2]], false), [true, false]);
});

test('nonDominated agrees with the definition on random points', () => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 12 }), (P) => {
      const front = nonDominated(P, false);
      P.forEach((p, i) => {
        const dominated = P.some((q) => q.every((v, t) => v <= p[t]!) && q.some((v, t) => v < p[t]!));
        assert.equal(front[i], !dominated);
      });
      assert.ok(front.some(Boolean), 'a finite set has a non-empty front');
    }),
    { seed: 5, numRuns: 200 },
  );
});

test('two tasks: a scatter marking exactly the non-dominated models, joined in order', () => {
  const r = withTaskValues({ stl: [3, 3], a: [1, 4], b: [2, 2], c: [4, 1], d: [2.5, 3.5] });
  const s = paretoSection(r);
  const c = s.charts[0] as LineChart;
  assert.equal(c.id, 'chart-pareto');
  const byModel = c.datasets.filter((d) => d.label !== 'Pareto front');
  assert.deepEqual(byModel.map((d) => d.label), ['stl', 'a (front)', 'b (front)', 'c (front)', 'd']);
  assert.deepEqual(byModel.map((d) => d.pointStyle), ['circle', 'star', 'star', 'star', 'circle']);
  assert.deepEqual(byModel.map((d) => d.points[0]), [{ x: 3, y: 3 }, { x: 1, y: 4 }, { x: 2, y: 2 }, { x: 4, y: 1 }, { x: 2.5, y: 3.5 }]);
  assert.deepEqual(c.datasets.at(-1)!.points, [{ x: 1, y: 4 }, { x: 2, y: 2 }, { x: 4, y: 1 }]);
  assert.match(s.notes![0]!, /On the front \(3 of 5\): a, b, c\./);
  assert.ok(s.notes!.includes('stl is dominated (e.g. by b).'));
  assert.ok(s.notes!.includes('d is dominated (e.g. by b).'));
});

test('more tasks: parallel coordinates in % of the baseline, front solid, dominated dashed', () => {
  const r = withTaskValues({ stl: [2, 4, 10], a: [1, 4, 10], b: [2, 2, 12], c: [2, 4, 11] });
  const c = paretoSection(r).charts[0] as LineChart;
  assert.deepEqual(c.xTicks, r.dataset.tasks.map((t) => t.name));
  assert.deepEqual(c.datasets.map((d) => [d.label, !!d.dashed]), [['stl', true], ['a (front)', false], ['b (front)', false], ['c', true]]);
  assert.deepEqual(c.datasets[1]!.points, [{ x: 0, y: 50 }, { x: 1, y: 100 }, { x: 2, y: 100 }]);
  // The rescaling keeps dominance: recomputing the front on the drawn values gives the same models.
  assert.deepEqual(nonDominated(c.datasets.map((d) => d.points.map((p) => p.y)), false), [false, true, true, false]);
});

test('AUC (higher is better) and models without a result on every task', () => {
  const r = withTaskValues({ stl: [0.7, 0.7], a: [0.8, 0.6], b: [0.75, 0.65], c: [0.6, 0.6] }, 'auc');
  const s = paretoSection(r);
  assert.match(s.notes![0]!, /On the front \(3 of 4\): stl, a, b\./);
  const broken = { ...r, models: r.models.map((m) => (m.name === 'c' ? { ...m, tasks: m.tasks.map((t, i) => (i === 0 ? { ...t, auc: Number.NaN } : t)) } : m)) };
  assert.ok(paretoSection(broken).notes!.some((n) => n === 'Left out (no result on some task): c.'));
  const one = paretoSection(withTaskValues({ stl: [1], a: [2] }));
  assert.equal(one.charts.length, 0);
  assert.match(one.empty!, /One task/);
});
