// CSV loading into a MultiTaskDataset (docs/data.md describes formats, options and errors).
//
// Two forms:
//  - long:  one row per sample, a task column, one target column, feature columns
//           (options taskCol + target) → 'per-task' layout;
//  - wide:  one row per shared sample, feature columns plus one target column per task
//           (option targets, or oneVsRest to make one ±1 task per value of a class column)
//           → 'multi-output' layout; an empty target cell is a missing label.
//
// The file is read in 1 MiB chunks into one reused Buffer and tokenized at the byte level
// (csv-bytes.ts: why not csv-parse is explained there); numeric cells are parsed straight from the
// bytes and appended to growing row stores (one set for the whole file, in file order; grouped by
// task at the end), so a large file is never held whole, nor as strings. The whole input is checked to be UTF-8 (Node's simdutf `isUtf8`, at
// GB/s) so that a Latin-1 file cannot silently merge two task names (issue 16). The sync variants
// (loadCsvSync / loadCsvText) run the same tokenizer and record handling over one buffer.
//
// Tasks appear in the order of their first appearance in the file (long form) or the order of the
// `targets` option (wide form). Rows are never dropped silently: a row is dropped only when the user
// asked for it (dropMissingFeatures), and the report counts and lists the dropped rows.
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { DataError, OptionError, PolytaskError } from '../errors.ts';
import { CsvRecord, CsvTokenizer, firstInvalidUtf8 } from './csv-bytes.ts';
import { Matrix } from '../linalg/matrix.ts';
import type { LabelMap, MultiTaskDataset, TaskData, TaskKind } from './dataset.ts';
import {
  BadWeightError,
  DuplicateHeaderError,
  EmptyFileError,
  FileReadError,
  MissingCellError,
  NonFiniteCellError,
  NonNumericCellError,
  OneClassTaskError,
  RaggedRowError,
  TooManyClassesError,
  UnknownColumnError,
  type CellPosition,
} from './errors.ts';
import { RowStore, rowsF64, rowsI32, rowsU8 } from './grow.ts';
import { encodeCategory } from './preprocess.ts';
import { checkClassCount, notAClassError, tooFewClassesError } from './multiclass.ts';
import { FeatureMoments, TaskMoments, inspection, type FeatureStats, type Inspection, type TaskStats } from './summary.ts';

export type KindOption = TaskKind | 'auto';

export interface CsvOptions {
  /** Long form: the column holding the task id. */
  readonly taskCol?: string;
  /** Long form: the target column. */
  readonly target?: string;
  /** Wide form: one target column per task (an empty cell = missing label). */
  readonly targets?: readonly string[];
  /** Wide form alternative: a class column turned into one binary (this value vs the rest) task per value. */
  readonly oneVsRest?: string;
  /** Feature columns to use, in this order (default: every column not used otherwise, in file order). */
  readonly features?: readonly string[];
  /** Columns to ignore. */
  readonly skip?: readonly string[];
  /** Whether the first record is a header (default true). Without one, columns are named "1", "2", …. */
  readonly header?: boolean;
  readonly delimiter?: string;
  /** 'auto' (default): binary when the targets take exactly two distinct values. */
  readonly kind?: KindOption;
  /** Binary: the original label that becomes +1 (default: the rule in docs/data.md). */
  readonly positive?: string;
  /** Column of per-sample weights (finite, ≥ 0). */
  readonly weightCol?: string;
  /** Drop rows with an empty feature cell (counted and listed in the report) instead of failing. */
  readonly dropMissingFeatures?: boolean;
  /** Columns to one-hot encode; new features are named `col=value`, categories sorted. */
  readonly categorical?: readonly string[];
  /** Fixed categories per categorical column (e.g. from the training file's report); an unseen value is an error. */
  readonly categories?: Readonly<Record<string, readonly string[]>>;
}

export interface DroppedRow {
  /** 0-based data row of the file. */
  readonly row: number;
  readonly line: number;
  readonly column: string;
  readonly reason: string;
}

export interface CsvReport {
  readonly file: string;
  readonly form: 'long' | 'wide';
  /** Data records read (header excluded). */
  readonly rowsRead: number;
  readonly rowsKept: number;
  readonly rowsDropped: number;
  /** The dropped rows (the first 1000 of them) with the reason. */
  readonly dropped: readonly DroppedRow[];
  /** Wide form: rows kept in the shared X but labelled for no task. */
  readonly unlabelledRows: number;
  /** Wide form: for each row of the shared X, its 0-based data row in the file (they differ once rows are dropped). */
  readonly sharedRowSource?: Int32Array;
  readonly kind: TaskKind;
  readonly labelMap?: LabelMap;
  /** How the label map was chosen, in words. */
  readonly labelRule?: string;
  readonly taskOrder: string;
  readonly tasks: readonly { readonly name: string; readonly rows: number }[];
  readonly featureNames: readonly string[];
  readonly categories: Readonly<Record<string, readonly string[]>>;
}

export interface CsvResult {
  readonly dataset: MultiTaskDataset;
  readonly report: CsvReport;
}

/** What `summariseCsv` reports: the loader's report without the per-row parts (sharedRowSource). */
export type CsvSummaryReport = Omit<CsvReport, 'sharedRowSource'>;

export interface CsvSummary {
  readonly inspection: Inspection;
  readonly report: CsvSummaryReport;
}

/** Statistics of a one-hot column with `c` ones among `n` rows (the values summariseDataset would see). */
function oneHotStats(feature: string, c: number, n: number): FeatureStats {
  const mean = c / Math.max(1, n);
  const q = c * (1 - mean) ** 2 + (n - c) * mean ** 2;
  const min = c < n ? 0 : 1;
  const max = c > 0 ? 1 : 0;
  return { feature, mean, sd: n > 1 ? Math.sqrt(q / (n - 1)) : 0, min, max, constant: min === max };
}

const MAX_DROPPED_LISTED = 1000;

// ---------------------------------------------------------------------------------------------
// Cells

/** 0: a finite number; 1: blank; 2: NaN/Inf literal or overflow; 3: not a number. */
type CellKind = 0 | 1 | 2 | 3;
const NONFINITE_WORDS = new Set(['nan', '+nan', '-nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity']);

/** Reads a cell as a number (JavaScript Number() rules, decimal only) and classifies it. */
export function classifyCell(s: string): { kind: CellKind; value: number } {
  if (s.length === 0) return { kind: 1, value: NaN };
  const v = +s;
  if (v === v && v !== Infinity && v !== -Infinity) {
    if (v === 0 && s.trim().length === 0) return { kind: 1, value: NaN };
    // Number() also accepts 0x.., 0b.., 0o..: refuse them, a data file means decimal.
    if (s.length > 2 && s.charCodeAt(0) === 48) {
      const c = s.charCodeAt(1) | 32;
      if (c === 120 || c === 98 || c === 111) return { kind: 3, value: NaN };
    }
    return { kind: 0, value: v };
  }
  if (v === Infinity || v === -Infinity) return { kind: 2, value: v };
  const t = s.trim();
  if (t.length === 0) return { kind: 1, value: NaN };
  return { kind: NONFINITE_WORDS.has(t.toLowerCase()) ? 2 : 3, value: NaN };
}

