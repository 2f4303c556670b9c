// Columnar input (issue 15): Apache Arrow IPC / Feather v2 files (the `apache-arrow` package) and
// Parquet files (`hyparquet`), in the long and wide layouts of the CSV loader (docs/data.md).
//
// Both formats are read column by column into numbers — never into per-row objects — and the
// long form's dataset is one contiguous Float64Array for all rows in task order (each task a view). The reader choice for Parquet
// was measured (bench/parquet-readers.bench.ts, docs/data.md): hyparquet (pure JavaScript, no
// dependencies) reads the file in slices by row group, so it never holds the whole file; the
// Rust/wasm parquet-wasm was ~1.8× faster per CPU second but needs the whole file plus an Arrow IPC
// copy in memory and 15 MB of wasm; @dsnp/parquetjs (row cursor, one object per row) ~12× slower.
//
// The error discipline of the CSV loader holds, with rows in place of lines: a missing column names
// the option; a text feature, a null, NaN/Inf, a bad weight or a third class names the file, the
// column and the 1-based row. Options the CSV loader has that need text cells (categorical,
// oneVsRest, dropMissingFeatures, header, delimiter) are refused here with an OptionError.
import { readFileSync } from 'node:fs';
import { DataError, OptionError, ParseError, PolytaskError } from '../errors.ts';
import { Matrix } from '../linalg/matrix.ts';
import type { LabelMap, MultiTaskDataset, TaskData, TaskKind } from './dataset.ts';
import { chooseLabelMap, type KindOption } from './csv.ts';
import { FileReadError, OneClassTaskError, TooManyClassesError, UnknownColumnError } from './errors.ts';
import { checkClassCount, notAClassError, tooFewClassesError } from './multiclass.ts';
import { FeatureMoments, TaskMoments, inspection, type Inspection, type TaskStats } from './summary.ts';

export type ColumnarFormat = 'arrow' | 'parquet';

export interface ColumnarOptions {
  readonly format: ColumnarFormat;
  /** Long form: the task column and the target column. */
  readonly taskCol?: string;
  readonly target?: string;
  /** Wide form: one target column per task (a null = missing label). */
  readonly targets?: readonly string[];
  readonly features?: readonly string[];
  readonly skip?: readonly string[];
  readonly kind?: KindOption;
  readonly positive?: string;
  readonly weightCol?: string;
}

export interface ColumnarReport {
  readonly file: string;
  readonly format: ColumnarFormat;
  readonly form: 'long' | 'wide';
  readonly rowsRead: number;
  readonly kind: TaskKind;
  readonly labelMap?: LabelMap;
  readonly labelRule?: string;
  readonly tasks: readonly { readonly name: string; readonly rows: number }[];
  readonly featureNames: readonly string[];
}

/** A bad value in a columnar file: names file, column and 1-based row. */
export class ColumnarValueError extends ParseError {
  readonly row: number;
  readonly columnName: string;
  constructor(file: string, column: string, row: number, message: string) {
    super({ file, column }, `row ${row}: ${message}`);
    this.row = row;
    this.columnName = column;
  }
}

/** One column: numbers (NaN where null; `isNull` marks those), or text (null where missing). */
type Column = { readonly kind: 'number'; readonly values: Float64Array; readonly isNull: Uint8Array | null } | { readonly kind: 'text'; readonly values: readonly (string | null)[] };

