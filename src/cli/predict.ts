// `polytask predict`: a model file and a CSV of new rows in, one prediction per row (and task)
// out, as CSV: row,task,prediction[,probability]. The CSV must carry exactly the model's feature
// columns (by name; order does not matter) plus the task column and any columns named in --skip;
// anything else is refused by name, as are tasks the model does not know. A model file written by
// `fit --out` or `train --out` remembers the training file's task, label and skipped columns
// (payload.columns): a file of the same layout — the training file itself, or a labelled test
// file — is read without repeating those flags; flags given on the command line win.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { DataError, FeatureMismatchError, OptionError, ParseError, PolytaskError, UnknownTaskError, UnsupportedError } from '../errors.ts';
import { classifyCell } from '../data/csv.ts';
import { MissingCellError, NonFiniteCellError, NonNumericCellError } from '../data/errors.ts';
import { Matrix } from '../linalg/matrix.ts';
import type { Estimator, EstimatorJSON } from '../estimator/contract.ts';
import { loadEstimator } from '../estimator/registry.ts';
import { writeFileAtomic } from './atomic.ts';
import { checkReadable } from './data-load.ts';
import { info, type CliIO } from './io.ts';
import { checkOutputsAreNotInputs } from './paths.ts';
import { readModelFile } from './model-file.ts';
import { addOutputFlags, parseList, type CommonFlags } from './options.ts';

export interface PredictFlags extends CommonFlags {
  model?: string;
  data?: string;
  taskCol?: string;
  skip?: string[];
  target?: string;
}

/** New rows grouped by task: the feature matrix and the 0-based data rows of each group. */
export interface RowsByTask {
  readonly task: string;
  readonly rows: number[];
  readonly X: Matrix;
}

interface Rec {
  record: string[];
  info: { lines: number };
}

/** The columns `predict` reads and ignores in a file: the flags', else the training layout's. */
export interface PredictColumns {
  /** The task column, if any (without one, every task of the model is predicted for every row). */
  readonly taskCol?: string;
  /** Columns that are neither features nor the task column and are not refused. */
  readonly ignored: ReadonlySet<string>;
  /** Every other column is ignored too (the model's features were listed with --features). */
  readonly ignoreOthers: boolean;
  /** What was taken from the model file's training layout, for a note to the user ([] if nothing). */
  readonly fromModel: readonly string[];
}

/**
 * The task column and the ignored columns of a file with this header. The flags win; without them,
 * the training layout the model file remembers applies to the columns the file has (a test file
 * may lack its labels).
 */
export function predictColumns(header: readonly string[], model: Pick<EstimatorJSON, 'columns'>, flags: Pick<PredictFlags, 'taskCol' | 'skip' | 'target'>): PredictColumns {
  const has = new Set(header);
  const c = model.columns;
  const fromModel: string[] = [];
  let taskCol = flags.taskCol;
  if (taskCol === undefined && c?.taskCol !== undefined && has.has(c.taskCol)) {
    taskCol = c.taskCol;
    fromModel.push(`task column "${taskCol}"`);
  }
  const ignored = new Set<string>([...(flags.target ? [flags.target] : []), ...(flags.skip ?? [])]);
  const trained = [...(c?.targets ?? []), ...(c?.skip ?? [])].filter((h) => has.has(h) && !ignored.has(h) && h !== taskCol);
  for (const h of trained) ignored.add(h);
  if (trained.length > 0) fromModel.push(`ignoring ${trained.map((h) => `"${h}"`).join(', ')}`);
  const ignoreOthers = c?.featuresListed === true;
  return { ...(taskCol !== undefined ? { taskCol } : {}), ignored, ignoreOthers, fromModel };
}

/**
 * Reads the CSV's feature columns in the model's order. Rows without a task column (a model of a
 * single task, or a multi-output model: every task for every row) are predicted for every task.
 */
