// The neural engine's panels of the HTML report (issue 11: training curves, expert-gate
// utilisation, cross-stitch matrices; issue 12: the task-gradient conflict over time and the task
// weights), drawn from a fitted model's `learned` record — { bestEpoch, history, structure, gates }
// of src/nn/estimator.ts, as it is in memory, in a model file or in a saved comparison. The report
// (src/report) only renders the generic chart kinds these return; it knows nothing of gates.
//
// `learned` may come from a file written by another version: every field is read defensively and
// a malformed one is skipped (with a note), never trusted.
import type { HeatmapChart, LineChart, LineDataset } from '../report/specs.ts';
import type { PanelContext, PanelSection, ReportPanel } from '../report/panel.ts';

/** Okabe–Ito then Tableau: one colour per task, the same in every chart of a model. */
const TASK_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#4E79A7', '#59A14F', '#B07AA1', '#9C755F', '#000000'];
const taskColor = (t: number): string => TASK_COLORS[t % TASK_COLORS.length]!;

export const TRAINING: PanelSection = {
  id: 'nn-training',
  title: 'Training curves',
  intro:
    'Per-task loss of each neural model per epoch, on the training rows (solid) and on the validation rows held out for early stopping (dashed); ' +
    'the loss is the training objective of the task (MSE on standardised targets, or binary cross-entropy), then the task metric the trainer logs (RMSE of the standardised targets, or accuracy). ' +
    'The chosen epoch (best mean validation loss) is named below.',
};
export const GATES: PanelSection = {
  id: 'nn-gates',
  title: 'Expert-gate utilisation',
  intro:
    'Mixture-of-experts models (MMoE, CGC, PLE, DSelect-k): the mean weight each task’s gate gives each expert, averaged over the training rows ' +
    '(inference mode). Each row sums to 1; a row concentrated on few experts means the task routes to them, rows that differ mean the tasks use different experts. ' +
    'Grey cells: experts that gate cannot use (another task’s own experts in CGC/PLE).',
};
export const CROSS_STITCH: PanelSection = {
  id: 'nn-cross-stitch',
  title: 'Cross-stitch mixing matrices',
  intro:
    'The learned T × T mixing matrix α of each cross-stitch unit (Misra et al. 2016), one per layer: row i gives how much task i’s next layer takes from each task’s column. ' +
    'A diagonal matrix means separate networks; large off-diagonal entries mean sharing.',
};
export const COMPETITION: PanelSection = {
  id: 'nn-competition',
  title: 'Task competition during training',
  intro:
    'How the tasks’ gradients on the shared parameters pulled against each other (Yu et al. 2020’s conflict: negative cosine), from the per-epoch log ' +
    '(mean over the sampled steps of each epoch): the number of conflicting task pairs per epoch of every neural model in one chart, then per model each pair’s cosine over the epochs ' +
    '(rows: task pairs; blue = conflict), the cosine matrix of the last epoch (more than two tasks), and the task weights the loss weighting or aggregator gave each task.',
};

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A list of finite numbers or nulls (JSON's NaN) of length n, or null. */
function nums(v: unknown, n?: number): (number | null)[] | null {
  if (!Array.isArray(v) || (n !== undefined && v.length !== n)) return null;
  if (!v.every((x) => x === null || typeof x === 'number')) return null;
  return v.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null));
}

export interface EpochView {
  readonly epoch: number;
  readonly trainLoss: (number | null)[];
  readonly valLoss: (number | null)[] | null;
  readonly metricName: string[] | null;
  readonly trainMetric: (number | null)[] | null;
  readonly valMetric: (number | null)[] | null;
  readonly weights: (number | null)[] | null;
  readonly competition: { readonly cosine: (number | null)[] | null; readonly conflicts: number; readonly samples: number; readonly source: string } | null;
}