interface ColumnTable {
  readonly names: readonly string[];
  /** Rows of the table (Arrow: known after the first `read`). */
  readonly rows: number;
  /** Whole columns (the task, target and weight columns; the wide form's features). */
  read(names: readonly string[]): Promise<Map<string, Column>>;
  /**
   * The columns `names` in pieces, each released after its call: fn(rowStart, columns holding rows
   * rowStart, rowStart + 1, …). Arrow: one record batch at a time, all columns of it (a batch's body
   * is read whole); Parquet: one column at a time, all rows (hyparquet decodes only the column asked for).
   */
  pieces(names: readonly string[], fn: (rowStart: number, cols: Map<string, Column>) => void): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Readers

function numberOf(file: string, col: string, row: number, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new ColumnarValueError(file, col, row, `integer ${v} does not fit a float64 exactly`);
    return n;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ColumnarValueError(file, col, row, `expected a number, found ${JSON.stringify(String(v))}`);
}

/** Column values → Column: typed numeric arrays stay numbers; any string makes it text. */
function toColumn(file: string, name: string, values: ArrayLike<unknown>, n: number): Column {
  if (values instanceof Float64Array) return { kind: 'number', values, isNull: null };
  if (ArrayBuffer.isView(values) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array)) {
    return { kind: 'number', values: Float64Array.from(values as ArrayLike<number>), isNull: null };
  }
  let text = false;
  for (let i = 0; i < n; i++) if (typeof values[i] === 'string') { text = true; break; }
  if (text) {
    const out: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      out[i] = v === null || v === undefined ? null : String(v);
    }
    return { kind: 'text', values: out };
  }
  const out = new Float64Array(n);
  let isNull: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      (isNull ??= new Uint8Array(n))[i] = 1;
      out[i] = NaN;
    } else out[i] = numberOf(file, name, i + 1, v);
  }
  return { kind: 'number', values: out, isNull };
}

type ArrowModule = typeof import('apache-arrow');

/** One Arrow vector (a whole column or one batch's part of it) as a Column. */
function arrowColumn(arrow: ArrowModule, file: string, name: string, vec: import('apache-arrow').Vector): Column {
  const n = vec.length;
  if (arrow.DataType.isUtf8(vec.type) || arrow.DataType.isDictionary(vec.type) || arrow.DataType.isLargeUtf8?.(vec.type)) {
    const vals: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = vec.get(i) as unknown;
      vals[i] = v === null || v === undefined ? null : String(v);
    }
    return { kind: 'text', values: vals };
  }
  if (arrow.DataType.isFloat(vec.type) || arrow.DataType.isInt(vec.type) || arrow.DataType.isBool(vec.type)) {
    const raw = vec.toArray() as ArrayLike<unknown>;
    const col = toColumn(file, name, arrow.DataType.isBool(vec.type) ? Array.from(raw) : raw, n);
    if (vec.nullCount > 0 && col.kind === 'number') {
      const values = col.values === raw ? Float64Array.from(col.values) : col.values;
      const isNull = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (!vec.isValid(i)) { isNull[i] = 1; values[i] = NaN; }
      return { kind: 'number', values, isNull };
    }
    return col;
  }
  throw new ParseError({ file, column: name }, `Arrow type ${String(vec.type)} is not supported (numbers or text only)`);
}

/** Concatenates per-batch pieces of one column into one Column of n rows. */
function concatColumns(pieces: readonly { start: number; col: Column }[], n: number): Column {
  if (pieces.length === 1 && pieces[0]!.col.values.length === n) return pieces[0]!.col;
  if (pieces.every((p) => p.col.kind === 'number')) {
    const values = new Float64Array(n);
    let isNull: Uint8Array | null = null;
    for (const { start, col } of pieces) {
      if (col.kind !== 'number') continue;
      values.set(col.values, start);
      if (col.isNull) (isNull ??= new Uint8Array(n)).set(col.isNull, start);
    }
    return { kind: 'number', values, isNull };
  }
  const values: (string | null)[] = new Array(n).fill(null);
  for (const { start, col } of pieces) {
    for (let i = 0; i < col.values.length; i++) {
      const v = col.values[i];
      values[start + i] = v === null || v === undefined ? null : col.kind === 'text' ? (v as string) : String(v);
    }
  }
  return { kind: 'text', values };
}

/**
 * Arrow IPC read record batch by record batch from the file handle (issue 15's memory): the whole
 * file is never in memory, only the batch being read (the library reads a batch's body whole, so a
 * file written as one batch is still held whole while it is read).
 */
