// Flag definitions shared by the sub-commands, so that every command spells and parses a flag the
// same way (docs/cli.md lists them once). Value parsers throw commander's InvalidArgumentError,
// which commander turns into a usage error naming the flag (exit code 2).
import { Command, InvalidArgumentError, Option } from 'commander';
import { OptionError } from '../errors.ts';
import type { Options, ParamDecl } from '../estimator/contract.ts';
import { helpLines } from '../estimator/params.ts';
import { allModels, modelInfo } from '../estimator/registry.ts';
import { lossNames } from '../linear/loss/registry.ts';
import type { LossName, Scaling } from '../linear/types.ts';

// ---------------------------------------------------------------------------------------------
// Value parsers (pure)

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A finite decimal number; rejects "", "1e", "0x10", "Infinity", "1,5". */
export function parseNumber(raw: string): number {
  const s = raw.trim();
  if (!NUMBER.test(s)) throw new InvalidArgumentError(`expected a number, got "${raw}".`);
  const v = Number(s);
  if (!Number.isFinite(v)) throw new InvalidArgumentError(`expected a finite number, got "${raw}".`);
  return v;
}

export function parseNonNegative(raw: string): number {
  const v = parseNumber(raw);
  if (v < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got "${raw}".`);
  return v;
}

export function parsePositive(raw: string): number {
  const v = parseNumber(raw);
  if (!(v > 0)) throw new InvalidArgumentError(`expected a number > 0, got "${raw}".`);
  return v;
}

export function parsePositiveInt(raw: string): number {
  const v = parseNumber(raw);
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${raw}".`);
  return v;
}

export function parseSeed(raw: string): number {
  const v = parseNumber(raw);
  if (!Number.isInteger(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${raw}".`);
  return v;
}

/** A comma-separated list of non-empty names ("a,b , c" → [a, b, c]). */
export function parseList(raw: string): string[] {
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s.length === 0)) throw new InvalidArgumentError(`expected a comma-separated list of names, got "${raw}".`);
  return items;
}

/** A comma-separated list of numbers (a λ grid). */
export function parseNumberList(raw: string): number[] {
  return parseList(raw).map((s) => parseNonNegative(s));
}

// ---------------------------------------------------------------------------------------------
// Flag groups

export type DataFormat = 'csv' | 'mat' | 'json' | 'arrow' | 'parquet';
export type StandardizeMode = 'none' | 'global' | 'task';

export interface DataFlags {
  data?: string;
  format?: DataFormat;
  taskCol?: string;
  target?: string;
  targets?: string[];
  features?: string[];
  skip?: string[];
  oneVsRest?: string;
  classes?: number;
  standardize?: StandardizeMode;
}

/** Model flags: the common ones below plus every registered model's declared parameters (camelCase keys). */
export interface ModelFlags {
  model?: string;
  graph?: string;
  loss?: LossName;
  scale?: Scaling;
  intercept?: boolean; // commander's --no-intercept sets false
  tol?: number;
  maxIter?: number;
  seed?: number;
  [param: string]: unknown;
}

