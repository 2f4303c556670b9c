import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosineSchedule, stepSchedule, warmupSchedule, constantSchedule } from '../../../src/nn/optim/schedule.ts';

test('schedules: step, cosine (ends at α·lr), linear warm-up', () => {
  const s = stepSchedule(1, 10, 0.5);
  assert.deepEqual([s(0), s(9), s(10), s(25)], [1, 1, 0.5, 0.25]);
  const c = cosineSchedule(2, 100, 0.1);
  assert.equal(c(0), 2);
  assert.ok(Math.abs(c(50) - 2 * (0.1 + 0.9 * 0.5)) < 1e-12);
  assert.ok(Math.abs(c(100) - 0.2) < 1e-12 && Math.abs(c(500) - 0.2) < 1e-12);
  const w = warmupSchedule(constantSchedule(1), 4);
  assert.deepEqual([w(0), w(1), w(3), w(4), w(9)], [0.25, 0.5, 1, 1, 1]);
});