async function arrowTable(file: string): Promise<ColumnTable> {
  const arrow = await import('apache-arrow');
  const { open } = await import('node:fs/promises');
  // A file of one record batch is read whole once (readFileSync: its columns are zero-copy views of
  // the bytes) and kept for the second pass — the streaming reader would hold the batch body plus its
  // own read buffers (measured 2.9 × the data at 10^6 rows against 2.4 ×); a file of several batches
  // is streamed batch by batch on each pass.
  let single: import('apache-arrow').RecordBatch | null = null;
  let oneBatch = false;
  const batches = async (fn: (start: number, batch: import('apache-arrow').RecordBatch) => void): Promise<number> => {
    if (oneBatch && single === null) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        throw new FileReadError(file, (e as Error).message);
      }
      try {
        single = arrow.tableFromIPC(bytes).batches[0] ?? null;
      } catch (e) {
        throw new ParseError({ file }, `not a readable Arrow IPC / Feather v2 file (${(e as Error).message})`);
      }
    }
    if (single !== null) {
      fn(0, single);
      return single.numRows;
    }
    let fh: import('node:fs/promises').FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (e) {
      throw new FileReadError(file, (e as Error).message);
    }
    try {
      let reader;
      try {
        reader = await arrow.RecordBatchReader.from(fh);
        await reader.open();
      } catch (e) {
        throw new ParseError({ file }, `not a readable Arrow IPC / Feather v2 file (${(e as Error).message})`);
      }
      let start = 0;
      for await (const batch of reader) {
        fn(start, batch);
        start += batch.numRows;
      }
      return start;
    } catch (e) {
      if (e instanceof PolytaskError) throw e;
      throw new ParseError({ file }, `cannot read the Arrow data (${(e as Error).message})`);
    } finally {
      await fh.close();
    }
  };
  // The schema: the first batch's (a file without batches has no rows; the caller says so).
  let names: string[] = [];
  {
    let fh: import('node:fs/promises').FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (e) {
      throw new FileReadError(file, (e as Error).message);
    }
    try {
      const reader = await arrow.RecordBatchReader.from(fh);
      await reader.open();
      names = reader.schema.fields.map((f) => f.name);
      oneBatch = reader.isFile() && reader.numRecordBatches === 1;
    } catch (e) {
      throw new ParseError({ file }, `not a readable Arrow IPC / Feather v2 file (${(e as Error).message})`);
    } finally {
      await fh.close();
    }
  }
  const table = {
    names,
    rows: -1,
    async read(want: readonly string[]) {
      const parts = new Map<string, { start: number; col: Column }[]>(want.map((n) => [n, []]));
      table.rows = await batches((start, batch) => {
        for (const name of want) parts.get(name)!.push({ start, col: arrowColumn(arrow, file, name, batch.getChild(name)!) });
      });
      const out = new Map<string, Column>();
      for (const [name, p] of parts) out.set(name, concatColumns(p, table.rows));
      return out;
    },
    async pieces(want: readonly string[], fn: (rowStart: number, cols: Map<string, Column>) => void) {
      await batches((start, batch) => fn(start, new Map(want.map((name) => [name, arrowColumn(arrow, file, name, batch.getChild(name)!)]))));
      single = null;
    },
  };
  return table;
}

async function parquetTable(file: string): Promise<ColumnTable> {
  const hp = await import('hyparquet');
  let buf: Awaited<ReturnType<typeof hp.asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof hp.parquetMetadataAsync>>;
  try {
    buf = await hp.asyncBufferFromFile(file);
  } catch (e) {
    throw new FileReadError(file, (e as Error).message);
  }
  try {
    metadata = await hp.parquetMetadataAsync(buf);
  } catch (e) {
    throw new ParseError({ file }, `not a readable Parquet file (${(e as Error).message})`);
  }
  const names = hp.parquetSchema(metadata).children.map((c) => c.element.name);
  const rows = Number(metadata.num_rows);
  const table: ColumnTable = {
    names,
    rows,
    async pieces(want, fn) {
      for (const name of want) fn(0, await table.read([name]));
    },
    async read(want) {
      // Column chunks (one per column and row group) are copied into one array per column.
      const parts = new Map<string, { start: number; data: ArrayLike<unknown> }[]>(want.map((n) => [n, []]));
      try {
        await hp.parquetRead({ file: buf, metadata, columns: [...want], onChunk: ({ columnName, columnData, rowStart }) => parts.get(columnName)?.push({ start: rowStart, data: columnData }) });
      } catch (e) {
        if (e instanceof PolytaskError) throw e;
        throw new ParseError({ file }, `cannot read the Parquet data (${(e as Error).message})`);
      }
      const out = new Map<string, Column>();
      for (const [name, chunks] of parts) {
        chunks.sort((a, b) => a.start - b.start);
        const numeric = chunks.every((c) => c.data instanceof Float64Array || c.data instanceof Float32Array || c.data instanceof Int32Array);
        if (numeric) {
          const values = new Float64Array(rows);
          for (const c of chunks) values.set(c.data as ArrayLike<number>, c.start);
          out.set(name, { kind: 'number', values, isNull: null });
          continue;
        }
        const all: unknown[] = new Array(rows);
        for (const c of chunks) for (let i = 0; i < c.data.length; i++) all[c.start + i] = c.data[i];
        out.set(name, toColumn(file, name, all, rows));
      }
      return out;
    },
  };
  return table;
}

