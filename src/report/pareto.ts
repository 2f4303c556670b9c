// The Pareto view of a comparison (issue 12): each compared model is a point of per-task test
// results (the primary metric per task, mean over splits); a model is on the front when no other
// model is at least as good on every task and strictly better on one. Generic over whatever models
// were compared (linear, neural, any balancing method): it reads only ModelComparison.tasks.
//
// Two tasks: a scatter of task 1 against task 2, front marked and joined. More tasks: parallel
// coordinates — one line per model across the tasks, each task's value as a percentage of the
// baseline's on that task (a per-task positive rescaling, so it keeps who dominates whom and puts
// tasks of different scales on one axis); front models solid, dominated ones dashed.
import type { ComparisonResult } from '../eval/types.ts';
import { modelColors, type ChartSpec, type LineDataset, type Section } from './specs.ts';

/**
 * Which points are not dominated. points[m][t]: model m's value on task t; `higherIsBetter` sets
 * the direction. a dominates b when a is at least as good on every task and better on one; equal
 * points do not dominate each other (both stay on the front).
 */
export function nonDominated(points: readonly (readonly number[])[], higherIsBetter: boolean): boolean[] {
  const better = (a: number, b: number): boolean => (higherIsBetter ? a > b : a < b);
  const dominates = (a: readonly number[], b: readonly number[]): boolean => {
    let strict = false;
    for (let t = 0; t < a.length; t++) {
      if (better(b[t]!, a[t]!)) return false;
      if (better(a[t]!, b[t]!)) strict = true;
    }
    return strict;
  };
  return points.map((p, i) => !points.some((q, j) => j !== i && dominates(q, p)));
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : '–';
}

export function paretoSection(r: ComparisonResult): Section {
  const metric = r.primaryMetric;
  const tasks = r.dataset.tasks.map((t) => t.name);
  const T = tasks.length;
  const dir = r.higherIsBetter ? 'higher is better' : 'lower is better';
  const value = (m: ComparisonResult['models'][number], task: string): number => {
    const row = m.tasks.find((x) => x.task === task);
    const v = row ? row[metric] : undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
  };
  const complete = r.models.filter((m) => tasks.every((t) => Number.isFinite(value(m, t))));
  const left = r.models.filter((m) => !complete.includes(m)).map((m) => m.name);
  const base = {
    id: 'pareto',
    title: 'Pareto front of the per-task results',
    intro:
      `Every compared model as a point of per-task test ${metric.toUpperCase()} (${dir}; mean over the splits). ` +
      'A model is on the Pareto front when no other model is at least as good on every task and strictly better on one: the front is what trading one task against another can reach. ' +
      (T === 2 ? 'Front models are drawn as stars and joined by the dashed line.' : `With ${T} tasks each model is a line across the tasks (parallel coordinates), each task's value as a percentage of ${r.baseline}'s on that task; front models solid, dominated ones dashed.`),
  };
  if (T < 2 || complete.length < 2) {
    return { ...base, charts: [], empty: T < 2 ? 'One task: there is no trade-off between tasks to show.' : 'Fewer than two models have a result on every task.' };
  }
  const P = complete.map((m) => tasks.map((t) => value(m, t)));
  const front = nonDominated(P, r.higherIsBetter);
  const colors = modelColors(r);
  const notes: string[] = [`On the front (${front.filter(Boolean).length} of ${complete.length}): ${complete.filter((_, i) => front[i]).map((m) => m.name).join(', ')}.`];
  complete.forEach((m, i) => {
    if (front[i]) return;
    const by = complete.filter((_, j) => front[j] && j !== i && tasks.every((_, t) => (r.higherIsBetter ? P[j]![t]! >= P[i]![t]! : P[j]![t]! <= P[i]![t]!)));
    notes.push(`${m.name} is dominated${by.length > 0 ? ` (e.g. by ${by.map((b) => b.name).join(', ')})` : ''}.`);
  });
  if (left.length > 0) notes.push(`Left out (no result on some task): ${left.join(', ')}.`);
  let chart: ChartSpec;
  if (T === 2) {
    const datasets: LineDataset[] = complete.map((m, i) => ({
      label: `${m.name}${front[i] ? ' (front)' : ''}`,
      points: [{ x: P[i]![0]!, y: P[i]![1]! }],
      color: colors[m.name]!,
      showLine: false,
      pointRadius: front[i] ? 9 : 5,
      pointStyle: front[i] ? 'star' : 'circle',
    }));
    const frontPts = complete.map((_, i) => i).filter((i) => front[i]).map((i) => ({ x: P[i]![0]!, y: P[i]![1]! })).sort((a, b) => a.x - b.x);
    datasets.push({ label: 'Pareto front', points: frontPts, color: '#333333', dashed: true, pointRadius: 0 });
    chart = {
      kind: 'line',
      id: 'chart-pareto',
      title: `Per-task test ${metric.toUpperCase()}: ${tasks[0]} against ${tasks[1]} (${dir} on both)`,
      datasets,
      xLabel: `${tasks[0]} ${metric.toUpperCase()}`,
      yLabel: `${tasks[1]} ${metric.toUpperCase()}`,
    };
  } else {
    const ref = r.models.find((m) => m.name === r.baseline);
    const refVals = tasks.map((t) => (ref ? value(ref, t) : Number.NaN));
    const scaled = refVals.every((v) => Number.isFinite(v) && v > 0);
    const y = (v: number, t: number): number => (scaled ? (100 * v) / refVals[t]! : v);
    chart = {
      kind: 'line',
      id: 'chart-pareto',
      title: `Per-task test ${metric.toUpperCase()} of every model${scaled ? ` as % of ${r.baseline}'s` : ''} (${dir}); solid: on the Pareto front`,
      datasets: complete.map((m, i) => ({
        label: `${m.name}${front[i] ? ' (front)' : ''}`,
        points: tasks.map((_, t) => ({ x: t, y: y(P[i]![t]!, t) })),
        color: colors[m.name]!,
        dashed: !front[i],
        pointRadius: front[i] ? 4 : 2,
      })),
      xLabel: 'task',
      yLabel: scaled ? `${metric.toUpperCase()} (% of ${r.baseline})` : metric.toUpperCase(),
      xTicks: tasks,
    };
    if (!scaled) notes.push(`${r.baseline} has no positive result on every task, so the values are shown unscaled.`);
  }
  notes.push(...complete.map((m, i) => `${m.name}: ${tasks.map((t, k) => `${t} ${fmt(P[i]![k]!)}`).join(', ')}.`).slice(0, T <= 6 ? complete.length : 0));
  return { ...base, charts: [chart], notes };
}