/** The history of `learned`, validated against T tasks; epochs that do not fit are dropped. */
export function readHistory(learned: Readonly<Rec>, T: number): EpochView[] {
  const h = learned['history'];
  if (!Array.isArray(h)) return [];
  const out: EpochView[] = [];
  for (const e of h) {
    if (!isRec(e) || typeof e['epoch'] !== 'number') continue;
    const trainLoss = nums(e['trainLoss'], T);
    if (!trainLoss) continue;
    const c = e['competition'];
    let competition: EpochView['competition'] = null;
    // A record whose every task gradient is zero (nothing shared: the single-task networks) says nothing.
    const norm = isRec(c) ? nums(c['norm'], T) : null;
    const nothingShared = norm !== null && norm.every((v) => v === 0);
    if (isRec(c) && typeof c['conflicts'] === 'number' && !nothingShared) {
      // Beyond FULL_COMPETITION_TASKS tasks only the last epoch keeps its cosine matrix (nn/estimator.ts).
      const cosine = nums(c['cosine'], T * T);
      competition = { cosine, conflicts: c['conflicts'], samples: typeof c['samples'] === 'number' ? c['samples'] : 0, source: typeof c['source'] === 'string' ? c['source'] : '' };
    }
    const names = e['metricName'];
    const metricName = Array.isArray(names) && names.length === T && names.every((x) => typeof x === 'string') ? (names as string[]) : null;
    out.push({ epoch: e['epoch'], trainLoss, valLoss: nums(e['valLoss'], T), metricName, trainMetric: nums(e['trainMetric'], T), valMetric: nums(e['valMetric'], T), weights: nums(e['weights'], T), competition });
  }
  return out;
}

const pts = (epochs: readonly EpochView[], f: (e: EpochView) => number | null | undefined): { x: number; y: number }[] =>
  epochs.flatMap((e) => {
    const y = f(e);
    return typeof y === 'number' && Number.isFinite(y) ? [{ x: e.epoch, y }] : [];
  });

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(3))) : '–';
}

/** Above this many tasks the curves are summarised (a legend of 2·T entries is unreadable: School has 139 tasks). */
export const MANY_TASKS = 8;
/** The worst tasks drawn individually in a summarised chart. */
export const WORST_SHOWN = 3;

/** The q-quantile (linear interpolation) of the finite values, or null. */
export function quantile(xs: readonly (number | null | undefined)[], q: number): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const h = (v.length - 1) * q, lo = Math.floor(h);
  return lo + 1 < v.length ? v[lo]! + (h - lo) * (v[lo + 1]! - v[lo]!) : v[lo]!;
}

function meanOf(xs: readonly (number | null | undefined)[]): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
}

/**
 * Many tasks: one chart of the mean over tasks (training solid, validation dashed), the spread over
 * tasks (10th and 90th percentile of the validation values, or training when there is no validation
 * split) and the WORST_SHOWN worst tasks at the chosen epoch; then every task in a task × epoch
 * heatmap (worst first; hover a cell for its value). `per(e)` gives one epoch's train and val
 * values per task; `higherIsWorse` orders the tasks (loss, RMSE: true; accuracy: false).
 */
function summaryCharts(epochs: readonly EpochView[], shown: EpochView, ctx: PanelContext, idSuffix: string, what: string,
  per: (e: EpochView) => { train: (number | null)[] | null; val: (number | null)[] | null }, higherIsWorse: boolean): { line: LineChart; heat: HeatmapChart; worst: number[] } {
  const hasVal = epochs.some((e) => per(e).val !== null);
  const side = (e: EpochView): (number | null)[] | null => (hasVal ? per(e).val : per(e).train);
  const at = side(shown) ?? [];
  const order = ctx.tasks.map((_, t) => t).filter((t) => typeof at[t] === 'number')
    .sort((a, b) => (higherIsWorse ? at[b]! - at[a]! : at[a]! - at[b]!));
  const worst = order.slice(0, WORST_SHOWN);
  const grey = '#7f7f7f';
  const split = hasVal ? 'validation' : 'training';
  const datasets: LineDataset[] = [
    { label: 'mean over tasks, training', points: pts(epochs, (e) => meanOf(per(e).train ?? [])), color: '#000000', pointRadius: 2 },
    ...(hasVal ? [{ label: 'mean over tasks, validation', points: pts(epochs, (e) => meanOf(per(e).val ?? [])), color: '#000000', dashed: true, pointRadius: 2 }] : []),
    { label: `10th percentile over tasks, ${split}`, points: pts(epochs, (e) => quantile(side(e) ?? [], 0.1)), color: grey, dashed: true, pointRadius: 0 },
    { label: `90th percentile over tasks, ${split}`, points: pts(epochs, (e) => quantile(side(e) ?? [], 0.9)), color: grey, dashed: true, pointRadius: 0 },
    ...worst.map((t, k) => ({ label: `worst ${k + 1}: ${ctx.tasks[t]} (${split})`, points: pts(epochs, (e) => side(e)?.[t]), color: taskColor(k + 5), pointRadius: 2 })),
  ];
  const line: LineChart = {
    kind: 'line',
    id: `${ctx.idPrefix}-training${idSuffix}`,
    title: `${ctx.label}: ${what} per epoch over ${ctx.tasks.length} tasks (mean, 10th–90th percentile, the ${worst.length} worst tasks; every task in the heatmap below)`,
    datasets,
    xLabel: 'epoch',
    integerX: true,
    yLabel: what,
  };
  const values = order.map((t) => epochs.map((e) => side(e)?.[t] ?? Number.NaN));
  const finite = values.flat().filter((v) => Number.isFinite(v));
  const heat: HeatmapChart = {
    kind: 'heatmap',
    id: `${ctx.idPrefix}-training${idSuffix}-tasks`,
    title: `${ctx.label}: ${split} ${what} of every task per epoch (rows: tasks, worst at epoch ${shown.epoch} first; hover a cell for its value)`,
    xLabels: epochs.map((e) => String(e.epoch)),
    yLabels: order.map((t) => ctx.tasks[t]!),
    values,
    scale: 'sequential',
    min: finite.length ? Math.min(...finite) : 0,
    max: finite.length ? Math.max(...finite) : 1,
    xLabel: 'epoch',
    yLabel: 'task',
  };
  return { line, heat, worst };
}

