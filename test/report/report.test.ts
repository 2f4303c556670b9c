// The report's content, checked in Node: chart specs from a comparison, the task orderings of the
// heatmaps, the verdict, and HTML safety (embedded JSON cannot break out of its <script>).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageLinkageOrder, taskOrder, toGrid, toLabels } from '../../src/report/learned.ts';
import { escapeHtml, jsonForScript, renderReportHtml, scriptSafe } from '../../src/report/html.ts';
import { buildReport, COLOR_BETTER, COLOR_WORSE, heatmapLayout, humanSeconds, type BarChart, type HeatmapChart, type LineChart } from '../../src/report/specs.ts';
import { rankModels, verdict } from '../../src/report/verdict.ts';
import { Random } from '../../src/linalg/random.ts';
import { fixtureResult } from './fixture.ts';

const noAssets = [{ name: 'stub', version: '0', code: 'window.Chart = undefined;' }];

test('every section gets charts from a full comparison', () => {
  const r = fixtureResult(3);
  const rep = buildReport(r);
  assert.deepEqual(rep.sections.map((s) => s.id), ['data', 'per-task', 'pareto', 'relationships', 'cv', 'convergence', 'sparsity']);
  for (const s of rep.sections) assert.ok(s.charts.length > 0 && s.empty === undefined, `${s.id} has charts`);
  const ids = rep.sections.flatMap((s) => s.charts.map((c) => c.id));
  assert.equal(new Set(ids).size, ids.length, 'chart ids are unique');
  // One gain chart per non-baseline model, bars coloured by significance.
  const gains = rep.sections.find((s) => s.id === 'per-task')!.charts.filter((c) => c.id.startsWith('chart-gain-')) as BarChart[];
  assert.deepEqual(gains.map((g) => g.id), ['chart-gain-pooled', 'chart-gain-l21', 'chart-gain-mtrl', 'chart-gain-cmtl']);
  const pooled = gains[0]!.datasets[0]!;
  const last = r.dataset.tasks.length - 1;
  assert.equal(pooled.colors![last], COLOR_WORSE, 'the unrelated task is marked as negative transfer for pooled');
  assert.equal(pooled.colors![0], COLOR_BETTER);
  assert.ok((pooled.data[last] as number) < 0);
  // CV: the chosen point sits at the chosen λ; log axis for a positive grid.
  const cv = rep.sections.find((s) => s.id === 'cv')!.charts[1] as LineChart;
  const l21 = r.models.find((m) => m.name === 'l21')!.cv!;
  assert.equal(cv.logX, true);
  assert.deepEqual(cv.datasets[3]!.points.map((p) => p.x), [l21.grid[l21.chosenIndex]]);
  // Convergence: relative gaps, all positive (log axis).
  const conv = rep.sections.find((s) => s.id === 'convergence')!.charts[0] as LineChart;
  assert.equal(conv.logY, true);
  assert.ok(conv.datasets.every((d) => d.points.every((p) => p.y > 0)));
  // Sparsity: |W| of l21, with its two zero rows.
  const sp = rep.sections.find((s) => s.id === 'sparsity')!.charts[0] as HeatmapChart;
  assert.equal(sp.values.length, r.dataset.features.length);
  assert.deepEqual(sp.values.at(-1), r.dataset.tasks.map(() => 0));
});

test('sections without data say so instead of drawing an empty chart', () => {
  const rep = buildReport(fixtureResult(3, { withExtras: false }));
  for (const id of ['relationships', 'cv', 'convergence', 'sparsity']) {
    const s = rep.sections.find((x) => x.id === id)!;
    assert.equal(s.charts.length, 0, id);
    assert.match(s.empty ?? '', /^No /, id);
  }
  const html = renderReportHtml(fixtureResult(3, { withExtras: false }), { assets: noAssets });
  assert.match(html, /<p class="empty">No model in this comparison learns task relationships/);
});

