// `polytask report`: the HTML report of a saved comparison (`--from`, compare --json or --out), of a
// saved task grouping (`--group`, group --out or --json: affinity, groups and their measured
// result, then the comparison), of an affinity matrix (`--affinity`, affinity --json), and of model files (`--model`, e.g. from `polytask train --out`:
// the panels their engine draws — training curves, gates, task competition). Every input is
// checked for the fields the report needs before anything is written.
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { DataError, OptionError, ParseError } from '../errors.ts';
import { loadEstimator } from '../estimator/registry.ts';
import { serialiseLearned } from '../eval/compare.ts';
import { renderAffinityReportHtml, renderModelReportHtml } from '../report/html.ts';
import type { PanelSource } from '../report/panels.ts';
import { checkAffinityReport, checkGroupReport } from '../report/selection.ts';
import { writeFileAtomic } from './atomic.ts';
import { readModelFile } from './model-file.ts';
import { parseList } from './options.ts';
import type { ComparisonResult } from '../eval/types.ts';
import { info, readUserFile, type CliIO } from './io.ts';
import { checkOutputsAreNotInputs } from './paths.ts';
import { writeReport } from './run-compare.ts';
import type { CommonFlags } from './options.ts';

/** Structural check of a parsed comparison result; names the first missing or wrong field. */
export function checkComparisonResult(v: unknown, file: string): ComparisonResult {
  const bad = (path: string, want: string): never => {
    throw new DataError(`${file}: not a polytask comparison result (${path} should be ${want}); produce one with \`polytask compare --out FILE\` or \`--json\``);
  };
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (!isObj(v)) return bad('the top level', 'an object');
  if (!isObj(v.dataset)) bad('dataset', 'an object');
  const ds = v.dataset as Record<string, unknown>;
  if (!Array.isArray(ds.tasks) || !ds.tasks.every((t) => isObj(t) && typeof t.name === 'string' && typeof t.n === 'number')) bad('dataset.tasks', 'a list of {name, n}');
  if (!Array.isArray(ds.features)) bad('dataset.features', 'a list of names');
  if (!isObj(v.protocol)) bad('protocol', 'an object');
  if (v.primaryMetric !== 'rmse' && v.primaryMetric !== 'auc') bad('primaryMetric', '"rmse" or "auc"');
  if (typeof v.higherIsBetter !== 'boolean') bad('higherIsBetter', 'true or false');
  if (typeof v.baseline !== 'string') bad('baseline', 'a model name');
  if (!Array.isArray(v.models) || v.models.length === 0) bad('models', 'a non-empty list');
  (v.models as unknown[]).forEach((m, i) => {
    if (!isObj(m) || typeof m.name !== 'string') bad(`models[${i}].name`, 'a string');
    const mm = m as Record<string, unknown>;
    if (!isObj(mm.metrics)) bad(`models[${i}].metrics`, 'an object');
    if (!Array.isArray(mm.tasks)) bad(`models[${i}].tasks`, 'a list');
    if (!Array.isArray(mm.chosen)) bad(`models[${i}].chosen`, 'a list');
  });
  return v as unknown as ComparisonResult;
}

export function readComparisonResult(path: string, shown: string): ComparisonResult {
  const text = readUserFile(path, shown);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ParseError({ file: shown }, `not valid JSON (${(e as Error).message})`);
  }
  return checkComparisonResult(v, shown);
}

function readJSON(path: string, shown: string): unknown {
  const text = readUserFile(path, shown);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ParseError({ file: shown }, `not valid JSON (${(e as Error).message})`);
  }
}

/** A model file as a panel source (its learned state rebuilt by its engine, as `predict` loads it). */
export function modelPanelSource(path: string, shown: string): PanelSource {
  const json = readModelFile(path);
  const est = loadEstimator(json);
  const learned = est.learned;
  if (!learned) throw new DataError(`${shown}: model "${json.model}" (engine ${json.engine}) records no learned state to draw`);
  return { label: basename(shown).replace(/\.json$/, ''), engine: json.engine, model: json.model, tasks: [...json.taskNames], learned: serialiseLearned(learned) };
}

interface ReportFlags extends CommonFlags {
  from?: string;
  group?: string;
  affinity?: string;
  model?: string[];
}

export function registerReport(program: Command, io: CliIO): void {
  const cmd = program
    .command('report')
    .description('write the self-contained HTML report of a saved comparison, task grouping or trained model')
    .option('--from <file>', 'a comparison result saved by `polytask compare --out FILE` (or its --json output)')
    .option('--group <file>', 'a task-grouping result saved by `polytask group --out FILE` (or its --json output)')
    .option('--affinity <file>', 'a task-affinity matrix saved from `polytask affinity --json` (alone)')
    .option('--model <a.json,b.json>', 'model files (e.g. `polytask train --out`) whose training curves, gates and competition to draw', parseList)
    .option('--out <file>', 'the HTML file to write', 'polytask-report.html')
    .option('--verbose', 'stack traces on errors')
    .option('--quiet', 'no informational messages');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ polytask compare --data school.csv --task-col task --target y --out result.json
  $ polytask report --from result.json --out school-report.html
  $ polytask group --data landmine.csv --task-col task --target y --model pooled --lambda 0.1 --budget 3 --measure leave-one-out --out groups.json
  $ polytask report --group groups.json --out groups.html
  $ polytask train --data usps.csv --one-vs-rest digit --skip set --arch mmoe --experts 4 --epochs 5 --out mmoe.json
  $ polytask report --model mmoe.json --out mmoe.html`,
  );
  cmd.action((flags: ReportFlags) => {
    const outFile = flags.out ?? 'polytask-report.html';
    if (!flags.from && !flags.group && !flags.model && !flags.affinity) throw new OptionError('--from', 'give a comparison (--from), a grouping (--group), an affinity (--affinity) or model files (--model)');
    if (flags.affinity && (flags.from || flags.group || flags.model)) throw new OptionError('--affinity', 'draws an affinity matrix alone (a group result carries its affinity: use --group)');
    if (flags.from && flags.group) throw new OptionError('--group', 'a group result carries its own comparison: give --from or --group, not both');
    const inputs: [string, string | undefined][] = [['--from', flags.from], ['--group', flags.group], ['--affinity', flags.affinity], ...(flags.model ?? []).map((m): [string, string] => ['--model', m])];
    checkOutputsAreNotInputs(io.cwd, inputs, [['--out', outFile]]);
    const models = (flags.model ?? []).map((m) => modelPanelSource(resolve(io.cwd, m), m));
    const extras = models.length > 0 ? { panels: models } : {};
    if (flags.affinity) {
      writeFileAtomic(resolve(io.cwd, outFile), renderAffinityReportHtml(checkAffinityReport(readJSON(resolve(io.cwd, flags.affinity), flags.affinity), flags.affinity)));
    } else if (flags.group) {
      const g = checkGroupReport(readJSON(resolve(io.cwd, flags.group), flags.group), flags.group);
      const r = checkComparisonResult(g.comparison, `${flags.group} (its comparison)`);
      writeReport(resolve(io.cwd, outFile), r, { ...extras, group: g });
    } else if (flags.from) {
      writeReport(resolve(io.cwd, outFile), readComparisonResult(resolve(io.cwd, flags.from), flags.from), extras);
    } else {
      writeFileAtomic(resolve(io.cwd, outFile), renderModelReportHtml(models));
    }
    info(io, flags, `report written to ${outFile}`);
  });
}