/** The cell's value when it is a clean finite decimal number, else NaN (then classifyCell says why). */
function fastNumber(s: string): number {
  const v = +s;
  if (v - v !== 0 || s.length === 0) return NaN; // NaN, ±Infinity or empty
  if (v === 0 && s.trim().length === 0) return NaN; // blank
  if (s.length > 2 && s.charCodeAt(0) === 48) {
    const c = s.charCodeAt(1) | 32;
    if (c === 120 || c === 98 || c === 111) return NaN; // 0x, 0b, 0o
  }
  return v;
}

/** A finite number from a cell, or the right error for it. */
function numberCell(s: string, pos: CellPosition, missingHint: string): number {
  const { kind, value } = classifyCell(s);
  if (kind === 0) return value;
  if (kind === 1) throw new MissingCellError(pos, missingHint);
  if (kind === 2) throw new NonFiniteCellError(pos, s);
  throw new NonNumericCellError(pos, s);
}

// ---------------------------------------------------------------------------------------------
// Binary label tracking: the distinct target values seen so far (at most 3 are remembered).

interface LabelTracker {
  /** Distinct keys in order of first appearance (numbers as String(Number(cell)), strings trimmed). */
  readonly keys: string[];
  /** Position of the first third distinct value, if any. */
  third?: { pos: CellPosition; key: string };
  /** Position of the first non-numeric target cell, if any. */
  firstText?: { pos: CellPosition; value: string };
}

/** Code of a target cell: 0/1/2 = index of its distinct key (2 = a third or later value). */
function trackLabel(tr: LabelTracker, key: string, pos: CellPosition, kind: KindOption): number {
  const k = tr.keys;
  if (k[0] === key) return 0;
  if (k[1] === key) return 1;
  if (k.length < 2) {
    k.push(key);
    return k.length - 1;
  }
  if (kind === 'binary') throw new TooManyClassesError(pos, [k[0]!, k[1]!, key]);
  if (tr.third === undefined) tr.third = { pos, key };
  return 2;
}

/** The label map for two distinct keys: larger number positive, else larger string, unless `positive` names one. */
export function chooseLabelMap(a: string, b: string, positive?: string): { map: LabelMap; rule: string } {
  if (positive !== undefined) {
    if (positive === a) return { map: { negative: b, positive: a }, rule: `option positive = ${JSON.stringify(positive)}` };
    if (positive === b) return { map: { negative: a, positive: b }, rule: `option positive = ${JSON.stringify(positive)}` };
    // Also accept a numeric spelling of a numeric key ("1.0" for "1").
    const p = Number(positive);
    if (positive.trim() !== '' && Number.isFinite(p)) {
      if (String(p) === a) return { map: { negative: b, positive: a }, rule: `option positive = ${positive}` };
      if (String(p) === b) return { map: { negative: a, positive: b }, rule: `option positive = ${positive}` };
    }
    throw new OptionError('positive', `${JSON.stringify(positive)} is not one of the two labels ${JSON.stringify(a)}, ${JSON.stringify(b)}`);
  }
  const na = Number(a);
  const nb = Number(b);
  const numeric = a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb);
  if (numeric) {
    return na > nb
      ? { map: { negative: b, positive: a }, rule: 'numeric labels: the larger is positive' }
      : { map: { negative: a, positive: b }, rule: 'numeric labels: the larger is positive' };
  }
  return a > b
    ? { map: { negative: b, positive: a }, rule: 'string labels: the lexicographically larger is positive' }
    : { map: { negative: a, positive: b }, rule: 'string labels: the lexicographically larger is positive' };
}

// ---------------------------------------------------------------------------------------------
// The record handler shared by the async and sync loaders.

type Role = 'task' | 'target' | 'weight' | 'feature' | 'categorical' | 'skip' | 'ovr';

interface Sink {
  readonly x: RowStore<Float64Array>; // numeric features, width nNum
  readonly cat: RowStore<Int32Array>; // category codes, width nCat
  readonly y: RowStore<Float64Array>; // targets (number, NaN = missing or text), width nTargets
  readonly code: RowStore<Uint8Array>; // label codes (255 = missing), width nTargets
  readonly w: RowStore<Float64Array> | null;
  readonly rows: RowStore<Int32Array>;
  /** Long form: the task index of each row (order of first appearance); width 0 in the wide form. */
  readonly task: RowStore<Int32Array>;
}

// One sink for all rows of the file, in file order (both forms): issue 15's T = 10 000 × 20-row file
// spent ~10 kB per task on six row stores per task (2.66 × the data at its peak, 47 MB per CPU s).
// The long form keeps each row's task index and `finishLong` scatters the rows into one contiguous
// array in task order (each task a view of it) while the stores release their memory.
function newSink(nNum: number, nCat: number, nTargets: number, codes: boolean, weighted: boolean, long: boolean, maxRows: number): Sink {
  return {
    x: rowsF64(nNum, maxRows),
    cat: rowsI32(nCat, maxRows),
    y: rowsF64(nTargets, maxRows),
    code: rowsU8(codes ? nTargets : 0, maxRows),
    w: weighted ? rowsF64(1, maxRows) : null,
    rows: rowsI32(1, maxRows),
    task: rowsI32(long ? 1 : 0, maxRows),
  };
}

/** Appends one row of `src` (its full length) to a store. */
function putRow<A extends Float64Array | Int32Array | Uint8Array>(store: RowStore<A>, src: A): void {
  const n = store.width;
  if (n === 0) return;
  const o = store.slot();
  const dst = store.cur;
  for (let k = 0; k < n; k++) dst[o + k] = src[k]!;
  store.commit();
}

const MISSING = 255;

export class CsvRecordBuilder {
  private readonly file: string;
  private readonly opts: CsvOptions;
  private readonly form: 'long' | 'wide';
  private readonly kind: KindOption;
  private names: string[] = [];
  private ncols = -1;
  private taskCol = -1;
  private targetCols: number[] = [];
  private weightCol = -1;
  private ovrCol = -1;
  private numCols: number[] = [];
  private catCols: number[] = [];
  /** Final feature order: each entry is a numeric slot (≥ 0) or −1 − categorical slot. */
  private featureOrder: number[] = [];
  private catCodes: Map<string, number>[] = [];
  private catFixed: (readonly string[] | undefined)[] = [];
  /** Task name → index (order of first appearance); the long form's names in that order. */
  private readonly tasks = new Map<string, number>();
  private readonly taskNamesList: string[] = [];
  private sink: Sink | undefined;
  private readonly tracker: LabelTracker = { keys: [] };
  private dataRow = 0;
  private dropped: DroppedRow[] = [];
  private droppedCount = 0;
  private rowCat = new Int32Array(0);
  private rowY = new Float64Array(0);
  private rowCode = new Uint8Array(0);
  private headerDone = false;

