// `polytask report --from RESULT.json`: the HTML report of a saved comparison (compare --json or
// compare --out). The JSON is checked for the fields the report needs before anything is written.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DataError, ParseError } from '../errors.ts';
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

export function registerReport(program: Command, io: CliIO): void {
  const cmd = program
    .command('report')
    .description('write the self-contained HTML report of a saved comparison')
    .requiredOption('--from <file>', 'a comparison result saved by `polytask compare --out FILE` (or its --json output)')
    .option('--out <file>', 'the HTML file to write', 'polytask-report.html')
    .option('--verbose', 'stack traces on errors')
    .option('--quiet', 'no informational messages');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ polytask compare --data school.csv --task-col task --target y --out result.json
  $ polytask report --from result.json --out school-report.html`,
  );
  cmd.action((flags: { from: string } & CommonFlags) => {
    checkOutputsAreNotInputs(io.cwd, [['--from', flags.from]], [['--out', flags.out ?? 'polytask-report.html']]);
    const r = readComparisonResult(resolve(io.cwd, flags.from), flags.from);
    const outFile = flags.out ?? 'polytask-report.html';
    writeReport(resolve(io.cwd, outFile), r);
    info(io, flags, `report written to ${outFile}`);
  });
}
