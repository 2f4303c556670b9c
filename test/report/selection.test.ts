// The task-selection panels, from a real small `polytask group` run (4 tasks, pooled model): the
// affinity heatmap shows the JSON's matrix in the clustering order with its standard errors, the
// groups heatmap is the grouping's membership, and the measured bars are the comparison's means.
// `report --group` redraws the same report from the saved result; malformed results are refused
// naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../src/errors.ts';
import { Random } from '../../src/linalg/random.ts';
import { affinityDisplayOrder, affinitySection, checkAffinityReport, checkGroupReport, groupsSection, type GroupReport } from '../../src/report/selection.ts';
import type { BarChart, ChartSpec, HeatmapChart } from '../../src/report/specs.ts';
import { cli, tempDir, writeLongCsv } from '../cli/helpers.ts';

function embedded(html: string): ChartSpec[] {
  const m = /<script type="application\/json" id="polytask-data">([\s\S]*?)<\/script>/.exec(html)!;
  return (JSON.parse(m[1]!) as { charts: ChartSpec[] }).charts;
}

test('group --out / --report and report --group: affinity, groups and measured result with the right numbers', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = writeLongCsv(dir, 'data.csv', { T: 4, n: 40, d: 3 });
    const r = await cli(['group', '--data', data, '--task-col', 'task', '--target', 'y', '--model', 'pooled', '--lambda', '0.1', '--folds', '2', '--budget', '2', '--splits', '2', '--cv-folds', '2', '--out', 'g.json', '--report', 'g.html', '--quiet'], dir);
    assert.equal(r.code, 0, r.stderr);
    const g = checkGroupReport(JSON.parse(readFileSync(join(dir, 'g.json'), 'utf8')), 'g.json');
    const charts = embedded(readFileSync(join(dir, 'g.html'), 'utf8'));
    const html = readFileSync(join(dir, 'g.html'), 'utf8');
    for (const id of ['affinity', 'groups', 'group-result']) assert.match(html, new RegExp(`<section id="${id}">`));
    assert.match(html, /<title>polytask task-grouping report<\/title>/);

    const order = affinityDisplayOrder(g.affinity);
    assert.deepEqual([...order].sort(), [0, 1, 2, 3]);
    const aff = charts.find((c) => c.id === 'chart-affinity') as HeatmapChart;
    assert.deepEqual(aff.yLabels, order.map((i) => g.affinity.tasks[i]));
    aff.values.forEach((row, a) =>
      row.forEach((v, b) => {
        const i = order[a]!, j = order[b]!;
        if (i === j) assert.equal(v, null, 'the diagonal is empty (NaN → null in JSON)');
        else assert.equal(v, g.affinity.gain_percent[i]![j]);
      }),
    );
    assert.match(aff.title, /pooled/);
    const se = charts.find((c) => c.id === 'chart-affinity-se') as HeatmapChart;
    assert.equal(se.values[0]![1], g.affinity.se[order[0]!]![order[1]!], 'standard errors in the same order');
    // Groups: 1 where the group serves the task, 0.5 where the task is only a member.
    const gh = charts.find((c) => c.id === 'chart-groups') as HeatmapChart;
    assert.equal(gh.xLabels.length, g.grouping.groups.length);
    gh.yLabels.forEach((task, a) => {
      const row = gh.values[a]!;
      assert.equal(row.filter((v) => v === 1).length, 1, `${task} is served by one group`);
      assert.equal(row.indexOf(1), g.grouping.serve[task]);
      row.forEach((v, k) => assert.equal(v > 0, g.grouping.groups[k]!.includes(task)));
    });
    // Measured: STL, all-in-one and grouped, task-averaged RMSE as in the comparison.
    const bars = charts.find((c) => c.id === 'chart-group-result') as BarChart;
    assert.deepEqual(bars.labels, ['STL (stl)', 'all-in-one (pooled)', 'grouped (grouped-pooled)']);
    assert.deepEqual(bars.datasets[0]!.data, ['stl', 'pooled', 'grouped-pooled'].map((n) => g.comparison.models.find((m) => m.name === n)!.metrics['rmse_task_avg']!.mean));
    // The comparison's own panels follow (per-task gains, Pareto over the three models).
    assert.ok(charts.some((c) => c.id === 'chart-pareto'));

    // report --group redraws the same charts from the saved result.
    const again = await cli(['report', '--group', 'g.json', '--out', 'again.html', '--quiet'], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(embedded(readFileSync(join(dir, 'again.html'), 'utf8')), charts);
    const both = await cli(['report', '--group', 'g.json', '--from', 'g.json', '--out', 'x.html'], dir);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--from or --group, not both/);
  } finally {
    cleanup();
  }
});

