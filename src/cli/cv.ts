// `polytask cv`: k-fold cross-validation of one model over a λ grid (from λ_max down, warm
// started), with the minimum and one-standard-error choices and the whole curve.
import { Option, type Command } from 'commander';
import { OptionError } from '../errors.ts';
import { crossValidate, nestedCrossValidate, type CVResult, type NestedCVResult, type Rule } from '../eval/cv.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { allModels } from '../estimator/registry.ts';
import { loadData, type MatFlags } from './data-load.ts';
import { registryPlan } from '../eval/plans.ts';
import { checkModelName } from './fit.ts';
import { num, seconds, table } from './format.ts';
import { out, type CliIO } from './io.ts';
import { makeProgress } from './progress.ts';
import { traceStartup } from './trace.ts';
import { unitDescriber, withProgressListener, type ProgressListener } from '../estimator/progress-scope.ts';
import { checkMagnitudes, modelOptions } from './model-setup.ts';
import { addDataFlags, addModelFlags, addOutputFlags, parseNumberList, parsePositiveInt, type CommonFlags, type DataFlags, type ModelFlags } from './options.ts';

interface CvFlags extends DataFlags, MatFlags, ModelFlags, CommonFlags {
  folds?: number;
  rule?: Rule;
  grid?: number[];
  gridPoints?: number;
  nested?: number;
}

export function cvTable(r: CVResult): string {
  const c = r.curve;
  if (!c) return '(nothing to tune for this model)';
  const rows = c.grid.map((x, i) => [
    num(x, 4),
    num(c.mean[i]!, 5),
    num(c.se[i]!, 3),
    [i === c.bestIndex ? 'min' : '', i === c.oneSeIndex ? '1se' : '', i === c.chosenIndex ? '← chosen' : ''].filter(Boolean).join(' '),
  ]);
  return table([{ header: c.param }, { header: `mean CV ${c.metric} (↓)`, align: 'right' }, { header: 'SE', align: 'right' }, { header: '' }], rows);
}