export function readPredictCsv(text: string, file: string, model: Pick<EstimatorJSON, 'featureNames' | 'taskNames' | 'columns'>, flags: Pick<PredictFlags, 'taskCol' | 'skip' | 'target'>): { groups: RowsByTask[]; columns: PredictColumns } {
  let recs: Rec[];
  try {
    recs = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as unknown as Rec[];
  } catch (e) {
    throw new ParseError({ file }, `not a readable CSV (${(e as Error).message})`);
  }
  if (recs.length === 0) throw new ParseError({ file }, 'the file is empty (expected a header row)');
  const header = recs[0]!.record.map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h, i]));
  const features = model.featureNames;
  const missing = features.filter((f) => !col.has(f));
  if (missing.length > 0) {
    throw new FeatureMismatchError(`${file}: missing feature column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} that the model was trained on (the model's features: ${features.join(', ')})`);
  }
  if (flags.taskCol !== undefined && !col.has(flags.taskCol)) throw new OptionError('--task-col', `${file} has no column "${flags.taskCol}" (columns: ${header.join(', ')})`);
  const columns = predictColumns(header, model, flags);
  const taskCol = columns.taskCol;
  const allowed = new Set<string>([...features, ...(taskCol ? [taskCol] : []), ...columns.ignored]);
  const extra = columns.ignoreOthers ? [] : header.filter((h) => !allowed.has(h));
  if (extra.length > 0) {
    throw new FeatureMismatchError(
      `${file}: column${extra.length > 1 ? 's' : ''} ${extra.map((m) => `"${m}"`).join(', ')} ${extra.length > 1 ? 'are' : 'is'} not among the model's features (${features.join(', ')}); ` +
        `name the task column with --task-col and ignore other columns with --skip`,
    );
  }
  const featIdx = features.map((f) => col.get(f)!);
  const taskIdx = taskCol !== undefined ? col.get(taskCol)! : -1;
  const known = new Set(model.taskNames);
  const groups = new Map<string, { rows: number[]; values: number[] }>();
  const addTo = (task: string, row: number, values: number[]): void => {
    let g = groups.get(task);
    if (!g) groups.set(task, (g = { rows: [], values: [] }));
    g.rows.push(row);
    for (const v of values) g.values.push(v);
  };
  for (let r = 1; r < recs.length; r++) {
    const { record, info: where } = recs[r]!;
    const line = where.lines;
    if (record.length !== header.length) throw new ParseError({ file, line }, `has ${record.length} fields, the header has ${header.length}`);
    const values = featIdx.map((j) => {
      const cell = record[j]!;
      const pos = { file, line, column: j + 1, columnName: header[j]! };
      const c = classifyCell(cell);
      if (c.kind === 0) return c.value;
      if (c.kind === 1) throw new MissingCellError(pos, 'every feature needs a value to predict');
      if (c.kind === 2) throw new NonFiniteCellError(pos, cell);
      throw new NonNumericCellError(pos, cell);
    });
    const row = r - 1;
    if (taskIdx >= 0) {
      const task = record[taskIdx]!.trim();
      if (!known.has(task)) {
        const e = new UnknownTaskError(task, model.taskNames);
        e.message = `${file}:${line}: ${e.message}`;
        throw e;
      }
      addTo(task, row, values);
    } else {
      // No task column: predict every task of the model for this row.
      for (const t of model.taskNames) addTo(t, row, values);
    }
  }
  const d = features.length;
  return { groups: [...groups.entries()].map(([task, g]) => ({ task, rows: g.rows, X: new Matrix(g.rows.length, d, Float64Array.from(g.values)) })), columns };
}

export interface Prediction {
  readonly row: number;
  readonly task: string;
  readonly prediction: number | string;
  /** Binary: P(y = +1); multiclass: the probability of the predicted class. */
  readonly probability?: number;
  /** Multiclass: the probability of every class, in the order of the model's class labels. */
  readonly probabilities?: readonly number[];
}

/** Predictions for grouped rows of raw features, for a model of any engine (the estimator applies
 * its stored preprocessing): regression values, count rates and binary labels with P(y = +1),
 * all on the response scale through the model's link (predictResponse). */
export function predictRows(est: Estimator, model: EstimatorJSON, groups: readonly RowsByTask[]): Prediction[] {
  const out: Prediction[] = [];
  for (const g of groups) {
    const X = g.X;
    const kind = model.taskKinds[model.taskNames.indexOf(g.task)] ?? model.taskKinds[0];
    if (kind === 'multiclass') {
      // The most probable class (its label) and its probability; --json adds every class's.
      const labels = model.classes?.[model.taskNames.indexOf(g.task)] ?? [];
      if (!est.classProbabilities) throw new UnsupportedError(`model "${model.model}" gives no class probabilities for the multiclass task "${g.task}"`);
      const P = est.classProbabilities(X, g.task);
      const K = P.cols;
      g.rows.forEach((row, i) => {
        const p = Array.from(P.data.subarray(i * K, (i + 1) * K));
        let best = 0;
        for (let c = 1; c < K; c++) if (p[c]! > p[best]!) best = c;
        out.push({ row, task: g.task, prediction: labels[best] ?? String(best), probability: p[best]!, probabilities: p });
      });
      continue;
    }
    const z = est.predictResponse ? est.predictResponse(X, g.task) : est.predict(X, g.task);
    if (kind === 'binary') {
      const p = est.predictResponse ? z : z.map((v) => 1 / (1 + Math.exp(-v)));
      const lm = model.labelMap ?? { negative: '-1', positive: '1' };
      g.rows.forEach((row, i) => out.push({ row, task: g.task, prediction: p[i]! >= 0.5 ? lm.positive : lm.negative, probability: p[i]! }));
    } else {
      g.rows.forEach((row, i) => out.push({ row, task: g.task, prediction: z[i]! }));
    }
  }
  // File order, then the model's task order.
  const order = new Map(model.taskNames.map((t, i) => [t, i]));
  return out.sort((a, b) => a.row - b.row || order.get(a.task)! - order.get(b.task)!);
}

