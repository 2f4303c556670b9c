// `polytask affinity`: which tasks help which — the pairwise transfer matrix of one model
// (src/select/affinity.ts), printed ordered so that mutually helpful tasks sit together, or as JSON.
import { Option, type Command } from 'commander';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { modelInfo } from '../estimator/registry.ts';
import { OptionError } from '../errors.ts';
import type { WorkersOption } from '../eval/parallel.ts';
import { foldsFor, GroupFitCache, type Affinity } from '../select/affinity.ts';
import { fitAffinity, runFitJobs } from '../select/affinity-pool.ts';
import { assessHoa, checkGroups, hoaCheckJobs, type HoaCheck } from '../select/hoa-check.ts';
import { DEFAULT_GAIN, GAIN_KINDS, type GainKind } from '../select/gain.ts';
import { estimatorAffinity } from '../select/neural-affinity.ts';
import { affinityOrder } from '../select/order.ts';
import { loadData, type MatFlags } from './data-load.ts';
import { parseWorkers } from './compare.ts';
import { checkModelName } from './fit.ts';
import { num, seconds } from './format.ts';
import { info, out, type CliIO } from './io.ts';
import { resolve } from 'node:path';
import { renderAffinityReportHtml } from '../report/html.ts';
import { checkAffinityReport } from '../report/selection.ts';
import { writeFileAtomic } from './atomic.ts';
import { checkOutputsAreNotInputs } from './paths.ts';
import { modelOptions } from './model-setup.ts';
import { addDataFlags, addModelFlags, addOutputFlags, parsePositiveInt, type CommonFlags, type DataFlags, type ModelFlags } from './options.ts';
import { makeProgress } from './progress.ts';

export interface AffinityFlags extends DataFlags, MatFlags, ModelFlags, CommonFlags {
  folds?: number;
  report?: string;
  measure?: 'pairs' | 'leave-one-out' | 'gradient-cosine' | 'tag-lookahead';
  every?: number;
  gain?: GainKind;
  workers?: WorkersOption;
  checkHoa?: number;
}

const NEURAL_MEASURES = ['gradient-cosine', 'tag-lookahead'] as const;

/** The affinity of `ds` with a progress line on stderr while the O(T²) fits run (on worker
 * threads when that pays, --workers). */
export async function measureAffinity(io: CliIO, flags: AffinityFlags, ds: MultiTaskDataset, model: string, cache?: GroupFitCache): Promise<Affinity> {
  const progress = makeProgress(io, flags);
  const T = ds.tasks.length;
  if (modelInfo(model).engine === 'nn') {
    if (flags.gain !== undefined) throw new OptionError('--gain', `"${model}" is a neural model: its affinity is TAG's relative loss change or a gradient cosine; --gain applies to fitted models`);
    return neuralAffinityOf(io, flags, ds, model);
  }
  if ((NEURAL_MEASURES as readonly string[]).includes(flags.measure ?? '')) throw new OptionError('--measure', `${flags.measure} is measured during the training of a neural model; "${model}" is fitted, so use pairs or leave-one-out`);
  const pairs = (flags.measure ?? (T <= 60 ? 'pairs' : 'leave-one-out')) === 'pairs';
  progress.start((flags.folds ?? 3) * (pairs ? T + (T * (T - 1)) / 2 : T + 1), `affinity (${model}, ${T} tasks)`);
  try {
    return await fitAffinity(ds, pairs ? 'pairs' : 'leave-one-out', {
      model,
      options: modelOptions(flags, ds, io.cwd, model),
      folds: flags.folds ?? 3,
      seed: flags.seed ?? 0,
      gain: flags.gain ?? DEFAULT_GAIN,
      workers: flags.workers ?? 'auto',
      onProgress: (done) => progress.update(done, `${done} fits`),
    }, cache);
  } finally {
    progress.stop();
  }
}

/** --check-hoa n: fits up to n groups of 3 and n of 4 tasks on the affinity's folds and compares
 * their measured gains with HOA's estimates from the pairs (src/select/hoa-check.ts). */
async function hoaCheckOf(io: CliIO, flags: AffinityFlags, aff: Affinity, cache: GroupFitCache): Promise<HoaCheck> {
  const sizes = [3, 4].filter((k) => k <= aff.T);
  if (sizes.length === 0) throw new OptionError('--check-hoa', `needs at least 3 tasks (got ${aff.T})`);
  const groups = checkGroups(aff.T, sizes, flags.checkHoa!, (flags.seed ?? 0) + 13);
  const jobs = hoaCheckJobs(groups, aff.folds);
  const progress = makeProgress(io, flags);
  progress.start(jobs.length, `HOA check (${groups.length} groups)`);
  try {
    await runFitJobs(cache, jobs, { workers: flags.workers ?? 'auto', onProgress: (done) => progress.update(done, `${done} group fits`) });
  } finally {
    progress.stop();
  }
  return assessHoa(aff, cache, groups);
}

