// From a ComparisonResult to the report's content: sections of plain chart specifications (JSON
// data only — no functions), which the small in-page renderer (client.ts) turns into Chart.js
// charts. Keeping this step pure and in Node lets tests check what every chart will show without a
// browser; the browser test then checks that it does show.
import type { ComparisonResult, ModelComparison } from '../eval/types.ts';
import { permute, taskOrder, toGrid, toLabels, type Grid } from './learned.ts';
import { primaryKey, rankModels, verdict } from './verdict.ts';
import { diagnosticLines, failedCell, unconvergedCell } from './diagnostics.ts';
import { engineSections, panelSources, type PanelSource } from './panels.ts';
import { paretoSection } from './pareto.ts';
import { selectionSections, type GroupReport } from './selection.ts';

export interface BarDataset {
  readonly label: string;
  readonly data: readonly (number | null)[];
  /** One colour for the whole dataset (by model), or one per bar (by significance). */
  readonly color?: string;
  readonly colors?: readonly string[];
  readonly stack?: string;
}

export interface BarChart {
  readonly kind: 'bar';
  readonly id: string;
  readonly title: string;
  readonly labels: readonly string[];
  readonly datasets: readonly BarDataset[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly stacked?: boolean;
}

export interface LineDataset {
  readonly label: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly color: string;
  readonly dashed?: boolean;
  readonly showLine?: boolean;
  readonly pointRadius?: number;
  /** Chart.js point style ('circle' default, 'rectRot', 'triangle', 'star', 'crossRot'). */
  readonly pointStyle?: 'circle' | 'rectRot' | 'triangle' | 'star' | 'crossRot';
}

export interface LineChart {
  readonly kind: 'line';
  readonly id: string;
  readonly title: string;
  readonly datasets: readonly LineDataset[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** Names of the integer x positions 0, 1, … (a parallel-coordinates or per-task axis). */
  readonly xTicks?: readonly string[];
  /** x takes integer values only (epochs): no ticks between them. */
  readonly integerX?: boolean;
}

export interface HeatmapChart {
  readonly kind: 'heatmap';
  readonly id: string;
  readonly title: string;
  readonly xLabels: readonly string[];
  readonly yLabels: readonly string[];
  /** values[i][j]: row i (y), column j (x). */
  readonly values: readonly (readonly number[])[];
  readonly scale: 'diverging' | 'sequential';
  readonly min: number;
  readonly max: number;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Label every k-th row/column (1 = every task); the same rule on both axes (heatmapLayout). */
  readonly labelEvery?: { readonly x: number; readonly y: number };
}

/** Cell size, label stride and box size of a heatmap: cells of 6–14 px (a 139-task matrix fits in
 * ~1 400 px), and a label on every k-th cell where cells are smaller than a readable 12 px line,
 * decided the same way on both axes (issue 10: one axis labelled every other task, the other all). */
export function heatmapLayout(nx: number, ny: number): { cell: number; every: { x: number; y: number }; width: number; height: number } {
  const cell = Math.max(6, Math.min(14, Math.floor(1400 / Math.max(nx, ny, 1))));
  const every = Math.max(1, Math.ceil(12 / cell));
  return { cell, every: { x: every, y: every }, width: Math.max(600, cell * nx + 200), height: Math.max(320, cell * ny + 160) };
}

export type ChartSpec = BarChart | LineChart | HeatmapChart;

export interface Section {
  readonly id: string;
  readonly title: string;
  /** What the section shows and how to read it. */
  readonly intro: string;
  readonly charts: readonly ChartSpec[];
  /** Shown instead of charts when there is nothing to draw. */
  readonly empty?: string;
  /** Extra lines of text (e.g. lists of flagged tasks). */
  readonly notes?: readonly string[];
}

export interface SummaryRow {
  readonly model: string;
  readonly primary: string; // "1.023 ± 0.04"
  readonly deltaM: string;
  readonly helped: number;
  readonly hurt: number;
  readonly chosen: string;
  readonly unconverged: string;
  readonly failed: string;
  readonly seconds: string;
}

export interface ReportContent {
  readonly title: string;
  readonly subtitle: string;
  readonly verdict: readonly string[];
  readonly summaryHeader: readonly string[];
  readonly summary: readonly SummaryRow[];
  readonly sections: readonly Section[];
}

/** A colour-blind-safe palette (Okabe & Ito 2008), then Tableau's; the baseline is always grey. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#4E79A7', '#59A14F', '#B07AA1', '#9C755F'];
const BASELINE_GREY = '#7f7f7f';
export const COLOR_BETTER = '#2e8b57';
export const COLOR_WORSE = '#c0392b';
export const COLOR_NEUTRAL = '#b0b0b0';

export function modelColors(r: ComparisonResult): Record<string, string> {
  const out: Record<string, string> = {};
  let k = 0;
  for (const m of r.models) out[m.name] = m.name === r.baseline ? BASELINE_GREY : PALETTE[k++ % PALETTE.length]!;
  return out;
}

function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(2) : x.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** Seconds for people: 850 ms, 12.3 s, 33 min 31 s (never "2.01e+3"). */
export function humanSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const t = Math.round(s);
  if (t < 3600) return `${Math.floor(t / 60)} min ${t % 60} s`;
  return `${Math.floor(t / 3600)} h ${Math.floor((t % 3600) / 60)} min`;
}

/** A DOM-safe id fragment. */
function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '-');
}