  constructor(file: string, opts: CsvOptions) {
    this.file = file;
    this.opts = opts;
    const long = opts.taskCol !== undefined || opts.target !== undefined;
    const wide = opts.targets !== undefined || opts.oneVsRest !== undefined;
    if (long && wide) throw new OptionError('targets', 'give either taskCol + target (long form) or targets / oneVsRest (wide form), not both');
    if (!long && !wide) throw new OptionError('taskCol', 'give taskCol + target (long form) or targets / oneVsRest (wide form)');
    if (long && (opts.taskCol === undefined || opts.target === undefined)) {
      throw new OptionError(opts.taskCol === undefined ? 'taskCol' : 'target', 'the long form needs both taskCol and target');
    }
    if (opts.targets !== undefined && opts.oneVsRest !== undefined) throw new OptionError('oneVsRest', 'give either targets or oneVsRest');
    if (opts.targets !== undefined && opts.targets.length === 0) throw new OptionError('targets', 'needs at least one column');
    this.form = long ? 'long' : 'wide';
    this.kind = opts.oneVsRest !== undefined ? 'binary' : (opts.kind ?? 'auto');
    if (opts.oneVsRest !== undefined && opts.kind === 'regression') throw new OptionError('kind', 'oneVsRest makes binary tasks; kind "regression" contradicts it');
    if (!['auto', 'binary', 'regression'].includes(this.kind)) throw new OptionError('kind', `must be auto, binary or regression, got ${JSON.stringify(opts.kind)}`);
  }

  /** Size of the input in bytes, when known: bounds the rows (each needs ≥ one byte per column) for the row stores. */
  inputBytes = Infinity;

  private maxRows(): number {
    return Math.floor(this.inputBytes / Math.max(1, this.ncols)) + 2;
  }

  /** 1 for the columns read as numbers (features, targets, weights): the tokenizer parses them on the fly. */
  numericColumns(): Uint8Array {
    const f = new Uint8Array(this.ncols);
    for (const j of this.numCols) f[j] = 1;
    for (const j of this.targetCols) f[j] = 1;
    if (this.weightCol >= 0) f[this.weightCol] = 1;
    return f;
  }

  get columnNames(): readonly string[] {
    return this.names;
  }

  /** The header record (or, without a header, the first record to learn the column count). */
  header(fields: readonly string[], line: number): void {
    const names = this.opts.header === false ? fields.map((_, j) => String(j + 1)) : fields.map((s) => s.trim());
    const seen = new Map<string, number>();
    names.forEach((n, j) => {
      const first = seen.get(n);
      if (first !== undefined) throw new DuplicateHeaderError({ file: this.file, line, column: j + 1, columnName: n }, first + 1);
      seen.set(n, j);
    });
    this.names = names;
    this.ncols = names.length;
    const o = this.opts;
    const col = (option: string, name: string): number => {
      const j = seen.get(name);
      if (j === undefined) throw new UnknownColumnError(this.file, option, name, names);
      return j;
    };
    const roles: (Role | undefined)[] = new Array(this.ncols).fill(undefined);
    const claim = (option: string, name: string, role: Role): number => {
      const j = col(option, name);
      if (roles[j] !== undefined) throw new OptionError(option, `column "${name}" is already used as ${roles[j]}`);
      roles[j] = role;
      return j;
    };
    if (this.form === 'long') {
      this.taskCol = claim('taskCol', o.taskCol!, 'task');
      this.targetCols = [claim('target', o.target!, 'target')];
    } else if (o.targets !== undefined) {
      this.targetCols = o.targets.map((t) => claim('targets', t, 'target'));
    } else {
      this.ovrCol = claim('oneVsRest', o.oneVsRest!, 'ovr');
    }
    if (o.weightCol !== undefined) this.weightCol = claim('weightCol', o.weightCol, 'weight');
    for (const s of o.skip ?? []) claim('skip', s, 'skip');
    const categorical = new Set(o.categorical ?? []);
    for (const c of categorical) col('categorical', c);
    for (const c of Object.keys(o.categories ?? {})) {
      if (!categorical.has(c)) throw new OptionError('categories', `column "${c}" is not listed in categorical`);
    }
    const featureCols = o.features !== undefined ? o.features.map((f) => col('features', f)) : names.map((_, j) => j).filter((j) => roles[j] === undefined);
    for (const j of featureCols) {
      const role: Role = categorical.has(names[j]!) ? 'categorical' : 'feature';
      if (roles[j] !== undefined) throw new OptionError('features', `column "${names[j]}" is already used as ${roles[j]}`);
      roles[j] = role;
      if (role === 'feature') {
        this.featureOrder.push(this.numCols.length);
        this.numCols.push(j);
      } else {
        this.featureOrder.push(-1 - this.catCols.length);
        this.catCols.push(j);
        const fixed = o.categories?.[names[j]!];
        this.catFixed.push(fixed);
        this.catCodes.push(new Map((fixed ?? []).map((v, i) => [v, i])));
      }
    }
    for (const c of categorical) {
      if (roles[seen.get(c)!] !== 'categorical') throw new OptionError('categorical', `column "${c}" is not a feature column`);
    }
    if (this.featureOrder.length === 0) throw new OptionError('features', `${this.file}: no feature columns left`);
    const nt = this.form === 'long' ? 1 : o.targets !== undefined ? o.targets.length : 1;
    this.rowCat = new Int32Array(this.catCols.length);
    this.rowY = new Float64Array(nt);
    this.rowCode = new Uint8Array(nt);
    if (this.summaryMode) {
      this.features = new FeatureMoments(this.numCols.length);
      this.catCounts = this.catCols.map(() => new Float64Array(16));
      this.stats = new TaskMoments(this.summaryClasses);
      if (this.form === 'wide') this.stats.ensure(this.opts.targets !== undefined ? nt : 0);
      this.stagingX = new Float64Array(this.numCols.length);
    } else {
      this.sink = newSink(this.numCols.length, this.catCols.length, nt, this.kind !== 'regression', this.weightCol >= 0, this.form === 'long', this.maxRows());
    }
    this.headerDone = true;
  }

  private pos(line: number, j: number): CellPosition {
    return { file: this.file, line, column: j + 1, columnName: this.names[j] ?? String(j + 1) };
  }

  private taskIndexOf(task: string): number {
    let t = this.tasks.get(task);
    if (t === undefined) {
      t = this.taskNamesList.length;
      this.tasks.set(task, t);
      this.taskNamesList.push(task);
    }
    return t;
  }

  private drop(line: number, j: number, reason: string): void {
    if (this.dropped.length < MAX_DROPPED_LISTED) {
      this.dropped.push({ row: this.dataRow, line, column: this.names[j] ?? String(j + 1), reason });
    }
    this.droppedCount++;
  }

