// `polytask compare`: several models against single-task learning on repeated splits, each tuned
// by CV inside its training part; a table, a verdict, and optionally the JSON result and the HTML
// report.
import { didYouMean } from './suggest.ts';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { allModels } from '../estimator/registry.ts';
import { parseModelSpec } from '../estimator/spec.ts';
import { OptionError } from '../errors.ts';
import { readFileSync } from 'node:fs';
import { givenSplitsFromText } from '../data/split.ts';
import { DEFAULT_MODELS } from '../eval/compare.ts';
import type { WorkersOption } from '../eval/parallel.ts';
import type { Rule } from '../eval/cv.ts';
import { writeFileAtomic } from './atomic.ts';
import { printComparison } from './compare-print.ts';
import { checkReadable, loadData, type MatFlags } from './data-load.ts';
import { info, out, type CliIO } from './io.ts';
import { checkOutputsAreNotInputs } from './paths.ts';
import { checkMagnitudes, modelOptions, splitModelOptions } from './model-setup.ts';
import {
  addDataFlags,
  addModelFlags,
  addOutputFlags,
  parseList,
  parseNumber,
  parsePositiveInt,
  type CommonFlags,
  type DataFlags,
  type ModelFlags,
} from './options.ts';
import { runComparison, writeReport } from './run-compare.ts';

export interface CompareFlags extends DataFlags, MatFlags, ModelFlags, CommonFlags {
  models?: string[];
  splits?: number;
  splitsFile?: string;
  splitCols?: string[];
  testRatio?: number;
  folds?: number;
  rule?: Rule;
  /** The significance level of the tests (--significance); `--alpha` is relation's α, as in fit and cv. */
  significance?: number;
  gridPoints?: number;
  workers?: WorkersOption;
  report?: string;
}

/** --workers: a positive integer or "auto". */
export function parseWorkers(raw: string): WorkersOption {
  const v = raw.trim();
  if (v === 'auto') return 'auto';
  if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError(`expected a positive integer or "auto", got "${raw}".`);
  return Number(v);
}

export const WORKERS_HELP = 'worker threads for the (split, model) units: a number (1 = no threads) or auto (2 when there are ≥ 2 splits and enough work to pay for the start-up; docs/evaluation.md)';

function parseRatio(raw: string): number {
  const v = parseNumber(raw);
  if (!(v > 0 && v < 1)) throw new InvalidArgumentError(`expected a number strictly between 0 and 1, got "${raw}".`);
  return v;
}

/** Names of registered models of any engine (linear and neural share one table). */
export function checkModelList(names: readonly string[]): string[] {
  const known = allModels().map((m) => m.name);
  const unknown = names.filter((n) => !known.includes(n.split(':')[0]!));
  if (unknown.length > 0) throw new OptionError('--models', `unknown model${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"${didYouMean(u.split(':')[0]!, known)}`).join(', ')}; models: ${known.join(', ')}`);
  // model:method specs (hps:pcgrad): the method must be one the model declares (src/estimator/spec.ts).
  for (const n of names) parseModelSpec(n);
  return [...names];
}

/** Flags of compare's own that a model parameter also uses (none: the significance level is
 * --significance, so that --alpha is relation's α in compare as in fit and cv — issue 10). */
const COMPARE_RESERVED: readonly string[] = [];

export function addCompareFlags(cmd: Command): Command {
  return cmd
    .option('--models <a,b,c>', `models to compare with stl (default: ${DEFAULT_MODELS.join(',')}, those available)`, parseList)
    .option('--splits <R>', 'number of random train/test splits (default 10)', parsePositiveInt)
    .option('--test-ratio <x>', 'test fraction of each task in random splits (default 0.25)', parseRatio)
    .option('--splits-file <file>', 'given splits: CSV with a row column (0-based data row) and one 1=train/0=test column per split')
    .option('--split-cols <a,b,c>', 'with --splits-file: use only these split columns (default: all)', parseList)
    .option('--folds <k>', 'CV folds inside each training part (default 5)', parsePositiveInt)
    .addOption(new Option('--rule <rule>', 'CV choice rule: minimum mean error or one standard error').choices(['min', '1se']))
    .option('--significance <x>', 'significance level α of the tests behind the per-task counts and the verdicts (default 0.05; --alpha is relation\'s α)', parseRatio)
    .option('--grid-points <n>', 'λ grid points per model (default 10)', parsePositiveInt)
    .option('--workers <n|auto>', WORKERS_HELP, parseWorkers, 'auto' as WorkersOption);
}

export function registerCompare(program: Command, io: CliIO): void {
  const cmd = program.command('compare').description('compare models with single-task learning on repeated splits (per-task gains, negative transfer)');
  addDataFlags(cmd);
  cmd.option('--mat-x <name>', 'MAT file: the cell array of per-task feature matrices', 'X').option('--mat-y <name>', 'MAT file: the cell array of per-task targets', 'Y');
  addModelFlags(cmd, { withModel: false, reserved: COMPARE_RESERVED });
  addCompareFlags(cmd);
  cmd.option('--report <file>', 'also write the self-contained HTML report here');
  addOutputFlags(cmd, { out: 'also save the result as JSON here (input of `polytask report --from`)' });
  cmd.addHelpText(
    'after',
    `
