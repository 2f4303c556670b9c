// The plain-English verdict shown at the top of the report and at the end of `polytask demo` /
// `polytask compare`: which model wins, by how much against single-task learning, which tasks it
// helps and hurts, and which models show negative transfer. Pure: a ComparisonResult in, text out.
import type { ComparisonResult, ModelComparison, Summary } from '../eval/types.ts';

/** Why a model can win: the structure it assumes, in one phrase (for the "why" line). */
const WHY: Record<string, string> = {
  stl: 'the tasks share little, so learning each on its own data is best',
  pooled: 'the tasks are nearly identical, so one shared model uses all the data',
  mean: 'the tasks scatter around a common model, so shrinking each towards the mean pays off',
  chain: 'neighbouring tasks in the given order are alike (a drift), so chaining them pays off',
  graph: 'tasks linked in the given graph are alike',
  mtrl: 'the learned task correlations let related tasks share and keep unrelated ones apart',
  relation: 'each task is well explained by a few related tasks (the learned relation matrix)',
  lasso: 'only a few features matter for each task',
  l21: 'the tasks use a common small set of features',
  trace: 'the task weight vectors span a low-dimensional subspace',
  'sparse-lowrank': 'the tasks share a low-dimensional subspace plus a few task-specific features',
  dirty: 'the tasks share some features and also have their own',
  robust: 'most tasks share a low-rank structure and a few outlier tasks are set apart',
  rmtfl: 'most tasks share features and a few outlier tasks are set apart',
  cmtl: 'the tasks form groups, and sharing within each group pays off',
  tgl: 'tasks change smoothly in order and share a small set of features',
};

export interface Verdict {
  /** The best model by the primary task-averaged metric (null when nothing was compared). */
  readonly best: string | null;
  /** Short sentences, most important first. */
  readonly lines: readonly string[];
  /** Per model: tasks significantly better / worse than the baseline. */
  readonly transfer: readonly { readonly model: string; readonly helped: readonly string[]; readonly hurt: readonly string[] }[];
}

/** The key of the primary task-averaged metric, e.g. rmse_task_avg / auc_task_avg. */
export function primaryKey(r: Pick<ComparisonResult, 'primaryMetric'>): string {
  return `${r.primaryMetric}_task_avg`;
}

export function primarySummary(r: Pick<ComparisonResult, 'primaryMetric'>, m: ModelComparison): Summary | undefined {
  return m.metrics[primaryKey(r)];
}

/** Models ordered best first by the primary metric (models without it last). */
export function rankModels(r: ComparisonResult): ModelComparison[] {
  const sign = r.higherIsBetter ? -1 : 1;
  const score = (m: ModelComparison): number => {
    const s = primarySummary(r, m);
    return s && Number.isFinite(s.mean) ? sign * s.mean : Infinity;
  };
  return [...r.models].sort((a, b) => score(a) - score(b));
}

