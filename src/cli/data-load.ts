// Loading the user's data for a command: format from --format or the extension, the loader's own
// options from the shared flags, then optional standardisation. Loading and checking live in
// src/data/; this file only maps flags to their options.
import { extname, isAbsolute, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { OptionError, PolytaskError } from '../errors.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';
import type { DataColumns } from '../estimator/contract.ts';
import { loadCsv, summariseCsv, type CsvOptions, type CsvReport, type CsvSummaryReport } from '../data/csv.ts';
import type { ColumnarOptions } from '../data/columnar.ts';
import { summariseDataset, type Inspection } from '../data/summary.ts';
import { toMulticlass } from '../data/multiclass.ts';
import type { DataFlags, DataFormat } from './options.ts';

export interface Loaded {
  readonly dataset: MultiTaskDataset;
  readonly file: string;
  readonly format: DataFormat;
  /** CSV only: what the loader did (rows dropped, label map rule, ...). */
  readonly csvReport?: CsvReport;
}

export interface MatFlags {
  matX?: string;
  matY?: string;
}

export function formatOf(file: string, given?: DataFormat): DataFormat {
  if (given) return given;
  const ext = extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv') return 'csv';
  if (ext === '.mat') return 'mat';
  if (ext === '.json') return 'json';
  if (ext === '.arrow' || ext === '.feather' || ext === '.ipc') return 'arrow';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw new OptionError('--format', `cannot tell the format of "${file}" from its extension; give --format csv|mat|json|arrow|parquet`);
}

/** A readable regular file, or a one-line error naming it (before any loader touches it). */
export function checkReadable(file: string): void {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new PolytaskError('IO', `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read (${code ?? 'error'})`}`);
  }
  if (st.isDirectory()) throw new PolytaskError('IO', `${file}: is a directory, expected a data file`);
}

export async function loadData(flags: DataFlags & MatFlags, cwd: string): Promise<Loaded> {
  const loaded = await loadFile(flags, cwd);
  if (flags.classes === undefined) return loaded;
  // --classes K: the targets, read as numbers, are class labels 0..K−1 (src/data/multiclass.ts).
  const what = flags.target !== undefined ? `target "${flags.target}"` : flags.targets !== undefined ? 'the target' : 'the label';
  return { ...loaded, dataset: toMulticlass(loaded.dataset, flags.classes, what) };
}

/**
 * The non-feature columns of a table the data was read from (CSV, Arrow, Parquet), for the model
 * file: `predict` then reads a file of the training layout without the user repeating the flags.
 * Undefined for MAT and JSON input, which have no columns.
 */
export function dataColumns(flags: DataFlags, format: DataFormat): DataColumns | undefined {
  if (format !== 'csv' && format !== 'arrow' && format !== 'parquet') return undefined;
  const targets = flags.target !== undefined ? [flags.target] : flags.targets ?? (flags.oneVsRest !== undefined ? [flags.oneVsRest] : []);
  return {
    ...(flags.taskCol !== undefined ? { taskCol: flags.taskCol } : {}),
    ...(targets.length > 0 ? { targets: [...targets] } : {}),
    ...(flags.skip && flags.skip.length > 0 ? { skip: [...flags.skip] } : {}),
    ...(flags.features !== undefined ? { featuresListed: true } : {}),
  };
}

/** The file to read (as the loaders should name it), as the user typed it, and its format; checked readable. */
function dataFile(flags: DataFlags, cwd: string): { file: string; shown: string; format: DataFormat } {
  if (!flags.data) throw new OptionError('--data', 'is required');
  // Loaders name the path they were given in every message: give them the path as the user typed it
  // whenever that resolves to the same file (always, in the real CLI).
  const file = isAbsolute(flags.data) || cwd === process.cwd() ? flags.data : resolve(cwd, flags.data);
  const shown = flags.data;
  const format = formatOf(shown, flags.format);
  checkReadable(file);
  return { file, shown, format };
}

/** The --task-col/--target, --targets, --one-vs-rest and --classes rules of the tabular formats. */
function checkTableFlags(flags: DataFlags): void {
  const forms = [flags.taskCol !== undefined || flags.target !== undefined, flags.targets !== undefined, flags.oneVsRest !== undefined].filter(Boolean).length;
    if (forms === 0 || (flags.taskCol === undefined) !== (flags.target === undefined)) {
      throw new OptionError(
        '--target',
        'a CSV, Arrow or Parquet file needs --task-col NAME and --target NAME (long form: one row per sample), or --targets a,b,c (wide form: one target column per task), or --one-vs-rest COL',
      );
    }
    if (forms > 1) throw new OptionError('--targets', 'use one of --task-col with --target (long form), --targets (wide form) or --one-vs-rest, not several');
    if (flags.classes !== undefined && flags.oneVsRest !== undefined) throw new OptionError('--classes', 'makes multiclass tasks; --one-vs-rest makes binary ones: use one of them');
}

/** The CSV loader's options from the flags. */
function csvOptions(flags: DataFlags): CsvOptions {
  return {
    ...(flags.taskCol ? { taskCol: flags.taskCol } : {}),
    ...(flags.target ? { target: flags.target } : {}),
    ...(flags.targets ? { targets: flags.targets } : {}),
    ...(flags.oneVsRest ? { oneVsRest: flags.oneVsRest } : {}),
    ...(flags.features ? { features: flags.features } : {}),
    ...(flags.skip ? { skip: flags.skip } : {}),
    // class labels are read as numbers (a two-class column would otherwise become ±1 labels)
    ...(flags.classes !== undefined ? { kind: 'regression' as const } : {}),
  };
}

/** What `polytask inspect` prints, with the CSV loader's report when the input is a CSV. */
export interface Summarised {
  readonly inspection: Inspection;
  readonly csvReport?: CsvSummaryReport;
}

/**
 * The summary of the user's data without holding the data set (issue 15): CSV in one streaming pass
 * (`summariseCsv`), Arrow and Parquet piece by piece (`summariseColumnar`). JSON and MAT files are
 * loaded whole and then summarised: a JSON data set is one document (JSON.parse needs all of it) and
 * a MAT file's cell arrays are zlib-compressed variables decoded whole, so neither can stream here.
 * Flags are checked, and errors raised, exactly as `loadData` does (same messages, same order).
 */
export async function summariseData(flags: DataFlags & MatFlags, cwd: string): Promise<Summarised> {
  const { file, shown, format } = dataFile(flags, cwd);
  if (format === 'csv' || format === 'arrow' || format === 'parquet') checkTableFlags(flags);
  if (format === 'csv') {
    const { inspection, report } = await summariseCsv(file, csvOptions(flags), { source: shown, ...(flags.classes !== undefined ? { classes: flags.classes } : {}) });
    return { inspection, csvReport: report };
  }
  if (format === 'arrow' || format === 'parquet') {
    const { summariseColumnar } = await import('../data/columnar.ts');
    return { inspection: await summariseColumnar(file, columnarOptions(flags, format), { source: shown, ...(flags.classes !== undefined ? { classes: flags.classes } : {}) }) };
  }
  const loaded = await loadData(flags, cwd);
  return { inspection: summariseDataset(loaded.dataset) };
}

function columnarOptions(flags: DataFlags, format: 'arrow' | 'parquet'): ColumnarOptions {
  if (flags.oneVsRest) throw new OptionError('--one-vs-rest', `is not supported for ${format} input (CSV only)`);
  return {
    format,
    ...(flags.taskCol ? { taskCol: flags.taskCol } : {}),
    ...(flags.target ? { target: flags.target } : {}),
    ...(flags.targets ? { targets: flags.targets } : {}),
    ...(flags.features ? { features: flags.features } : {}),
    ...(flags.skip ? { skip: flags.skip } : {}),
    ...(flags.classes !== undefined ? { kind: 'regression' as const } : {}),
  };
}

async function loadFile(flags: DataFlags & MatFlags, cwd: string): Promise<Loaded> {
  const { file, shown, format } = dataFile(flags, cwd);
  if (format === 'csv' || format === 'arrow' || format === 'parquet') {
    checkTableFlags(flags);
    if (format !== 'csv') {
      const opts = columnarOptions(flags, format);
      // The loaders of the other formats are imported when used (start-up time, issue 10).
      const { loadColumnar } = await import('../data/columnar.ts');
      const { dataset } = await loadColumnar(file, opts);
      return { dataset: withSource(dataset, shown), file: shown, format };
    }
    const { dataset, report } = await loadCsv(file, csvOptions(flags));
    return { dataset: withSource(dataset, shown), file: shown, format, csvReport: report };
  }
  if (flags.classes !== undefined) throw new OptionError('--classes', `is supported for CSV, Arrow and Parquet input, not ${format}`);
  if (format === 'json') {
    const { loadDatasetJson } = await import('../data/json.ts');
    return { dataset: withSource(loadDatasetJson(file), shown), file: shown, format };
  }
  const { loadMatCells } = await import('../data/mat.ts');
  const { dataset } = loadMatCells(file, { x: flags.matX ?? 'X', y: flags.matY ?? 'Y' });
  return { dataset: withSource(dataset, shown), file: shown, format };
}

/** Reports name the file as the user typed it. */
function withSource(ds: MultiTaskDataset, file: string): MultiTaskDataset {
  return { ...ds, source: file };
}