// ---------------------------------------------------------------------------------------------
// Sections

export function dataSection(r: ComparisonResult): Section {
  const ds = r.dataset;
  const n = ds.tasks.reduce((s, t) => s + t.n, 0);
  const binary = ds.kind === 'binary';
  const notes = [
    `Source: ${ds.source}. ${ds.tasks.length} tasks, ${ds.features.length} features, ${n} samples (${ds.layout === 'multi-output' ? 'one shared X, a target per task' : 'each task with its own samples'}), ${ds.kind}.`,
    `Features: ${ds.features.length <= 30 ? ds.features.join(', ') : `${ds.features.slice(0, 30).join(', ')}, … (${ds.features.length})`}.`,
  ];
  if (binary) {
    const pos = ds.tasks.reduce((s, t) => s + (t.positives ?? 0), 0);
    notes.push(`Label balance: ${pos} positives of ${n} (${((100 * pos) / Math.max(1, n)).toFixed(1)} %).`);
  }
  const labels = ds.tasks.map((t) => t.name);
  const datasets: BarDataset[] = binary
    ? [
        { label: 'positives', data: ds.tasks.map((t) => t.positives ?? null), color: '#E69F00', stack: 'n' },
        { label: 'negatives', data: ds.tasks.map((t) => (t.positives === undefined ? null : t.n - t.positives)), color: '#5b8db8', stack: 'n' },
      ]
    : [{ label: 'samples', data: ds.tasks.map((t) => t.n), color: '#5b8db8' }];
  return {
    id: 'data',
    title: 'Data',
    intro: binary ? 'Samples per task, split by label (the task-level label balance).' : 'Samples per task.',
    notes,
    charts: [{ kind: 'bar', id: 'chart-data-sizes', title: 'Samples per task', labels, datasets, xLabel: 'task', yLabel: 'samples', stacked: binary }],
  };
}