function fmt(x: number, digits = 4): string {
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(digits - 2);
  const s = x.toPrecision(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** "task 28" / "tasks 3, 28" / "tasks 1, 2, 3, 4 and 5 more" — never a bare name that reads as a count. */
export function taskList(names: readonly string[], max = 6): string {
  const list = names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
  return `${names.length === 1 ? 'task' : `${names.length} tasks:`} ${list}`;
}

export function verdict(r: ComparisonResult): Verdict {
  const transfer = r.models.map((m) => ({
    model: m.name,
    helped: m.tasks.filter((t) => t.positive_transfer).map((t) => t.task),
    hurt: m.tasks.filter((t) => t.negative_transfer).map((t) => t.task),
  }));
  const ranked = rankModels(r);
  const best = ranked[0];
  if (!best) return { best: null, lines: ['No models were compared.'], transfer };
  // Each model is measured against its own family's baseline (stl for linear, stl-mlp for neural
  // models: ModelComparison.baseline); r.baseline is only the first family's.
  const baseName = (m: ModelComparison): string => m.baseline ?? r.baseline;
  const isBaseline = (m: ModelComparison): boolean => r.models.some((x) => baseName(x) === m.name);
  const ref = baseName(best);
  const base = r.models.find((m) => m.name === ref);
  const metric = `task-averaged ${r.primaryMetric.toUpperCase()} (${r.higherIsBetter ? 'higher' : 'lower'} is better)`;
  const T = r.dataset.tasks.length;
  const lines: string[] = [];
  const bs = primarySummary(r, best);
  const ss = base ? primarySummary(r, base) : undefined;
  if (isBaseline(best)) {
    lines.push(`Best: ${best.name} — no multi-task model beat the single-task baseline on ${metric}${bs ? ` (${fmt(bs.mean)} ± ${fmt(bs.std, 2)})` : ''}. Keep learning the tasks separately.`);
  } else {
    const vs = bs && ss ? `: ${fmt(bs.mean)} ± ${fmt(bs.std, 2)} vs ${ref} ${fmt(ss.mean)} ± ${fmt(ss.std, 2)}` : '';
    const dm = best.delta_m !== null && Number.isFinite(best.delta_m) ? `, Δm = ${best.delta_m >= 0 ? '+' : '−'}${Math.abs(best.delta_m).toFixed(1)} % vs ${ref}` : '';
    lines.push(`Best: ${best.name} on ${metric}${vs}${dm}.`);
    const overall = best.vs_stl?.p_value;
    const tested = overall !== undefined && overall !== null && Number.isFinite(overall);
    const significant = tested && overall < r.protocol.alpha;
    if (tested) {
      lines.push(
        significant
          ? `Over all tasks together, ${best.name} is significantly better than ${ref} (p = ${fmt(overall, 2)}, ${r.protocol.test.split(',')[0]}, on the task-averaged metric).`
          : `Over all tasks together, the difference from ${ref} is not significant (p = ${fmt(overall, 2)} ≥ α = ${r.protocol.alpha}): it may be noise; more splits or data are needed to tell.`,
      );
    } else {
      lines.push(`No significance test of the task-averaged metric was possible (${r.protocol.splits < 2 ? 'one split' : 'no p-value'}): the difference from ${ref} may be noise.`);
    }
    const tr = transfer.find((x) => x.model === best.name)!;
    lines.push(
      `${best.name} is significantly better than ${ref} on ${tr.helped.length} of ${T} tasks and significantly worse on ${tr.hurt.length}` +
        (tr.hurt.length > 0 ? ` (${taskList(tr.hurt)})` : '') +
        ` (${r.protocol.test}, α = ${r.protocol.alpha}, over ${r.protocol.splits} splits).`,
    );
    // An explanation only for a difference the statistics show (issue 10: mtrl's +0.23 % with
    // p = 0.85 on Landmine got a "Why:" line). Otherwise the structure is only a possibility.
    const why = WHY[best.name];
    if (why && significant) lines.push(`Why (the structure ${best.name} assumes): ${why}.`);
    else if (why) lines.push(`No explanation is offered for a difference that is not significant; if it is real, it would suggest that ${why}.`);
  }
  const negatives = transfer.filter((x) => x.hurt.length > 0 && !isBaseline(r.models.find((m) => m.name === x.model)!));
  const families = [...new Set(r.models.map(baseName))];
  const against = families.length > 1 ? 'its own baseline' : r.baseline;
  const of = (model: string): string => (families.length > 1 ? ` (vs ${baseName(r.models.find((m) => m.name === model)!)})` : '');
  if (negatives.length > 0) {
    lines.push(`Negative transfer (significantly worse than ${against}): ${negatives.map((x) => `${x.model}${of(x.model)} on ${taskList(x.hurt, 4)}`).join('; ')}.`);
  } else {
    lines.push(`No model is significantly worse than ${against} on any task.`);
  }
  return { best: best.name, lines, transfer };
}
