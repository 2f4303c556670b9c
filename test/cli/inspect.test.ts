import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectDataset } from '../../src/cli/inspect.ts';
import { loadCsvText } from '../../src/data/csv.ts';

test('inspect counts labels per task, missing labels of wide data, and feature statistics', () => {
  const text = ['x1,x2,a,b', '1,5,0,1', '2,5,1,', '3,5,1,0', '4,5,,1'].join('\n');
  const { dataset } = loadCsvText(text, { targets: ['a', 'b'] }, 'wide.csv');
  const r = inspectDataset(dataset);
  assert.equal(r.kind, 'binary');
  assert.equal(r.layout, 'multi-output');
  assert.deepEqual(
    r.tasks.map((t) => [t.task, t.n, t.positives, t.negatives, t.missing]),
    [['a', 3, 2, 1, 1], ['b', 3, 2, 1, 1]],
  );
  const [x1, x2] = r.features;
  // x1 = 1..4 over the shared rows: mean 2.5, sample sd √(5/3).
  assert.equal(x1!.mean, 2.5);
  assert.ok(Math.abs(x1!.sd - Math.sqrt(5 / 3)) < 1e-12);
  assert.deepEqual([x1!.min, x1!.max, x1!.constant], [1, 4, false]);
  assert.equal(x2!.constant, true);
  assert.equal(x2!.sd, 0);
});

test('inspect of regression data reports target mean and sd per task', () => {
  const text = ['task,y,x', 'p,1,0', 'p,3,1', 'q,10,2', 'q,10,3', 'q,10,4'].join('\n');
  const { dataset } = loadCsvText(text, { taskCol: 'task', target: 'y' }, 'long.csv');
  const r = inspectDataset(dataset);
  assert.deepEqual(r.tasks.map((t) => [t.task, t.n, t.mean, t.sd]), [['p', 2, 2, Math.SQRT2], ['q', 3, 10, 0]]);
  assert.equal(r.samples, 5);
});