export function perTaskSection(r: ComparisonResult): Section {
  const metric = r.primaryMetric;
  const dir = r.higherIsBetter ? 'higher is better' : 'lower is better';
  const tasks = r.dataset.tasks.map((t) => t.name);
  const colors = modelColors(r);
  const value = (m: ModelComparison, task: string): number | null => {
    const t = m.tasks.find((x) => x.task === task);
    const v = t ? t[metric] : undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  // Grouped bars of the raw metric (e.g. 4 models × 29 tasks of AUC on a 0–1 axis) hide
  // differences of a few percent; the gain over the baseline per task shows them (issue 10).
  const others = r.models.filter((m) => m.name !== r.baseline);
  const gainOf = (m: ModelComparison, task: string): number | null => {
    const t = m.tasks.find((x) => x.task === task);
    return t && Number.isFinite(t.gain_over_stl) ? t.gain_over_stl : null;
  };
  const base = r.models.find((m) => m.name === r.baseline);
  const gainsChart: BarChart = {
    kind: 'bar',
    id: 'chart-per-task-gains',
    title: `Gain over ${r.baseline} per task, every model (% of ${r.baseline}'s test ${metric.toUpperCase()}; > 0 is better), mean over ${r.protocol.splits} splits`,
    labels: tasks,
    datasets: others.map((m) => ({ label: m.name, data: tasks.map((t) => gainOf(m, t)), color: colors[m.name]! })),
    xLabel: 'task',
    yLabel: `gain over ${r.baseline} (%)`,
  };
  const charts: ChartSpec[] = others.length > 0 ? [gainsChart] : [];
  const notes: string[] = [];
  if (base) {
    const vals = tasks.map((t) => value(base, t)).filter((v): v is number => v !== null);
    if (vals.length > 0) notes.push(`${r.baseline}'s test ${metric.toUpperCase()} per task (${dir}) ranges from ${fmt(Math.min(...vals))} to ${fmt(Math.max(...vals))}; the gains below are relative to it.`);
  }
  for (const m of r.models) {
    if (m.name === r.baseline) continue;
    const rows = tasks.map((t) => m.tasks.find((x) => x.task === t));
    charts.push({
      kind: 'bar',
      id: `chart-gain-${slug(m.name)}`,
      title: `${m.name}: gain over ${r.baseline} per task (%; > 0 is better)`,
      labels: tasks,
      datasets: [
        {
          label: `gain of ${m.name} over ${r.baseline} (%)`,
          data: rows.map((x) => (x && Number.isFinite(x.gain_over_stl) ? x.gain_over_stl : null)),
          colors: rows.map((x) => (x?.negative_transfer ? COLOR_WORSE : x?.positive_transfer ? COLOR_BETTER : COLOR_NEUTRAL)),
        },
      ],
      xLabel: 'task',
      yLabel: 'gain over STL (%)',
    });
    const hurt = rows.filter((x) => x?.negative_transfer).map((x) => x!.task);
    if (hurt.length > 0) notes.push(`Negative transfer for ${m.name}: ${hurt.join(', ')}.`);
  }
  if (notes.length === 0) notes.push(`No task shows significant negative transfer for any model.`);
  return {
    id: 'per-task',
    title: 'Per-task results',
    intro:
      `Each model's gain over ${r.baseline} per task (all models together, then one chart per model). ` +
      `Bars are green where the model is significantly better than ${r.baseline}, red where it is significantly worse ` +
      `(negative transfer), grey otherwise (${r.protocol.test}, α = ${r.protocol.alpha}).`,
    charts,
    notes,
  };
}

/** The learned task relationships of each model that has one, tasks ordered by clustering. */
export function relationshipSection(r: ComparisonResult): Section {
  const tasks = r.dataset.tasks.map((t) => t.name);
  const T = tasks.length;
  const charts: ChartSpec[] = [];
  const notes: string[] = [];
  const square = (g: Grid | null): g is Grid => g !== null && g.length === T && g.every((row) => row.length === T);
  for (const m of r.models) {
    const learned = m.fit?.learned;
    if (!learned) continue;
    const labels = toLabels(learned['clusters'], T);
    const candidates: { key: string; title: string; scale: 'diverging' | 'sequential' }[] = [
      { key: 'taskCorrelation', title: 'learned task correlation', scale: 'diverging' },
      { key: 'relation', title: 'learned relation matrix R', scale: 'diverging' },
      { key: 'clusterMatrix', title: 'learned cluster matrix M', scale: 'sequential' },
    ];
    let drew = false;
    for (const c of candidates) {
      const g = toGrid(learned[c.key]);
      if (!square(g)) continue;
      charts.push(heatmapOfTasks(m.name, c.title, g, labels, tasks, c.scale));
      drew = true;
    }
    if (!drew && labels) {
      // Only labels: draw the co-membership matrix (1 = same cluster).
      const co = labels.map((a) => labels.map((b) => (a === b ? 1 : 0)));
      charts.push(heatmapOfTasks(m.name, 'learned clusters (1 = same cluster)', co, labels, tasks, 'sequential'));
    }
    if (labels) notes.push(...clusterLegend(m.name, labels, tasks));
  }
  return {
    id: 'relationships',
    title: 'Learned task relationships',
    intro:
      'What the relationship-learning models (MTRL, the relation model, clustered MTL) learned about which tasks go together. ' +
      "Tasks are reordered so that related tasks sit next to each other: for a model that learns clusters (cmtl), grouped by its learned cluster (the \"· c2\" after a task name is its cluster, listed below), and within a cluster — or for a model without clusters — by average-linkage clustering of the matrix shown.",
    charts,
    ...(notes.length > 0 ? { notes } : {}),
    ...(charts.length === 0 ? { empty: 'No model in this comparison learns task relationships (run mtrl, relation or cmtl to see them).' } : {}),
  };
}

/** The legend of cluster labels: one line per cluster, 1-based as the task labels show them. */
export function clusterLegend(model: string, labels: readonly number[], tasks: readonly string[]): string[] {
  const ids = [...new Set(labels)].sort((a, b) => a - b);
  return ids.map((c) => {
    const members = tasks.filter((_, i) => labels[i] === c);
    const shown = members.length <= 40 ? members.join(', ') : `${members.slice(0, 40).join(', ')}, … (${members.length} in all)`;
    return `${model} cluster c${c + 1} (${members.length} task${members.length === 1 ? '' : 's'}): ${shown}`;
  });
}

/** Order: by learned cluster when the model has labels, then (within a cluster, or without labels)
 * by average-linkage clustering of the matrix — the order the section's intro describes. */
export function heatmapTaskOrder(g: Grid, labels: readonly number[] | null): number[] {
  const byMatrix = taskOrder(g);
  if (!labels) return byMatrix;
  const rank = new Array<number>(byMatrix.length);
  byMatrix.forEach((i, k) => (rank[i] = k));
  return [...byMatrix].sort((i, j) => labels[i]! - labels[j]! || rank[i]! - rank[j]!);
}

function heatmapOfTasks(model: string, what: string, g: Grid, labels: number[] | null, tasks: readonly string[], scale: 'diverging' | 'sequential'): HeatmapChart {
  const order = heatmapTaskOrder(g, labels);
  const P = permute(g, order);
  const names = order.map((i) => (labels ? `${tasks[i]} · c${labels[i]! + 1}` : tasks[i]!));
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of P) for (const v of row) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const amax = Math.max(Math.abs(lo), Math.abs(hi), 1e-12);
  return {
    kind: 'heatmap',
    id: `chart-rel-${slug(model)}-${slug(what.split(' ').slice(-1)[0]!)}`,
    title: `${model}: ${what}`,
    xLabels: names,
    yLabels: names,
    values: P,
    scale,
    min: scale === 'diverging' ? -amax : Math.min(0, lo),
    max: scale === 'diverging' ? amax : hi > lo ? hi : lo + 1,
    xLabel: labels ? 'task · learned cluster' : 'task',
    yLabel: labels ? 'task · learned cluster' : 'task',
    labelEvery: heatmapLayout(names.length, names.length).every,
  };
}

