import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './helpers.ts';

test('make-data esmm: click and buy labels (a purchase only after a click), deterministic; train --arch esmm --ctr-task reads it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const w = await cli(['make-data', 'esmm', '--n', '400', '--features', '3', '--seed', '2', '--out', 'e.csv'], dir);
    assert.equal(w.code, 0, w.stderr);
    const rows = readFileSync(join(dir, 'e.csv'), 'utf8').trim().split('\n');
    assert.equal(rows[0], 'click,buy,x1,x2,x3');
    assert.equal(rows.length, 401);
    const labels = rows.slice(1).map((r) => r.split(',').slice(0, 2).map(Number));
    assert.ok(labels.every(([c, b]) => (c === 0 || c === 1) && (b === 0 || b === 1) && b! <= c!), 'buy implies click');
    const clicks = labels.filter(([c]) => c === 1).length, buys = labels.filter(([, b]) => b === 1).length;
    assert.ok(clicks > 50 && clicks < 350 && buys > 10 && buys < clicks, `${clicks} clicks, ${buys} buys`);
    await cli(['make-data', 'esmm', '--n', '400', '--features', '3', '--seed', '2', '--out', 'e2.csv'], dir);
    assert.equal(readFileSync(join(dir, 'e2.csv'), 'utf8'), readFileSync(join(dir, 'e.csv'), 'utf8'));
    const t = await cli(['train', '--data', 'e.csv', '--targets', 'buy,click', '--arch', 'esmm', '--ctr-task', 'click', '--epochs', '2', '--out', 'm.json', '--quiet'], dir);
    assert.equal(t.code, 0, t.stderr);
    const env = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as { payload: { taskNames: string[]; options: { ctrTask: string } } };
    assert.deepEqual(env.payload.taskNames, ['buy', 'click']);
    assert.equal(env.payload.options.ctrTask, 'click');
  } finally {
    cleanup();
  }
});