  /**
   * One data record (tokenized bytes; field j starts on line rec.line[j]). Numeric cells take the
   * byte fast path (`CsvRecord.number`); only when it returns NaN is the cell decoded and judged by
   * the string rules (`classifyCell`), so every error and every accepted spelling is as before.
   */
  record(rec: CsvRecord): void {
    if (!this.headerDone) throw new Error('CsvRecordBuilder: header() must come first');
    const nf = rec.count;
    if (nf !== this.ncols) {
      const j = Math.min(nf, this.ncols);
      const line = rec.lineOf(Math.min(j, nf - 1));
      throw new RaggedRowError({ file: this.file, line, column: j + 1, columnName: this.names[j] ?? String(j + 1) }, this.ncols, nf);
    }
    const { rowCat, rowY, rowCode } = this;
    const sink = this.sink;
    const numCols = this.numCols;
    // Features first, written straight into the row store's staging array (committed at the end):
    // a row dropped for a missing feature leaves nothing behind. Summary mode: into one row's array.
    const xo = sink !== undefined ? sink.x.slot() : 0;
    const rowX = sink !== undefined ? sink.x.cur : this.stagingX;
    // Numeric flags set (every record after the header): value[j] is the tokenizer's fast-path value
    // (NaN: decode and judge the text); see CsvRecord.number.
    const values = rec.numeric.length === this.ncols ? rec.value : null;
    for (let k = 0; k < numCols.length; k++) {
      const j = numCols[k]!;
      const v = values !== null ? values[j]! : rec.number(j);
      if (v === v) {
        rowX[xo + k] = v;
        continue;
      }
      const s = rec.text(j);
      const fv = fastNumber(s); // spellings the byte path leaves to Number() (" 1", "1.", 17 digits, 1e-300, ...)
      if (fv === fv) {
        rowX[xo + k] = fv;
        continue;
      }
      if (classifyCell(s).kind === 1 && this.opts.dropMissingFeatures === true) {
        this.drop(rec.lineOf(j), j, 'empty feature cell');
        this.dataRow++;
        return;
      }
      // Not a clean number: numberCell throws the error that says why.
      rowX[xo + k] = numberCell(s, this.pos(rec.lineOf(j), j), 'a feature needs a value (or set dropMissingFeatures to drop such rows)');
    }
    for (let k = 0; k < this.catCols.length; k++) {
      const j = this.catCols[k]!;
      const v = rec.text(j).trim();
      if (v.length === 0) {
        if (this.opts.dropMissingFeatures === true) {
          this.drop(rec.lineOf(j), j, 'empty categorical cell');
          this.dataRow++;
          return;
        }
        throw new MissingCellError(this.pos(rec.lineOf(j), j), 'a categorical feature needs a value (or set dropMissingFeatures)');
      }
      const codes = this.catCodes[k]!;
      let code = codes.get(v);
      if (code === undefined) {
        const fixed = this.catFixed[k];
        if (fixed !== undefined) encodeCategory(fixed, this.names[j]!, v, `${this.file}:${rec.lineOf(j)}: `);
        code = codes.size;
        codes.set(v, code);
      }
      rowCat[k] = code;
    }
    const task = this.form === 'long' ? this.taskOf(rec) : 0;
    let any = false;
    if (this.ovrCol >= 0) {
      const v = rec.text(this.ovrCol).trim();
      if (v.length === 0) throw new MissingCellError(this.pos(rec.lineOf(this.ovrCol), this.ovrCol), 'oneVsRest needs a class in every row');
      rowY[0] = NaN;
      rowCode[0] = this.classCode(v);
      any = true;
    } else {
      for (let t = 0; t < this.targetCols.length; t++) {
        any = this.readTarget(rec, t) || any;
      }
    }
    let weight = 1;
    if (this.weightCol >= 0) {
      const j = this.weightCol;
      weight = rec.number(j);
      if (!(weight >= 0)) {
        const s = rec.text(j);
        const c = classifyCell(s);
        if (c.kind === 1) throw new MissingCellError(this.pos(rec.lineOf(j), j), 'every row needs a weight');
        if (c.kind === 3) throw new NonNumericCellError(this.pos(rec.lineOf(j), j), s);
        if (c.kind === 2 || c.value < 0) throw new BadWeightError(this.pos(rec.lineOf(j), j), s);
        weight = c.value;
      }
    }
    if (sink === undefined) {
      this.summariseRow(rowX, task, any);
      return;
    }
    sink.x.commit();
    putRow(sink.cat, rowCat);
    if (rowY.length === 1) sink.y.push(rowY[0]!);
    else putRow(sink.y, rowY);
    putRow(sink.code, rowCode);
    sink.w?.push(weight);
    sink.rows.push(this.dataRow);
    if (this.form === 'long') sink.task.push(task);
    if (!any) this.unlabelled++;
    this.dataRow++;
  }

  // ---- Summary mode (`summariseCsv`): each accepted row is folded into moments and dropped.

  /** Set before `header`: fold rows into statistics (memory O(tasks + columns)) instead of storing them. */
  summaryMode = false;
  /** Summary mode with --classes K: the multiclass checks of `toMulticlass`, on the stream. */
  summaryClasses = 0;
  private features: FeatureMoments | undefined;
  private stats: TaskMoments | undefined;
  /** Per categorical column: rows per category code. */
  private catCounts: Float64Array[] = [];
  private stagingX = new Float64Array(0);
  /** Summary mode: rows kept (the shared X's rows in the wide form). */
  private keptRows = 0;

  private summariseRow(rowX: Float64Array, task: number, any: boolean): void {
    this.features!.add(rowX);
    for (let k = 0; k < this.catCols.length; k++) {
      let c = this.catCounts[k]!;
      const code = this.rowCat[k]!;
      if (code >= c.length) {
        const g = new Float64Array(Math.max(2 * c.length, code + 1));
        g.set(c);
        this.catCounts[k] = c = g;
      }
      c[code]!++;
    }
    const stats = this.stats!;
    const kept = this.keptRows;
    if (this.form === 'long') stats.add(task, this.rowY[0]!, this.rowCode[0]!, this.dataRow);
    else if (this.ovrCol >= 0) {
      // One task per class (tasks indexed by class code here, sorted at the end): every row is labelled for every task.
      const c = this.rowCode[0]!;
      stats.ensure(c + 1);
      stats.add(c, NaN, 0, kept);
    } else {
      const { rowY, rowCode } = this;
      for (let t = 0; t < rowY.length; t++) if (rowCode[t] !== MISSING) stats.add(t, rowY[t]!, rowCode[t]!, kept);
    }
    if (!any) this.unlabelled++;
    this.keptRows++;
    this.dataRow++;
  }