Examples:
  $ polytask compare --data school.csv --task-col task --target y --splits-file school_splits.csv --report school.html
  $ polytask compare --data landmine.csv --task-col task --target y --models l21,mtrl --splits 5 --seed 1 --json
  $ polytask compare --data usps.csv --one-vs-rest digit --skip set --models mean,trace --folds 3 --out result.json
  (The file names are those of the data shipped in ../shared/data; docs/cli.md.)`,
  );
  cmd.action(async (flags: CompareFlags) => {
    checkOutputsAreNotInputs(io.cwd, [['--data', flags.data], ['--splits-file', flags.splitsFile], ['--graph', flags.graph]], [['--out', flags.out], ['--report', flags.report]]);
    const models = flags.models ? checkModelList(flags.models) : undefined;
    // --alpha was compare's significance level before it became relation's α here as everywhere:
    // an old command line must not silently mean something else.
    if (flags['alpha'] !== undefined && !(models ?? (DEFAULT_MODELS as readonly string[])).includes('relation')) {
      throw new OptionError('--alpha', `is relation's α, and relation is not compared (${['stl', ...(models ?? DEFAULT_MODELS)].join(', ')}); the significance level of the tests is --significance (default 0.05)`);
    }
    const loaded = await loadData(flags, io.cwd);
    checkMagnitudes(loaded.dataset, loaded.file, flags.standardize, flags.target);
    const ds = loaded.dataset;
    let splits;
    if (flags.splitsFile) {
      if (flags.splits !== undefined || flags.testRatio !== undefined) throw new OptionError('--splits-file', 'cannot be combined with --splits or --test-ratio');
      const p = resolve(io.cwd, flags.splitsFile);
      checkReadable(p);
      // Errors name the file as the user typed it.
      splits = givenSplitsFromText(ds, readFileSync(p, 'utf8'), flags.splitsFile);
      if (flags.splitCols) {
        const names = splits.map((s) => s.name ?? '');
        const unknown = flags.splitCols.filter((c) => !names.includes(c));
        if (unknown.length > 0) throw new OptionError('--split-cols', `${flags.splitsFile} has no split column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (it has: ${names.join(', ')})`);
        splits = splits.filter((s) => flags.splitCols!.includes(s.name ?? ''));
      }
    } else if (flags.splitCols) {
      throw new OptionError('--split-cols', 'needs --splits-file');
    }
    const result = await runComparison(io, flags, ds, {
      ...(models ? { models } : {}),
      ...(splits ? { splits } : { repeats: flags.splits ?? 10, testRatio: flags.testRatio ?? 0.25 }),
      seed: flags.seed ?? 0,
      cvFolds: flags.folds ?? 5,
      rule: flags.rule ?? 'min',
      alpha: flags.significance ?? 0.05,
      ...splitModelOptions(modelOptions(flags, ds, io.cwd, undefined, COMPARE_RESERVED), models),
      // --grid-points sets every tuned axis (the 2-D grids of cmtl, mtrl, … too).
      ...(flags.gridPoints ? { cv: { points: flags.gridPoints, points2D: [flags.gridPoints, flags.gridPoints] as [number, number] } } : {}),
      workers: flags.workers ?? 'auto',
    });
    if (flags.out) writeFileAtomic(resolve(io.cwd, flags.out), JSON.stringify(result) + '\n');
    if (flags.report) writeReport(resolve(io.cwd, flags.report), result);
    if (flags.json) {
      out(io, JSON.stringify(result));
      return;
    }
    printComparison(io, result, !!flags.verbose);
    if (flags.out) info(io, flags, `result written to ${flags.out}`);
    if (flags.report) info(io, flags, `report written to ${flags.report}`);
  });
}
