// Loading the user's data for a command: format from --format or the extension, the loader's own
// options from the shared flags, then optional standardisation. Loading and checking live in
// src/data/; this file only maps flags to their options.
import { extname, isAbsolute, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { OptionError, PolytaskError } from '../errors.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { loadCsv, type CsvReport } from '../data/csv.ts';
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

async function loadFile(flags: DataFlags & MatFlags, cwd: string): Promise<Loaded> {
  if (!flags.data) throw new OptionError('--data', 'is required');
  // Loaders name the path they were given in every message: give them the path as the user typed it
  // whenever that resolves to the same file (always, in the real CLI).
  const file = isAbsolute(flags.data) || cwd === process.cwd() ? flags.data : resolve(cwd, flags.data);
  const shown = flags.data;
  const format = formatOf(shown, flags.format);
  checkReadable(file);
  if (format === 'csv' || format === 'arrow' || format === 'parquet') {
    const forms = [flags.taskCol !== undefined || flags.target !== undefined, flags.targets !== undefined, flags.oneVsRest !== undefined].filter(Boolean).length;
    if (forms === 0 || (flags.taskCol === undefined) !== (flags.target === undefined)) {
      throw new OptionError(
        '--target',
        'a CSV, Arrow or Parquet file needs --task-col NAME and --target NAME (long form: one row per sample), or --targets a,b,c (wide form: one target column per task), or --one-vs-rest COL',
      );
    }
    if (forms > 1) throw new OptionError('--targets', 'use one of --task-col with --target (long form), --targets (wide form) or --one-vs-rest, not several');
    if (flags.classes !== undefined && flags.oneVsRest !== undefined) throw new OptionError('--classes', 'makes multiclass tasks; --one-vs-rest makes binary ones: use one of them');
    if (format !== 'csv') {
      if (flags.oneVsRest) throw new OptionError('--one-vs-rest', `is not supported for ${format} input (CSV only)`);
      // The loaders of the other formats are imported when used (start-up time, issue 10).
      const { loadColumnar } = await import('../data/columnar.ts');
      const { dataset } = await loadColumnar(file, {
        format,
        ...(flags.taskCol ? { taskCol: flags.taskCol } : {}),
        ...(flags.target ? { target: flags.target } : {}),
        ...(flags.targets ? { targets: flags.targets } : {}),
        ...(flags.features ? { features: flags.features } : {}),
        ...(flags.skip ? { skip: flags.skip } : {}),
        ...(flags.classes !== undefined ? { kind: 'regression' as const } : {}),
      });
      return { dataset: withSource(dataset, shown), file: shown, format };
    }
    const { dataset, report } = await loadCsv(file, {
      ...(flags.taskCol ? { taskCol: flags.taskCol } : {}),
      ...(flags.target ? { target: flags.target } : {}),
      ...(flags.targets ? { targets: flags.targets } : {}),
      ...(flags.oneVsRest ? { oneVsRest: flags.oneVsRest } : {}),
      ...(flags.features ? { features: flags.features } : {}),
      ...(flags.skip ? { skip: flags.skip } : {}),
      // class labels are read as numbers (a two-class column would otherwise become ±1 labels)
      ...(flags.classes !== undefined ? { kind: 'regression' as const } : {}),
    });
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
