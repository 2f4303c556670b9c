import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ew } from '../../../src/balance/weighting/ew.ts';

test('ew: sum (weights 1) and mean (weights 1/T), objective stated', () => {
  const L = Float64Array.from([1, 2, 3, 6]);
  const s = ew().weigh({ mode: 'jacobian', losses: L, epoch: 0 }, null);
  assert.deepEqual(Array.from(s.weights), [1, 1, 1, 1]);
  assert.equal(s.objective, 12);
  const m = ew({ reduction: 'mean' }).weigh({ mode: 'rep', losses: L, epoch: 0 }, null);
  assert.deepEqual(Array.from(m.weights), [0.25, 0.25, 0.25, 0.25]);
  assert.equal(m.objective, 3);
  assert.equal(m.mode, 'rep');
});