export function hoaCheckJSON(a: Affinity, h: HoaCheck): Record<string, unknown> {
  return {
    summaries: h.summaries.map((s) => ({ size: s.size, groups: s.groups, spearman: s.spearman, mae_per_task: s.maePerTask, sign_agreement: s.signAgreement })),
    groups: h.groups.map((g) => ({ tasks: g.tasks.map((i) => a.tasks[i]), estimated: g.estimated, measured: g.measured })),
    fits: h.fits,
  };
}

export function printHoaCheck(io: CliIO, a: Affinity, h: HoaCheck): void {
  out(io);
  out(io, `HOA (group gain = mean of pairwise gains) against ${h.groups.length} fitted groups (${h.fits} fits, same folds, same gain):`);
  out(io, '  size  groups  Spearman  |error| per task  sign right');
  for (const s of h.summaries) out(io, `  ${String(s.size).padEnd(4)}  ${String(s.groups).padStart(6)}  ${num(s.spearman, 3).padStart(8)}  ${num(s.maePerTask, 3).padStart(16)}  ${`${(100 * s.signAgreement).toFixed(0)} %`.padStart(10)}`);
  const worst = [...h.groups].sort((x, y) => Math.abs(y.estimated - y.measured) - Math.abs(x.estimated - x.measured)).slice(0, 3);
  out(io, `  largest misses: ${worst.map((g) => `{${g.tasks.map((i) => a.tasks[i]).join(', ')}} estimated ${num(g.estimated, 3)}, measured ${num(g.measured, 3)}`).join('; ')}`);
}

/** A neural model's affinity from one training run (TAG lookahead by default, Fifty et al. 2021),
 * in the shape the printing and grouping code take. */
function neuralAffinityOf(io: CliIO, flags: AffinityFlags, ds: MultiTaskDataset, model: string): Affinity {
  const measure = flags.measure ?? 'tag-lookahead';
  if (!(NEURAL_MEASURES as readonly string[]).includes(measure)) throw new OptionError('--measure', `"${model}" is a neural model: its affinity is measured during one training run (gradient-cosine or tag-lookahead), not by ${measure} fits`);
  const progress = makeProgress(io, flags);
  progress.start(1, `affinity (${model}, ${ds.tasks.length} tasks)`);
  try {
    const a = estimatorAffinity(ds, model, modelOptions(flags, ds, io.cwd, model), {
      measure: measure as (typeof NEURAL_MEASURES)[number],
      every: flags.every ?? 5,
      onProgress: (p) => progress.update(0, p.detail),
    });
    // TAG's Z is a relative loss change: shown in % like the linear gains; a cosine stays a cosine.
    const tag = measure === 'tag-lookahead';
    const scale = (m: Float64Array): Float64Array => (tag ? m.map((v) => 100 * v) : m);
    return {
      T: a.T, gain: scale(a.gain), se: scale(a.se), unit: tag ? '%' : 'cosine', tasks: a.tasks, model, folds: 0, fits: 1, failures: [], seconds: a.seconds,
      aloneError: new Float64Array(a.T).fill(Number.NaN),
      measure: `${a.measure}: averaged over ${a.samples} sampled training steps (every ${a.every}) of one run of all tasks; row i, column j = effect on task i of task j`,
    };
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
    unit: a.unit ?? '%',
    ...(a.gainKind ? { gain: a.gainKind } : {}),
    gain_percent: rows(a.gain),
    se: rows(a.se),
    alone_error: [...a.aloneError],
    fits: a.fits,
    failures: a.failures,
    seconds: a.seconds,
    ...(a.workers !== undefined ? { workers: a.workers } : {}),
  };
}

export function printAffinity(io: CliIO, a: Affinity): void {
  out(io, `${a.measure}`);
  out(io, `model ${a.model}, ${a.T} tasks, ${a.fits} fits, ${seconds(a.seconds)}${a.failures.length ? `, ${a.failures.length} fits failed (first: ${a.failures[0]!.message})` : ''}`);
  const order = affinityOrder(a);
  if (a.T <= 16) {
    out(io);
    out(io, `${a.unit === 'cosine' ? 'gradient cosine of the row task with the column task' : 'gain of the row task (%) from the column task'}; tasks ordered so that mutually helpful ones sit together:`);
    const w = Math.max(6, ...a.tasks.map((t) => t.length));
    out(io, ' '.repeat(w) + order.map((j) => a.tasks[j]!.slice(0, 7).padStart(8)).join(''));
    for (const i of order) {
      out(io, a.tasks[i]!.padEnd(w) + order.map((j) => (i === j ? '·' : num(a.gain[i * a.T + j]!, 2)).padStart(8)).join(''));
    }
  }
  const pairs: { i: number; j: number; v: number }[] = [];
  for (let i = 0; i < a.T; i++) for (let j = i + 1; j < a.T; j++) pairs.push({ i, j, v: (a.gain[i * a.T + j]! + a.gain[j * a.T + i]!) / 2 });
  pairs.sort((x, y) => y.v - x.v);
  const unit = a.unit === 'cosine' ? ' (cosine)' : ' %';
  const show = (p: { i: number; j: number; v: number }): string => `${a.tasks[p.i]} + ${a.tasks[p.j]}: ${num(p.v, 3)}${unit}`;
  out(io);
  out(io, `most helpful pairs (mean of both directions): ${pairs.slice(0, 5).map(show).join('; ')}`);
  out(io, `most harmful pairs: ${pairs.slice(-5).reverse().map(show).join('; ')}`);
  out(io, `These are estimates from ${a.folds > 0 ? 'CV folds of' : 'one training run on'} the data given; \`polytask group\` tests a grouping on held-out data.`);
}