// ---------------------------------------------------------------------------------------------
// Building the dataset

/** A finite number from column `col` at row i, or the error that says why. */
function cellNumber(file: string, name: string, col: Column, i: number, what: string, rowStart = 0): number {
  const row = rowStart + i + 1;
  if (col.kind === 'text') {
    const v = col.values[i];
    if (v === null) throw new ColumnarValueError(file, name, row, `empty (null) value; ${what}`);
    throw new ColumnarValueError(file, name, row, `expected a number, found ${JSON.stringify(v)} (the column holds text)`);
  }
  const v = col.values[i]!;
  if (Number.isFinite(v)) return v;
  if (col.isNull?.[i]) throw new ColumnarValueError(file, name, row, `empty (null) value; ${what}`);
  throw new ColumnarValueError(file, name, row, `non-finite value ${v} (NaN/Inf are not allowed; use null for a missing label)`);
}

/** The label key of a target cell: numbers by value (String(v)), text trimmed; null = missing. */
function labelKey(file: string, name: string, col: Column, i: number): string | null {
  if (col.kind === 'text') {
    const v = col.values[i];
    return v === null || v.trim() === '' ? null : v.trim();
  }
  if (col.isNull?.[i]) return null;
  const v = col.values[i]!;
  if (!Number.isFinite(v)) throw new ColumnarValueError(file, name, i + 1, `non-finite value ${v} (NaN/Inf are not allowed; use null for a missing label)`);
  return String(v);
}

/** The options checked, the file opened and its columns assigned to their roles. */
interface Prepared {
  readonly table: ColumnTable;
  readonly long: boolean;
  readonly kindOpt: KindOption;
  readonly taskCol: string | undefined;
  readonly targetCols: readonly string[];
  readonly weightCol: string | undefined;
  readonly featureNames: readonly string[];
}

async function prepare(file: string, opts: ColumnarOptions): Promise<Prepared> {
  for (const o of ['categorical', 'categories', 'oneVsRest', 'dropMissingFeatures', 'header', 'delimiter'] as const) {
    if ((opts as unknown as Record<string, unknown>)[o] !== undefined) throw new OptionError(o, `is a CSV option; it is not supported for ${opts.format} input`);
  }
  const long = opts.taskCol !== undefined || opts.target !== undefined;
  const wide = opts.targets !== undefined;
  if (long === wide) throw new OptionError(long ? 'targets' : 'taskCol', 'give taskCol + target (long form) or targets (wide form)');
  if (long && (opts.taskCol === undefined || opts.target === undefined)) throw new OptionError(opts.taskCol === undefined ? 'taskCol' : 'target', 'the long form needs both taskCol and target');
  if (wide && opts.targets!.length === 0) throw new OptionError('targets', 'needs at least one column');
  const kindOpt = opts.kind ?? 'auto';
  if (!['auto', 'binary', 'regression'].includes(kindOpt)) throw new OptionError('kind', `must be auto, binary or regression, got ${JSON.stringify(opts.kind)}`);

  const table = opts.format === 'arrow' ? await arrowTable(file) : opts.format === 'parquet' ? await parquetTable(file) : null;
  if (!table) throw new OptionError('format', `must be arrow or parquet, got ${JSON.stringify(opts.format)}`);
  const names = table.names;
  const used = new Map<string, string>();
  const claim = (option: string, name: string): string => {
    if (!names.includes(name)) throw new UnknownColumnError(file, option, name, names);
    if (used.has(name)) throw new OptionError(option, `column "${name}" is already used as ${used.get(name)}`);
    used.set(name, option);
    return name;
  };
  const taskCol = long ? claim('taskCol', opts.taskCol!) : undefined;
  const targetCols = long ? [claim('target', opts.target!)] : opts.targets!.map((t) => claim('targets', t));
  const weightCol = opts.weightCol !== undefined ? claim('weightCol', opts.weightCol) : undefined;
  for (const s of opts.skip ?? []) claim('skip', s);
  const featureNames = opts.features !== undefined ? opts.features.map((f) => claim('features', f)) : names.filter((n) => !used.has(n));
  if (featureNames.length === 0) throw new OptionError('features', `${file}: no feature columns left`);
  return { table, long, kindOpt, taskCol, targetCols, weightCol, featureNames };
}