export interface CommonFlags {
  out?: string;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export function addDataFlags(cmd: Command, opts: { requireData?: boolean } = {}): Command {
  const data = new Option('--data <file>', 'the data file (CSV, Arrow, Parquet, MAT or JSON)');
  if (opts.requireData !== false) data.makeOptionMandatory();
  return cmd
    .addOption(data)
    .addOption(new Option('--format <format>', 'file format (default: from the extension: .csv/.tsv/.txt, .mat, .json, .arrow/.feather/.ipc, .parquet/.pq)').choices(['csv', 'mat', 'json', 'arrow', 'parquet']))
    .option('--task-col <name>', 'long form: the column naming each row\'s task')
    .option('--target <name>', 'long form: the target column')
    .option('--targets <a,b,c>', 'wide form: one target column per task (missing cells = missing labels)', parseList)
    .option('--features <a,b,c>', 'use only these feature columns', parseList)
    .option('--skip <a,b,c>', 'ignore these columns', parseList)
    .option('--one-vs-rest <col>', 'wide CSV: one binary task per value of this class column (this value vs the rest)')
    .option('--classes <K>', 'multiclass tasks: the targets are class labels 0..K−1 (neural models: softmax heads, accuracy)', parsePositiveInt)
    .addOption(new Option('--standardize <mode>', 'feature standardisation').choices(['none', 'global', 'task']).default('none'));
}

/** Flags handled here rather than from a model's declarations (files, negations, choices). */
const SPECIAL = new Set(['graph', 'perTaskLambda', 'loss', 'scale', 'intercept', 'tol', 'maxIter', 'seed', 'standardize']);

/** Every declared parameter of every registered model, once per flag (the CLI accepts them all and
 * then checks that the chosen model declares the ones given: modelOptionsFromFlags). */
export function declaredModelParams(): ParamDecl[] {
  const seen = new Map<string, ParamDecl>();
  for (const m of allModels()) for (const p of m.params) if (!SPECIAL.has(p.name) && p.type !== 'json' && !seen.has(p.name)) seen.set(p.name, p);
  return [...seen.values()];
}

function parserOf(p: ParamDecl): ((raw: string) => unknown) | undefined {
  switch (p.type) {
    case 'number':
      return parseNumber;
    case 'integer':
      return (raw: string) => {
        const v = parseNumber(raw);
        if (!Number.isInteger(v)) throw new InvalidArgumentError(`expected a whole number, got "${raw}".`);
        return v;
      };
    case 'number-list':
      return parseNumberList;
    case 'boolean':
      return undefined;
    default:
      return (raw: string) => raw;
  }
}

/** A help text up to its first ',' or ';' outside parentheses (a shared flag's help names many
 * models, so only its opening clause is shown; cutting inside "(Cholesky/CG, ...)" left it unclosed). */
export function firstClause(help: string): string {
  let depth = 0;
  for (let i = 0; i < help.length; i++) {
    const c = help[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if ((c === ',' || c === ';') && depth === 0) return help.slice(0, i);
  }
  return help;
}

/** `reserved`: flags the command uses for something else (compare's --alpha is the significance
 * level; relation's α is then tuned by CV or set through the library). */
export function addModelFlags(cmd: Command, opts: { withModel?: boolean; reserved?: readonly string[] } = {}): Command {
  if (opts.withModel !== false) cmd.option('--model <name>', 'model name (`polytask fit --model X --help` lists X\'s own options)');
  // Every model's own parameters, generated from the declarations (ranges are checked by the
  // estimator, which names the option and its flag).
  for (const p of declaredModelParams()) {
    if (opts.reserved?.includes(p.flag)) continue;
    const models = allModels().filter((m) => m.params.some((q) => q.name === p.name)).map((m) => m.name);
    const help = models.length > 4 ? `${firstClause(p.help)} (${models.length} models)` : `${models.join(', ')}: ${p.help}`;
    const parser = parserOf(p);
    if (p.type === 'boolean') cmd.option(p.flag, help);
    else if (p.type === 'enum' && p.choices) cmd.addOption(new Option(`${p.flag} <${p.name}>`, help).choices([...new Set(allModels().flatMap((m) => m.params.filter((q) => q.name === p.name).flatMap((q) => q.choices ?? [])))]));
    else cmd.option(`${p.flag} <x>`, help, parser as (raw: string) => number);
  }
  return cmd
    .option('--graph <file>', 'graph: task edge list CSV with columns from,to[,weight]')
    .addOption(new Option('--loss <loss>', 'loss (default: squared for regression, logistic for binary labels, poisson for counts)').choices(lossNames()))
    .addOption(new Option('--scale <scale>', 'per-task loss scaling c_t: sum (1) or mean (1/n_t)').choices(['sum', 'mean']))
    .option('--no-intercept', 'fit without per-task intercepts')
    .option('--tol <x>', 'stopping tolerance on the relative optimality measure', parsePositive)
    .option('--max-iter <n>', 'iteration cap', parsePositiveInt)
    .option('--seed <n>', 'random seed (splits, initialisation)', parseSeed);
}

/** `--help` text of one model: its summary and every option it declares. */
export function modelHelp(name: string): string {
  const m = modelInfo(name);
  return `\nModel ${m.name} (${m.engine}): ${m.summary}\nIts options:\n${helpLines(m.params).join('\n')}\n`;
}

export function addOutputFlags(cmd: Command, opts: { out?: string | false } = {}): Command {
  if (opts.out !== false) cmd.option('--out <file>', opts.out ?? 'output file');
  return cmd
    .option('--json', 'machine-readable JSON on stdout (no progress, no tables)')
    .option('--verbose', 'more detail; stack traces on errors')
    .option('--quiet', 'no progress or informational messages');
}

/** The chosen model's options from the flags given (its own defaults fill the rest). A model
 * parameter flag that this model does not declare is an error naming the flag and the model's own. */
export function modelOptionsFromFlags(f: ModelFlags, model?: string, reserved: readonly string[] = []): Record<string, Options[string]> {
  const o: Record<string, Options[string]> = {};
  const decl = model ? modelInfo(model) : undefined;
  for (const p of declaredModelParams()) {
    if (reserved.includes(p.flag)) continue;
    const v = f[p.name];
    if (v === undefined) continue;
    if (decl && !decl.params.some((q) => q.name === p.name)) {
      const own = decl.params.filter((q) => !SPECIAL.has(q.name) && q.type !== 'json').map((q) => q.flag);
      throw new OptionError(p.flag, `model "${decl.name}" has no such option (its own: ${own.join(', ') || 'none'}; see polytask fit --model ${decl.name} --help)`);
    }
    o[p.name] = v as Options[string];
  }
  if (f.loss !== undefined) o['loss'] = f.loss;
  if (f.scale !== undefined) o['scale'] = f.scale;
  if (f.intercept === false) o['intercept'] = false;
  if (f.tol !== undefined) o['tol'] = f.tol;
  if (f.maxIter !== undefined) o['maxIter'] = f.maxIter;
  if (f.seed !== undefined) o['seed'] = f.seed;
  return o;
}