  /** Summary mode: the inspection and the loader's report (no dataset). `source` names the file in the summary. */
  summarise(source: string): CsvSummary {
    const { kept, categories, featureNames, kind, labelMap, rule } = this.finishChecks();
    const stats = this.stats!;
    const fm = this.features!;
    fm.finish();
    // Feature statistics in the dataset's feature order; one-hot columns from their category counts.
    const features: FeatureStats[] = [];
    for (const f of this.featureOrder) {
      if (f >= 0) {
        features.push(fm.stats(f, this.names[this.numCols[f]!]!));
        continue;
      }
      const k = -1 - f;
      const name = this.names[this.catCols[k]!]!;
      const codes = this.catCodes[k]!;
      for (const v of categories[name]!) {
        const code = codes.get(v);
        features.push(oneHotStats(`${name}=${v}`, code === undefined ? 0 : (this.catCounts[k]![code] ?? 0), kept));
      }
    }
    const multi = this.form === 'wide';
    let names: string[];
    let index: number[];
    if (this.form === 'long') {
      names = this.taskNamesList;
      index = names.map((_, t) => t);
    } else if (this.ovrCol >= 0) {
      const values = [...this.ovrClasses.keys()];
      const allNum = values.every((v) => Number.isFinite(Number(v)));
      const sorted = [...values].sort(allNum ? (a, b) => Number(a) - Number(b) : undefined);
      const col = this.names[this.ovrCol]!;
      names = sorted.map((v) => `${col}=${v}`);
      index = sorted.map((v) => this.ovrClasses.get(v)!);
    } else {
      names = [...this.opts.targets!];
      index = names.map((_, t) => t);
    }
    const posCode = labelMap !== undefined && this.ovrCol < 0 ? this.tracker.keys.indexOf(labelMap.positive) : -1;
    const tasks: TaskStats[] = names.map((name, t): TaskStats => {
      const i = index[t]!;
      // oneVsRest: task "col=v" has every kept row, positive where the class is v.
      const n = this.ovrCol >= 0 ? kept : stats.count(i);
      const base = { task: name, n, ...(multi ? { missing: kept - n } : {}) };
      if (kind === 'binary') {
        const positives = this.ovrCol >= 0 ? stats.count(i) : stats.codeCount(i, posCode);
        if (positives === 0) throw new OneClassTaskError(this.file, name, labelMap!.negative, n);
        if (positives === n) throw new OneClassTaskError(this.file, name, labelMap!.positive, n);
        return { ...base, positives, negatives: n - positives };
      }
      return { ...base, ...stats.meanSd(i) };
    });
    const report: CsvSummaryReport = {
      ...this.rowCounts(kept),
      kind,
      ...(labelMap ? { labelMap, labelRule: rule } : {}),
      taskOrder: this.taskOrder(),
      tasks: tasks.map((t) => ({ name: t.task, rows: t.n })),
      featureNames,
      categories,
    };
    const layout = multi ? 'multi-output' : 'per-task';
    if (this.summaryClasses > 0) {
      const K = this.summaryClasses;
      checkClassCount(K);
      const what = this.opts.target !== undefined ? `target "${this.opts.target}"` : this.opts.targets !== undefined ? 'the target' : 'the label';
      if (kind === 'binary') throw new DataError(`${source}: ${what} was read as binary labels; multiclass labels must be read as numbers 0..${K - 1}`);
      names.forEach((name, t) => {
        const { bad, ...classes } = stats.classCheck(index[t]!);
        if (bad) throw notAClassError(source, name, bad.row, what, bad.value, K);
        if (classes.used < 2) throw tooFewClassesError(source, name, classes.used, classes.first);
      });
      return { inspection: inspection(source, layout, 'multiclass', undefined, tasks, features), report };
    }
    return { inspection: inspection(source, layout, kind, labelMap, tasks, features), report };
  }

  /** Rows held in memory: the stored rows, or in summary mode those of the block not yet reduced. */
  get heldRows(): number {
    return this.sink !== undefined ? this.sink.rows.rows : (this.features?.heldRows ?? 0);
  }

  private taskOrder(): string {
    return this.form === 'long' ? 'order of first appearance in the file' : this.opts.oneVsRest !== undefined ? 'class values sorted' : 'order of the targets option';
  }

  /** Short task ids (≤ 6 printable ASCII bytes) → task index, keyed by their bytes packed into one number. */
  private readonly shortTaskKeys = new Map<number, number>();

  /** The index of the record's task (long form), created on first appearance. */
  private taskOf(rec: CsvRecord): number {
    const j = this.taskCol;
    const s = rec.start[j]!;
    const e = rec.end[j]!;
    const len = e - s;
    let key = -1;
    if (len > 0 && len <= 6 && rec.quotedOf(j) !== 2) {
      // Names that need no trimming or decoding: the bytes are the name, so a packed key is exact.
      key = len;
      const buf = rec.buf;
      for (let i = s; i < e; i++) {
        const c = buf[i]!;
        if (c <= 32 || c >= 127) { key = -1; break; }
        key = key * 256 + c;
      }
      if (key >= 0) {
        const hit = this.shortTaskKeys.get(key);
        if (hit !== undefined) return hit;
      }
    }
    const task = rec.text(j).trim();
    if (task.length === 0) throw new MissingCellError(this.pos(rec.lineOf(j), j), 'every row needs a task id');
    const t = this.taskIndexOf(task);
    if (key >= 0) this.shortTaskKeys.set(key, t);
    return t;
  }

  private unlabelled = 0;
  private ovrClasses = new Map<string, number>();

  private classCode(v: string): number {
    let c = this.ovrClasses.get(v);
    if (c === undefined) {
      c = this.ovrClasses.size;
      if (c >= MISSING) throw new OptionError('oneVsRest', `${this.file}: column "${this.opts.oneVsRest}" has more than ${MISSING - 1} classes`);
      this.ovrClasses.set(v, c);
    }
    return c;
  }

  /** Numeric values of the first two label keys (NaN when a key is text), to skip String(v) per row. */
  private readonly keyValue = [NaN, NaN];

  /** Reads target t into rowY/rowCode; returns false for a missing (wide-form) label. */
  private readTarget(rec: CsvRecord, t: number): boolean {
    const j = this.targetCols[t]!;
    const fast = rec.number(j);
    if (fast === fast) {
      this.rowY[t] = fast;
      if (this.kind === 'regression') {
        this.rowCode[t] = 0;
        return true;
      }
      // −0 === 0, as String(−0) === String(0): the same label either way.
      if (fast === this.keyValue[0]) { this.rowCode[t] = 0; return true; }
      if (fast === this.keyValue[1]) { this.rowCode[t] = 1; return true; }
    }
    const line = rec.lineOf(j);
    const s = rec.text(j);
    const c = classifyCell(s);
    if (c.kind === 1) {
      if (this.form === 'long') throw new MissingCellError(this.pos(line, j), 'the long form needs a target in every row');
      this.rowY[t] = NaN;
      this.rowCode[t] = MISSING;
      return false;
    }
    if (c.kind === 2) throw new NonFiniteCellError(this.pos(line, j), s);
    if (c.kind === 3 && this.kind === 'regression') throw new NonNumericCellError(this.pos(line, j), s);
    this.rowY[t] = c.value;
    if (this.kind === 'regression') {
      this.rowCode[t] = 0;
      return true;
    }
    const key = c.kind === 0 ? String(c.value) : s.trim();
    if (c.kind === 3 && this.tracker.firstText === undefined) this.tracker.firstText = { pos: this.pos(line, j), value: s };
    const code = trackLabel(this.tracker, key, this.pos(line, j), this.kind);
    if (code < 2 && c.kind === 0) this.keyValue[code] = c.value;
    this.rowCode[t] = code;
    return true;
  }

  /** The file and row counts that open both reports (CsvReport and CsvSummaryReport), in their key order. */
  private rowCounts(kept: number): Pick<CsvReport, 'file' | 'form' | 'rowsRead' | 'rowsKept' | 'rowsDropped' | 'dropped' | 'unlabelledRows'> {
    return {
      file: this.file,
      form: this.form,
      rowsRead: this.dataRow,
      rowsKept: kept,
      rowsDropped: this.droppedCount,
      dropped: this.dropped,
      unlabelledRows: this.form === 'wide' ? this.unlabelled : 0,
    };
  }

  /** The checks and decisions at the end of the input, common to `finish` and `summarise`. */
  private finishChecks(): { kept: number; categories: Record<string, string[]>; featureNames: string[]; kind: TaskKind; labelMap?: LabelMap; rule?: string } {
    if (!this.headerDone) throw new EmptyFileError(this.file, 'the file is empty (no header and no data rows)');
    if (this.dataRow === 0) throw new EmptyFileError(this.file, 'the file has a header but no data rows');
    const kept = this.dataRow - this.droppedCount;
    if (kept === 0) throw new EmptyFileError(this.file, `all ${this.dataRow} data rows were dropped (dropMissingFeatures)`);
    const categories = this.finalCategories();
    const featureNames = this.featureNamesOf(categories);
    return { kept, categories, featureNames, ...this.decideKind() };
  }

