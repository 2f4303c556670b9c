import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean, editDistance } from '../../src/cli/suggest.ts';
import { firstClause } from '../../src/cli/options.ts';

test('editDistance counts insertions, deletions, substitutions and adjacent swaps', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('l21', 'l21'), 0);
  assert.equal(editDistance('mmeo', 'mmoe'), 1);
  assert.equal(editDistance('ab', 'ba'), 1);
  assert.equal(editDistance('abc', 'ca'), 3);
  assert.equal(editDistance('trace', 'tracee'), 1);
});

test('didYouMean suggests the closest name within a third of its length, else nothing', () => {
  const names = ['stl', 'pooled', 'l21', 'lasso', 'trace', 'mmoe', 'hps'];
  assert.equal(didYouMean('tracee', names), ' (did you mean "trace"?)');
  assert.equal(didYouMean('L21', names), ' (did you mean "l21"?)');
  assert.equal(didYouMean('xyzzy', names), '');
  assert.equal(didYouMean('pooledd', names), ' (did you mean "pooled"?)');
});

test('firstClause cuts at the first comma or semicolon outside parentheses', () => {
  assert.equal(firstClause('direct (Cholesky/CG, squared loss; the default) | fista, more'), 'direct (Cholesky/CG, squared loss; the default) | fista');
  assert.equal(firstClause('weight decay λ (L2 for adam/sgd, decoupled for adamw)'), 'weight decay λ (L2 for adam/sgd, decoupled for adamw)');
  assert.equal(firstClause('a; b'), 'a');
});
