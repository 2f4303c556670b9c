import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { UnsupportedError } from '../../../src/errors.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import { getModelSpec } from '../../../src/linear/registry.ts';
import { CUBIC_TASK_LIMIT, checkCubicInTasks } from '../../../src/linear/structure/task-limit.ts';

function manyTinyTasks(T: number) {
  const rng = new Random(1);
  const tasks = Array.from({ length: T }, (_, t) => ({ name: `t${t}`, X: new Matrix(3, 2, rng.normals(6)), y: rng.normals(3) }));
  return problemFromTasks(tasks, { loss: 'squared', scale: 'mean', intercept: true });
}

test('checkCubicInTasks: silent up to the limit, above it an UnsupportedError naming the model, T, the flops and the linear alternatives', () => {
  assert.doesNotThrow(() => checkCubicInTasks('relation', CUBIC_TASK_LIMIT, 'x', 1));
  assert.throws(() => checkCubicInTasks('relation', 10000, 'its R is dense', 7 / 3), (e: unknown) => {
    assert.ok(e instanceof UnsupportedError);
    assert.match(e.message, /relation: 10000 tasks is beyond this model's limit of 2000/);
    assert.match(e.message, /2\.3e\+12 flops per iteration/);
    assert.match(e.message, /800 MB per T × T matrix/);
    assert.match(checkMessage(2001), /32 MB per T × T matrix/);
    assert.match(checkMessage(20000), /3\.2 GB per T × T matrix/);
    assert.match(e.message, /l21/);
    return true;
  });
});

test('relation and mtrl --solver alternating refuse T above the limit at once (before any T × T work); mtrl admm does not', () => {
  const problem = manyTinyTasks(CUBIC_TASK_LIMIT + 1);
  const t0 = performance.now();
  assert.throws(() => getModelSpec('relation').fit(problem, {}, undefined, undefined), /relation: 2001 tasks/);
  assert.throws(() => getModelSpec('mtrl').fit(problem, { solver: 'alternating' }, undefined, undefined), /mtrl --solver alternating: 2001 tasks.*use --solver admm/);
  assert.ok(performance.now() - t0 < 5000, 'refused up front');
  // The default mtrl solver grows linearly in T: no refusal (a short capped fit).
  const r = getModelSpec('mtrl').fit(problem, { maxIter: 2 }, undefined, undefined);
  assert.equal(r.W.cols, CUBIC_TASK_LIMIT + 1);
});

function checkMessage(T: number): string {
  try {
    checkCubicInTasks('relation', T, 'x', 1);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}