test('relationship heatmaps put clustered tasks next to each other', () => {
  const rep = buildReport(fixtureResult(5, { T: 7 }));
  const rel = rep.sections.find((s) => s.id === 'relationships')!.charts as HeatmapChart[];
  const corr = rel.find((c) => c.title.includes('correlation'))!;
  // The fixture's correlation: even tasks, odd tasks and the unrelated one form three groups.
  const group = (name: string): string => (name === 'unrelated' ? 'u' : Number(name.split(' ')[1]) % 2 === 1 ? 'odd' : 'even');
  const seq = corr.xLabels.map(group);
  const changes = seq.filter((g, i) => i > 0 && g !== seq[i - 1]).length;
  assert.equal(changes, 2, `groups are contiguous: ${corr.xLabels.join(' | ')}`);
  assert.equal(corr.scale, 'diverging');
  assert.equal(corr.min, -corr.max);
  const cl = rel.find((c) => c.title.includes('clusters'))!;
  const labels = cl.xLabels.map((l) => Number(/ · c(\d+)$/.exec(l)![1]));
  const runs = labels.filter((g, i) => i === 0 || g !== labels[i - 1]).length;
  assert.equal(runs, new Set(labels).size, `each cluster is contiguous: ${labels.join(',')}`);
  // Every heatmap of a model with clusters is ordered by its clusters (what the intro says), and
  // the legend lists each cluster's tasks exactly as the labels mark them.
  const section = rep.sections.find((s) => s.id === 'relationships')!;
  assert.match(section.intro, /grouped by its learned cluster/);
  for (const c of rel.filter((c) => / · c\d+$/.test(c.xLabels[0]!))) {
    const ls = c.xLabels.map((l) => Number(/ · c(\d+)$/.exec(l)![1]));
    assert.equal(ls.filter((g, i) => i === 0 || g !== ls[i - 1]).length, new Set(ls).size, `${c.title}: clusters contiguous`);
    assert.deepEqual(c.yLabels, c.xLabels);
  }
  for (const label of cl.xLabels) {
    const [task, c] = label.split(' · c');
    const note = section.notes!.find((n) => n.includes(` cluster c${c} (`))!;
    assert.ok(note.split(': ').slice(1).join(': ').split(', ').includes(task!), `${task} listed in the legend of cluster c${c}: ${note}`);
  }
  // Small matrices label every task on both axes.
  assert.deepEqual(cl.labelEvery, { x: 1, y: 1 });
});

test('large heatmaps label the same readable subset on both axes; times are in human units', () => {
  const big = heatmapLayout(139, 139);
  assert.equal(big.every.x, big.every.y);
  assert.ok(big.every.x >= 2 && big.cell * big.every.x >= 12, `labels at least 12 px apart: ${JSON.stringify(big)}`);
  assert.deepEqual(heatmapLayout(29, 29).every, { x: 1, y: 1 });
  assert.equal(humanSeconds(2010), '33 min 30 s');
  assert.equal(humanSeconds(0.25), '250 ms');
  assert.equal(humanSeconds(12.34), '12.3 s');
  const r = { ...fixtureResult(3), wallSeconds: 2010, workers: 2 };
  const rep = buildReport(r);
  assert.equal(rep.summaryHeader.at(-1), 'time/split');
  for (const row of rep.summary) assert.match(row.seconds, /^\d+(\.\d)? (ms|s)$|^\d+ min \d+ s$/);
  assert.match(rep.subtitle, /Total wall time 33 min 30 s on 2 worker threads/);
  assert.doesNotMatch(JSON.stringify(rep), /e\+\d/);
});

test("per-task results show each model's gain over stl, not grouped raw metrics that hide differences", () => {
  const rep = buildReport(fixtureResult(3));
  const charts = rep.sections.find((s) => s.id === 'per-task')!.charts as BarChart[];
  assert.equal(charts[0]!.id, 'chart-per-task-gains');
  const r = fixtureResult(3);
  assert.deepEqual(charts[0]!.datasets.map((d) => d.label), r.models.filter((m) => m.name !== 'stl').map((m) => m.name));
  // The bars are the per-task gains themselves.
  const mtrl = r.models.find((m) => m.name === 'mtrl')!;
  assert.deepEqual(charts[0]!.datasets.find((d) => d.label === 'mtrl')!.data, mtrl.tasks.map((t) => t.gain_over_stl));
  assert.match(charts[0]!.yLabel, /gain over stl \(%\)/);
});

