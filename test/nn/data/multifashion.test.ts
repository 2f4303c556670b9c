import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMultiFashion } from '../../../src/nn/data/multifashion.ts';
import { hasFashionMnist, loadFashionMnist, type ImageSet } from '../../../src/nn/data/fashion-mnist.ts';

/** Ten synthetic 28 × 28 items: item c is a solid block of value 10·(c+1) in one row band, label c. */
function fakeItems(): ImageSet {
  const n = 10;
  const pixels = new Uint8Array(n * 784);
  for (let c = 0; c < n; c++) for (let k = 0; k < 784; k++) pixels[c * 784 + k] = 10 * (c + 1);
  return { n, height: 28, width: 28, pixels, labels: Uint8Array.from({ length: n }, (_, i) => i), source: 'fake' };
}

test('MultiFashion: top-left item at (0,0), bottom-right at (8,8), max where they overlap; labels follow the items', () => {
  const items = fakeItems();
  const m = makeMultiFashion(items, { n: 50, seed: 3 });
  assert.equal(m.height, 36);
  for (let s = 0; s < m.n; s++) {
    const a = m.sourceLeft[s]!, b = m.sourceRight[s]!;
    assert.equal(m.left[s], a);
    assert.equal(m.right[s], b);
    const img = m.images.subarray(s * 1296, (s + 1) * 1296);
    const va = (10 * (a + 1)) / 255, vb = (10 * (b + 1)) / 255;
    const close = (x: number, y: number) => Math.abs(x - y) < 1e-6;
    assert.ok(close(img[0]!, va), 'top-left corner holds item A only');
    assert.ok(close(img[35 * 36 + 35]!, vb), 'bottom-right corner holds item B only');
    assert.ok(close(img[0 * 36 + 35]!, 0) && close(img[35 * 36]!, 0), 'the other corners are empty');
    assert.ok(close(img[20 * 36 + 20]!, Math.max(va, vb)), 'overlap takes the maximum');
    assert.ok(close(img[7 * 36 + 27]!, va) && close(img[28 * 36 + 8]!, vb), 'edges of each item');
  }
});

test('MultiFashion: deterministic in the seed; different seeds differ; size 18 averages 2×2 blocks, size 28 keeps the mean', () => {
  const items = fakeItems();
  const a = makeMultiFashion(items, { n: 40, seed: 9 });
  const b = makeMultiFashion(items, { n: 40, seed: 9 });
  const c = makeMultiFashion(items, { n: 40, seed: 10 });
  assert.deepEqual(a.images, b.images);
  assert.deepEqual(a.left, b.left);
  assert.notDeepEqual([...a.sourceLeft], [...c.sourceLeft]);
  const d = makeMultiFashion(items, { n: 40, seed: 9, size: 18 });
  assert.equal(d.height, 18);
  // block (0,0) of the downsampled image is the mean of the 2×2 top-left block of the full one
  for (let s = 0; s < 40; s++) {
    const full = a.images.subarray(s * 1296);
    const want = (full[0]! + full[1]! + full[36]! + full[37]!) / 4;
    assert.ok(Math.abs(d.images[s * 324]! - want) < 1e-6);
    const want2 = (full[16 * 36 + 16]! + full[16 * 36 + 17]! + full[17 * 36 + 16]! + full[17 * 36 + 17]!) / 4;
    assert.ok(Math.abs(d.images[s * 324 + 8 * 18 + 8]! - want2) < 1e-6);
  }
  // area averaging preserves the mean intensity for any size (weights sum to 1 per row and column)
  const e = makeMultiFashion(items, { n: 40, seed: 9, size: 28 });
  assert.equal(e.height, 28);
  for (let s = 0; s < 40; s++) {
    let m36 = 0, m28 = 0;
    for (let k = 0; k < 1296; k++) m36 += a.images[s * 1296 + k]! / 1296;
    for (let k = 0; k < 784; k++) m28 += e.images[s * 784 + k]! / 784;
    assert.ok(Math.abs(m36 - m28) < 1e-5, `${m36} vs ${m28}`);
  }
  assert.throws(() => makeMultiFashion(items, { n: 4, size: 37 }), /size/);
  assert.throws(() => makeMultiFashion(items, { n: 0 }), /positive integer/);
});

test('MultiFashion from real Fashion-MNIST: both tasks see all 10 classes, roughly uniformly', { skip: !hasFashionMnist('test') && 'needs Debian dataset-fashion-mnist' }, () => {
  const items = loadFashionMnist('test', { limit: 1000 });
  const m = makeMultiFashion(items, { n: 2000, seed: 1 });
  for (const labels of [m.left, m.right]) {
    const counts = new Array<number>(10).fill(0);
    for (const l of labels) counts[l]!++;
    assert.ok(counts.every((c) => c > 120 && c < 290), `counts ${counts}`);
  }
  // independence of the two draws: agreement rate near 1/10
  let same = 0;
  for (let s = 0; s < m.n; s++) if (m.left[s] === m.right[s]) same++;
  assert.ok(same / m.n > 0.06 && same / m.n < 0.14, `same-class rate ${same / m.n}`);
});
