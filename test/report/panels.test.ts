// Engine panels reach the report by registration only: a test engine registered here contributes
// a section without any edit to src/report; an unregistered model or a throwing panel function
// gets a note, not a broken report. Then a real small comparison of neural models (2 epochs): the
// HTML embeds the gate matrices (rows summing to 1), the cross-stitch matrix and the training
// curves exactly as the comparison result records them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/engines.ts';
import { makeMmoeTasks } from '../../src/data/synthetic/mmoe.ts';
import type { EngineSpec, Estimator } from '../../src/estimator/contract.ts';
import { registerEngine } from '../../src/estimator/registry.ts';
import { compare } from '../../src/eval/compare.ts';
import { registryPlan } from '../../src/eval/plans.ts';
import type { ComparisonResult } from '../../src/eval/types.ts';
import { renderModelReportHtml, renderReportHtml } from '../../src/report/html.ts';
import { engineSections, panelSources } from '../../src/report/panels.ts';
import { buildReport, type ChartSpec, type HeatmapChart, type LineChart } from '../../src/report/specs.ts';
import { fixtureResult } from './fixture.ts';

const noAssets = [{ name: 'stub', version: '0', code: '' }];

// A second engine, known to the report only through its declaration's reportPanels.
const toyEngine: EngineSpec = {
  name: 'toy-engine',
  models: [
    {
      engine: 'toy-engine',
      name: 'toy-model',
      summary: 'a test engine',
      params: [],
      baseline: 'stl',
      make: (): Estimator => {
        throw new Error('not fitted in this test');
      },
      reportPanels: (learned, ctx) => [
        {
          section: { id: 'toy', title: 'Toy panels', intro: 'drawn by the toy engine' },
          chart: { kind: 'line', id: `${ctx.idPrefix}-toy`, title: `${ctx.label}: toy`, datasets: [{ label: 'v', points: (learned['v'] as number[]).map((y, x) => ({ x, y })), color: '#000' }], xLabel: 'x', yLabel: 'y' },
          notes: [`${ctx.label} has ${ctx.tasks.length} tasks`],
        },
        ...(Array.isArray(learned['x'])
          ? [{
              section: { id: 'toy', title: 'Toy panels', intro: 'drawn by the toy engine' },
              chart: { kind: 'heatmap' as const, id: `${ctx.idPrefix}-strip`, title: 'one strip', xLabels: learned['x'] as string[], yLabels: ['pair'], values: [learned['h'] as number[]], scale: 'diverging' as const, min: -1, max: 1, xLabel: 'epoch', yLabel: 'pair' },
              merge: { key: 'strip', title: 'strips of every model' },
            }]
          : []),
      ],
    },
    {
      engine: 'toy-engine',
      name: 'toy-broken',
      summary: 'panels that throw',
      params: [],
      baseline: 'stl',
      make: (): Estimator => {
        throw new Error('not fitted in this test');
      },
      reportPanels: () => {
        throw new Error('cannot draw this');
      },
    },
  ],
  load: () => {
    throw new Error('not loaded in this test');
  },
};
registerEngine(toyEngine);

function withFits(r: ComparisonResult, fits: Record<string, { engine: string; model: string; learned: Record<string, unknown> }>): ComparisonResult {
  return {
    ...r,
    models: r.models.map((m) => (fits[m.name] ? { ...m, fit: { objectiveTrace: [], iterations: 1, converged: true, seconds: 0, W: [], ...fits[m.name]! } } : m)),
  };
}

