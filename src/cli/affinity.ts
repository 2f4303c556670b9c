// `polytask affinity`: which tasks help which — the pairwise transfer matrix of one model
// (src/select/affinity.ts), printed ordered so that mutually helpful tasks sit together, or as JSON.
import { Option, type Command } from 'commander';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { leaveOneOutAffinity, pairwiseAffinity, type Affinity } from '../select/affinity.ts';
import { affinityOrder } from '../select/order.ts';
import { loadData, type MatFlags } from './data-load.ts';
import { checkModelName } from './fit.ts';
import { num, seconds } from './format.ts';
import { out, type CliIO } from './io.ts';
import { modelOptions } from './model-setup.ts';
import { addDataFlags, addModelFlags, addOutputFlags, parsePositiveInt, type CommonFlags, type DataFlags, type ModelFlags } from './options.ts';
import { makeProgress } from './progress.ts';

export interface AffinityFlags extends DataFlags, MatFlags, ModelFlags, CommonFlags {
  folds?: number;
  measure?: 'pairs' | 'leave-one-out';
}

/** The affinity of `ds` with a progress line on stderr while the O(T²) fits run. */
export function measureAffinity(io: CliIO, flags: AffinityFlags, ds: MultiTaskDataset, model: string): Affinity {
  const progress = makeProgress(io, flags);
  const T = ds.tasks.length;
  const pairs = (flags.measure ?? (T <= 60 ? 'pairs' : 'leave-one-out')) === 'pairs';
  progress.start((flags.folds ?? 3) * (pairs ? T + (T * (T - 1)) / 2 : T + 1), `affinity (${model}, ${T} tasks)`);
  try {
    return (pairs ? pairwiseAffinity : leaveOneOutAffinity)(ds, {
      model,
      options: modelOptions(flags, ds, io.cwd, model),
      folds: flags.folds ?? 3,
      seed: flags.seed ?? 0,
      onProgress: (done) => progress.update(done, `${done} fits`),
    });
  } finally {
    progress.stop();
  }
}

/** JSON form: the matrix as rows (task i's gain with each j), with its standard errors. */
export function affinityJSON(a: Affinity): Record<string, unknown> {
  const rows = (m: Float64Array): (number | null)[][] =>
    Array.from({ length: a.T }, (_, i) => Array.from({ length: a.T }, (_, j) => (i === j || !Number.isFinite(m[i * a.T + j]!) ? null : m[i * a.T + j]!)));
  return {
    measure: a.measure,
    model: a.model,
    folds: a.folds,
    tasks: a.tasks,
    order: affinityOrder(a).map((i) => a.tasks[i]),
    gain_percent: rows(a.gain),
    se: rows(a.se),
    alone_error: [...a.aloneError],
    fits: a.fits,
    failures: a.failures,
    seconds: a.seconds,
  };
}

export function printAffinity(io: CliIO, a: Affinity): void {
  out(io, `${a.measure}`);
  out(io, `model ${a.model}, ${a.T} tasks, ${a.fits} fits, ${seconds(a.seconds)}${a.failures.length ? `, ${a.failures.length} fits failed (first: ${a.failures[0]!.message})` : ''}`);
  const order = affinityOrder(a);
  if (a.T <= 16) {
    out(io);
    out(io, 'gain of the row task (%) when fitted with the column task; tasks ordered so that mutually helpful ones sit together:');
    const w = Math.max(6, ...a.tasks.map((t) => t.length));
    out(io, ' '.repeat(w) + order.map((j) => a.tasks[j]!.slice(0, 7).padStart(8)).join(''));
    for (const i of order) {
      out(io, a.tasks[i]!.padEnd(w) + order.map((j) => (i === j ? '·' : num(a.gain[i * a.T + j]!, 2)).padStart(8)).join(''));
    }
  }
  const pairs: { i: number; j: number; v: number }[] = [];
  for (let i = 0; i < a.T; i++) for (let j = i + 1; j < a.T; j++) pairs.push({ i, j, v: (a.gain[i * a.T + j]! + a.gain[j * a.T + i]!) / 2 });
  pairs.sort((x, y) => y.v - x.v);
  const show = (p: { i: number; j: number; v: number }): string => `${a.tasks[p.i]} + ${a.tasks[p.j]}: ${num(p.v, 3)} %`;
  out(io);
  out(io, `most helpful pairs (mean of both directions): ${pairs.slice(0, 5).map(show).join('; ')}`);
  out(io, `most harmful pairs: ${pairs.slice(-5).reverse().map(show).join('; ')}`);
  out(io, 'These are estimates from CV folds of the data given; `polytask group` tests a grouping on held-out data.');
}

export function registerAffinity(program: Command, io: CliIO): void {
  const cmd = program.command('affinity').description('pairwise task affinity: how much each task gains from being fitted with each other task');
  addDataFlags(cmd);
  cmd.option('--mat-x <name>', 'MAT file: the cell array of per-task feature matrices', 'X').option('--mat-y <name>', 'MAT file: the cell array of per-task targets', 'Y');
  addModelFlags(cmd);
  cmd
    .option('--folds <k>', 'folds of every task\'s rows (default 3)', parsePositiveInt)
    .addOption(new Option('--measure <m>', 'pairs: every task pair against each task alone (T(T−1)/2 fits per fold); leave-one-out: each task left out of all the others (T + 1 fits per fold). Default: pairs up to 60 tasks').choices(['pairs', 'leave-one-out']));
  addOutputFlags(cmd, { out: false });
  cmd.addHelpText(
    'after',
    `
Cost: folds × (T + T(T−1)/2) fits (pairs) or folds × (T + 1) fits (leave-one-out) of the model with
the hyper-parameters given (or its defaults).

Examples:
  $ polytask affinity --data landmine.csv --task-col task --target y --model pooled --lambda 0.1
  $ polytask affinity --data school.csv --task-col task --target y --model l21 --lambda 1 --standardize task --json`,
  );
  cmd.action(async (flags: AffinityFlags) => {
    const name = checkModelName(flags.model);
    const { dataset } = await loadData(flags, io.cwd);
    const a = measureAffinity(io, flags, dataset, name);
    if (flags.json) out(io, JSON.stringify(affinityJSON(a)));
    else printAffinity(io, a);
  });
}