test('average-linkage order recovers planted blocks from a shuffled similarity matrix', () => {
  const rng = new Random(2);
  const T = 12;
  const block = Array.from({ length: T }, (_, i) => i % 3);
  const perm = Array.from(rng.permutation(T));
  const S = perm.map((i) => perm.map((j) => (i === j ? 1 : block[i] === block[j] ? 0.7 + 0.1 * rng.uniform() : 0.1 * rng.uniform())));
  const order = taskOrder(S);
  const seq = order.map((k) => block[perm[k]!]);
  assert.equal(seq.filter((g, i) => i > 0 && g !== seq[i - 1]).length, 2, `three contiguous blocks: ${seq.join(',')}`);
  assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: T }, (_, i) => i), 'a permutation');
  assert.deepEqual(averageLinkageOrder([[0]]), [0]);
  // With hard labels given, the order is by label (stable within a label).
  assert.deepEqual(taskOrder(S, [2, 0, 1, 0, 2, 1, 0, 1, 2, 0, 1, 2]), [1, 3, 6, 9, 2, 5, 7, 10, 0, 4, 8, 11]);
});

test('learned matrices are read from arrays, Matrix-like objects and JSON-ed typed arrays', () => {
  assert.deepEqual(toGrid([[1, 2], [3, 4]]), [[1, 2], [3, 4]]);
  assert.deepEqual(toGrid({ rows: 2, cols: 2, data: new Float64Array([1, 2, 3, 4]) }), [[1, 2], [3, 4]]);
  assert.deepEqual(toGrid(JSON.parse(JSON.stringify({ rows: 1, cols: 2, data: new Float64Array([5, 6]) }))), [[5, 6]]);
  assert.equal(toGrid({ rows: 2, cols: 2, data: [1, 2, 3] }), null);
  assert.equal(toGrid([[1], [2, 3]]), null);
  assert.equal(toGrid('x'), null);
  assert.deepEqual(toLabels(Int32Array.from([0, 1, 1]), 3), [0, 1, 1]);
  assert.equal(toLabels([0, 1], 3), null);
});

test('the verdict names the best model, its gain over STL and the negative transfer', () => {
  const r = fixtureResult(3);
  const v = verdict(r);
  assert.equal(v.best, 'mtrl');
  assert.equal(rankModels(r)[0]!.name, 'mtrl');
  assert.match(v.lines[0]!, /^Best: mtrl on task-averaged RMSE \(lower is better\): .* vs stl .*Δm = \+\d/);
  assert.match(v.lines.join('\n'), /Negative transfer \(significantly worse than stl\): pooled on task unrelated/);
  // When STL wins, the verdict says to keep single-task learning.
  const stlWins = { ...r, models: r.models.map((m) => (m.name === 'stl' ? { ...m, metrics: { ...m.metrics, rmse_task_avg: { mean: 0.1, std: 0.01, values: [0.1] } } } : m)) };
  assert.match(verdict(stlWins).lines[0]!, /no multi-task model beat the single-task baseline/);
});

