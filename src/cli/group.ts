// `polytask group`: choose which tasks to learn together under a budget of K models, then test
// the choice honestly. The data are split once per task (seeded) into a selection part and an
// evaluation part: the affinity and the grouping see only the selection part; `compare` then
// runs the chosen grouping against all-in-one (the model on every task) and STL on repeated
// splits of the evaluation part only — so no row that chose the groups also judges them.
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { subsetDataset, trainTestSplit } from '../data/split.ts';
import { OptionError } from '../errors.ts';
import { compareAsync } from '../eval/parallel.ts';
import { registryPlan } from '../eval/plans.ts';
import { chooseGroups, type GroupingMethod } from '../select/grouping.ts';
import { groupedPlan } from '../select/grouped.ts';
import { affinityJSON, measureAffinity, registerAffinity, type AffinityFlags } from './affinity.ts';
import { printComparison } from './compare-print.ts';
import { loadData } from './data-load.ts';
import { checkModelName } from './fit.ts';
import { num, percent } from './format.ts';
import { out, type CliIO } from './io.ts';
import { modelOptions } from './model-setup.ts';
import { parsePositive, parsePositiveInt } from './options.ts';
import { makeProgress } from './progress.ts';
import { writeReport } from './run-compare.ts';
import { writeFileAtomic } from './atomic.ts';
import { checkOutputsAreNotInputs } from './paths.ts';
import { checkGroupReport } from '../report/selection.ts';

interface GroupFlags extends AffinityFlags {
  budget: number;
  method?: GroupingMethod;
  beamWidth?: number;
  selectionRatio?: number;
  splits?: number;
  testRatio?: number;
  cvFolds?: number;
  report?: string;
  out?: string;
}

function affinityCommand(io: CliIO): Command {
  const scratch = new Command();
  registerAffinity(scratch, io);
  return scratch.commands[0]!;
}

