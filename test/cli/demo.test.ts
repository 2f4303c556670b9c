// `polytask demo` end to end, in a cheaper configuration than the command's default: 2 splits
// instead of 5 and the fast models only (stl, pooled, mean, l21 — cmtl alone takes minutes; its
// behaviour is tested in test/linear/models/cmtl.test.ts). The demo's own logic (the problem, the
// comparison, the explanation of the unrelated task, the report) is the same for any model subset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDemoProblem } from '../../src/data/synthetic/demo.ts';
import { cli, tempDir } from './helpers.ts';

test('demo compares models on the built-in problem, explains the result and writes the report', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    // --workers 1: the pool is tested in test/eval/compare-parallel.test.ts; its start-up would dominate here.
    const r = await cli(['demo', '--splits', '2', '--models', 'pooled,mean,l21', '--workers', '1', '--seed', '1', '--quiet', '--out', 'demo.html'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'quiet: nothing on stderr');
    assert.match(r.stdout, /RMSE task avg \(↓\)/);
    assert.match(r.stdout, /^stl .*\(baseline\)/m);
    assert.match(r.stdout, /^pooled /m);
    assert.match(r.stdout, /^l21 /m);
    assert.doesNotMatch(r.stdout, /^cmtl /m, 'only the requested models');
    assert.match(r.stdout, /^Best: \S+ on task-averaged RMSE/m);
    const unrelated = makeDemoProblem(1).truth.outlierTasks![0]!;
    assert.match(r.stdout, new RegExp(`unrelated task ${unrelated}`));
    const report = join(dir, 'demo.html');
    assert.ok(existsSync(report), 'the report is written relative to the working directory');
    const html = readFileSync(report, 'utf8');
    assert.match(html, /<canvas id="chart-per-task-gains"/);
    assert.match(html, /<canvas id="chart-gain-pooled"/);
  } finally {
    cleanup();
  }
});

test('demo --models refuses a model that is not one of the demo\'s', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await cli(['demo', '--models', 'tgl', '--quiet'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--models: "tgl" is not one of the demo's models/);
  } finally {
    cleanup();
  }
});