test('the HTML is self-contained and its embedded data cannot close the script element', () => {
  const r = fixtureResult(4);
  const evil = '</script><script>alert(1)</script><!--';
  const hostile = { ...r, dataset: { ...r.dataset, source: evil, tasks: r.dataset.tasks.map((t, i) => (i === 0 ? { ...t, name: evil } : t)) } };
  const html = renderReportHtml(hostile, { assets: noAssets, generatedAt: new Date(0) });
  assert.equal(html.includes('<script>alert(1)'), false);
  assert.equal((html.match(/<\/script>/g) ?? []).length, (html.match(/<script[\s>]/g) ?? []).length, 'every <script> closes exactly once');
  const m = /<script type="application\/json" id="polytask-data">([\s\S]*?)<\/script>/.exec(html)!;
  const back = JSON.parse(m[1]!) as { result: { dataset: { source: string } } };
  assert.equal(back.result.dataset.source, evil, 'the data survive the escaping exactly');
  assert.doesNotMatch(html, /<link|\ssrc=|@import|url\(/i, 'no external resources');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(jsonForScript('</script>'), '"\\u003c/script\\u003e"');
});

test('inlined libraries lose their source-map comments and cannot end the script early', () => {
  assert.equal(scriptSafe('a();\n//# sourceMappingURL=chart.umd.min.js.map'), 'a();\n');
  assert.equal(scriptSafe('var s = "</script>";'), 'var s = "<\\/script>";');
  // The real report inlines Chart.js and the matrix plugin from node_modules.
  const html = renderReportHtml(fixtureResult(1));
  assert.match(html, /\/\* chart\.js 4\.\d+\.\d+ \*\//);
  assert.match(html, /\/\* chartjs-chart-matrix \d+\.\d+\.\d+ \*\//);
  assert.doesNotMatch(html, /sourceMappingURL/);
});

/** The fixture with the best model's model-level test (task-averaged metric vs stl) set to p. */
function withOverallP(p: number | null, helped: boolean): ReturnType<typeof fixtureResult> {
  const r = fixtureResult(3);
  return {
    ...r,
    models: r.models.map((m) =>
      m.name === 'mtrl'
        ? { ...m, vs_stl: { metric: 'rmse_task_avg', mean_difference: -0.002, p_value: p }, tasks: m.tasks.map((t) => ({ ...t, positive_transfer: helped && t.positive_transfer, negative_transfer: false })) }
        : m,
    ),
  };
}

test('the verdict explains only a significant win and hedges a non-significant one', () => {
  // Significant (p = 0.001 < α = 0.05): the structure mtrl assumes is given as the reason.
  const sig = verdict(withOverallP(0.001, true)).lines.join('\n');
  assert.match(sig, /mtrl is significantly better than stl \(p = 0\.001/);
  assert.match(sig, /^Why \(the structure mtrl assumes\): the learned task correlations/m);
  // Landmine (issue 10): mtrl ahead by +0.23 % with p = 0.85 — no "Why:", the difference is called possible noise.
  const ns = verdict(withOverallP(0.85, false)).lines.join('\n');
  assert.doesNotMatch(ns, /Why/);
  assert.match(ns, /not significant \(p = 0\.85 ≥ α = 0\.05\): it may be noise/);
  assert.match(ns, /No explanation is offered for a difference that is not significant/);
  assert.match(ns, /significantly better than stl on 0 of 6 tasks/);
  // One split: no test at all, so no explanation either.
  const one = verdict(withOverallP(null, false)).lines.join('\n');
  assert.doesNotMatch(one, /Why/);
  assert.match(one, /No significance test .* may be noise/);
});

test('negative transfer names tasks, never a bare number that reads as a count', () => {
  const r = fixtureResult(3);
  const renamed = { ...r, models: r.models.map((m) => ({ ...m, tasks: m.tasks.map((t) => (t.task === 'unrelated' ? { ...t, task: '28' } : t)) })) };
  const line = verdict(renamed).lines.find((l) => l.startsWith('Negative transfer'))!;
  assert.match(line, /pooled on task 28\b/);
  assert.doesNotMatch(line, /pooled on 28/);
});

test('the verdict with two families (stl-mlp first): the best linear model is measured against stl, negative transfer names each model\'s own baseline', () => {
  const r = fixtureResult(3);
  // stl-mlp (neural baseline) listed first, a neural model worse than it on the last task; the linear models keep stl
  const stlMlp = { ...r.models.find((m) => m.name === 'stl')!, name: 'stl-mlp', baseline: 'stl-mlp', metrics: { rmse_task_avg: { mean: 9, std: 0.1, values: [9] } } };
  const hps = { ...r.models.find((m) => m.name === 'pooled')!, name: 'hps', baseline: 'stl-mlp', metrics: { rmse_task_avg: { mean: 8, std: 0.1, values: [8] } } };
  const linear = r.models.map((m) => ({ ...m, baseline: 'stl' }));
  const mixed = { ...r, baseline: 'stl-mlp', models: [stlMlp, hps, ...linear] };
  const v = verdict(mixed);
  assert.equal(v.best, 'mtrl');
  assert.match(v.lines[0]!, / vs stl \d.*Δm = \+[\d.]+ % vs stl\.$/);
  assert.doesNotMatch(v.lines[0]!, /stl-mlp/);
  const neg = v.lines.find((l) => l.startsWith('Negative transfer'))!;
  assert.match(neg, /^Negative transfer \(significantly worse than its own baseline\): hps \(vs stl-mlp\) on task unrelated; pooled \(vs stl\) on task unrelated/);
  // the neural baseline winning is not "a multi-task model"
  const mlpWins = { ...mixed, models: mixed.models.map((m) => (m.name === 'stl-mlp' ? { ...m, metrics: { rmse_task_avg: { mean: 0.01, std: 0, values: [0.01] } } } : m)) };
  assert.match(verdict(mlpWins).lines[0]!, /^Best: stl-mlp — no multi-task model beat the single-task baseline/);
});