export function registerGroup(program: Command, io: CliIO): void {
  const cmd = program.command('group').description('choose groups of tasks to learn together (budget of K models) and test them against all-in-one and STL');
  // The data, model and output flags are those of `affinity`.
  // (main.ts registers only the command that runs: build affinity's flags on a scratch program then.)
  const base = program.commands.find((c) => c.name() === 'affinity') ?? affinityCommand(io);
  for (const o of base.options) if (o.long !== '--report') cmd.addOption(o); // group's --report is its own
  cmd
    .requiredOption('--budget <K>', 'at most K groups (models to train)', parsePositiveInt)
    .addOption(new Option('--method <m>', 'search: exact (Standley\'s branch and bound, overlapping groups, T ≤ 16), greedy or beam (disjoint groups); default exact for T ≤ 12, else greedy').choices(['exact', 'greedy', 'beam']))
    .option('--beam-width <B>', 'beam search width (default 4)', parsePositiveInt)
    .option('--selection-ratio <r>', 'share of every task\'s rows used to choose the groups; the rest tests them (default 0.5)', parsePositive)
    .option('--splits <n>', 'random train/test splits of the evaluation part (default 5)', parsePositiveInt)
    .option('--test-ratio <r>', 'test share of each evaluation split (default 0.3)', parsePositive)
    .option('--cv-folds <k>', 'CV folds that tune every model inside each split (default 3)', parsePositiveInt)
    .option('--report <file>', 'write the HTML report: the affinity heatmap, the chosen groups and their measured result, then the comparison')
    .option('--out <file>', 'also save the result (affinity, groups, comparison) as JSON here (input of `polytask report --group`)');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ polytask group --data landmine.csv --task-col task --target y --model pooled --lambda 0.1 --budget 3
  $ polytask group --data school.csv --task-col task --target y --model mean --lambda 1 --standardize task --budget 4 --method beam
  $ polytask group --data landmine.csv --task-col task --target y --model pooled --lambda 0.1 --budget 3 --report groups.html`,
  );
  cmd.action(async (flags: GroupFlags) => {
    checkOutputsAreNotInputs(io.cwd, [['--data', flags.data]], [['--out', flags.out], ['--report', flags.report]]);
    const name = checkModelName(flags.model);
    if (flags.checkHoa !== undefined) throw new OptionError('--check-hoa', 'belongs to `polytask affinity` (it fits groups to check HOA); `group` tests its chosen groups with compare');
    const ratio = flags.selectionRatio ?? 0.5;
    if (!(ratio > 0 && ratio < 1)) throw new OptionError('--selection-ratio', `must lie strictly between 0 and 1 (got ${ratio})`);
    const { dataset } = await loadData(flags, io.cwd);
    const seed = flags.seed ?? 0;
    const part = trainTestSplit(dataset, { testRatio: 1 - ratio, seed: seed + 7 });
    const selection = subsetDataset(dataset, part.train);
    const evaluation = subsetDataset(dataset, part.test);
    const aff = await measureAffinity(io, flags, selection, name);
    const g = chooseGroups(aff, { budget: flags.budget, ...(flags.method ? { method: flags.method } : {}), ...(flags.beamWidth ? { beamWidth: flags.beamWidth } : {}) });
    const groups = g.groups.map((G) => G.map((i) => aff.tasks[i]!));
    const serve = Object.fromEntries(aff.tasks.map((t, i) => [t, g.serve[i]!]));
    const options = modelOptions(flags, dataset, io.cwd, name);
    const grouped = `grouped-${name}`;
    const models = name === 'stl' ? [grouped] : [name, grouped];
    const progress = makeProgress(io, flags);
    let started = false;
    // On compare's worker pool (--workers; the grouped plan is rebuilt in each worker from its
    // groups), bit-identical to the calling thread's run for any number of workers.
    const result = await compareAsync(evaluation, {
      workers: flags.workers ?? 'auto',
      models,
      plans: (m) => (m === grouped ? groupedPlan(grouped, name, { groups, serve }) : registryPlan(m)),
      repeats: flags.splits ?? 5,
      testRatio: flags.testRatio ?? 0.3,
      cvFolds: flags.cvFolds ?? 3,
      seed,
      modelOptions: options,
      onProgress: (p) => {
        if (!started) progress.start(p.total, 'compare');
        started = true;
        progress.update(p.done, `split ${p.split}/${p.splits}, ${p.model}`);
      },
    });
    progress.stop();
    const saved = { affinity: affinityJSON(aff), grouping: { method: g.method, budget: flags.budget, groups, serve, estimated_gain_percent: g.estimatedGain, task_gains_percent: g.taskGains, examined: g.examined }, comparison: result };
    if (flags.out) writeFileAtomic(resolve(io.cwd, flags.out), JSON.stringify(saved) + '\n');
    if (flags.report) writeReport(resolve(io.cwd, flags.report), result, { group: checkGroupReport(JSON.parse(JSON.stringify(saved)), 'the group result') });
    const measured = result.models.find((m) => m.name === grouped)!;
    const allInOne = result.models.find((m) => m.name === name);
    if (flags.json) {
      out(io, JSON.stringify(saved));
      return;
    }
    out(io, `Groups chosen on ${Math.round(ratio * 100)} % of every task's rows (${g.method} search, budget ${flags.budget}, ${g.examined} candidates examined):`);
    groups.forEach((G, k) => {
      const est = G.map((t) => g.taskGains[aff.tasks.indexOf(t)]!).reduce((a, b) => a + b, 0);
      out(io, `  group ${k + 1} (${G.length} task${G.length > 1 ? 's' : ''}, estimated gain ${num(est, 3)} % points): ${G.join(', ')}`);
    });
    out(io, `estimated total gain over learning each task alone: ${num(g.estimatedGain, 4)} % points (mean ${percent(g.estimatedGain / aff.T)} per task)`);
    out(io);
    out(io, `Measured on the other ${Math.round((1 - ratio) * 100)} % (${flags.splits ?? 5} splits, tuned by CV inside each):`);
    printComparison(io, result, flags.verbose ?? false);
    const primary = result.primaryMetric === 'rmse' ? 'rmse_task_avg' : 'auc_task_avg';
    const m = measured.metrics[primary];
    const a = allInOne?.metrics[primary];
    if (m && a) {
      const better = result.higherIsBetter ? m.mean > a.mean : m.mean < a.mean;
      out(io, `grouping vs all-in-one (${name}): ${primary} ${num(m.mean, 5)} vs ${num(a.mean, 5)} — the grouping is ${better ? 'better' : 'not better'} on average over the splits${measured.vs_stl?.p_value != null ? `; vs STL p = ${num(measured.vs_stl.p_value, 2)}` : ''}.`);
    }
  });
}
