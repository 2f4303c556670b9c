// The neural engine's report panels, drawn from real tiny training runs (2 epochs on synthetic
// data): every number a panel shows is checked against the fitted model's learned record, and the
// gate utilisation against an independent quantity (a static DSelect-k gate averaged over rows is
// the gate itself; every gate row sums to 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeClusteredTasks } from '../../src/data/synthetic/clusters.ts';
import { makeMmoeTasks } from '../../src/data/synthetic/mmoe.ts';
import type { EstimatorJSON } from '../../src/estimator/contract.ts';
import { getModel, loadEstimator } from '../../src/estimator/registry.ts';
import { FULL_COMPETITION_TASKS, registerNeuralEngine } from '../../src/nn/estimator.ts';
import { nnReportPanels, readGates, readHistory, taskPairs } from '../../src/nn/report-panels.ts';
import type { HeatmapChart, LineChart } from '../../src/report/specs.ts';

registerNeuralEngine();

const tiny = { hidden: [8], epochs: 2, batchSize: 32, seed: 1, valRatio: 0.2, logConflictEvery: 1 };
const ds2 = makeMmoeTasks({ d: 6, n: 160, seed: 3 }).dataset; // multi-output, 2 tasks
const ds3 = makeClusteredTasks({ T: 3, d: 5, n: 40, seed: 2 }).dataset; // one data set per task

function fitted(model: string, ds: typeof ds2, extra: Record<string, unknown> = {}) {
  const est = getModel(model).make({ ...tiny, ...extra } as never).fit(ds);
  const tasks = ds.tasks.map((t) => t.name);
  const learned = est.learned!;
  return { est, tasks, learned, panels: nnReportPanels(learned, { label: model, idPrefix: `p-${model}`, tasks }) };
}
const chart = <C>(panels: ReturnType<typeof nnReportPanels>, id: string): C => {
  const p = panels.find((x) => x.chart?.id === id);
  assert.ok(p, `panel ${id} among ${panels.map((x) => x.chart?.id).join(', ')}`);
  return p.chart as C;
};

test('training curves: one solid (training) and one dashed (validation) line per task, the losses of the history', () => {
  const { tasks, learned, panels } = fitted('hps', ds2);
  const c = chart<LineChart>(panels, 'p-hps-training');
  const hist = readHistory(learned, tasks.length);
  assert.equal(hist.length, 2);
  assert.deepEqual(c.datasets.map((d) => d.label), ['t1 train', 't1 validation', 't2 train', 't2 validation']);
  assert.deepEqual(c.datasets.map((d) => !!d.dashed), [false, true, false, true]);
  tasks.forEach((_, t) => {
    assert.deepEqual(c.datasets[2 * t]!.points, hist.map((e) => ({ x: e.epoch, y: e.trainLoss[t] })));
    assert.deepEqual(c.datasets[2 * t + 1]!.points, hist.map((e) => ({ x: e.epoch, y: e.valLoss![t] })));
  });
  assert.ok(c.datasets.every((d) => d.points.every((p) => Number.isFinite(p.y) && p.y > 0)));
  assert.match(panels.find((p) => p.section.id === 'nn-training')!.notes![0]!, /chosen epoch \d/);
  // The per-task metric (RMSE for these regression tasks) per epoch, from the same history.
  const m = chart<LineChart>(panels, 'p-hps-training-metric');
  assert.equal(m.yLabel, 'rmse');
  tasks.forEach((_, t) => {
    assert.deepEqual(m.datasets[2 * t]!.points, hist.map((e) => ({ x: e.epoch, y: e.trainMetric![t] })));
    assert.deepEqual(m.datasets[2 * t + 1]!.points, hist.map((e) => ({ x: e.epoch, y: e.valMetric![t] })));
  });
  // HPS has no gates and no cross-stitch units.
  assert.ok(!panels.some((p) => p.section.id === 'nn-gates' || p.section.id === 'nn-cross-stitch'));
});

