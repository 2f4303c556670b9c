// `polytask demo` end to end (2 splits instead of 5 to keep the test short).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDemoProblem } from '../../src/data/synthetic/demo.ts';
import { cli, tempDir } from './helpers.ts';

test('demo compares models on the built-in problem, explains the result and writes the report', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await cli(['demo', '--splits', '2', '--seed', '1', '--quiet', '--out', 'demo.html'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'quiet: nothing on stderr');
    assert.match(r.stdout, /RMSE task avg \(↓\)/);
    assert.match(r.stdout, /^stl .*\(baseline\)/m);
    assert.match(r.stdout, /^pooled /m);
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
