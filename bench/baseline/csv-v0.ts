// FROZEN COPY of src/data/csv.ts (and grow.ts) as of commit 79370e3, the csv-parse based loader before
// issue 15. It is not part of the library: bench/data-load.bench.ts loads the same file with it and
// with the new byte-level loader in one run, so the speed-up is measured, not remembered.
// CSV loading into a MultiTaskDataset (docs/data.md describes formats, options and errors).
//
// Two forms:
//  - long:  one row per sample, a task column, one target column, feature columns
//           (options taskCol + target) → 'per-task' layout;
//  - wide:  one row per shared sample, feature columns plus one target column per task
//           (option targets, or oneVsRest to make one ±1 task per value of a class column)
//           → 'multi-output' layout; an empty target cell is a missing label.
//
// The file is streamed through csv-parse (async) and every record is turned into numbers at once
// and appended to growing Float64Array buffers, so a large file is never held as strings. A small
// sync variant (loadCsvSync / loadCsvText) shares the same record handling.
//
// Tasks appear in the order of their first appearance in the file (long form) or the order of the
// `targets` option (wide form). Rows are never dropped silently: a row is dropped only when the user
// asked for it (dropMissingFeatures), and the report counts and lists the dropped rows.
import { createReadStream, readFileSync } from 'node:fs';
import { parse as parseStream } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { OptionError, ParseError, PolytaskError } from '../../src/errors.ts';
import { Matrix } from '../../src/linalg/matrix.ts';
import type { LabelMap, MultiTaskDataset, TaskData, TaskKind } from '../../src/data/dataset.ts';
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
} from '../../src/data/errors.ts';
import { Grow, growF64, growI32, growU8 } from './grow-v0.ts';
import { encodeCategory } from '../../src/data/preprocess.ts';

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
  readonly x: Grow<Float64Array>; // numeric features, row-major, width nNum
  readonly cat: Grow<Int32Array>; // category codes, width nCat
  readonly y: Grow<Float64Array>; // targets (number, NaN = missing or text), width nTargets
  readonly code: Grow<Uint8Array>; // label codes (255 = missing), width nTargets
  readonly w: Grow<Float64Array> | null;
  readonly rows: Grow<Int32Array>;
}

