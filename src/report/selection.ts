// The task-selection panels (issue 13) from the result of `polytask group` (its --json / --out
// output): the affinity heatmap ordered by clustering with its measure named and its standard
// errors shown, the chosen groups, and the measured result of the grouping against all-in-one and
// STL on rows that did not choose the groups. Pure: the JSON in, sections out.
import { DataError } from '../errors.ts';
import type { ComparisonResult } from '../eval/types.ts';
import { taskOrder } from './learned.ts';
import { heatmapLayout, type ChartSpec, type HeatmapChart, type Section } from './specs.ts';

/** `polytask affinity --json` (src/cli/affinity.ts affinityJSON). */
export interface AffinityReport {
  readonly measure: string;
  readonly model: string;
  readonly folds: number;
  readonly tasks: readonly string[];
  readonly unit?: string;
  /** Row i, column j: the effect on task i of learning it with task j; null on the diagonal. */
  readonly gain_percent: readonly (readonly (number | null)[])[];
  readonly se: readonly (readonly (number | null)[])[];
  readonly fits?: number;
  readonly failures?: readonly unknown[];
  readonly seconds?: number;
}

/** `polytask group --json` / `--out`. */
export interface GroupReport {
  readonly affinity: AffinityReport;
  readonly grouping: {
    readonly method: string;
    readonly budget: number;
    readonly groups: readonly (readonly string[])[];
    /** Task name → index of the group that serves it. */
    readonly serve: Readonly<Record<string, number>>;
    readonly estimated_gain_percent: number;
    readonly task_gains_percent: readonly number[];
    readonly examined?: number;
  };
  readonly comparison: ComparisonResult;
}

const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
const isMatrix = (v: unknown, T: number): boolean =>
  Array.isArray(v) && v.length === T && v.every((r) => Array.isArray(r) && r.length === T && r.every((x) => x === null || typeof x === 'number'));

/** The checks of an affinity record (`affinity --json`, or a group result's `affinity`). */
function checkAffinityFields(a: unknown, at: string, bad: (path: string, want: string) => never): AffinityReport {
  if (!isObj(a)) return bad(at || 'the top level', 'an object');
  const p = (k: string): string => (at ? `${at}.${k}` : k);
  if (!Array.isArray(a['tasks']) || !a['tasks'].every((t) => typeof t === 'string')) bad(p('tasks'), 'a list of task names');
  const T = (a['tasks'] as string[]).length;
  if (typeof a['measure'] !== 'string') bad(p('measure'), 'a string');
  if (typeof a['model'] !== 'string') bad(p('model'), 'a string');
  if (!isMatrix(a['gain_percent'], T)) bad(p('gain_percent'), `a ${T} × ${T} matrix`);
  if (!isMatrix(a['se'], T)) bad(p('se'), `a ${T} × ${T} matrix`);
  return a as unknown as AffinityReport;
}

/** Structural check of a parsed `polytask affinity --json` result. */
export function checkAffinityReport(v: unknown, file: string): AffinityReport {
  return checkAffinityFields(v, '', (path, want) => {
    throw new DataError(`${file}: not a polytask affinity result (${path} should be ${want}); produce one with \`polytask affinity … --json\``);
  });
}

/** Structural check of a parsed group result; names the first missing or wrong field. */
export function checkGroupReport(v: unknown, file: string): GroupReport {
  const bad = (path: string, want: string): never => {
    throw new DataError(`${file}: not a polytask group result (${path} should be ${want}); produce one with \`polytask group … --out FILE\` or \`--json\``);
  };
  if (!isObj(v)) return bad('the top level', 'an object');
  const a = v['affinity'];
  checkAffinityFields(a, 'affinity', bad);
  const T = ((a as Record<string, unknown>)['tasks'] as string[]).length;
  const g = v['grouping'];
  if (!isObj(g)) return bad('grouping', 'an object');
  const tasks = (a as Record<string, unknown>)['tasks'] as string[];
  if (!Array.isArray(g['groups']) || !g['groups'].every((G) => Array.isArray(G) && G.every((t) => typeof t === 'string' && tasks.includes(t)))) bad('grouping.groups', 'lists of the affinity\'s task names');
  if (!isObj(g['serve'])) bad('grouping.serve', 'an object of task → group index');
  if (typeof g['estimated_gain_percent'] !== 'number') bad('grouping.estimated_gain_percent', 'a number');
  if (!Array.isArray(g['task_gains_percent']) || g['task_gains_percent'].length !== T) bad('grouping.task_gains_percent', `a list of ${T} numbers`);
  if (!isObj(v['comparison'])) bad('comparison', 'an object');
  return v as unknown as GroupReport;
}

