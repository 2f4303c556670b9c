import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowStore, rowsF64, rowsI32 } from '../../src/data/grow.ts';

test('RowStore: rows come back in order, exact length, as plain arrays, across staging flushes and segments', () => {
  for (const width of [1, 3, 50]) {
    const s = rowsF64(width, 100_000);
    const n = 20_000; // 20 000 × 50 × 8 B = 8 MB: many 64 KiB flushes into the resizable segment
    for (let i = 0; i < n; i++) {
      const o = s.slot();
      for (let k = 0; k < width; k++) s.cur[o + k] = i * 1000 + k;
      s.commit();
    }
    // An uncommitted (half-written) row is not kept.
    const o = s.slot();
    s.cur[o] = -1;
    const a = s.toArray();
    assert.equal(a.length, n * width);
    assert.equal(a.buffer.constructor, ArrayBuffer);
    assert.equal((a.buffer as ArrayBuffer & { resizable?: boolean }).resizable ?? false, false, 'handed-out arrays are never resizable-backed');
    for (let i = 0; i < n; i += 997) for (let k = 0; k < width; k++) assert.equal(a[i * width + k], i * 1000 + k);
    assert.equal(a[n * width - 1], (n - 1) * 1000 + width - 1);
  }
});

test('RowStore: a tiny bound forces extra segments (or plain chunks) without losing order', () => {
  const s = new RowStore(Int32Array, 2, 10); // reservation sized for ~10 rows, then it must chain
  for (let i = 0; i < 50_000; i++) {
    const o = s.slot();
    s.cur[o] = i;
    s.cur[o + 1] = -i;
    s.commit();
  }
  const a = s.toArray();
  assert.equal(a.length, 100_000);
  for (let i = 0; i < 50_000; i++) if (a[2 * i] !== i || a[2 * i + 1] !== -i) assert.fail(`row ${i}`);
  const e = rowsI32(1);
  assert.equal(e.toArray().length, 0);
});