export function registerAffinity(program: Command, io: CliIO): void {
  const cmd = program.command('affinity').description('pairwise task affinity: how much each task gains from being fitted with each other task');
  addDataFlags(cmd);
  cmd.option('--mat-x <name>', 'MAT file: the cell array of per-task feature matrices', 'X').option('--mat-y <name>', 'MAT file: the cell array of per-task targets', 'Y');
  addModelFlags(cmd);
  cmd
    .option('--folds <k>', 'folds of every task\'s rows (default 3)', parsePositiveInt)
    .addOption(new Option('--measure <m>', 'linear models — pairs: every task pair against each task alone (T(T−1)/2 fits per fold); leave-one-out: each task left out of all the others (T + 1 fits per fold); default pairs up to 60 tasks. Neural models — tag-lookahead (default) or gradient-cosine, during one training run').choices(['pairs', 'leave-one-out', 'gradient-cosine', 'tag-lookahead']))
    .option('--every <n>', 'neural models: measure every n-th training step (default 5)', parsePositiveInt)
    .option('--report <file>', 'also write the HTML heatmap (tasks ordered by clustering, standard errors beside it)')
    .addOption(new Option('--gain <g>', `fitted models: how two held-out errors become a gain — relative: 100·(e_alone − e_joint)/e_alone (Standley); log-ratio: 100·ln(e_alone/e_joint); pooled: the error change in % of the mean error of all tasks (default ${DEFAULT_GAIN}; docs/selection.md)`).choices([...GAIN_KINDS]))
    .option('--check-hoa <n>', 'pairs only: also fit up to n groups of 3 and n of 4 tasks (all of them when fewer) and compare their measured gains with HOA\'s estimates from the pairs', parsePositiveInt)
    .option('--workers <n|auto>', 'fitted models: worker threads for the fits (and for `group`\'s compare), a number (1 = no threads) or auto (2 when the estimated work pays for the start-up); the matrix is the same for any number', parseWorkers);
  addOutputFlags(cmd, { out: false });
  cmd.addHelpText(
    'after',
    `
Cost: folds × (T + T(T−1)/2) fits (pairs) or folds × (T + 1) fits (leave-one-out) of the model with
the hyper-parameters given (or its defaults).

Examples:
  $ polytask affinity --data landmine.csv --task-col task --target y --model pooled --lambda 0.1
  $ polytask affinity --data school.csv --task-col task --target y --model l21 --lambda 1 --standardize task --json
  $ polytask affinity --data landmine.csv --task-col task --target y --model pooled --lambda 0.1 --report affinity.html
  $ polytask affinity --data landmine.csv --task-col task --target y --model hps --epochs 5 --measure tag-lookahead`,
  );
  cmd.action(async (flags: AffinityFlags) => {
    // `group` shares these options (and has its own action): only affinity's own action writes this report.
    checkOutputsAreNotInputs(io.cwd, [['--data', flags.data]], [['--report', flags.report]]);
    const name = checkModelName(flags.model);
    const { dataset } = await loadData(flags, io.cwd);
    let cache: GroupFitCache | undefined;
    if (flags.checkHoa !== undefined) {
      if (modelInfo(name).engine === 'nn' || flags.measure === 'leave-one-out') throw new OptionError('--check-hoa', 'HOA is checked against the pairwise measure of a fitted model (--measure pairs)');
      cache = new GroupFitCache(dataset, foldsFor(dataset, flags.folds ?? 3, flags.seed ?? 0), name, modelOptions(flags, dataset, io.cwd, name));
    }
    const a = await measureAffinity(io, { ...flags, ...(cache ? { measure: 'pairs' as const } : {}) }, dataset, name, cache);
    const h = cache ? await hoaCheckOf(io, flags, a, cache) : undefined;
    if (flags.report) {
      writeFileAtomic(resolve(io.cwd, flags.report), renderAffinityReportHtml(checkAffinityReport(JSON.parse(JSON.stringify(affinityJSON(a))), 'the affinity result')));
      info(io, flags, `report written to ${flags.report}`);
    }
    if (flags.json) out(io, JSON.stringify({ ...affinityJSON(a), ...(h ? { hoa_check: hoaCheckJSON(a, h) } : {}) }));
    else {
      printAffinity(io, a);
      if (h) printHoaCheck(io, a, h);
    }
  });
}