export function cvSection(r: ComparisonResult): Section {
  const colors = modelColors(r);
  const charts: ChartSpec[] = [];
  for (const m of r.models) {
    const cv = m.cv;
    if (!cv || cv.grid.length === 0) continue;
    const logX = cv.grid.every((x) => x > 0);
    const pts = (ys: readonly number[]): { x: number; y: number }[] =>
      cv.grid.map((x, i) => ({ x, y: ys[i]! })).filter((p) => Number.isFinite(p.y) && (!logX || p.x > 0));
    const c = cv.chosenIndex;
    charts.push({
      kind: 'line',
      id: `chart-cv-${slug(m.name)}`,
      title: `${m.name}: CV ${cv.metric} vs ${cv.param} (chosen ${cv.param} = ${fmt(cv.grid[c]!)} by the ${cv.rule === '1se' ? 'one-standard-error' : 'minimum'} rule)`,
      datasets: [
        { label: `mean CV ${cv.metric}`, points: pts(cv.mean), color: colors[m.name]!, pointRadius: 2 },
        { label: 'mean + SE', points: pts(cv.mean.map((v, i) => v + cv.se[i]!)), color: colors[m.name]!, dashed: true, pointRadius: 0 },
        { label: 'mean − SE', points: pts(cv.mean.map((v, i) => v - cv.se[i]!)), color: colors[m.name]!, dashed: true, pointRadius: 0 },
        { label: `chosen ${cv.param}`, points: pts(cv.mean).filter((p) => p.x === cv.grid[c]), color: '#000000', showLine: false, pointRadius: 6 },
      ],
      xLabel: cv.param,
      yLabel: `CV ${cv.metric} (lower is better)`,
      logX,
    });
  }
  return {
    id: 'cv',
    title: 'Cross-validation curves',
    intro: 'Mean cross-validated error ± one standard error over the folds, against the regularisation weight (first split, inside its training part only). The black point marks the chosen value.',
    charts,
    ...(charts.length === 0 ? { empty: 'No model in this comparison was tuned by cross-validation (no CV curves recorded).' } : {}),
  };
}