  /** Builds the dataset and the report. */
  finish(): CsvResult {
    if (this.summaryMode) throw new Error('CsvRecordBuilder: finish() in summary mode (use summarise)');
    const { kept, categories, featureNames, kind, labelMap, rule } = this.finishChecks();
    const res = this.form === 'long' ? this.finishLong(kind, labelMap, categories) : this.finishWide(kind, labelMap, categories);
    const dataset: MultiTaskDataset = { ...res, kind, featureNames, source: this.file, ...(labelMap ? { labelMap } : {}) };
    const report: CsvReport = {
      ...this.rowCounts(kept),
      ...(this.sharedRowSource ? { sharedRowSource: this.sharedRowSource } : {}),
      kind,
      ...(labelMap ? { labelMap, labelRule: rule } : {}),
      taskOrder: this.taskOrder(),
      tasks: dataset.tasks.map((t) => ({ name: t.name, rows: t.y.length })),
      featureNames,
      categories,
    };
    return { dataset, report };
  }

  private finalCategories(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    this.catCols.forEach((j, k) => {
      const fixed = this.catFixed[k];
      out[this.names[j]!] = fixed !== undefined ? [...fixed] : [...this.catCodes[k]!.keys()].sort();
    });
    return out;
  }

  private featureNamesOf(categories: Record<string, string[]>): string[] {
    const out: string[] = [];
    for (const f of this.featureOrder) {
      if (f >= 0) out.push(this.names[this.numCols[f]!]!);
      else {
        const name = this.names[this.catCols[-1 - f]!]!;
        for (const v of categories[name]!) out.push(`${name}=${v}`);
      }
    }
    return out;
  }

  private decideKind(): { kind: TaskKind; labelMap?: LabelMap; rule?: string } {
    if (this.ovrCol >= 0) return { kind: 'binary', labelMap: { negative: 'other', positive: 'this class' }, rule: 'oneVsRest: +1 = this class, −1 = any other class' };
    const tr = this.tracker;
    // Counts are numeric targets like regression values (the Poisson loss checks y ≥ 0 at fit time).
    if (this.kind === 'regression' || this.kind === 'count') return { kind: this.kind };
    if (this.kind === 'auto') {
      if (tr.third === undefined && tr.keys.length === 2) {
        const { map, rule } = chooseLabelMap(tr.keys[0]!, tr.keys[1]!, this.opts.positive);
        return { kind: 'binary', labelMap: map, rule };
      }
      if (tr.firstText !== undefined) throw new NonNumericCellError(tr.firstText.pos, tr.firstText.value);
      return { kind: 'regression' };
    }
    if (tr.keys.length < 2) {
      throw new OneClassTaskError(this.file, '(all tasks)', tr.keys[0] ?? '', this.dataRow - this.droppedCount);
    }
    const { map, rule } = chooseLabelMap(tr.keys[0]!, tr.keys[1]!, this.opts.positive);
    return { kind: 'binary', labelMap: map, rule };
  }

  /** The ±1 value of label code c under the chosen map. */
  private signOf(labelMap: LabelMap): (code: number) => number {
    const posCode = this.tracker.keys.indexOf(labelMap.positive);
    return (code) => (code === posCode ? 1 : -1);
  }

  /** Assembles n × d features from the numeric and categorical buffers of a sink, releasing them. */
  private assembleX(sink: Sink, n: number, categories: Record<string, string[]>): Matrix {
    const nNum = this.numCols.length;
    const nCat = this.catCols.length;
    if (nCat === 0) return new Matrix(n, nNum, sink.x.toArray());
    // Map each file-order code to its position in the sorted category list.
    const remap = this.catCols.map((j, k) => {
      const sorted = categories[this.names[j]!]!;
      const r = new Int32Array(this.catCodes[k]!.size);
      for (const [v, code] of this.catCodes[k]!) r[code] = sorted.indexOf(v);
      return { r, size: sorted.length };
    });
    const width = this.featureOrder.reduce((s, f) => s + (f >= 0 ? 1 : remap[-1 - f]!.size), 0);
    const x = sink.x.toArray();
    const cat = sink.cat.toArray();
    const out = new Float64Array(n * width);
    for (let i = 0; i < n; i++) {
      let o = i * width;
      for (const f of this.featureOrder) {
        if (f >= 0) out[o++] = x[i * nNum + f]!;
        else {
          const k = -1 - f;
          const { r, size } = remap[k]!;
          out[o + r[cat[i * nCat + k]!]!] = 1;
          o += size;
        }
      }
    }
    return new Matrix(n, width, out);
  }

  /**
   * The long form's tasks from the one file-order sink: a counting sort by task index, each task's
   * rows contiguous (in file order) in one array per quantity, each task's X, y, rows and weights
   * views of those arrays. X is scattered from the row store's last rows backwards while the store
   * releases them, so the data is never resident twice (issue 15: peak ≤ 1.5 × the data).
   */
  private finishLong(kind: TaskKind, labelMap: LabelMap | undefined, categories: Record<string, string[]>): Pick<MultiTaskDataset, 'layout' | 'tasks'> {
    const sink = this.sink!;
    const T = this.taskNamesList.length;
    const n = sink.rows.rows;
    const task = sink.task.toArray();
    const start = new Int32Array(T + 1); // task t's rows are start[t] .. start[t + 1] − 1 of the output
    for (let i = 0; i < n; i++) start[task[i]! + 1]!++;
    for (let t = 0; t < T; t++) start[t + 1]! += start[t]!;
    const cursor = new Int32Array(T);
    /** out[k·w ..] of the k-th row in task order ← src, row by row from the last backwards. */
    const scatter = <A extends Float64Array | Int32Array>(out: A, w: number, src: A, firstRow: number): void => {
      for (let r = src.length / w - 1; r >= 0; r--) {
        const t = task[firstRow + r]!;
        const k = --cursor[t]!;
        // A plain loop: a subarray per row would allocate per row.
        for (let c = 0, o = k * w, i = r * w; c < w; c++) out[o + c] = src[i + c]!;
      }
    };
    const resetCursor = (): void => { for (let t = 0; t < T; t++) cursor[t] = start[t + 1]!; };
    const gather = <A extends Float64Array | Int32Array>(out: A, w: number, src: A): A => {
      resetCursor();
      scatter(out, w, src, 0);
      return out;
    };
    let y: Float64Array;
    if (kind === 'binary') {
      const sign = this.signOf(labelMap!);
      const code = sink.code.toArray();
      const yFile = new Float64Array(n);
      for (let i = 0; i < n; i++) yFile[i] = sign(code[i]!);
      y = gather(new Float64Array(n), 1, yFile);
    } else y = gather(new Float64Array(n), 1, sink.y.toArray());
    const rows = gather(new Int32Array(n), 1, sink.rows.toArray());
    const weights = sink.w ? gather(new Float64Array(n), 1, sink.w.toArray()) : undefined;
    let X: Float64Array;
    let width: number;
    if (this.catCols.length === 0) {
      width = this.numCols.length;
      X = new Float64Array(n * width);
      if ((n * width * 8) / T >= SMALL_TASK_BYTES) {
        resetCursor();
        sink.x.drainBackward((piece, firstRow) => scatter(X, width, piece, firstRow));
      } else scatterViaBuckets(sink.x, X, width, task, start, T);
    } else {
      const file = this.assembleX(sink, n, categories); // one-hot columns: assembled in file order first
      width = file.cols;
      X = gather(new Float64Array(n * width), width, file.data);
    }
    const tasks: TaskData[] = this.taskNamesList.map((name, t) => {
      const a = start[t]!;
      const b = start[t + 1]!;
      const yt = y.subarray(a, b);
      if (kind === 'binary') checkBothClasses(this.file, name, yt, labelMap!);
      const Xt = new Matrix(b - a, width, X.subarray(a * width, b * width));
      const rt = rows.subarray(a, b);
      return weights ? { name, X: Xt, y: yt, rows: rt, weights: weights.subarray(a, b) } : { name, X: Xt, y: yt, rows: rt };
    });
    return { layout: 'per-task', tasks };
  }

