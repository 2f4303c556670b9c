import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasFashionMnist, loadFashionMnist } from '../../../src/nn/data/fashion-mnist.ts';
import { encodeIdx } from '../../../src/nn/data/idx.ts';
import { DataError } from '../../../src/errors.ts';

const present = hasFashionMnist('test');

test('Fashion-MNIST test split: shape, label range and class balance of a slice', { skip: !present && 'needs Debian dataset-fashion-mnist (apt-get install dataset-fashion-mnist)' }, () => {
  const s = loadFashionMnist('test', { limit: 2000 });
  assert.equal(s.n, 2000);
  assert.equal(s.height, 28);
  assert.equal(s.width, 28);
  assert.equal(s.pixels.length, 2000 * 784);
  const counts = new Array<number>(10).fill(0);
  for (const l of s.labels) counts[l]!++;
  // the published test set is balanced (1000 per class); a 2000 slice holds every class
  assert.ok(counts.every((c) => c > 100 && c < 300), `class counts ${counts}`);
  // images are not blank and use the full 0..255 range
  let max = 0;
  let mean = 0;
  for (const p of s.pixels) { if (p > max) max = p; mean += p; }
  mean /= s.pixels.length;
  assert.equal(max, 255);
  assert.ok(mean > 40 && mean < 100, `mean pixel ${mean}`); // Fashion-MNIST's mean is about 73
});

test('Fashion-MNIST: a missing directory is a DataError naming the files and the package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-'));
  assert.equal(hasFashionMnist('train', dir), false);
  assert.throws(() => loadFashionMnist('train', { dir }), (e: unknown) => e instanceof DataError && e.message.includes(dir) && /dataset-fashion-mnist/.test(e.message));
  // labels/images count mismatch
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx({ shape: [2, 28, 28], data: new Uint8Array(2 * 784) }));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx({ shape: [3], data: new Uint8Array(3) }));
  assert.throws(() => loadFashionMnist('test', { dir }), /2 images but .* 3 labels/);
});