function manyTaskTrainingPanels(epochs: readonly EpochView[], shown: EpochView, note: string, ctx: PanelContext): ReportPanel[] {
  const loss = summaryCharts(epochs, shown, ctx, '', 'loss', (e) => ({ train: e.trainLoss, val: e.valLoss }), true);
  const worstNote = `${ctx.label}: worst tasks at epoch ${shown.epoch}: ${loss.worst.map((t) => `${ctx.tasks[t]} ${fmt((shown.valLoss ?? shown.trainLoss)[t] ?? NaN)}`).join(', ')}.`;
  const panels: ReportPanel[] = [
    { section: TRAINING, chart: loss.line, notes: [note, worstNote] },
    { section: TRAINING, chart: loss.heat },
  ];
  const names = epochs.find((e) => e.metricName)?.metricName;
  if (names && epochs.some((e) => e.trainMetric)) {
    const kinds = [...new Set(names)].join(' / ');
    // accuracy: lower is worse; rmse (and a mix, ordered by the first task's kind): higher is worse
    const m = summaryCharts(epochs, shown, ctx, '-metric', kinds, (e) => ({ train: e.trainMetric, val: e.valMetric }), names[0] !== 'accuracy');
    panels.push({ section: TRAINING, chart: m.line }, { section: TRAINING, chart: m.heat });
  }
  return panels;
}

