import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGainKind, gainOf, pooledScale } from '../../src/select/gain.ts';

test('gains: relative, log-ratio and pooled by their formulas; log-ratio is symmetric and tames tiny references', () => {
  assert.equal(gainOf('relative', 2, 1, 10), 50);
  assert.ok(Math.abs(gainOf('log-ratio', 2, 1, 10) - 100 * Math.LN2) < 1e-12);
  assert.ok(Math.abs(gainOf('log-ratio', 1, 2, 10) + 100 * Math.LN2) < 1e-12, 'halving and doubling are ±100 ln 2');
  assert.equal(gainOf('pooled', 2, 1, 10), 10);
  // A task whose error alone is tiny and which a pair multiplies by 1000:
  assert.equal(gainOf('relative', 0.001, 1, 1), -99900);
  assert.ok(Math.abs(gainOf('log-ratio', 0.001, 1, 1) + 100 * Math.log(1000)) < 1e-9);
  assert.ok(Math.abs(gainOf('pooled', 0.001, 1, 1) + 99.9) < 1e-9);
  // close to relative for small changes
  assert.ok(Math.abs(gainOf('log-ratio', 1, 0.99, 1) - gainOf('relative', 1, 0.99, 1)) < 0.01);
});

test('gains: missing errors and undefined ratios are NaN, never a silent number; unknown kinds are refused', () => {
  for (const k of ['relative', 'log-ratio', 'pooled'] as const) {
    assert.ok(Number.isNaN(gainOf(k, Number.NaN, 1, 1)));
    assert.ok(Number.isNaN(gainOf(k, 1, Number.NaN, 1)));
  }
  assert.ok(Number.isNaN(gainOf('relative', 0, 1, 1)));
  assert.ok(Number.isNaN(gainOf('log-ratio', 1, 0, 1)));
  assert.ok(Number.isNaN(gainOf('pooled', 1, 0.5, Number.NaN)));
  assert.equal(pooledScale([1, 3, Number.NaN, 0]), 2);
  assert.throws(() => checkGainKind('ratio'), /--gain.*relative, log-ratio, pooled/);
});