/**
 * Refuses predictions that are not finite (a model with weights near 1e308 or rows with features
 * near 1e308 overflow x·w): names the task and the first rows (0-based data rows, as the output's
 * `row` column counts them) so the user can find them; nothing is written (issue 16).
 */
export function checkFinitePredictions(preds: readonly Prediction[], file: string, modelFile: string): void {
  const bad = preds.filter((p) => (typeof p.prediction === 'number' && !Number.isFinite(p.prediction)) || (p.probability !== undefined && !Number.isFinite(p.probability)));
  if (bad.length === 0) return;
  const byTask = new Map<string, number[]>();
  for (const p of bad) byTask.set(p.task, [...(byTask.get(p.task) ?? []), p.row]);
  const parts = [...byTask.entries()].map(([task, rows]) => `task "${task}" at row${rows.length > 1 ? 's' : ''} ${rows.slice(0, 5).join(', ')}${rows.length > 5 ? `, … (${rows.length} rows)` : ''}`);
  throw new DataError(`${file}: ${bad.length} prediction${bad.length > 1 ? 's are' : ' is'} not finite (overflow): ${parts.join('; ')} (rows counted from 0 after the header); the weights in ${modelFile} or these rows' features are too large — check them, or refit on standardised features (--standardize)`);
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function predictionsCsv(preds: readonly Prediction[], binary: boolean): string {
  const lines = [binary ? 'row,task,prediction,probability' : 'row,task,prediction'];
  for (const p of preds) {
    const base = `${p.row},${csvCell(p.task)},${typeof p.prediction === 'string' ? csvCell(p.prediction) : String(p.prediction)}`;
    lines.push(binary ? `${base},${p.probability === undefined ? "" : String(p.probability)}` : base);
  }
  return lines.join('\n') + '\n';
}

export function registerPredict(program: Command, io: CliIO): void {
  const cmd = program
    .command('predict')
    .description('predict new rows with a saved model; writes CSV row,task,prediction[,probability] (multiclass: the most probable class and its probability; --json adds every class\'s)')
    .requiredOption('--model <file>', 'a model file written by `polytask fit --out`')
    .requiredOption('--data <file>', 'CSV of new rows with the model\'s feature columns (by name)')
    .option('--task-col <name>', 'the column naming each row\'s task (default: the training file\'s task column when this file has it; without one: every task for every row)')
    .option('--target <name>', 'a target column to ignore (the training file\'s label columns are ignored anyway)')
    .option('--skip <a,b,c>', 'other columns to ignore (the columns skipped in training are ignored anyway)', parseList);
  addOutputFlags(cmd, { out: 'write the predictions CSV here (default: stdout)' });
  cmd.addHelpText(
    'after',
    `
Examples:
  $ polytask predict --model l21.model.json --data school.csv --out predictions.csv     # the training layout: task column and label from the model file
  $ polytask predict --model l21.model.json --data school.csv --task-col task --target y --out predictions.csv     # the same, flags spelled out
  $ polytask predict --model usps.model.json --data usps.csv --skip set,digit`,
  );
  cmd.action(async (flags: PredictFlags) => {
    checkOutputsAreNotInputs(io.cwd, [['--model', flags.model], ['--data', flags.data]], [['--out', flags.out]]);
    const modelPath = resolve(io.cwd, flags.model!);
    const model = readModelFile(modelPath);
    const est = loadEstimator(model);
    const dataPath = resolve(io.cwd, flags.data!);
    checkReadable(dataPath);
    let text: string;
    try {
      text = readFileSync(dataPath, 'utf8');
    } catch (e) {
      throw new PolytaskError('IO', `${flags.data}: cannot read (${(e as { code?: string }).code ?? 'error'})`);
    }
    const { groups, columns } = readPredictCsv(text, flags.data!, model, flags);
    if (columns.fromModel.length > 0) info(io, flags, `${flags.data}: the training layout from ${flags.model}: ${columns.fromModel.join('; ')}`);
    const preds = predictRows(est, model, groups);
    checkFinitePredictions(preds, flags.data!, flags.model!);
    const csv = predictionsCsv(preds, model.taskKinds.includes('binary') || model.taskKinds.includes('multiclass'));
    if (flags.json) {
      io.stdout.write(JSON.stringify({ model: model.model, predictions: preds }) + '\n');
    } else if (flags.out) {
      writeFileAtomic(resolve(io.cwd, flags.out), csv);
      info(io, flags, `${preds.length} predictions written to ${flags.out}`);
    } else {
      io.stdout.write(csv);
    }
  });
}