/** The weight column, checked (finite, ≥ 0). */
function readWeights(file: string, weightCol: string | undefined, cols: Map<string, Column>, n: number): Float64Array | undefined {
  if (!weightCol) return undefined;
  const col = cols.get(weightCol)!;
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = cellNumber(file, weightCol, col, i, 'every row needs a weight');
    if (w < 0) throw new ColumnarValueError(file, weightCol, i + 1, `weight ${w} must be a finite number ≥ 0`);
    weights[i] = w;
  }
  return weights;
}

/** Targets: row-major n × T values (±1 for binary, NaN = missing), with the kind and label map by the CSV rule (docs/data.md). */
function readTargets(file: string, opts: ColumnarOptions, p: Prepared, cols: Map<string, Column>, n: number): { Y: Float64Array; kind: TaskKind; labelMap?: LabelMap; labelRule?: string } {
  const { targetCols, kindOpt, long } = p;
  const T = targetCols.length;
  const Y = new Float64Array(n * T);
  const keys: string[] = [];
  let third: { name: string; row: number; key: string } | undefined;
  let firstText: { name: string; row: number; value: string } | undefined;
  targetCols.forEach((name, t) => {
    const col = cols.get(name)!;
    for (let i = 0; i < n; i++) {
      const key = labelKey(file, name, col, i);
      if (key === null) {
        if (long) throw new ColumnarValueError(file, name, i + 1, 'empty (null) value; the long form needs a target in every row');
        Y[i * T + t] = NaN;
        continue;
      }
      const num = col.kind === 'number' ? col.values[i]! : NaN;
      if (col.kind === 'text') {
        const v = Number(key);
        if (Number.isFinite(v) && key !== '') Y[i * T + t] = v;
        else {
          if (kindOpt === 'regression') throw new ColumnarValueError(file, name, i + 1, `expected a number, found ${JSON.stringify(key)}`);
          firstText ??= { name, row: i + 1, value: key };
          Y[i * T + t] = NaN;
        }
      } else Y[i * T + t] = num;
      if (kindOpt !== 'regression' && !keys.includes(key)) {
        if (keys.length < 2) keys.push(key);
        else if (kindOpt === 'binary') throw new TooManyClassesError({ file, column: targetCols.indexOf(name) + 1, columnName: name, line: i + 1 }, [keys[0]!, keys[1]!, key]);
        else third ??= { name, row: i + 1, key };
      }
    }
  });
  let kind: TaskKind = 'regression';
  let labelMap: LabelMap | undefined;
  let labelRule: string | undefined;
  if (kindOpt !== 'regression' && keys.length === 2 && third === undefined) {
    const m = chooseLabelMap(keys[0]!, keys[1]!, opts.positive);
    kind = 'binary';
    labelMap = m.map;
    labelRule = m.rule;
  } else if (kindOpt === 'binary') {
    throw new OneClassTaskError(file, '(all tasks)', keys[0] ?? '', n);
  } else if (firstText) {
    throw new ColumnarValueError(file, firstText.name, firstText.row, `expected a number, found ${JSON.stringify(firstText.value)} (targets take more than two values, so they must be numbers)`);
  }
  if (kind === 'binary') {
    targetCols.forEach((name, t) => {
      const col = cols.get(name)!;
      for (let i = 0; i < n; i++) {
        const key = labelKey(file, name, col, i);
        Y[i * T + t] = key === null ? NaN : key === labelMap!.positive ? 1 : -1;
      }
    });
  }
  return { Y, kind, ...(labelMap ? { labelMap, labelRule: labelRule! } : {}) };
}

