// `polytask inspect`: what is in a data set — tasks and their sizes, label balance or target
// spread, missing labels, and per-feature statistics — before fitting anything.
import type { Command } from 'commander';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { loadData, type MatFlags } from './data-load.ts';
import { num, table } from './format.ts';
import { out, type CliIO } from './io.ts';
import { addDataFlags, addOutputFlags, type CommonFlags, type DataFlags } from './options.ts';

export interface TaskStats {
  readonly task: string;
  readonly n: number;
  readonly positives?: number;
  readonly negatives?: number;
  readonly mean?: number;
  readonly sd?: number;
  /** Multi-output only: rows of the shared X without a label for this task. */
  readonly missing?: number;
}

export interface FeatureStats {
  readonly feature: string;
  readonly mean: number;
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  /** True when the feature takes one value over all samples. */
  readonly constant: boolean;
}

export interface Inspection {
  readonly source: string;
  readonly layout: MultiTaskDataset['layout'];
  readonly kind: MultiTaskDataset['kind'];
  readonly labelMap?: MultiTaskDataset['labelMap'];
  readonly tasks: readonly TaskStats[];
  readonly features: readonly FeatureStats[];
  readonly samples: number;
}

function meanSd(v: ArrayLike<number>): { mean: number; sd: number } {
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i]!;
  const mean = n > 0 ? s / n : NaN;
  let q = 0;
  for (let i = 0; i < n; i++) q += (v[i]! - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(q / (n - 1)) : 0 };
}

/** Pure summary of a dataset (features over all tasks' samples; shared X once for multi-output). */
export function inspectDataset(ds: MultiTaskDataset): Inspection {
  const d = ds.featureNames.length;
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  let rows = 0;
  const blocks = ds.shared ? [ds.shared.X] : ds.tasks.map((t) => t.X);
  // Two passes per feature would be more accurate; one pass in sums is enough for a summary, with
  // the mean subtracted in the second moment to avoid the worst cancellation.
  for (const X of blocks) {
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < d; j++) {
        const v = X.data[i * d + j]!;
        sum[j]! += v;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
      rows++;
    }
  }
  const mean = Array.from(sum, (s) => s / Math.max(1, rows));
  for (const X of blocks) for (let i = 0; i < X.rows; i++) for (let j = 0; j < d; j++) sq[j]! += (X.data[i * d + j]! - mean[j]!) ** 2;
  const features = ds.featureNames.map((feature, j) => ({
    feature,
    mean: mean[j]!,
    sd: rows > 1 ? Math.sqrt(sq[j]! / (rows - 1)) : 0,
    min: lo[j]!,
    max: hi[j]!,
    constant: lo[j] === hi[j],
  }));
  const nShared = ds.shared?.X.rows;
  const tasks = ds.tasks.map((t): TaskStats => {
    const base = { task: t.name, n: t.y.length, ...(nShared !== undefined ? { missing: nShared - t.y.length } : {}) };
    if (ds.kind === 'binary') {
      const positives = t.y.filter((v) => v > 0).length;
      return { ...base, positives, negatives: t.y.length - positives };
    }
    return { ...base, ...meanSd(t.y) };
  });
  return {
    source: ds.source ?? 'dataset',
    layout: ds.layout,
    kind: ds.kind,
    ...(ds.labelMap ? { labelMap: ds.labelMap } : {}),
    tasks,
    features,
    samples: tasks.reduce((s, t) => s + t.n, 0),
  };
}

export function printInspection(io: CliIO, r: Inspection, verbose: boolean): void {
  out(io, `${r.source}: ${r.kind} data, ${r.layout} layout, ${r.tasks.length} tasks, ${r.features.length} features, ${r.samples} labelled samples`);
  if (r.labelMap) out(io, `labels: "${r.labelMap.negative}" → −1, "${r.labelMap.positive}" → +1`);
  out(io);
  const missing = r.layout === 'multi-output';
  const binary = r.kind === 'binary';
  const cols = [
    { header: 'task' },
    { header: 'n', align: 'right' as const },
    ...(binary
      ? [{ header: 'positives', align: 'right' as const }, { header: 'negatives', align: 'right' as const }, { header: '% positive', align: 'right' as const }]
      : [{ header: 'target mean', align: 'right' as const }, { header: 'target sd', align: 'right' as const }]),
    ...(missing ? [{ header: 'missing labels', align: 'right' as const }] : []),
  ];
  const rows = r.tasks.map((t) => [
    t.task,
    String(t.n),
    ...(binary ? [String(t.positives), String(t.negatives), ((100 * t.positives!) / Math.max(1, t.n)).toFixed(1)] : [num(t.mean), num(t.sd)]),
    ...(missing ? [String(t.missing ?? 0)] : []),
  ]);
  const shownTasks = verbose || rows.length <= 40 ? rows : [...rows.slice(0, 20), ['…', ...rows[0]!.slice(1).map(() => '')], ...rows.slice(-5)];
  out(io, table(cols, shownTasks));
  if (shownTasks !== rows) out(io, `(${rows.length} tasks; --verbose lists all)`);
  out(io);
  const frows = r.features.map((f) => [f.feature, num(f.mean), num(f.sd), num(f.min), num(f.max), f.constant ? 'constant' : '']);
  const shownF = verbose || frows.length <= 40 ? frows : [...frows.slice(0, 30), ['…', '', '', '', '', '']];
  out(io, table([{ header: 'feature' }, { header: 'mean', align: 'right' }, { header: 'sd', align: 'right' }, { header: 'min', align: 'right' }, { header: 'max', align: 'right' }, { header: 'note' }], shownF));
  if (shownF !== frows) out(io, `(${frows.length} features; --verbose lists all)`);
}

export function registerInspect(program: Command, io: CliIO): void {
  const cmd = program.command('inspect').description('summarise a data set: tasks, sizes, label balance, missing labels, feature statistics');
  addDataFlags(cmd);
  cmd.option('--mat-x <name>', 'MAT file: the cell array of per-task feature matrices', 'X').option('--mat-y <name>', 'MAT file: the cell array of per-task targets', 'Y');
  addOutputFlags(cmd, { out: false });
  cmd.addHelpText(
    'after',
    `
Examples:
  $ polytask inspect --data school.csv --task-col task --target y
  $ polytask inspect --data usps.csv --one-vs-rest digit --skip set --json
  $ polytask inspect --data school.mat --mat-x X --mat-y Y`,
  );
  cmd.action(async (flags: DataFlags & MatFlags & CommonFlags) => {
    const loaded = await loadData(flags, io.cwd);
    const r = inspectDataset(loaded.dataset);
    if (flags.json) {
      out(io, JSON.stringify({ ...r, ...(loaded.csvReport ? { load: { rowsRead: loaded.csvReport.rowsRead, rowsDropped: loaded.csvReport.rowsDropped, labelRule: loaded.csvReport.labelRule ?? null } } : {}) }));
      return;
    }
    printInspection(io, r, !!flags.verbose);
    const rep = loaded.csvReport;
    if (rep && rep.rowsDropped > 0) out(io, `\n${rep.rowsDropped} of ${rep.rowsRead} rows dropped (first: line ${rep.dropped[0]?.line}, ${rep.dropped[0]?.reason})`);
    if (rep?.labelRule) out(io, `label mapping: ${rep.labelRule}`);
  });
}