export function convergenceSection(r: ComparisonResult): Section {
  const colors = modelColors(r);
  const datasets: LineDataset[] = [];
  // Every fit of the comparison first (CV fits and refits on all splits), then the traced fits.
  const notes: string[] = diagnosticLines(r);
  if (notes.length === 0 && r.models.some((m) => m.fits)) notes.push('Every fit of every model converged and none failed (CV fits and refits, all splits).');
  for (const m of r.models) {
    const tr = m.fit?.objectiveTrace;
    if (!tr || tr.length < 2) continue;
    const fmin = Math.min(...tr.filter((v) => Number.isFinite(v)));
    const denom = Math.max(Math.abs(fmin), Number.MIN_VALUE);
    // (f_k − f_min)/|f_min| is 0 at the best iterate; a log axis cannot show 0, so those points are left out.
    const points = tr.map((f, k) => ({ x: k + 1, y: (f - fmin) / denom })).filter((p) => p.y > 0 && Number.isFinite(p.y));
    if (points.length === 0) continue;
    datasets.push({ label: m.name, points, color: colors[m.name]!, pointRadius: 0 });
    const f = m.fit!;
    notes.push(`${m.name}: ${f.iterations} iterations, ${f.converged ? 'converged' : 'did NOT converge (stopped at the iteration cap)'}, ${humanSeconds(f.seconds)}.`);
  }
  const charts: ChartSpec[] =
    datasets.length === 0
      ? []
      : [{ kind: 'line', id: 'chart-convergence', title: 'Relative objective gap (f − f_min) / |f_min| per iteration', datasets, xLabel: 'iteration', yLabel: 'relative gap (log scale)', logY: true }];
  return {
    id: 'convergence',
    title: 'Solver convergence',
    intro: 'The objective of each final fit (first split, chosen hyper-parameters) per iteration, relative to its best value; iterative solvers only (direct solves have no trace).',
    charts,
    notes,
    ...(charts.length === 0 ? { empty: 'No iterative solver traces were recorded (the fits were direct solves or were not kept).' } : {}),
  };
}

const SPARSE_MODELS = ['l21', 'lasso', 'tgl', 'rmtfl', 'dirty'];

export function sparsitySection(r: ComparisonResult): Section {
  const tasks = r.dataset.tasks.map((t) => t.name);
  const d = r.dataset.features.length;
  const charts: ChartSpec[] = [];
  const notes: string[] = [];
  for (const m of r.models) {
    if (!SPARSE_MODELS.includes(m.name) || !m.fit) continue;
    const W = m.fit.W;
    if (W.length !== d || W.some((row) => row.length !== tasks.length)) continue;
    const A = W.map((row) => row.map((v) => Math.abs(v)));
    const hi = Math.max(...A.map((row) => Math.max(...row)), 0);
    const zeroRows = A.filter((row) => row.every((v) => v === 0)).length;
    notes.push(`${m.name}: ${d - zeroRows} of ${d} features used (${zeroRows} rows of W exactly zero).`);
    charts.push({
      kind: 'heatmap',
      id: `chart-sparsity-${slug(m.name)}`,
      title: `${m.name}: |W| (features × tasks); white = exactly zero`,
      xLabels: tasks,
      yLabels: r.dataset.features,
      values: A,
      scale: 'sequential',
      min: 0,
      max: hi > 0 ? hi : 1,
      xLabel: 'task',
      yLabel: 'feature',
      labelEvery: heatmapLayout(tasks.length, d).every,
    });
  }
  return {
    id: 'sparsity',
    title: 'Feature sparsity',
    intro: 'The magnitude of each learned weight for the sparse models (L21 selects whole feature rows shared by all tasks).',
    charts,
    notes,
    ...(charts.length === 0 ? { empty: 'No sparse model (l21, lasso, tgl, rmtfl, dirty) with a recorded fit in this comparison.' } : {}),
  };
}