function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : String(Number(x.toPrecision(digits)));
}

/** The display order: average-linkage clustering of the symmetrised affinity (src/report/learned.ts). */
export function affinityDisplayOrder(a: AffinityReport): number[] {
  const T = a.tasks.length;
  const G = Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (i === j ? 0 : a.gain_percent[i]![j] ?? 0)));
  return taskOrder(G);
}

export function affinitySection(a: AffinityReport): Section {
  const T = a.tasks.length;
  const order = affinityDisplayOrder(a);
  const names = order.map((i) => a.tasks[i]!);
  const unit = a.unit === 'cosine' ? 'cosine' : '%';
  const cell = (m: AffinityReport['gain_percent'], i: number, j: number): number => (i === j ? Number.NaN : m[i]![j] ?? Number.NaN);
  const gain = order.map((i) => order.map((j) => cell(a.gain_percent, i, j)));
  const se = order.map((i) => order.map((j) => cell(a.se, i, j)));
  const finite = gain.flat().filter(Number.isFinite);
  const amax = Math.max(1e-12, ...finite.map(Math.abs));
  const seMax = Math.max(0, ...se.flat().filter(Number.isFinite));
  const every = heatmapLayout(T, T).every;
  const what = unit === 'cosine' ? 'gradient cosine of the row task with the column task' : 'gain of the row task from the column task (% of its error; the measure below says how)';
  const charts: HeatmapChart[] = [
    { kind: 'heatmap', id: 'chart-affinity', title: `Task affinity (${a.model}): ${what}`, xLabels: names, yLabels: names, values: gain, scale: 'diverging', min: -amax, max: amax, xLabel: 'column task (helper)', yLabel: 'row task (helped)', labelEvery: every },
  ];
  if (seMax > 0) {
    charts.push({ kind: 'heatmap', id: 'chart-affinity-se', title: `Standard error of each affinity entry (${unit}; same order)`, xLabels: names, yLabels: names, values: se, scale: 'sequential', min: 0, max: seMax, xLabel: 'column task (helper)', yLabel: 'row task (helped)', labelEvery: every });
  }
  const pairs: { i: number; j: number; v: number; s: number }[] = [];
  for (let i = 0; i < T; i++) {
    for (let j = i + 1; j < T; j++) {
      const v = (cell(a.gain_percent, i, j) + cell(a.gain_percent, j, i)) / 2;
      const s = Math.sqrt(cell(a.se, i, j) ** 2 + cell(a.se, j, i) ** 2) / 2;
      if (Number.isFinite(v)) pairs.push({ i, j, v, s });
    }
  }
  pairs.sort((x, y) => y.v - x.v);
  const show = (p: (typeof pairs)[number]): string => `${a.tasks[p.i]} + ${a.tasks[p.j]} ${fmt(p.v)}${Number.isFinite(p.s) ? ` ± ${fmt(p.s, 2)}` : ''}`;
  const notes = [
    `Measure: ${a.measure}.`,
    `Model ${a.model}; ${a.folds > 0 ? `${a.folds} folds, ` : ''}${a.fits ?? '?'} fits${a.seconds !== undefined ? `, ${fmt(a.seconds)} s` : ''}${a.failures && a.failures.length > 0 ? `; ${a.failures.length} fits failed (their entries are grey)` : ''}.`,
    `Tasks ordered by average-linkage clustering of the symmetrised matrix, so that mutually helpful tasks sit together.`,
    ...(pairs.length > 0 ? [`Most helpful pairs (mean of both directions ± SE): ${pairs.slice(0, 3).map(show).join('; ')}.`, `Most harmful: ${pairs.slice(-3).reverse().map(show).join('; ')}.`] : []),
    ...(seMax > 0 ? [] : ['No standard errors: the measure came from a single run (or one fold).']),
  ];
  return {
    id: 'affinity',
    title: 'Task affinity',
    intro: `Which tasks help which, measured before any grouping was chosen (on the selection rows only). Red: the column task helps the row task; blue: it hurts. The second matrix gives each entry's standard error.`,
    charts,
    notes,
  };
}