function trainingPanels(epochs: readonly EpochView[], bestEpoch: unknown, ctx: PanelContext): ReportPanel[] {
  if (epochs.length === 0) return [];
  if (ctx.tasks.length > MANY_TASKS) {
    const last = epochs[epochs.length - 1]!;
    const best = typeof bestEpoch === 'number' ? epochs.find((e) => e.epoch === bestEpoch) : undefined;
    const shown = best ?? last;
    const m = meanOf(shown.valLoss ?? shown.trainLoss);
    const note = `${ctx.label}: ${epochs.length} epochs; ${best ? `chosen epoch ${best.epoch} (best mean validation loss)` : `last epoch ${last.epoch}`}, mean ${shown.valLoss ? 'validation' : 'training'} loss over the ${ctx.tasks.length} tasks ${fmt(m ?? NaN)}.`;
    return manyTaskTrainingPanels(epochs, shown, note, ctx);
  }
  const datasets: LineDataset[] = [];
  ctx.tasks.forEach((task, t) => {
    datasets.push({ label: `${task} train`, points: pts(epochs, (e) => e.trainLoss[t]), color: taskColor(t), pointRadius: 2 });
    const val = pts(epochs, (e) => e.valLoss?.[t]);
    if (val.length > 0) datasets.push({ label: `${task} validation`, points: val, color: taskColor(t), dashed: true, pointRadius: 2 });
  });
  const chart: LineChart = {
    kind: 'line',
    id: `${ctx.idPrefix}-training`,
    title: `${ctx.label}: per-task loss per epoch (solid: training rows, dashed: validation rows)`,
    datasets,
    xLabel: 'epoch',
    integerX: true,
    yLabel: 'loss',
  };
  const last = epochs[epochs.length - 1]!;
  const best = typeof bestEpoch === 'number' ? epochs.find((e) => e.epoch === bestEpoch) : undefined;
  const shown = best ?? last;
  const per = ctx.tasks.map((task, t) => `${task} ${fmt(shown.valLoss?.[t] ?? shown.trainLoss[t] ?? NaN)}`).join(', ');
  const note = `${ctx.label}: ${epochs.length} epochs; ${best ? `chosen epoch ${best.epoch} (best mean validation loss)` : `last epoch ${last.epoch}`}, ${shown.valLoss ? 'validation' : 'training'} loss per task: ${per}.`;
  const panels: ReportPanel[] = [{ section: TRAINING, chart, notes: [note] }];
  // The per-task metric (rmse, accuracy) per epoch, when the history kept it.
  const names = epochs.find((e) => e.metricName)?.metricName;
  if (names && epochs.some((e) => e.trainMetric)) {
    const ds: LineDataset[] = [];
    ctx.tasks.forEach((task, t) => {
      ds.push({ label: `${task} train`, points: pts(epochs, (e) => e.trainMetric?.[t]), color: taskColor(t), pointRadius: 2 });
      const val = pts(epochs, (e) => e.valMetric?.[t]);
      if (val.length > 0) ds.push({ label: `${task} validation`, points: val, color: taskColor(t), dashed: true, pointRadius: 2 });
    });
    const kinds = [...new Set(names)].join(' / ');
    panels.push({
      section: TRAINING,
      chart: { kind: 'line', id: `${ctx.idPrefix}-training-metric`, title: `${ctx.label}: per-task ${kinds} per epoch (solid: training rows, dashed: validation rows)`, datasets: ds, xLabel: 'epoch', integerX: true, yLabel: kinds },
    });
  }
  return panels;
}

/** Gate records of learned.gates (data-averaged) or, for static DSelect-k gates, of the structure. */
export function readGates(learned: Readonly<Rec>, tasks: readonly string[]): { task: string | null; level: number; experts: string[]; mean: number[] }[] {
  const g = learned['gates'];
  const out: { task: string | null; level: number; experts: string[]; mean: number[] }[] = [];
  if (Array.isArray(g)) {
    for (const r of g) {
      if (!isRec(r) || !Array.isArray(r['experts']) || !r['experts'].every((x) => typeof x === 'string')) continue;
      const experts = r['experts'] as string[];
      const mean = nums(r['mean'], experts.length);
      if (!mean || mean.some((v) => v === null)) continue;
      const task = typeof r['task'] === 'string' ? r['task'] : null;
      out.push({ task, level: typeof r['level'] === 'number' ? r['level'] : 0, experts, mean: mean as number[] });
    }
    return out;
  }
  const st = learned['structure'];
  if (isRec(st) && isRec(st['staticGates']) && Array.isArray(st['experts'])) {
    const experts = (st['experts'] as unknown[]).filter((x): x is string => typeof x === 'string');
    for (const task of tasks) {
      const mean = nums((st['staticGates'] as Rec)[task], experts.length);
      if (mean && mean.every((v) => v !== null)) out.push({ task, level: 0, experts, mean: mean as number[] });
    }
  }
  return out;
}

function gatePanels(learned: Readonly<Rec>, ctx: PanelContext): ReportPanel[] {
  const gates = readGates(learned, ctx.tasks);
  if (gates.length === 0) return [];
  const levels = [...new Set(gates.map((g) => g.level))].sort((a, b) => a - b);
  const panels: ReportPanel[] = [];
  for (const level of levels) {
    const rows = gates.filter((g) => g.level === level);
    // Columns: the union of the experts in first-seen order (CGC/PLE gates see different subsets).
    const experts: string[] = [];
    for (const r of rows) for (const e of r.experts) if (!experts.includes(e)) experts.push(e);
    const values = rows.map((r) => experts.map((e) => {
      const k = r.experts.indexOf(e);
      return k < 0 ? Number.NaN : r.mean[k]!;
    }));
    const yLabels = rows.map((r) => r.task ?? 'shared gate');
    const chart: HeatmapChart = {
      kind: 'heatmap',
      id: `${ctx.idPrefix}-gates-${level}`,
      title: `${ctx.label}: mean gate weight per ${levels.length > 1 ? `task, level ${level + 1}` : 'task'} (rows sum to 1)`,
      xLabels: experts,
      yLabels,
      values,
      scale: 'sequential',
      min: 0,
      max: 1,
      xLabel: 'expert',
      yLabel: 'gate (task)',
    };
    const top = rows.map((r) => {
      let k = 0;
      r.mean.forEach((v, i) => { if (v > r.mean[k]!) k = i; });
      return `${r.task ?? 'shared gate'} → ${r.experts[k]} (${fmt(r.mean[k]!)})`;
    });
    panels.push({ section: GATES, chart, notes: [`${ctx.label}${levels.length > 1 ? ` level ${level + 1}` : ''}: largest weight per gate: ${top.join('; ')}.`] });
  }
  return panels;
}