test('a registered engine contributes its own section; unknown or failing declarations get notes', () => {
  const r = withFits(fixtureResult(2, { T: 3, withExtras: false }), {
    pooled: { engine: 'toy-engine', model: 'toy-model', learned: { v: [3, 1, 2] } },
    l21: { engine: 'toy-engine', model: 'toy-broken', learned: {} },
    mtrl: { engine: 'gone', model: 'vanished', learned: {} },
    cmtl: { engine: 'toy-engine', model: 'toy-model:variant', learned: { v: [5] } },
  });
  const rep = buildReport(r);
  const toy = rep.sections.find((s) => s.id === 'toy')!;
  assert.equal(toy.title, 'Toy panels');
  assert.deepEqual(toy.notes, ['pooled has 3 tasks', 'cmtl has 3 tasks'], 'a model spec "name:variant" is drawn by its model\'s declaration');
  assert.deepEqual((toy.charts[0] as LineChart).datasets[0]!.points, [{ x: 0, y: 3 }, { x: 1, y: 1 }, { x: 2, y: 2 }]);
  assert.equal(toy.charts[0]!.id, 'panel-pooled-toy');
  const problems = rep.sections.find((s) => s.id === 'engine-panels')!;
  assert.ok(problems.notes!.some((n) => n === 'l21: its panels could not be drawn (cannot draw this).'));
  assert.ok(problems.notes!.some((n) => /mtrl: its model "vanished" \(engine "gone"\) is not registered/.test(n)));
  // The rendered page carries the section and its chart.
  const html = renderReportHtml(r, { assets: noAssets });
  assert.match(html, /<section id="toy"><h2>Toy panels<\/h2>/);
  assert.match(html, /<canvas id="panel-pooled-toy"/);
});

test('merged one-row heatmaps: a row per model over the union of their columns, empty where a run had none', () => {
  const tasks = ['a', 'b'];
  const src = (label: string, x: string[], h: number[]) => ({ label, engine: 'toy-engine', model: 'toy-model', tasks, learned: { v: [1], x, h } });
  const sections = engineSections([src('short', ['1', '2'], [0.5, -0.5]), src('long', ['1', '2', '10', '3'], [0.1, 0.2, 0.4, 0.3])]);
  const toy = sections.find((s) => s.id === 'toy')!;
  const strip = toy.charts.find((c) => c.id === 'panel-merged-strip') as HeatmapChart;
  assert.equal(strip.title, 'strips of every model');
  assert.deepEqual(strip.yLabels, ['short', 'long']);
  assert.deepEqual(strip.xLabels, ['1', '2', '3', '10'], 'numeric columns in numeric order');
  assert.deepEqual(strip.values, [[0.5, -0.5, Number.NaN, Number.NaN], [0.1, 0.2, 0.3, 0.4]]);
  assert.equal(toy.charts.filter((c) => c.id !== 'panel-merged-strip' && c.id.endsWith('-strip')).length, 0, 'no per-model strip left beside the merged one');
});

/** The embedded chart specs of a rendered report. */
function embedded(html: string): ChartSpec[] {
  const m = /<script type="application\/json" id="polytask-data">([\s\S]*?)<\/script>/.exec(html)!;
  return (JSON.parse(m[1]!) as { charts: ChartSpec[] }).charts;
}