test('affinity --report and report --affinity draw the affinity alone, with the JSON\'s numbers', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = writeLongCsv(dir, 'data.csv', { T: 4, n: 24, d: 3 });
    const base = ['affinity', '--data', data, '--task-col', 'task', '--target', 'y', '--model', 'pooled', '--lambda', '0.1', '--folds', '2'];
    const j = await cli([...base, '--json'], dir);
    assert.equal(j.code, 0, j.stderr);
    writeFileSync(join(dir, 'a.json'), j.stdout);
    const r = await cli(['report', '--affinity', 'a.json', '--out', 'a.html', '--quiet'], dir);
    assert.equal(r.code, 0, r.stderr);
    const direct = await cli([...base, '--report', 'b.html', '--quiet'], dir);
    assert.equal(direct.code, 0, direct.stderr);
    const a = checkAffinityReport(JSON.parse(j.stdout), 'a.json');
    for (const f of ['a.html', 'b.html']) {
      const html = readFileSync(join(dir, f), 'utf8');
      assert.match(html, /<title>polytask task-affinity report<\/title>/);
      const charts = embedded(html);
      assert.deepEqual(charts.map((c) => c.id), ['chart-affinity', 'chart-affinity-se']);
      const h = charts[0] as HeatmapChart;
      const order = affinityDisplayOrder(a);
      assert.deepEqual(h.yLabels, order.map((i) => a.tasks[i]));
      assert.equal(h.values[0]![1], a.gain_percent[order[0]!]![order[1]!]);
    }
    const mixed = await cli(['report', '--affinity', 'a.json', '--model', 'm.json'], dir);
    assert.equal(mixed.code, 2);
    assert.throws(() => checkAffinityReport({ ...a, gain_percent: [[1]] }, 'a.json'), /a\.json: not a polytask affinity result \(gain_percent should be a 4 × 4 matrix\)/);
  } finally {
    cleanup();
  }
});

/** A hand-made group result over T tasks with the given gain matrix. */
function handMade(gain: number[][], groups: string[][], tasks: string[]): GroupReport {
  const T = tasks.length;
  const serve = Object.fromEntries(tasks.map((t) => [t, groups.findIndex((G) => G.includes(t))]));
  return {
    affinity: { measure: 'test', model: 'pooled', folds: 2, tasks, unit: '%', gain_percent: gain.map((r, i) => r.map((v, j) => (i === j ? null : v))), se: gain.map((r, i) => r.map((_, j) => (i === j ? null : 0.1))) },
    grouping: { method: 'exact', budget: groups.length, groups, serve, estimated_gain_percent: 1, task_gains_percent: new Array<number>(T).fill(0.25) },
    comparison: { models: [] } as unknown as GroupReport['comparison'],
  };
}

test('the affinity heatmap is ordered by clustering: planted blocks come out contiguous', () => {
  const rng = new Random(9);
  const T = 9;
  const block = Array.from({ length: T }, (_, i) => i % 3);
  const tasks = Array.from({ length: T }, (_, i) => `t${i}`);
  const gain = tasks.map((_, i) => tasks.map((__, j) => (block[i] === block[j] ? 5 + rng.uniform() : -2 + rng.uniform())));
  const g = handMade(gain, [0, 1, 2].map((b) => tasks.filter((_, i) => block[i] === b)), tasks);
  const aff = affinitySection(g.affinity);
  const groups = groupsSection(g);
  const h = aff.charts[0] as HeatmapChart;
  const seq = h.yLabels.map((name) => block[tasks.indexOf(name)]);
  assert.equal(seq.filter((b, i) => i > 0 && b !== seq[i - 1]).length, 2, `blocks contiguous: ${h.yLabels.join(' ')}`);
  assert.deepEqual(h.xLabels, h.yLabels);
  assert.equal(h.min, -h.max);
  assert.match(aff.notes!.join('\n'), /Measure: test\./);
  assert.match(groups.notes![0]!, /^group 1 \(3 tasks; estimated gain of the tasks it serves 0\.75 % points\): t0, t3, t6\.$/);
});

test('malformed group results are refused naming the field', () => {
  const good = handMade([[0, 1], [1, 0]], [['a', 'b']], ['a', 'b']);
  assert.doesNotThrow(() => checkGroupReport(JSON.parse(JSON.stringify(good)), 'g.json'));
  assert.throws(() => checkGroupReport([], 'g.json'), (e: Error) => e instanceof DataError && /g\.json: not a polytask group result \(the top level/.test(e.message));
  const noSe = { ...good, affinity: { ...good.affinity, se: [[null]] } };
  assert.throws(() => checkGroupReport(noSe, 'g.json'), /affinity\.se should be a 2 × 2 matrix/);
  const stranger = { ...good, grouping: { ...good.grouping, groups: [['a', 'zz']] } };
  assert.throws(() => checkGroupReport(stranger, 'g.json'), /grouping\.groups should be lists of the affinity's task names/);
});
