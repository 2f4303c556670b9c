import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import { classCount } from '../../src/data/dataset.ts';
import { toMulticlass } from '../../src/data/multiclass.ts';
import { subsetDataset } from '../../src/data/split.ts';
import { DataError, OptionError } from '../../src/errors.ts';
import { Matrix } from '../../src/linalg/matrix.ts';

function ds(ys: number[][]): MultiTaskDataset {
  return {
    layout: 'per-task', kind: 'regression', featureNames: ['x'], source: 'f.csv',
    tasks: ys.map((y, t) => ({ name: `t${t}`, X: new Matrix(y.length, 1, Float64Array.from(y, (_, i) => i)), y: Float64Array.from(y), rows: Int32Array.from(y, (_, i) => 10 * t + i) })),
  };
}

test('toMulticlass: integer labels 0..K−1 become K-class tasks; missing labels stay missing; subsets keep the classes', () => {
  const m = toMulticlass(ds([[0, 2, 1, NaN], [3, 0]]), 4);
  assert.equal(m.kind, 'multiclass');
  assert.deepEqual(m.tasks[0]!.classes, ['0', '1', '2', '3']);
  assert.equal(m.tasks[1]!.kind, 'multiclass');
  assert.equal(classCount(m, 1), 4);
  assert.ok(Number.isNaN(m.tasks[0]!.y[3]!));
  const sub = subsetDataset(m, [Int32Array.from([0]), Int32Array.from([1])]);
  assert.equal(classCount(sub, 0), 4, 'a part with one class still has the task\'s K classes');
});

test('toMulticlass: non-integer, negative and too-large labels, one-class tasks and bad K are refused with file, task and row', () => {
  const bad: [number[][], number, RegExp][] = [
    [[[0, 1.5]], 3, /f\.csv: task "t0", data row 2: the target 1\.5 is not a class label: with --classes 3 the labels are the whole numbers 0\.\.2$/],
    [[[0, -1]], 3, /data row 2: the target -1 is not a class label/],
    [[[0, 1], [0, 5]], 3, /task "t1", data row 12: the target 5 .*more classes than --classes 3 declares/],
    [[[1, 1, 1]], 3, /task "t0" has only class 1/],
  ];
  for (const [ys, K, re] of bad) assert.throws(() => toMulticlass(ds(ys), K), (e: unknown) => e instanceof DataError && re.test(e.message), String(re));
  assert.throws(() => toMulticlass(ds([[0, 1]]), 1), OptionError);
  assert.throws(() => toMulticlass({ ...ds([[1, -1]]), kind: 'binary' }, 2), /read as binary labels/);
});

test('worker-thread transfer keeps a multiclass task\'s kind and classes (compare --workers)', async () => {
  const { datasetToTransfer, datasetFromTransfer } = await import('../../src/eval/parallel.ts');
  const m = toMulticlass(ds([[0, 2, 1], [1, 0]]), 3);
  const back = datasetFromTransfer(structuredClone(datasetToTransfer(m)));
  assert.equal(back.kind, 'multiclass');
  assert.deepEqual(back.tasks.map((t) => [t.kind, t.classes]), [['multiclass', ['0', '1', '2']], ['multiclass', ['0', '1', '2']]]);
});