/** Long form: each row's task (order of first appearance), the tasks' names and row counts. */
function groupTasks(file: string, taskCol: string, cols: Map<string, Column>, n: number): { taskOf: Int32Array; counts: number[]; taskNames: string[] } {
  const tcol = cols.get(taskCol)!;
  const index = new Map<string, number>();
  const taskOf = new Int32Array(n);
  const counts: number[] = [];
  const taskNames: string[] = [];
  for (let i = 0; i < n; i++) {
    let name: string | null;
    if (tcol.kind === 'text') name = tcol.values[i]?.trim() ?? null;
    else name = tcol.isNull?.[i] ? null : String(tcol.values[i]);
    if (name === null || name === '') throw new ColumnarValueError(file, taskCol, i + 1, 'empty (null) task id; every row needs a task id');
    let t = index.get(name);
    if (t === undefined) {
      t = taskNames.length;
      index.set(name, t);
      taskNames.push(name);
      counts.push(0);
    }
    taskOf[i] = t;
    counts[t]!++;
  }
  return { taskOf, counts, taskNames };
}

/** Loads an Arrow IPC / Feather or Parquet file into a dataset. */
export async function loadColumnar(file: string, opts: ColumnarOptions): Promise<{ dataset: MultiTaskDataset; report: ColumnarReport }> {
  const p = await prepare(file, opts);
  const { table, long, taskCol, targetCols, weightCol, featureNames } = p;
  // Memory (issue 15: peak ≤ 1.5 × the float64 data): the long form reads the task, target and weight
  // columns first, then the features in pieces (`ColumnTable.pieces`: Parquet one column at a time,
  // Arrow one record batch at a time), scattered straight into the task-ordered X — no row-major copy
  // of all rows, never the whole file. The wide form keeps one shared row-major X, built from all columns.
  const cols = await table.read([...(taskCol ? [taskCol] : []), ...targetCols, ...(weightCol ? [weightCol] : []), ...(long ? [] : featureNames)]);
  const n = table.rows;
  if (n <= 0) throw new ParseError({ file }, 'the file has no rows');
  const d = featureNames.length;

  // Wide form: row-major features, one row at a time from the columns (the only full copy of the data).
  const X = long ? new Float64Array(0) : new Float64Array(n * d);
  if (!long) {
    featureNames.forEach((name, j) => {
      const col = cols.get(name)!;
      for (let i = 0; i < n; i++) X[i * d + j] = cellNumber(file, name, col, i, 'a feature needs a value');
    });
  }
  const weights = readWeights(file, weightCol, cols, n);
  const { Y, kind, labelMap, labelRule } = readTargets(file, opts, p, cols, n);
  const T = targetCols.length;

  const tasks: TaskData[] = [];
  if (long) {
    const { taskOf, counts, taskNames } = groupTasks(file, taskCol!, cols, n);
    // One contiguous array per quantity in task order (each task a view): no per-task allocations.
    const start = new Int32Array(counts.length + 1);
    for (let t = 0; t < counts.length; t++) start[t + 1] = start[t]! + counts[t]!;
    const Xall = new Float64Array(n * d);
    const yAll = new Float64Array(n);
    const rAll = new Int32Array(n);
    const wAll = weights ? new Float64Array(n) : undefined;
    const fill = start.slice(0, counts.length);
    const dest = new Int32Array(n); // row i's row in task order
    for (let i = 0; i < n; i++) {
      const k = fill[taskOf[i]!]!++;
      dest[i] = k;
      yAll[k] = Y[i]!;
      rAll[k] = i;
      if (wAll) wAll[k] = weights![i]!;
    }
    const featureIndex = new Map(featureNames.map((name, j) => [name, j]));
    await table.pieces(featureNames, (r0, pc) => {
      for (const [name, col] of pc) {
        const j = featureIndex.get(name)!;
        const m = col.values.length;
        for (let i = 0; i < m; i++) Xall[dest[r0 + i]! * d + j] = cellNumber(file, name, col, i, 'a feature needs a value', r0);
      }
    });
    taskNames.forEach((name, t) => {
      const a = start[t]!;
      const b = start[t + 1]!;
      const y = yAll.subarray(a, b);
      if (kind === 'binary') checkBothClasses(file, name, y, labelMap!);
      tasks.push({ name, X: new Matrix(b - a, d, Xall.subarray(a * d, b * d)), y, rows: rAll.subarray(a, b), ...(wAll ? { weights: wAll.subarray(a, b) } : {}) });
    });
  } else {
    const shared = new Matrix(n, d, X);
    targetCols.forEach((name, t) => {
      let m = 0;
      for (let i = 0; i < n; i++) if (!Number.isNaN(Y[i * T + t]!)) m++;
      const rows = new Int32Array(m);
      const y = new Float64Array(m);
      for (let i = 0, k = 0; i < n; i++) {
        const v = Y[i * T + t]!;
        if (!Number.isNaN(v)) {
          rows[k] = i;
          y[k++] = v;
        }
      }
      if (kind === 'binary') checkBothClasses(file, name, y, labelMap!);
      const w = weights ? Float64Array.from(rows, (r) => weights![r]!) : undefined;
      tasks.push({ name, X: shared.selectRows(rows), y, rows, ...(w ? { weights: w } : {}) });
    });
  }
  const dataset: MultiTaskDataset = {
    layout: long ? 'per-task' : 'multi-output',
    kind,
    featureNames: [...featureNames],
    tasks,
    source: file,
    ...(labelMap ? { labelMap } : {}),
    ...(long ? {} : { shared: { X: new Matrix(n, d, X), Y: new Matrix(n, T, Y) } }),
  };
  const report: ColumnarReport = {
    file,
    format: opts.format,
    form: long ? 'long' : 'wide',
    rowsRead: n,
    kind,
    ...(labelMap ? { labelMap, labelRule: labelRule! } : {}),
    tasks: tasks.map((t) => ({ name: t.name, rows: t.y.length })),
    featureNames: [...featureNames],
  };
  return { dataset, report };
}