test('a real comparison of neural models: the report embeds their gates, cross-stitch α and training curves', () => {
  const { dataset } = makeMmoeTasks({ d: 5, n: 150, seed: 4 });
  const common = { hidden: [6], epochs: 2, batchSize: 32, valRatio: 0.2, logConflictEvery: 2 };
  const r = compare(dataset, {
    models: ['hps', 'mmoe', 'cross-stitch'],
    // No tuning: one fit per split keeps the test in seconds.
    plans: (n) => ({ ...registryPlan(n), params: [] }),
    repeats: 2,
    testRatio: 0.3,
    seed: 1,
    cvFolds: 2,
    perModelOptions: { 'stl-mlp': common, hps: common, mmoe: { ...common, experts: 3 }, 'cross-stitch': common },
  });
  const byName = Object.fromEntries(r.models.map((m) => [m.name, m]));
  for (const name of ['stl-mlp', 'hps', 'mmoe', 'cross-stitch']) {
    assert.equal(byName[name]!.fit!.engine, 'nn', name);
    assert.equal(byName[name]!.fit!.model, name);
  }
  // Through JSON, as `compare --out` then `report --from` would carry it.
  const saved = JSON.parse(JSON.stringify(r)) as ComparisonResult;
  const charts = embedded(renderReportHtml(saved, { assets: noAssets }));
  const ids = charts.map((c) => c.id);
  for (const id of ['panel-mmoe-gates-0', 'panel-cross-stitch-cross-stitch-0', 'panel-hps-training', 'panel-merged-nn-conflicts-2', 'panel-merged-nn-cosine-pair', 'chart-pareto']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
  // Conflicting pairs of every neural model with shared parameters in one chart, one line each, from their logs.
  const merged = charts.find((c) => c.id === 'panel-merged-nn-conflicts-2') as LineChart;
  assert.deepEqual(merged.datasets.map((d) => d.label), ['hps', 'mmoe', 'cross-stitch']);
  assert.equal(new Set(merged.datasets.map((d) => d.color)).size, 3);
  for (const d of merged.datasets) {
    const h = saved.models.find((m) => m.name === d.label)!.fit!.learned['history'] as { epoch: number; competition: { conflicts: number } }[];
    assert.deepEqual(d.points, h.map((e) => ({ x: e.epoch, y: e.competition.conflicts })));
  }
  assert.ok(!ids.includes('panel-stl-mlp-cosine-epochs'), 'single-task networks share nothing, so nothing competes');
  // Two tasks, one pair: the models' cosine strips stacked into one models × epochs heatmap.
  const strip = charts.find((c) => c.id === 'panel-merged-nn-cosine-pair') as HeatmapChart;
  assert.deepEqual(strip.yLabels, ['hps', 'mmoe', 'cross-stitch']);
  strip.yLabels.forEach((name, r) => {
    const h = saved.models.find((m) => m.name === name)!.fit!.learned['history'] as { epoch: number; competition: { cosine: number[] } }[];
    assert.deepEqual(strip.xLabels, h.map((e) => String(e.epoch)));
    assert.deepEqual(strip.values[r], h.map((e) => e.competition.cosine[1]));
  });
  const gates = charts.find((c) => c.id === 'panel-mmoe-gates-0') as HeatmapChart;
  const learnedGates = saved.models.find((m) => m.name === 'mmoe')!.fit!.learned['gates'] as { task: string; mean: number[] }[];
  assert.deepEqual(gates.yLabels, ['t1', 't2']);
  gates.values.forEach((row, t) => {
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `gate row ${t} sums to 1`);
    assert.deepEqual(row, learnedGates[t]!.mean);
  });
  const cs = charts.find((c) => c.id === 'panel-cross-stitch-cross-stitch-0') as HeatmapChart;
  const alpha = (saved.models.find((m) => m.name === 'cross-stitch')!.fit!.learned['structure'] as { crossStitch: { alpha: number[] }[] }).crossStitch[0]!.alpha;
  assert.deepEqual(cs.values.flat(), alpha);
  const curves = charts.find((c) => c.id === 'panel-hps-training') as LineChart;
  const hist = saved.models.find((m) => m.name === 'hps')!.fit!.learned['history'] as { epoch: number; trainLoss: number[] }[];
  assert.deepEqual(curves.datasets[0]!.points, hist.map((e) => ({ x: e.epoch, y: e.trainLoss[0] })));
  // The Pareto panel covers every compared model, the neural baseline included.
  const pareto = charts.find((c) => c.id === 'chart-pareto') as LineChart;
  assert.deepEqual(pareto.datasets.filter((d) => d.label !== 'Pareto front').map((d) => d.label.replace(' (front)', '')).sort(), ['cross-stitch', 'hps', 'mmoe', 'stl-mlp']);
  // A model report (no comparison) from the same learned state draws the same panels.
  const sources = panelSources(saved).filter((s) => s.label === 'mmoe');
  const own = embedded(renderModelReportHtml(sources, { assets: noAssets }));
  assert.deepEqual(own.map((c) => c.id), engineSections(sources).flatMap((s) => s.charts.map((c) => c.id)));
  assert.deepEqual((own.find((c) => c.id === 'panel-mmoe-gates-0') as HeatmapChart).values, gates.values);
});