export function summaryRows(r: ComparisonResult): SummaryRow[] {
  const key = primaryKey(r);
  return rankModels(r).map((m) => {
    const s = m.metrics[key];
    const chosen = m.chosen[0];
    return {
      model: m.name,
      primary: s ? `${fmt(s.mean)} ± ${fmt(s.std, 2)}` : '–',
      deltaM: m.delta_m === null || !Number.isFinite(m.delta_m) ? '–' : `${m.delta_m >= 0 ? '+' : '−'}${Math.abs(m.delta_m).toFixed(2)} %`,
      helped: m.tasks.filter((t) => t.positive_transfer).length,
      hurt: m.tasks.filter((t) => t.negative_transfer).length,
      chosen: chosen && Object.keys(chosen).length > 0 ? Object.entries(chosen).map(([k, v]) => `${k} = ${fmt(v, 3)}`).join(', ') : '–',
      unconverged: unconvergedCell(m),
      failed: failedCell(m),
      seconds: humanSeconds(m.seconds / Math.max(1, r.protocol.splits)),
    };
  });
}

/** What a report may show beside the comparison. */
export interface ReportExtras {
  /** The result of `polytask group`: affinity, chosen groups and their measured result. */
  readonly group?: GroupReport;
  /** Further fitted models whose engine panels to draw (e.g. a model file from `polytask train`). */
  readonly panels?: readonly PanelSource[];
}

export function buildReport(r: ComparisonResult, title = 'polytask comparison report', extras: ReportExtras = {}): ReportContent {
  const p = r.protocol;
  return {
    title,
    subtitle:
      `${r.dataset.source}: ${r.dataset.tasks.length} tasks, ${r.dataset.features.length} features. ` +
      `${p.splits} ${p.splitSource === 'given' ? 'given' : `random (test ratio ${p.testRatio ?? '?'}, seed ${p.seed})`} splits; ` +
      `hyper-parameters by ${p.cvFolds}-fold CV inside each training part (${p.rule === '1se' ? 'one-standard-error' : 'minimum'} rule); ` +
      `significance: ${p.test}, α = ${p.alpha}.` +
      (r.wallSeconds !== undefined ? ` Total wall time ${humanSeconds(r.wallSeconds)}${r.workers && r.workers > 1 ? ` on ${r.workers} worker threads` : ''}; "time/split" is one model's wall time on one split.` : ''),
    verdict: verdict(r).lines,
    summaryHeader: [
      'model',
      `${r.primaryMetric.toUpperCase()} task avg (${r.higherIsBetter ? '↑' : '↓'})`,
      `Δm vs ${r.baseline} (↑)`,
      'tasks better',
      'tasks worse',
      'chosen (split 1)',
      'unconverged fits',
      'failed',
      'time/split',
    ],
    summary: summaryRows(r),
    // Engine panels come from the models' own declarations (src/report/panels.ts), selection
    // panels from a `polytask group` result.
    sections: [
      dataSection(r),
      perTaskSection(r),
      paretoSection(r),
      ...(extras.group ? selectionSections(extras.group) : []),
      relationshipSection(r),
      ...engineSections([...panelSources(r), ...(extras.panels ?? [])]),
      cvSection(r),
      convergenceSection(r),
      sparsitySection(r),
    ],
  };
}
