// `polytask report --model`: the panels of a model file written by `polytask train` (a real 2-epoch
// MMoE), alone or added to a saved comparison; the inputs are checked before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChartSpec, HeatmapChart, LineChart } from '../../src/report/specs.ts';
import { cli, tempDir, writeLongCsv } from './helpers.ts';

function embedded(html: string): ChartSpec[] {
  const m = /<script type="application\/json" id="polytask-data">([\s\S]*?)<\/script>/.exec(html)!;
  return (JSON.parse(m[1]!) as { charts: ChartSpec[] }).charts;
}

test('report --model draws a trained model\'s curves, gates and competition; --from adds them to a comparison', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeLongCsv(dir, 'data.csv', { T: 3, n: 40, d: 3 });
    const t = await cli(['train', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--arch', 'mmoe', '--experts', '3', '--hidden', '8', '--epochs', '2', '--batch-size', '16', '--log-conflict-every', '1', '--out', 'm.json', '--quiet'], dir);
    assert.equal(t.code, 0, t.stderr);
    const r = await cli(['report', '--model', 'm.json', '--out', 'm.html', '--quiet'], dir);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(join(dir, 'm.html'), 'utf8');
    assert.match(html, /<title>polytask model report<\/title>/);
    assert.doesNotMatch(html, /<table id="summary">/, 'no comparison, no summary table');
    const charts = embedded(html);
    assert.deepEqual(charts.map((c) => c.id), ['panel-m-training', 'panel-m-training-metric', 'panel-m-gates-0', 'panel-merged-nn-conflicts-3', 'panel-m-cosine-epochs', 'panel-m-cosine-last']);
    const gates = charts[2] as HeatmapChart;
    assert.deepEqual(gates.yLabels, ['a', 'b', 'c']);
    for (const row of gates.values) assert.ok(Math.abs(row.reduce((x, y) => x + y, 0) - 1) < 1e-5);
    // The curves are the model file's history.
    const file = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as { payload: { state: { history: { epoch: number; trainLoss: number[] }[] } } };
    const hist = file.payload.state.history;
    assert.deepEqual((charts[0] as LineChart).datasets[0]!.points, hist.map((e) => ({ x: e.epoch, y: e.trainLoss[0] })));

    const c = await cli(['compare', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--models', 'pooled', '--splits', '2', '--folds', '2', '--grid-points', '2', '--workers', '1', '--out', 'r.json', '--quiet'], dir);
    assert.equal(c.code, 0, c.stderr);
    const both = await cli(['report', '--from', 'r.json', '--model', 'm.json', '--out', 'both.html', '--quiet'], dir);
    assert.equal(both.code, 0, both.stderr);
    const ids = embedded(readFileSync(join(dir, 'both.html'), 'utf8')).map((x) => x.id);
    assert.ok(ids.includes('chart-per-task-gains') && ids.includes('panel-m-gates-0'), ids.join(', '));
  } finally {
    cleanup();
  }
});

test('report needs an input, refuses a file that is not a model, and writes nothing then', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const none = await cli(['report', '--out', 'x.html'], dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give a comparison \(--from\), a grouping \(--group\), an affinity \(--affinity\) or model files \(--model\)/);
    writeFileSync(join(dir, 'not-model.json'), '{"a": 1}\n');
    const bad = await cli(['report', '--model', 'not-model.json', '--out', 'x.html'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not-model\.json/);
    const badGroup = await cli(['report', '--group', 'not-model.json', '--out', 'x.html'], dir);
    assert.equal(badGroup.code, 1);
    assert.match(badGroup.stderr, /not-model\.json: not a polytask group result \(affinity should be an object\)/);
    assert.ok(!existsSync(join(dir, 'x.html')));
  } finally {
    cleanup();
  }
});