function checkBothClasses(file: string, task: string, y: Float64Array, map: LabelMap): void {
  let pos = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > 0) pos++;
  if (pos === 0) throw new OneClassTaskError(file, task, map.negative, y.length);
  if (pos === y.length) throw new OneClassTaskError(file, task, map.positive, y.length);
}

/**
 * `polytask inspect` of an Arrow / Parquet file (src/data/summary.ts) without building the data set
 * (issue 15). The feature columns — the bulk of the file — are streamed: each piece (Arrow: one record
 * batch; Parquet: one column, as hyparquet decodes a column at a time) is folded into per-column
 * moments and released. The task, target and weight columns are read whole as `loadColumnar` reads
 * them (O(rows) for those few columns: the labels decide the kind and the label map only at the end).
 * An Arrow file written as a single record batch is read whole by apache-arrow (it reads a batch's
 * body at once), so there the file itself is held. Errors and their order are `loadColumnar`'s: the
 * wide form validated its features column by column before the weights and targets, so each
 * feature column's first bad cell is remembered (not thrown) and the first column's is raised after
 * the pass. `source` names the file in the summary; `classes`: --classes K (`toMulticlass`'s checks).
 */
export async function summariseColumnar(file: string, opts: ColumnarOptions, o: { readonly source?: string; readonly classes?: number } = {}): Promise<Inspection> {
  const p = await prepare(file, opts);
  const { table, long, taskCol, targetCols, weightCol, featureNames } = p;
  const d = featureNames.length;
  const fm = new FeatureMoments(d);
  const featureIndex = new Map(featureNames.map((name, j) => [name, j]));
  let scratch = new Float64Array(0);
  /** Folds one piece of feature column j; returns the first bad cell's error instead of throwing when `defer`. */
  const fold = (name: string, col: Column, r0: number, defer: boolean): Error | null => {
    const m = col.values.length;
    if (scratch.length < m) scratch = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      try {
        scratch[i] = cellNumber(file, name, col, i, 'a feature needs a value', r0);
      } catch (e) {
        if (!defer) throw e;
        return e as Error;
      }
    }
    fm.addColumnPiece(featureIndex.get(name)!, scratch, m);
    return null;
  };
  let cols: Map<string, Column>;
  let n: number;
  const featureErrors: (Error | null)[] = new Array<Error | null>(d).fill(null);
  if (long) {
    cols = await table.read([taskCol!, ...targetCols, ...(weightCol ? [weightCol] : [])]);
    n = table.rows;
    if (n <= 0) throw new ParseError({ file }, 'the file has no rows');
  } else {
    // One pass over every column in `loadColumnar`'s order; targets and weights kept, features folded.
    const keep = [...targetCols, ...(weightCol ? [weightCol] : [])];
    const parts = new Map<string, { start: number; col: Column }[]>(keep.map((k) => [k, []]));
    n = 0;
    fm.columnWise(0);
    await table.pieces([...keep, ...featureNames], (r0, pc) => {
      for (const [name, col] of pc) {
        n = Math.max(n, r0 + col.values.length);
        const kept = parts.get(name);
        if (kept) kept.push({ start: r0, col });
        else {
          const j = featureIndex.get(name)!;
          if (featureErrors[j] === null) featureErrors[j] = fold(name, col, r0, true);
        }
      }
    });
    if (table.rows > 0) n = table.rows;
    if (n <= 0) throw new ParseError({ file }, 'the file has no rows');
    fm.rows = n;
    const firstBad = featureErrors.find((e) => e !== null);
    if (firstBad) throw firstBad;
    cols = new Map([...parts].map(([name, pieces]) => [name, concatColumns(pieces, n)]));
  }
  readWeights(file, weightCol, cols, n);
  const { Y, kind, labelMap } = readTargets(file, opts, p, cols, n);
  const T = targetCols.length;
  const stats = new TaskMoments(o.classes ?? 0);
  let names: readonly string[];
  if (long) {
    const { taskOf, taskNames } = groupTasks(file, taskCol!, cols, n);
    names = taskNames;
    stats.ensure(taskNames.length);
    for (let i = 0; i < n; i++) stats.add(taskOf[i]!, Y[i]!, Y[i]! > 0 ? 1 : 0, i);
    fm.columnWise(n);
    await table.pieces(featureNames, (r0, pc) => {
      for (const [name, col] of pc) fold(name, col, r0, false);
    });
  } else {
    names = targetCols;
    stats.ensure(T);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < T; t++) {
        const y = Y[i * T + t]!;
        if (!Number.isNaN(y)) stats.add(t, y, y > 0 ? 1 : 0, i);
      }
    }
  }
  const features = featureNames.map((name, j) => fm.stats(j, name));
  const tasks = names.map((name, t): TaskStats => {
    const m = stats.count(t);
    const base = { task: name, n: m, ...(long ? {} : { missing: n - m }) };
    if (kind === 'binary') {
      const positives = stats.codeCount(t, 1);
      if (positives === 0) throw new OneClassTaskError(file, name, labelMap!.negative, m);
      if (positives === m) throw new OneClassTaskError(file, name, labelMap!.positive, m);
      return { ...base, positives, negatives: m - positives };
    }
    return { ...base, ...stats.meanSd(t) };
  });
  const source = o.source ?? file;
  const layout = long ? 'per-task' : 'multi-output';
  if (o.classes !== undefined) {
    const K = o.classes;
    checkClassCount(K);
    const what = opts.target !== undefined ? `target "${opts.target}"` : 'the target';
    if (kind === 'binary') throw new DataError(`${source}: ${what} was read as binary labels; multiclass labels must be read as numbers 0..${K - 1}`);
    names.forEach((name, t) => {
      const { bad, ...classes } = stats.classCheck(t);
      if (bad) throw notAClassError(source, name, bad.row, what, bad.value, K);
      if (classes.used < 2) throw tooFewClassesError(source, name, classes.used, classes.first);
    });
    return inspection(source, layout, 'multiclass', undefined, tasks, features);
  }
  return inspection(source, layout, kind, labelMap, tasks, features);
}