export function registerCv(program: Command, io: CliIO): void {
  const cmd = program.command('cv').description('cross-validate one model over a λ grid (minimum and one-SE choices)');
  addDataFlags(cmd);
  cmd.option('--mat-x <name>', 'MAT file: the cell array of per-task feature matrices', 'X').option('--mat-y <name>', 'MAT file: the cell array of per-task targets', 'Y');
  addModelFlags(cmd);
  cmd
    .option('--folds <k>', 'number of folds (default 5)', parsePositiveInt)
    .addOption(new Option('--rule <rule>', 'choice rule (default min)').choices(['min', '1se']))
    .option('--grid <a,b,c>', 'explicit λ grid (default: from λ_max down, log-spaced)', parseNumberList)
    .option('--grid-points <n>', 'points of the default grid (default 10)', parsePositiveInt)
    .option('--nested <k>', 'also estimate the error of "choose λ by CV, refit" honestly by nested CV with k outer folds', parsePositiveInt);
  addOutputFlags(cmd, { out: false });
  cmd.addHelpText(
    'after',
    `
Models: ${allModels().map((m) => m.name).join(', ')}

Examples:
  $ polytask cv --data school.csv --task-col task --target y --model l21 --folds 5 --rule 1se
  $ polytask cv --data school.csv --task-col task --target y --model mean --grid 0.01,0.1,1,10 --json
  $ polytask cv --data school.csv --task-col task --target y --model l21 --nested 5`,
  );
  cmd.action(async (flags: CvFlags) => {
    const name = checkModelName(flags.model);
    const plan = registryPlan(name);
    const loaded = await loadData(flags, io.cwd);
    checkMagnitudes(loaded.dataset, loaded.file, flags.standardize, flags.target);
    const ds = loaded.dataset;
    const options = modelOptions(flags, ds, io.cwd, name);
    const est = plan.make(options);
    // Options shared by the plain and the nested CV; the grids' tops come from the model's
    // declarations on each training part the CV sees (plan.tops).
    const cvOptions = {
      folds: flags.folds ?? 5,
      seed: flags.seed ?? 0,
      rule: flags.rule ?? 'min',
      ...(plan.params ? { params: plan.params } : {}),
      perTask: plan.perTask ?? false,
      ...(flags.grid ? { grid: flags.grid } : {}),
      ...(flags.gridPoints ? { points: flags.gridPoints, points2D: [flags.gridPoints, flags.gridPoints] as [number, number] } : {}),
      ...(plan.tops ? { topsFor: (train: MultiTaskDataset) => plan.tops!(train, options) } : {}),
    };
    // Fold, λ and solver state on stderr while it runs (src/cli/progress.ts).
    const progress = makeProgress(io, flags);
    const listener = (phase: string): ProgressListener => {
      const describe = unitDescriber();
      let total = 0;
      progress.start(0, phase, 'fits');
      return (e) => {
        if (e.kind === 'fit' && e.total !== total) progress.retotal((total = e.total));
        progress.update(e.kind === 'fit' ? e.done : Math.max(0, progressDone), describe(e));
        if (e.kind === 'fit') progressDone = e.done;
      };
    };
    let progressDone = 0;
    let r: CVResult;
    try {
      traceStartup('cv-start');
      r = withProgressListener(listener(`cv ${name}`), () => crossValidate(est, ds, cvOptions));
      traceStartup('cv-end');
    } finally {
      progress.stop();
    }
    // Nested CV: the inner CV sees only each outer training part, so its grid (data-scaled top) is
    // built there too — λ_max of the full data would leak the outer test rows into the grid.
    let nested: NestedCVResult | undefined;
    if (flags.nested !== undefined) {
      if (flags.nested < 2) throw new OptionError('--nested', `needs at least 2 outer folds, got ${flags.nested}`);
      progressDone = 0;
      try {
        nested = withProgressListener(listener(`nested cv ${name} (${flags.nested} outer folds; counts restart in each)`), () => nestedCrossValidate(plan.make(options), ds, { ...cvOptions, outerFolds: flags.nested! }));
      } finally {
        progress.stop();
      }
    }
    if (flags.json) {
      out(io, JSON.stringify({ model: name, ...r, ...(nested ? { nested } : {}) }));
      return;
    }
    out(io, `${name} on ${loaded.file}: ${r.folds}-fold CV, ${r.fits} fits, ${seconds(r.seconds)}`);
    out(io);
    out(io, cvTable(r));
    out(io);
    const chosen = Object.entries(r.chosen).map(([k, v]) => `${k} = ${num(v, 4)}`).join(', ');
    out(io, `chosen (${flags.rule ?? 'min'} rule): ${chosen || 'nothing to tune'}`);
    for (const w of r.warnings) out(io, `warning: ${w}`);
    const dg = r.diagnostics;
    if (dg.unconverged > 0 || dg.failed > 0) out(io, `warning: of ${dg.fits} CV fits, ${dg.unconverged} did not converge and ${dg.failed} failed${r.failures[0] ? ` (first failure: ${r.failures[0].message})` : ''}`);
    if (nested) {
      out(io);
      out(io, `nested CV (${nested.outer.length} outer folds, λ chosen by ${flags.folds ?? 5}-fold CV inside each): ${nested.metric} = ${num(nested.mean, 5)} ± ${num(nested.se, 3)} (SE) — the honest estimate; the curve's minimum above is optimistic`);
      nested.outer.forEach((o, i) => out(io, `  outer fold ${i + 1}: ${Object.entries(o.chosen).map(([k, v]) => `${k} = ${num(v, 4)}`).join(', ') || 'nothing tuned'}, held-out ${nested!.metric} ${num(o.error, 5)}`));
    }
    if (r.perTaskLambda) out(io, `per-task λ: ${Object.entries(r.perTaskLambda).slice(0, 12).map(([t, v]) => `${t}=${num(v, 3)}`).join(' ')}${Object.keys(r.perTaskLambda).length > 12 ? ' …' : ''}`);
  });
}