  private sharedRowSource: Int32Array | undefined;

  private finishWide(kind: TaskKind, labelMap: LabelMap | undefined, categories: Record<string, string[]>): Pick<MultiTaskDataset, 'layout' | 'tasks' | 'shared'> {
    const sink = this.sink!;
    const n = sink.rows.rows;
    this.sharedRowSource = sink.rows.toArray();
    const code = sink.code.toArray();
    const yRaw = sink.y.toArray();
    const weights = sink.w?.toArray();
    const X = this.assembleX(sink, n, categories);
    let names: string[];
    let Y: Matrix;
    if (this.ovrCol >= 0) {
      // One task per class value; values sorted numerically when they all are numbers.
      const values = [...this.ovrClasses.keys()];
      const allNum = values.every((v) => Number.isFinite(Number(v)));
      const sorted = [...values].sort(allNum ? (a, b) => Number(a) - Number(b) : undefined);
      const col = this.names[this.ovrCol]!;
      names = sorted.map((v) => `${col}=${v}`);
      const codeOfTask = sorted.map((v) => this.ovrClasses.get(v)!);
      Y = Matrix.zeros(n, sorted.length);
      for (let i = 0; i < n; i++) for (let t = 0; t < sorted.length; t++) Y.data[i * sorted.length + t] = code[i] === codeOfTask[t] ? 1 : -1;
    } else {
      names = [...this.opts.targets!];
      const T = names.length;
      Y = new Matrix(n, T, yRaw);
      if (kind === 'binary') {
        const sign = this.signOf(labelMap!);
        for (let k = 0; k < n * T; k++) Y.data[k] = code[k] === MISSING ? NaN : sign(code[k]!);
      }
    }
    const T = names.length;
    const tasks: TaskData[] = names.map((name, t) => {
      let m = 0;
      for (let i = 0; i < n; i++) if (!Number.isNaN(Y.data[i * T + t]!)) m++;
      const rows = new Int32Array(m);
      const y = new Float64Array(m);
      for (let i = 0, k = 0; i < n; i++) {
        const v = Y.data[i * T + t]!;
        if (!Number.isNaN(v)) {
          rows[k] = i;
          y[k++] = v;
        }
      }
      if (kind === 'binary') checkBothClasses(this.file, name, y, labelMap!);
      const Xt = X.selectRows(rows);
      return weights ? { name, X: Xt, y, rows, weights: pick(weights, rows) } : { name, X: Xt, y, rows };
    });
    return { layout: 'multi-output', tasks, shared: { X, Y } };
  }
}

// Below this many bytes of X per task on average, `finishLong` scatters through buckets of tasks.
const SMALL_TASK_BYTES = 64 * 1024;
const BUCKETS = 64;

/**
 * Rows of `src` (file order; row i belongs to task[i]) into `out` in task order (task t's rows at
 * start[t] .. start[t + 1] − 1, in file order), in two passes through BUCKETS groups of consecutive
 * tasks. Why: scattered straight from the file order, every task's region of the output is touched
 * (its pages committed) long before it is full, so with many small tasks the output is resident
 * almost whole while the input is still half there — T = 10 000 tasks of 8 kB peaked at ~1.5 × the
 * data for X alone. Through buckets, pass 1 moves the input into B row stores (the input released
 * as it is read), and pass 2 fills the output one bucket's region at a time (each bucket released as
 * it is read): resident at any time ≈ the data plus one bucket's region and the B staging arrays.
 */
function scatterViaBuckets(src: RowStore<Float64Array>, out: Float64Array, w: number, task: Int32Array, start: Int32Array, T: number): void {
  const n = start[T]!;
  const B = Math.min(T, BUCKETS);
  // Bucket b holds tasks first[b] .. first[b + 1] − 1: consecutive tasks of about n / B rows together.
  const bucketOf = new Int32Array(T);
  const first = new Int32Array(B + 1);
  let b = 0;
  for (let t = 0; t < T; t++) {
    if (b < B - 1 && start[t]! >= ((b + 1) * n) / B) first[++b] = t;
    bucketOf[t] = b;
  }
  const used = b + 1;
  first[used] = T;
  const rowsX: RowStore<Float64Array>[] = [];
  const rowsT: RowStore<Int32Array>[] = [];
  for (let k = 0; k < used; k++) {
    const m = start[first[k + 1]!]! - start[first[k]!]!;
    rowsX.push(rowsF64(w, m));
    rowsT.push(rowsI32(1, m));
  }
  // Pass 1: the input backwards (released as read) into the buckets (each in reverse file order).
  src.drainBackward((piece, firstRow) => {
    for (let r = piece.length / w - 1; r >= 0; r--) {
      const t = task[firstRow + r]!;
      const k = bucketOf[t]!;
      const st = rowsX[k]!;
      const o = st.slot();
      const dst = st.cur;
      for (let c = 0, i = r * w; c < w; c++) dst[o + c] = piece[i + c]!;
      st.commit();
      rowsT[k]!.push(t);
    }
  });
  // Pass 2: each bucket from its last stored row (the earliest in the file) to its first, forwards into its tasks.
  const cursor = start.slice(0, T);
  for (let k = 0; k < used; k++) {
    const ts = rowsT[k]!.toArray();
    rowsX[k]!.drainBackward((piece, firstRow) => {
      for (let r = piece.length / w - 1; r >= 0; r--) {
        const o = cursor[ts[firstRow + r]!]!++ * w;
        for (let c = 0, i = r * w; c < w; c++) out[o + c] = piece[i + c]!;
      }
    });
  }
}

function pick(v: Float64Array, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = v[idx[k]!]!;
  return out;
}

function checkBothClasses(file: string, task: string, y: Float64Array, map: LabelMap): void {
  let pos = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > 0) pos++;
  if (pos === 0) throw new OneClassTaskError(file, task, map.negative, y.length);
  if (pos === y.length) throw new OneClassTaskError(file, task, map.positive, y.length);
}

// ---------------------------------------------------------------------------------------------
// Drivers

const CHUNK_BYTES = 1 << 20;
const BOM = [0xef, 0xbb, 0xbf];

