// `polytask inspect`: what is in a data set — tasks and their sizes, label balance or target
// spread, missing labels, and per-feature statistics — before fitting anything.
import type { Command } from 'commander';
import type { Inspection } from '../data/summary.ts';
import type { CsvSummaryReport } from '../data/csv.ts';
import { summariseData, type MatFlags } from './data-load.ts';
import { num, table } from './format.ts';
import { out, type CliIO } from './io.ts';
import { addDataFlags, addOutputFlags, type CommonFlags, type DataFlags } from './options.ts';

export { summariseDataset as inspectDataset, type FeatureStats, type Inspection, type TaskStats } from '../data/summary.ts';

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
    // One streaming pass over the file (memory O(tasks + columns), issue 15), not a loaded data set.
    const { inspection: r, csvReport } = await summariseData(flags, io.cwd);
    writeInspection(io, r, csvReport, flags);
  });
}

/** The command's output: the summary as text (or one JSON object), then what the CSV loader did. */
export function writeInspection(io: CliIO, r: Inspection, rep: CsvSummaryReport | undefined, flags: { json?: boolean; verbose?: boolean }): void {
  if (flags.json) {
    out(io, JSON.stringify({ ...r, ...(rep ? { load: { rowsRead: rep.rowsRead, rowsDropped: rep.rowsDropped, labelRule: rep.labelRule ?? null } } : {}) }));
    return;
  }
  printInspection(io, r, !!flags.verbose);
  if (rep && rep.rowsDropped > 0) out(io, `\n${rep.rowsDropped} of ${rep.rowsRead} rows dropped (first: line ${rep.dropped[0]?.line}, ${rep.dropped[0]?.reason})`);
  if (rep?.labelRule) out(io, `label mapping: ${rep.labelRule}`);
}