test('MMoE gate utilisation: a task × expert heatmap whose rows are the data-averaged gates and sum to 1', () => {
  const { est, tasks, learned, panels } = fitted('mmoe', ds2, { experts: 3 });
  const gates = readGates(learned, tasks);
  assert.deepEqual(gates.map((g) => g.task), tasks);
  const h = chart<HeatmapChart>(panels, 'p-mmoe-gates-0');
  assert.deepEqual(h.yLabels, tasks);
  assert.deepEqual(h.xLabels, ['expert0', 'expert1', 'expert2']);
  h.values.forEach((row, t) => {
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${t} sums to ${row.reduce((a, b) => a + b, 0)}`);
    assert.ok(row.every((v) => v > 0 && v < 1));
    assert.deepEqual(row, gates[t]!.mean);
  });
  assert.equal(h.min, 0);
  assert.equal(h.max, 1);
  // Kept in the model file: a reloaded model shows the same gates.
  const back = loadEstimator(JSON.parse(JSON.stringify(est.toJSON())) as EstimatorJSON);
  assert.deepEqual(readGates(back.learned!, tasks), gates);
});

test('a static DSelect-k gate averaged over the data is the gate itself (an independent check of the averaging)', () => {
  const { tasks, learned, panels } = fitted('dselect-k', ds2, { experts: 4, k: 2, gate: 'static' });
  const st = learned['structure'] as { staticGates: Record<string, number[]> };
  const gates = readGates(learned, tasks);
  assert.equal(gates.length, 2);
  for (const g of gates) {
    const q = st.staticGates[g.task!]!;
    g.mean.forEach((v, e) => assert.ok(Math.abs(v - q[e]!) < 1e-5, `${g.task} expert ${e}: averaged ${v}, static ${q[e]}`));
  }
  const h = chart<HeatmapChart>(panels, 'p-dselect-k-gates-0');
  h.values.forEach((row) => assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5));
});

test('CGC on per-task data: each task gate over its own rows; experts a gate cannot use are empty (NaN) cells', () => {
  const { tasks, learned, panels } = fitted('cgc', ds3, { sharedExperts: 2, taskExperts: 1 });
  const gates = readGates(learned, tasks);
  assert.deepEqual(gates.map((g) => g.task), tasks);
  assert.deepEqual((learned['gates'] as { rows: number }[]).map((g) => g.rows), ds3.tasks.map((t) => t.y.length));
  const h = chart<HeatmapChart>(panels, 'p-cgc-gates-0');
  h.values.forEach((row, t) => {
    const finite = row.filter(Number.isFinite);
    assert.equal(finite.length, 3, 'own expert + 2 shared');
    assert.ok(Math.abs(finite.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    // The other tasks' own experts are NaN in this task's row.
    gates.forEach((g, u) => {
      if (u === t) return;
      const own = g.experts.filter((e) => !e.startsWith('shared'));
      for (const e of own) assert.ok(Number.isNaN(row[h.xLabels.indexOf(e)]!), `${tasks[t]} cannot use ${e}`);
    });
  });
});

test('cross-stitch: one T × T heatmap per layer, equal to the learned α (rows: receiving task)', () => {
  const { tasks, learned, panels } = fitted('cross-stitch', ds3, { hidden: [6, 4], alphaSelf: 0.8 });
  const units = (learned['structure'] as { crossStitch: { layer: number; alpha: number[] }[] }).crossStitch;
  assert.equal(units.length, 2);
  const T = tasks.length;
  for (const u of units) {
    const h = chart<HeatmapChart>(panels, `p-cross-stitch-cross-stitch-${u.layer}`);
    assert.deepEqual(h.values, Array.from({ length: T }, (_, i) => u.alpha.slice(i * T, (i + 1) * T)));
    // Two epochs barely move α from its initialisation (α_S = 0.8 on the diagonal, Misra et al. §4.2).
    h.values.forEach((row, i) => assert.ok(Math.abs(row[i]! - 0.8) < 0.1, `diagonal ${row[i]}`));
    assert.equal(h.min, -h.max);
  }
});

test('competition: conflicts per epoch, the pair × epoch cosine strip and the last cosine matrix, from the log', () => {
  const { tasks, learned, panels } = fitted('hps', ds3, { weighting: 'uw' });
  const hist = readHistory(learned, tasks.length).filter((e) => e.competition);
  assert.equal(hist.length, 2);
  const T = tasks.length;
  const conflicts = chart<LineChart>(panels, 'p-hps-conflicts');
  assert.deepEqual(conflicts.datasets[0]!.points, hist.map((e) => ({ x: e.epoch, y: e.competition!.conflicts })));
  const strip = chart<HeatmapChart>(panels, 'p-hps-cosine-epochs');
  const pairs = taskPairs(tasks);
  assert.deepEqual(strip.yLabels, pairs.map((p) => p.name));
  assert.deepEqual(strip.xLabels, hist.map((e) => String(e.epoch)));
  pairs.forEach((p, k) => assert.deepEqual(strip.values[k], hist.map((e) => e.competition!.cosine![p.i * T + p.j])));
  const last = chart<HeatmapChart>(panels, 'p-hps-cosine-last');
  last.values.forEach((row, i) => assert.ok(Math.abs(row[i]! - 1) < 1e-9, 'a gradient has cosine 1 with itself'));
  assert.ok(last.values.flat().every((v) => v >= -1 - 1e-9 && v <= 1 + 1e-9));
  // The conflicting-pair count is the number of negative mean cosines or fewer/more (it is a mean over
  // steps), but bounded by the number of pairs.
  assert.ok(hist.every((e) => e.competition!.conflicts >= 0 && e.competition!.conflicts <= pairs.length));
  // Uncertainty weighting (Kendall et al. 2018) learns the weights: a trajectory per task, the logged weights.
  const w = chart<LineChart>(panels, 'p-hps-weights');
  assert.deepEqual(w.datasets.map((d) => d.label), tasks);
  const wh = readHistory(learned, T);
  tasks.forEach((_, t) => assert.deepEqual(w.datasets[t]!.points, wh.map((e) => ({ x: e.epoch, y: e.weights![t] }))));
});

test('equal weighting gets a note instead of flat lines; single-task networks get no competition panels', () => {
  const ew = fitted('hps', ds2);
  assert.ok(!ew.panels.some((p) => p.chart?.id === 'p-hps-weights'));
  assert.ok(ew.panels.some((p) => p.notes?.some((n) => /every task weight was 1 in every epoch/.test(n))));
  const stl = fitted('stl-mlp', ds2);
  assert.ok(!stl.panels.some((p) => p.section.id === 'nn-competition'), 'nothing is shared, so nothing competes');
  assert.ok(stl.panels.some((p) => p.chart?.id === 'p-stl-mlp-training'));
});

test('beyond FULL_COMPETITION_TASKS tasks the cosine matrices are stored for the last epoch only; single-task networks store no competition', () => {
  const T = FULL_COMPETITION_TASKS + 2;
  const many = makeClusteredTasks({ T, d: 4, n: 12, seed: 5 }).dataset;
  const { learned, panels, tasks } = fitted('hps', many, { epochs: 3, patience: 0 });
  const hist = readHistory(learned, tasks.length);
  assert.equal(hist.length, 3);
  assert.ok(hist.every((e) => e.competition !== null), 'every epoch keeps its conflict count');
  assert.deepEqual(hist.map((e) => e.competition!.cosine !== null), [false, false, true]);
  // The conflicts chart has every epoch; no pair × epoch strip (it would need every matrix); the last matrix is drawn.
  assert.equal(chart<LineChart>(panels, 'p-hps-conflicts').datasets[0]!.points.length, 3);
  assert.ok(!panels.some((p) => p.chart?.id === 'p-hps-cosine-epochs'));
  assert.equal(chart<HeatmapChart>(panels, 'p-hps-cosine-last').values.length, T);
  const stl = fitted('stl-mlp', ds2);
  const h = stl.learned['history'] as { competition: unknown }[];
  assert.ok(h.length > 0 && h.every((e) => e.competition === null));
});

test('malformed learned records are skipped, never trusted', () => {
  const tasks = ['a', 'b'];
  const ctx = { label: 'x', idPrefix: 'x', tasks };
  assert.deepEqual(nnReportPanels({}, ctx), []);
  assert.deepEqual(nnReportPanels({ history: 'no', gates: [{ experts: ['e'], mean: [1, 2] }], structure: { crossStitch: [{ alpha: [1, 2, 3] }] } }, ctx), []);
  const one = nnReportPanels({ history: [{ epoch: 1, trainLoss: [1, 2], valLoss: null }, { epoch: 2, trainLoss: [1] }] }, ctx);
  assert.equal(one.length, 1);
  assert.equal((one[0]!.chart as LineChart).datasets.length, 2, 'training lines only: no validation recorded');
});

test('training curves of many tasks (139, as School): mean, 10th–90th percentile and the 3 worst tasks in a short legend; every task in a heatmap', async () => {
  const { MANY_TASKS, WORST_SHOWN, quantile } = await import('../../src/nn/report-panels.ts');
  const T = 139, E = 5;
  const tasks = Array.from({ length: T }, (_, t) => `school${t}`);
  // task t's validation loss at epoch e: (1 + t mod 17)/(e + 1); tasks 16, 33, 50 ... share the worst value,
  // so make three planted worst tasks unique
  const val = (t: number, e: number): number => (t === 70 ? 50 : t === 12 ? 40 : t === 101 ? 30 : 1 + (t % 17)) / (e + 1);
  const history = Array.from({ length: E }, (_, e) => ({
    epoch: e + 1,
    trainLoss: tasks.map((_, t) => val(t, e) / 2),
    valLoss: tasks.map((_, t) => val(t, e)),
    metricName: tasks.map(() => 'rmse'),
    trainMetric: tasks.map((_, t) => Math.sqrt(val(t, e) / 2)),
    valMetric: tasks.map((_, t) => Math.sqrt(val(t, e))),
  }));
  const panels = nnReportPanels({ bestEpoch: 4, history }, { label: 'stl-mlp', idPrefix: 'p-stl', tasks });
  assert.ok(T > MANY_TASKS);
  const c = chart<LineChart>(panels, 'p-stl-training');
  assert.ok(c.datasets.length <= 4 + WORST_SHOWN, `${c.datasets.length} legend entries`);
  assert.deepEqual(c.datasets.slice(4).map((d) => d.label), ['worst 1: school70 (validation)', 'worst 2: school12 (validation)', 'worst 3: school101 (validation)']);
  const mean = c.datasets.find((d) => d.label === 'mean over tasks, validation')!;
  for (let e = 0; e < E; e++) {
    const want = tasks.reduce((s, _, t) => s + val(t, e), 0) / T;
    assert.ok(Math.abs(mean.points[e]!.y - want) < 1e-12);
    assert.equal(mean.points[e]!.x, e + 1);
  }
  const p90 = c.datasets.find((d) => d.label.startsWith('90th percentile'))!;
  assert.equal(p90.points[0]!.y, quantile(tasks.map((_, t) => val(t, 0)), 0.9));
  assert.ok(c.datasets.find((d) => d.label.startsWith('10th'))!.points[0]!.y < p90.points[0]!.y);
  const h = chart<HeatmapChart>(panels, 'p-stl-training-tasks');
  assert.equal(h.yLabels.length, T);
  assert.deepEqual(h.yLabels.slice(0, 3), ['school70', 'school12', 'school101']);
  assert.deepEqual(h.xLabels, ['1', '2', '3', '4', '5']);
  const r = h.yLabels.indexOf('school5');
  assert.deepEqual(h.values[r], Array.from({ length: E }, (_, e) => val(5, e)));
  // the metric (rmse: higher is worse) gets the same two charts
  const m = chart<LineChart>(panels, 'p-stl-training-metric');
  assert.ok(m.datasets.length <= 4 + WORST_SHOWN);
  assert.equal(chart<HeatmapChart>(panels, 'p-stl-training-metric-tasks').yLabels[0], 'school70');
  // few tasks keep one line per task
  const few = nnReportPanels({ bestEpoch: 1, history: history.map((x) => ({ ...x, trainLoss: x.trainLoss.slice(0, 2), valLoss: x.valLoss.slice(0, 2), metricName: undefined })) }, { label: 'hps', idPrefix: 'p-h', tasks: tasks.slice(0, 2) });
  assert.equal(chart<LineChart>(few, 'p-h-training').datasets.length, 4);
});
