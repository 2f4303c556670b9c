import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { Random } from '../../../src/linalg/random.ts';
import { adjustedRandIndex, kmeans } from '../../../src/linear/structure/clustering.ts';

test('adjustedRandIndex: known values (Hubert & Arabie 1985) and invariance to relabelling', () => {
  assert.equal(adjustedRandIndex([0, 0, 1, 1], [5, 5, 2, 2]), 1);
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) - 4 / 7) < 1e-15);
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]) + 0.5) < 1e-15);
  assert.throws(() => adjustedRandIndex([0, 1], [0]), /2 and 1/);
});

test('kmeans recovers three well-separated blobs, deterministically for a seed', () => {
  const rng = new Random(51);
  const truth: number[] = [];
  const rows: number[][] = [];
  const centres = [[0, 0], [6, 0], [0, 6]];
  for (let i = 0; i < 45; i++) {
    const c = i % 3;
    truth.push(c);
    rows.push([centres[c]![0]! + rng.normal(), centres[c]![1]! + rng.normal()]);
  }
  const X = Matrix.from(rows);
  const a = kmeans(X, 3, new Random(7));
  const b = kmeans(X, 3, new Random(7));
  assert.deepEqual(a.labels, b.labels);
  assert.equal(adjustedRandIndex(a.labels, truth), 1);
  assert.throws(() => kmeans(X, 0, rng), /clusters/);
});