export function groupsSection(g: GroupReport): Section {
  const a = g.affinity;
  const gr = g.grouping;
  const order = affinityDisplayOrder(a);
  const names = order.map((i) => a.tasks[i]!);
  // 1 = the group that serves the task; 0.5 = a member of another group too (overlapping groups).
  const values = order.map((i) => gr.groups.map((G, k) => (gr.serve[a.tasks[i]!] === k ? 1 : G.includes(a.tasks[i]!) ? 0.5 : 0)));
  const chart: ChartSpec = {
    kind: 'heatmap',
    id: 'chart-groups',
    title: `Chosen groups (${gr.method} search, budget ${gr.budget}): dark = the group that serves the task, light = also a member`,
    xLabels: gr.groups.map((_, k) => `group ${k + 1}`),
    yLabels: names,
    values,
    scale: 'sequential',
    min: 0,
    max: 1,
    xLabel: 'group',
    yLabel: 'task',
    labelEvery: { x: 1, y: heatmapLayout(1, names.length).every.y },
  };
  const notes = gr.groups.map((G, k) => {
    const served = a.tasks.filter((t) => gr.serve[t] === k);
    const est = served.reduce((s, t) => s + (gr.task_gains_percent[a.tasks.indexOf(t)] ?? 0), 0);
    return `group ${k + 1} (${G.length} task${G.length === 1 ? '' : 's'}; estimated gain of the tasks it serves ${fmt(est)} % points): ${G.join(', ')}.`;
  });
  notes.push(`Estimated total gain over learning each task alone: ${fmt(gr.estimated_gain_percent, 4)} % points${gr.examined !== undefined ? ` (${gr.examined} candidates examined)` : ''}. An estimate from the affinity; the measured result is below.`);
  return { id: 'groups', title: 'Chosen groups', intro: 'The groups the search chose under the budget, tasks in the order of the affinity heatmap. Each task is predicted by the model of the group that serves it.', charts: [chart], notes };
}

export function groupResultSection(g: GroupReport): Section {
  const r = g.comparison;
  // rmse_task_avg, auc_task_avg (and accuracy_task_avg for multiclass tasks).
  const key = `${r.primaryMetric}_task_avg`;
  const grouped = r.models.find((m) => m.name.startsWith('grouped-'));
  const allInOne = r.models.find((m) => m.name === g.affinity.model && m !== grouped);
  const stl = r.models.find((m) => m.name === r.baseline);
  const rows = [
    { role: 'STL', m: stl },
    { role: 'all-in-one', m: allInOne },
    { role: 'grouped', m: grouped },
  ].filter((x) => x.m !== undefined) as { role: string; m: ComparisonResult['models'][number] }[];
  const labels = rows.map((x) => `${x.role} (${x.m.name})`);
  const mean = rows.map((x) => x.m.metrics[key]?.mean ?? null);
  const chart: ChartSpec = {
    kind: 'bar',
    id: 'chart-group-result',
    title: `Measured on the evaluation rows: task-averaged test ${r.primaryMetric.toUpperCase()} (${r.higherIsBetter ? 'higher' : 'lower'} is better), mean over ${r.protocol.splits} splits`,
    labels,
    datasets: [{ label: key, data: mean, colors: rows.map((x) => (x.role === 'grouped' ? '#0072B2' : x.role === 'STL' ? '#7f7f7f' : '#E69F00')) }],
    xLabel: 'model',
    yLabel: key,
  };
  const notes = rows.map((x) => {
    const s = x.m.metrics[key];
    const p = x.m.vs_stl?.p_value;
    return `${labels[rows.indexOf(x)]}: ${fmt(s?.mean, 5)} ± ${fmt(s?.std, 2)} (std over splits)${x.role === 'STL' ? '' : `; Δm vs ${r.baseline} ${x.m.delta_m === null ? '–' : `${x.m.delta_m >= 0 ? '+' : ''}${fmt(x.m.delta_m)} %`}${p !== undefined && p !== null ? `, p = ${fmt(p, 2)}` : ''}`}.`;
  });
  const gm = grouped?.metrics[key]?.mean;
  const am = allInOne?.metrics[key]?.mean;
  if (gm !== undefined && am !== undefined) notes.push(`The grouping is ${(r.higherIsBetter ? gm > am : gm < am) ? 'better' : 'not better'} than all-in-one on average over the splits (${fmt(gm, 5)} vs ${fmt(am, 5)}).`);
  return {
    id: 'group-result',
    title: 'Grouping: measured result',
    intro: 'The chosen grouping, the model trained on all tasks together (all-in-one) and single-task learning, compared on repeated splits of rows that did not take part in choosing the groups — the only honest test of a grouping. Per-task gains are in the sections below.',
    charts: [chart],
    notes,
  };
}

export function selectionSections(g: GroupReport): Section[] {
  return [affinitySection(g.affinity), groupsSection(g), groupResultSection(g)];
}