function delimiterBytes(opts: CsvOptions): Uint8Array {
  const d = opts.delimiter ?? ',';
  if (typeof d !== 'string' || d.length === 0 || /["\r\n]/.test(d)) {
    throw new OptionError('delimiter', `must be a non-empty string without quotes or line breaks, got ${JSON.stringify(d)}`);
  }
  return new Uint8Array(Buffer.from(d, 'utf8')) as Uint8Array<ArrayBuffer>;
}

/**
 * Feeds tokenized records to a builder: the first record is the header (or, with header: false,
 * both the column count and the first data row). Checks UTF-8 over buf[validFrom, upTo) first.
 */
class Feeder {
  private first = true;
  private readonly b: CsvRecordBuilder;
  private readonly tok: CsvTokenizer;
  private readonly opts: CsvOptions;
  private readonly onRecord: (r: CsvRecord) => void;

  constructor(file: string, opts: CsvOptions, inputBytes = Infinity, summary?: { readonly classes?: number }) {
    this.b = new CsvRecordBuilder(file, opts);
    this.b.inputBytes = inputBytes;
    if (summary) {
      this.b.summaryMode = true;
      this.b.summaryClasses = summary.classes ?? 0;
    }
    this.tok = new CsvTokenizer(file, delimiterBytes(opts));
    this.opts = opts;
    this.onRecord = (r) => {
      if (this.first) {
        this.first = false;
        const names: string[] = [];
        for (let j = 0; j < r.count; j++) names.push(r.text(j));
        this.b.header(names, r.lineOf(0));
        this.tok.names = this.b.columnNames;
        // Without a header this record is also data; it was tokenized before the numeric columns
        // were known, so it is read with the flags still empty (CsvRecord.number then parses bytes).
        if (this.opts.header === false) this.b.record(r);
        this.tok.rec.numeric = this.b.numericColumns();
        return;
      }
      this.b.record(r);
    };
  }

  /** Tokenizes buf[pos, end) (buf[0] is at file offset `base`); returns the first unconsumed offset. */
  run(buf: Uint8Array, pos: number, end: number, final: boolean, base = 0): number {
    this.tok.base = base;
    // Validate up to the last line break (an ASCII byte, so never inside a UTF-8 sequence); the
    // tokenizer consumes only whole records, which end at or before it.
    let upTo = end;
    if (!final) {
      let k = end - 1;
      while (k >= pos && buf[k] !== 10 && buf[k] !== 13) k--;
      upTo = k + 1;
    }
    let bad = -1;
    if (upTo > pos && !isUtf8(buf.subarray(pos, upTo))) bad = firstInvalidUtf8(buf, pos, upTo);
    return this.tok.run(buf, pos, final ? end : upTo, final, bad, this.onRecord);
  }

  finish(): CsvResult {
    return this.b.finish();
  }

  summarise(source: string): CsvSummary {
    return this.b.summarise(source);
  }

  /** Data rows the builder holds right now (summary mode: the rows of its unreduced block). */
  get heldRows(): number {
    return this.b.heldRows;
  }
}

function skipBom(buf: Uint8Array, end: number): number {
  return end >= 3 && buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2] ? 3 : 0;
}

function ioError(file: string, e: unknown): unknown {
  if (e instanceof PolytaskError) return e;
  const err = e as { code?: string; message?: string };
  if (typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code)) return new FileReadError(file, err.message ?? err.code);
  return e;
}

/** How a CSV file is read: `chunkBytes` the read size (for tests); `onChunk` is called after each chunk is tokenized. */
export interface CsvReadIO {
  readonly chunkBytes?: number;
  readonly onChunk?: (heldRows: number) => void;
}

/**
 * Streams a CSV file (any size) into a dataset (`io.chunkBytes`: the read size, for tests): 1 MiB reads into one reused buffer; the bytes of an
 * incomplete last record move to the front and the next read appends to them (the buffer doubles
 * only for a record longer than itself). Memory: the buffer plus the growing numeric arrays.
 */
export async function loadCsv(file: string, opts: CsvOptions, io: CsvReadIO = {}): Promise<CsvResult> {
  return (await streamCsv(file, io, (size) => new Feeder(file, opts, size))).finish();
}

/**
 * The summary `polytask inspect` prints (src/data/summary.ts), computed in one streaming pass: the
 * same tokenizer, record checks and errors as `loadCsv` (every message with file:line:column, and the
 * end-of-file checks in the same order), but each row is folded into per-column and per-task moments
 * and dropped, so memory is the read buffer plus O(tasks + columns), whatever the number of rows.
 * `source` names the file in the summary (the path as the user typed it); `classes`: --classes K.
 */
export async function summariseCsv(file: string, opts: CsvOptions, o: { readonly source?: string; readonly classes?: number } = {}, io: CsvReadIO = {}): Promise<CsvSummary> {
  const feeder = await streamCsv(file, io, (size) => new Feeder(file, opts, size, { ...(o.classes !== undefined ? { classes: o.classes } : {}) }));
  return feeder.summarise(o.source ?? file);
}

async function streamCsv(file: string, io: CsvReadIO, make: (inputBytes: number) => Feeder): Promise<Feeder> {
  const CHUNK = Math.max(4, Math.floor(io.chunkBytes ?? CHUNK_BYTES));
  let fh;
  let size: number;
  try {
    fh = await open(file, 'r');
    size = (await fh.stat()).size;
  } catch (e) {
    await fh?.close();
    throw ioError(file, e);
  }
  const feeder = make(size > 0 ? size : Infinity);
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let have = 0; // bytes in buf
    let pos = 0;
    let firstChunk = true;
    let base = 0; // file offset of buf[0]
    for (;;) {
      if (buf.length - have < CHUNK / 2) {
        const next = Buffer.allocUnsafe(Math.max(buf.length, 2 * (have - pos) + CHUNK));
        buf.copy(next, 0, pos, have);
        base += pos;
        have -= pos;
        pos = 0;
        buf = next;
      }
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, have, buf.length - have, null));
      } catch (e) {
        throw ioError(file, e);
      }
      have += n;
      const final = n === 0;
      if (firstChunk && (have >= 3 || final)) {
        pos = skipBom(buf, have);
        firstChunk = false;
      }
      if (firstChunk) continue;
      pos = feeder.run(buf, pos, have, final, base);
      io.onChunk?.(feeder.heldRows);
      if (final) break;
      // Move the incomplete record to the front.
      if (pos > 0) {
        buf.copy(buf, 0, pos, have);
        base += pos;
        have -= pos;
        pos = 0;
      }
    }
  } finally {
    await fh.close();
  }
  return feeder;
}

/** Loads CSV bytes held in memory; `file` names them in errors. */
export function loadCsvBytes(bytes: Uint8Array, opts: CsvOptions, file = '<bytes>'): CsvResult {
  const feeder = new Feeder(file, opts, bytes.length);
  feeder.run(bytes, skipBom(bytes, bytes.length), bytes.length, true);
  return feeder.finish();
}

/** Parses CSV text held in memory (small files, tests); `file` names it in errors. */
export function loadCsvText(text: string, opts: CsvOptions, file = '<text>'): CsvResult {
  return loadCsvBytes(Buffer.from(text, 'utf8'), opts, file);
}

/** Sync variant for small files: reads the whole file, then parses. */
export function loadCsvSync(file: string, opts: CsvOptions): CsvResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw ioError(file, e);
  }
  return loadCsvBytes(bytes, opts, file);
}
