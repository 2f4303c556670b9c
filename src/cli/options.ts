// Flag definitions shared by the sub-commands, so that every command spells and parses a flag the
// same way (docs/cli.md lists them once). Value parsers throw commander's InvalidArgumentError,
// which commander turns into a usage error naming the flag (exit code 2).
import { Command, InvalidArgumentError, Option } from 'commander';
import type { LossName, ModelOptions, Scaling } from '../linear/types.ts';

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
  standardize?: StandardizeMode;
}

export interface ModelFlags {
  model?: string;
  lambda?: number;
  lambda2?: number;
  ridge?: number;
  clusters?: number;
  graph?: string;
  loss?: LossName;
  scale?: Scaling;
  intercept?: boolean; // commander's --no-intercept sets false
  tol?: number;
  maxIter?: number;
  seed?: number;
}

export interface CommonFlags {
  out?: string;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export function addDataFlags(cmd: Command, opts: { requireData?: boolean } = {}): Command {
  const data = new Option('--data <file>', 'the data file (CSV, MAT or JSON)');
  if (opts.requireData !== false) data.makeOptionMandatory();
  return cmd
    .addOption(data)
    .addOption(new Option('--format <format>', 'file format (default: from the extension: .csv/.tsv/.txt, .mat, .json, .arrow/.feather/.ipc, .parquet/.pq)').choices(['csv', 'mat', 'json', 'arrow', 'parquet']))
    .option('--task-col <name>', 'long CSV: the column naming each row\'s task')
    .option('--target <name>', 'long CSV: the target column')
    .option('--targets <a,b,c>', 'wide CSV: one target column per task (missing cells = missing labels)', parseList)
    .option('--features <a,b,c>', 'use only these feature columns', parseList)
    .option('--skip <a,b,c>', 'ignore these columns', parseList)
    .option('--one-vs-rest <col>', 'wide CSV: one binary task per value of this class column (this value vs the rest)')
    .addOption(new Option('--standardize <mode>', 'feature standardisation').choices(['none', 'global', 'task']).default('none'));
}

export function addModelFlags(cmd: Command, opts: { withModel?: boolean } = {}): Command {
  if (opts.withModel !== false) cmd.option('--model <name>', 'model name (see `polytask fit --help`)');
  return cmd
    .option('--lambda <x>', "the model's main weight (L1/L21/trace/chain/graph/mean; tgl: chain; cmtl: ρ1; mtrl: tr(WΩ⁻¹Wᵀ); relation: α)", parseNonNegative)
    .option('--lambda2 <x>', "the second weight (tgl: L21; cmtl: ρ2; P+Q models: weight on Q; mtrl: ‖W‖²_F, the paper's λ1; relation: β)", parseNonNegative)
    .option('--ridge <x>', 'adds ridge·‖W‖²_F to any model', parseNonNegative)
    .option('--clusters <k>', 'cmtl: number of task clusters', parsePositiveInt)
    .option('--graph <file>', 'graph: task edge list CSV with columns from,to[,weight]')
    .addOption(new Option('--loss <loss>', 'loss (default: squared for regression, logistic for binary labels)').choices(['squared', 'logistic']))
    .addOption(new Option('--scale <scale>', 'per-task loss scaling c_t: sum (1) or mean (1/n_t)').choices(['sum', 'mean']))
    .option('--no-intercept', 'fit without per-task intercepts')
    .option('--tol <x>', 'stopping tolerance on the relative optimality measure', parsePositive)
    .option('--max-iter <n>', 'iteration cap', parsePositiveInt)
    .option('--seed <n>', 'random seed (splits, initialisation)', parseSeed);
}

export function addOutputFlags(cmd: Command, opts: { out?: string | false } = {}): Command {
  if (opts.out !== false) cmd.option('--out <file>', opts.out ?? 'output file');
  return cmd
    .option('--json', 'machine-readable JSON on stdout (no progress, no tables)')
    .option('--verbose', 'more detail; stack traces on errors')
    .option('--quiet', 'no progress or informational messages');
}

/** ModelOptions from flags (only the ones given: a model's own defaults fill the rest). */
export function modelOptionsFromFlags(f: ModelFlags): ModelOptions {
  const o: ModelOptions = {};
  if (f.lambda !== undefined) o.lambda = f.lambda;
  if (f.lambda2 !== undefined) o.lambda2 = f.lambda2;
  if (f.ridge !== undefined) o.ridge = f.ridge;
  if (f.clusters !== undefined) o.clusters = f.clusters;
  if (f.loss !== undefined) o.loss = f.loss;
  if (f.scale !== undefined) o.scale = f.scale;
  if (f.intercept === false) o.intercept = false;
  if (f.tol !== undefined) o.tol = f.tol;
  if (f.maxIter !== undefined) o.maxIter = f.maxIter;
  if (f.seed !== undefined) o.seed = f.seed;
  return o;
}