function crossStitchPanels(learned: Readonly<Rec>, ctx: PanelContext): ReportPanel[] {
  const st = learned['structure'];
  if (!isRec(st) || !Array.isArray(st['crossStitch'])) return [];
  const T = ctx.tasks.length;
  const panels: ReportPanel[] = [];
  for (const u of st['crossStitch'] as unknown[]) {
    if (!isRec(u)) continue;
    const a = nums(u['alpha'], T * T);
    if (!a || a.some((v) => v === null)) continue;
    const layer = typeof u['layer'] === 'number' ? u['layer'] : panels.length;
    const values = Array.from({ length: T }, (_, i) => (a.slice(i * T, (i + 1) * T) as number[]));
    const amax = Math.max(1e-12, ...values.flat().map(Math.abs));
    const offDiag = values.flatMap((r, i) => r.filter((_, j) => j !== i).map(Math.abs));
    panels.push({
      section: CROSS_STITCH,
      chart: {
        kind: 'heatmap',
        id: `${ctx.idPrefix}-cross-stitch-${layer}`,
        title: `${ctx.label}: cross-stitch α after layer ${layer + 1} (row: receiving task, column: source task)`,
        xLabels: [...ctx.tasks],
        yLabels: [...ctx.tasks],
        values,
        scale: 'diverging',
        min: -amax,
        max: amax,
        xLabel: 'source task',
        yLabel: 'receiving task',
      },
      notes: [`${ctx.label} layer ${layer + 1}: diagonal ${values.map((r, i) => fmt(r[i]!)).join(', ')}; largest |off-diagonal| ${fmt(offDiag.length ? Math.max(...offDiag) : 0)}.`],
    });
  }
  return panels;
}

/** Pairs (i < j) of T tasks in row-major order, named "a × b". */
export function taskPairs(tasks: readonly string[]): { i: number; j: number; name: string }[] {
  const out: { i: number; j: number; name: string }[] = [];
  for (let i = 0; i < tasks.length; i++) for (let j = i + 1; j < tasks.length; j++) out.push({ i, j, name: `${tasks[i]} × ${tasks[j]}` });
  return out;
}

/** At most this many pairs in the pair × epoch strip (the most conflicting ones beyond it). */
const MAX_PAIRS = 45;