function newSink(weighted: boolean): Sink {
  return { x: growF64(), cat: growI32(), y: growF64(), code: growU8(), w: weighted ? growF64() : null, rows: growI32() };
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
  private readonly tasks = new Map<string, Sink>();
  private readonly taskList: Sink[] = [];
  private readonly taskNamesList: string[] = [];
  private readonly tracker: LabelTracker = { keys: [] };
  private dataRow = 0;
  private dropped: DroppedRow[] = [];
  private droppedCount = 0;
  private rowX = new Float64Array(0);
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
    this.rowX = new Float64Array(this.numCols.length);
    this.rowCat = new Int32Array(this.catCols.length);
    this.rowY = new Float64Array(nt);
    this.rowCode = new Uint8Array(nt);
    if (this.form === 'wide') this.sinkFor('');
    this.headerDone = true;
  }

  private pos(line: number, j: number): CellPosition {
    return { file: this.file, line, column: j + 1, columnName: this.names[j] ?? String(j + 1) };
  }

  private sinkFor(task: string): Sink {
    let s = this.tasks.get(task);
    if (s === undefined) {
      s = newSink(this.weightCol >= 0);
      this.tasks.set(task, s);
      this.taskList.push(s);
      this.taskNamesList.push(task);
    }
    return s;
  }

  private drop(line: number, j: number, reason: string): void {
    if (this.dropped.length < MAX_DROPPED_LISTED) {
      this.dropped.push({ row: this.dataRow, line, column: this.names[j] ?? String(j + 1), reason });
    }
    this.droppedCount++;
  }

  /** One data record with its 1-based line number. */
  record(fields: readonly string[], line: number): void {
    if (!this.headerDone) throw new Error('CsvRecordBuilder: header() must come first');
    if (fields.length !== this.ncols) {
      const j = Math.min(fields.length, this.ncols);
      throw new RaggedRowError({ file: this.file, line, column: j + 1, columnName: this.names[j] ?? String(j + 1) }, this.ncols, fields.length);
    }
    const { rowX, rowCat, rowY, rowCode } = this;
    // Features first: a row dropped for a missing feature must not leave half a row in a buffer.
    for (let k = 0; k < this.numCols.length; k++) {
      const j = this.numCols[k]!;
      const s = fields[j]!;
      const v = fastNumber(s);
      if (v === v) {
        rowX[k] = v;
        continue;
      }
      if (classifyCell(s).kind === 1 && this.opts.dropMissingFeatures === true) {
        this.drop(line, j, 'empty feature cell');
        this.dataRow++;
        return;
      }
      // Not a clean number: numberCell throws the error that says why.
      rowX[k] = numberCell(s, this.pos(line, j), 'a feature needs a value (or set dropMissingFeatures to drop such rows)');
    }
    for (let k = 0; k < this.catCols.length; k++) {
      const j = this.catCols[k]!;
      const v = fields[j]!.trim();
      if (v.length === 0) {
        if (this.opts.dropMissingFeatures === true) {
          this.drop(line, j, 'empty categorical cell');
          this.dataRow++;
          return;
        }
        throw new MissingCellError(this.pos(line, j), 'a categorical feature needs a value (or set dropMissingFeatures)');
      }
      const codes = this.catCodes[k]!;
      let code = codes.get(v);
      if (code === undefined) {
        const fixed = this.catFixed[k];
        if (fixed !== undefined) encodeCategory(fixed, this.names[j]!, v, `${this.file}:${line}: `);
        code = codes.size;
        codes.set(v, code);
      }
      rowCat[k] = code;
    }
    let task = '';
    if (this.form === 'long') {
      task = fields[this.taskCol]!.trim();
      if (task.length === 0) throw new MissingCellError(this.pos(line, this.taskCol), 'every row needs a task id');
    }
    let any = false;
    if (this.ovrCol >= 0) {
      const v = fields[this.ovrCol]!.trim();
      if (v.length === 0) throw new MissingCellError(this.pos(line, this.ovrCol), 'oneVsRest needs a class in every row');
      rowY[0] = NaN;
      rowCode[0] = this.classCode(v);
      any = true;
    } else {
      for (let t = 0; t < this.targetCols.length; t++) {
        any = this.readTarget(fields, line, t) || any;
      }
    }
    let weight = 1;
    if (this.weightCol >= 0) {
      const j = this.weightCol;
      const s = fields[j]!;
      const c = classifyCell(s);
      if (c.kind === 1) throw new MissingCellError(this.pos(line, j), 'every row needs a weight');
      if (c.kind === 3) throw new NonNumericCellError(this.pos(line, j), s);
      if (c.kind === 2 || c.value < 0) throw new BadWeightError(this.pos(line, j), s);
      weight = c.value;
    }
    const sink = this.sinkFor(task);
    sink.x.pushAll(rowX, rowX.length);
    if (rowCat.length > 0) sink.cat.pushAll(rowCat, rowCat.length);
    sink.y.pushAll(rowY, rowY.length);
    sink.code.pushAll(rowCode, rowCode.length);
    sink.w?.push(weight);
    sink.rows.push(this.dataRow);
    if (!any) this.unlabelled++;
    this.dataRow++;
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

  /** Reads target t into rowY/rowCode; returns false for a missing (wide-form) label. */
  private readTarget(fields: readonly string[], line: number, t: number): boolean {
    const j = this.targetCols[t]!;
    const s = fields[j]!;
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
    this.rowCode[t] = trackLabel(this.tracker, key, this.pos(line, j), this.kind);
    return true;
  }

  /** Builds the dataset and the report. */
  finish(): CsvResult {
    if (!this.headerDone) throw new EmptyFileError(this.file, 'the file is empty (no header and no data rows)');
    if (this.dataRow === 0) throw new EmptyFileError(this.file, 'the file has a header but no data rows');
    const kept = this.dataRow - this.droppedCount;
    if (kept === 0) throw new EmptyFileError(this.file, `all ${this.dataRow} data rows were dropped (dropMissingFeatures)`);
    const categories = this.finalCategories();
    const featureNames = this.featureNamesOf(categories);
    const { kind, labelMap, rule } = this.decideKind();
    const res = this.form === 'long' ? this.finishLong(kind, labelMap, categories) : this.finishWide(kind, labelMap, categories);
    const dataset: MultiTaskDataset = { ...res, kind, featureNames, source: this.file, ...(labelMap ? { labelMap } : {}) };
    const report: CsvReport = {
      file: this.file,
      form: this.form,
      rowsRead: this.dataRow,
      rowsKept: kept,
      rowsDropped: this.droppedCount,
      dropped: this.dropped,
      unlabelledRows: this.form === 'wide' ? this.unlabelled : 0,
      ...(this.sharedRowSource ? { sharedRowSource: this.sharedRowSource } : {}),
      kind,
      ...(labelMap ? { labelMap, labelRule: rule } : {}),
      taskOrder: this.form === 'long' ? 'order of first appearance in the file' : this.opts.oneVsRest !== undefined ? 'class values sorted' : 'order of the targets option',
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
    if (this.kind === 'regression') return { kind: 'regression' };
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
    if (nCat === 0) return new Matrix(n, nNum, sink.x.trimmed());
    // Map each file-order code to its position in the sorted category list.
    const remap = this.catCols.map((j, k) => {
      const sorted = categories[this.names[j]!]!;
      const r = new Int32Array(this.catCodes[k]!.size);
      for (const [v, code] of this.catCodes[k]!) r[code] = sorted.indexOf(v);
      return { r, size: sorted.length };
    });
    const width = this.featureOrder.reduce((s, f) => s + (f >= 0 ? 1 : remap[-1 - f]!.size), 0);
    const x = sink.x.view();
    const cat = sink.cat.view();
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
    sink.x.trimmed();
    sink.cat.trimmed();
    return new Matrix(n, width, out);
  }

  private finishLong(kind: TaskKind, labelMap: LabelMap | undefined, categories: Record<string, string[]>): Pick<MultiTaskDataset, 'layout' | 'tasks'> {
    const sign = labelMap ? this.signOf(labelMap) : undefined;
    const tasks: TaskData[] = this.taskList.map((sink, t) => {
      const name = this.taskNamesList[t]!;
      const n = sink.rows.length;
      let y = sink.y.trimmed();
      if (kind === 'binary') {
        const code = sink.code.trimmed();
        y = new Float64Array(n);
        for (let i = 0; i < n; i++) y[i] = sign!(code[i]!);
        checkBothClasses(this.file, name, y, labelMap!);
      }
      const X = this.assembleX(sink, n, categories);
      const rows = sink.rows.trimmed();
      return sink.w ? { name, X, y, rows, weights: sink.w.trimmed() } : { name, X, y, rows };
    });
    return { layout: 'per-task', tasks };
  }

  private sharedRowSource: Int32Array | undefined;

  private finishWide(kind: TaskKind, labelMap: LabelMap | undefined, categories: Record<string, string[]>): Pick<MultiTaskDataset, 'layout' | 'tasks' | 'shared'> {
    const sink = this.taskList[0]!;
    const n = sink.rows.length;
    this.sharedRowSource = sink.rows.trimmed();
    const code = sink.code.trimmed();
    const yRaw = sink.y.trimmed();
    const weights = sink.w?.trimmed();
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

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

function parserOptions(opts: CsvOptions): Record<string, unknown> {
  return {
    delimiter: opts.delimiter ?? ',',
    relax_column_count: true, // ragged rows get our own error with line and column
    skip_empty_lines: true,
    bom: true,
    info: true,
  };
}

/** csv-parse's own errors (unclosed quote, …) as a ParseError naming file and line. */
function wrapParserError(file: string, e: unknown): unknown {
  if (e instanceof PolytaskError) return e;
  const err = e as { code?: string; lines?: number; message?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('CSV_')) {
    return new ParseError({ file, ...(err.lines !== undefined ? { line: err.lines } : {}) }, `CSV syntax: ${err.message ?? err.code}`);
  }
  if (typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code)) return new FileReadError(file, err.message ?? err.code);
  return e;
}

function feed(b: CsvRecordBuilder, opts: CsvOptions, rec: ParsedRecord, first: boolean): void {
  if (first) {
    b.header(rec.record, rec.info.lines);
    if (opts.header !== false) return;
  }
  b.record(rec.record, rec.info.lines);
}

/** Streams a CSV file (any size) into a dataset. */
export async function loadCsv(file: string, opts: CsvOptions): Promise<CsvResult> {
  const b = new CsvRecordBuilder(file, opts);
  const rs = createReadStream(file);
  const parser = rs.pipe(parseStream(parserOptions(opts)));
  rs.on('error', (e) => parser.destroy(e));
  let first = true;
  try {
    for await (const rec of parser as AsyncIterable<ParsedRecord>) {
      feed(b, opts, rec, first);
      first = false;
    }
  } catch (e) {
    throw wrapParserError(file, e);
  } finally {
    rs.destroy();
  }
  return b.finish();
}

/** Parses CSV text held in memory (small files, tests); `file` names it in errors. */
export function loadCsvText(text: string, opts: CsvOptions, file = '<text>'): CsvResult {
  const b = new CsvRecordBuilder(file, opts);
  let records: ParsedRecord[];
  try {
    records = parseSync(text, parserOptions(opts)) as ParsedRecord[];
  } catch (e) {
    throw wrapParserError(file, e);
  }
  records.forEach((rec, i) => feed(b, opts, rec, i === 0));
  return b.finish();
}

/** Sync variant for small files: reads the whole file, then parses. */
export function loadCsvSync(file: string, opts: CsvOptions): CsvResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw wrapParserError(file, e);
  }
  return loadCsvText(text, opts, file);
}