function competitionPanels(epochs: readonly EpochView[], ctx: PanelContext): ReportPanel[] {
  const T = ctx.tasks.length;
  const panels: ReportPanel[] = [];
  const logged = epochs.filter((e) => e.competition !== null);
  if (logged.length > 0 && T >= 2) {
    const P = (T * (T - 1)) / 2;
    panels.push({
      section: COMPETITION,
      chart: {
        kind: 'line',
        id: `${ctx.idPrefix}-conflicts`,
        title: `${ctx.label}: conflicting task pairs per epoch (of ${P}; mean over sampled steps)`,
        datasets: [{ label: 'conflicting pairs (cos < 0)', points: pts(logged, (e) => e.competition!.conflicts), color: '#c0392b', pointRadius: 3 }],
        xLabel: 'epoch',
        integerX: true,
        yLabel: 'conflicting pairs',
      },
      // Every neural model's count in one chart: the methods compared side by side.
      merge: { key: `nn-conflicts-${T}`, title: `Conflicting task pairs per epoch (of ${P}; mean over the sampled steps of each epoch), every neural model` },
    });
    let pairs = taskPairs(ctx.tasks);
    const cos = (e: EpochView, i: number, j: number): number => e.competition!.cosine?.[i * T + j] ?? Number.NaN;
    // The per-pair strips need every epoch's matrix (kept up to FULL_COMPETITION_TASKS tasks).
    const withMatrix = logged.filter((e) => e.competition!.cosine !== null);
    if (pairs.length > MAX_PAIRS) {
      const meanCos = (p: { i: number; j: number }): number => withMatrix.reduce((s, e) => s + cos(e, p.i, p.j), 0) / withMatrix.length;
      pairs = [...pairs].sort((a, b) => meanCos(a) - meanCos(b)).slice(0, MAX_PAIRS);
    }
    if (withMatrix.length === logged.length) panels.push({
      section: COMPETITION,
      chart: {
        kind: 'heatmap',
        id: `${ctx.idPrefix}-cosine-epochs`,
        title: `${ctx.label}: task-gradient cosine of each pair per epoch${pairs.length < P ? ` (the ${pairs.length} most conflicting of ${P} pairs)` : ''}`,
        xLabels: withMatrix.map((e) => String(e.epoch)),
        yLabels: pairs.map((p) => p.name),
        values: pairs.map((p) => withMatrix.map((e) => cos(e, p.i, p.j))),
        scale: 'diverging',
        min: -1,
        max: 1,
        xLabel: 'epoch',
        yLabel: 'task pair',
      },
      // Two tasks: one pair, so every neural model's strip stacks into one heatmap (models × epochs).
      ...(T === 2 ? { merge: { key: 'nn-cosine-pair', title: `Task-gradient cosine of ${ctx.tasks[0]} and ${ctx.tasks[1]} per epoch, every neural model (blue = conflict)` } } : {}),
    });
    const last = logged[logged.length - 1]!;
    const lastNote = `${ctx.label}: ${fmt(last.competition!.conflicts)} of ${P} pairs conflicting in epoch ${last.epoch} (first logged epoch ${logged[0]!.epoch}: ${fmt(logged[0]!.competition!.conflicts)}); ` +
      `cosines ${last.competition!.source === 'aggregator' ? 'from the Gramian the aggregator formed on every step' : `from an extra Jacobian on ${last.competition!.samples} sampled steps of the epoch`}.`;
    // Two tasks: the strip above already is the whole (one-pair) matrix.
    if (T === 2) panels.push({ section: COMPETITION, notes: [lastNote] });
    else panels.push({
      section: COMPETITION,
      chart: {
        kind: 'heatmap',
        id: `${ctx.idPrefix}-cosine-last`,
        title: `${ctx.label}: task-gradient cosine matrix, epoch ${last.epoch}`,
        xLabels: [...ctx.tasks],
        yLabels: [...ctx.tasks],
        values: Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => cos(last, i, j))),
        scale: 'diverging',
        min: -1,
        max: 1,
        xLabel: 'task',
        yLabel: 'task',
      },
      notes: [lastNote],
    });
  }
  const weighted = epochs.filter((e) => e.weights !== null);
  const ws = weighted.flatMap((e) => e.weights!.filter((v): v is number => v !== null));
  const constant = ws.length > 0 && ws.every((v) => v === ws[0]);
  if (constant && logged.length > 0) {
    panels.push({ section: COMPETITION, notes: [`${ctx.label}: every task weight was ${fmt(ws[0]!)} in every epoch (equal weighting), so no weight trajectory is drawn.`] });
  } else if (weighted.length > 0 && !constant) {
    panels.push({
      section: COMPETITION,
      chart: {
        kind: 'line',
        id: `${ctx.idPrefix}-weights`,
        title: `${ctx.label}: task weights per epoch (mean over the epoch's steps)`,
        datasets: ctx.tasks.map((task, t) => ({ label: task, points: pts(weighted, (e) => e.weights![t]), color: taskColor(t), pointRadius: 2 })),
        xLabel: 'epoch',
        integerX: true,
        yLabel: 'task weight',
      },
    });
  }
  return panels;
}

/** ModelDecl.reportPanels of every neural model. */
export function nnReportPanels(learned: Readonly<Rec>, ctx: PanelContext): ReportPanel[] {
  const epochs = readHistory(learned, ctx.tasks.length);
  return [
    ...trainingPanels(epochs, learned['bestEpoch'], ctx),
    ...gatePanels(learned, ctx),
    ...crossStitchPanels(learned, ctx),
    ...competitionPanels(epochs, ctx),
  ];
}
