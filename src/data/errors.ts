// The data layer's error classes. Each kind of bad input has its own class (so callers and tests can
// tell them apart) and extends the matching base class of src/errors.ts (so the CLI maps it to the
// right exit code). Every file-level error names the file, the 1-based line and the column by both
// its name and its 1-based number, so that a user can jump straight to the offending cell.
import { readFileSync } from 'node:fs';
import { DataError, ParseError, PolytaskError, type FilePosition } from '../errors.ts';

/** Where a cell is: file, 1-based line, 1-based column number and the column's name. */
export interface CellPosition {
  readonly file: string;
  readonly line?: number;
  /** 1-based field number within the record. */
  readonly column?: number;
  /** The column's header name (or its 1-based number as a string when the file has no header). */
  readonly columnName?: string;
}

function cellWhere(p: CellPosition): FilePosition {
  const pos: { file: string; line?: number; column?: number } = { file: p.file };
  if (p.line !== undefined) pos.line = p.line;
  if (p.column !== undefined) pos.column = p.column;
  return pos;
}

function namePart(p: CellPosition): string {
  return p.columnName !== undefined ? `column "${p.columnName}" (#${p.column ?? '?'}): ` : '';
}

/** Base of every CSV cell/row error: carries the column name besides file/line/column number. */
export class CsvError extends ParseError {
  readonly columnName: string | undefined;
  constructor(p: CellPosition, message: string) {
    super(cellWhere(p), `${namePart(p)}${message}`);
    this.columnName = p.columnName;
  }
}

/** A cell that should be a number is not one (e.g. "abc", "12x"). */
export class NonNumericCellError extends CsvError {
  readonly value: string;
  constructor(p: CellPosition, value: string) {
    super(p, `expected a number, found ${JSON.stringify(value)}`);
    this.value = value;
  }
}

/** A cell that reads as NaN or ±Infinity (including overflow such as 1e999). */
export class NonFiniteCellError extends CsvError {
  readonly value: string;
  /** `hint`: what to do about this cell, from the caller that knows its role (e.g. a wide-form
   * target: "leave the cell empty for a missing label"); the default fits any cell (issue 10: a
   * NaN feature got the missing-label hint, which does not apply to features). */
  constructor(p: CellPosition, value: string, hint = 'NaN and Inf cannot be used; correct the value or remove the row') {
    super(p, `non-finite value ${JSON.stringify(value)} (${hint})`);
    this.value = value;
  }
}

/** An empty cell where a value is required (a feature without dropMissingFeatures, a long-form target, a task id). */
export class MissingCellError extends CsvError {
  constructor(p: CellPosition, hint: string) {
    super(p, `empty cell; ${hint}`);
  }
}

/** A record with a different number of fields from the header (or the first record). */
export class RaggedRowError extends CsvError {
  readonly expected: number;
  readonly found: number;
  constructor(p: CellPosition, expected: number, found: number) {
    super(p, `row has ${found} fields, expected ${expected}`);
    this.expected = expected;
    this.found = found;
  }
}

/** The same name twice in the header. */
export class DuplicateHeaderError extends CsvError {
  constructor(p: CellPosition, firstColumn: number) {
    super(p, `duplicate column name (first used by column #${firstColumn})`);
  }
}

/** An option names a column the file does not have (or the file has no header row at all). */
export class UnknownColumnError extends CsvError {
  readonly option: string;
  constructor(file: string, option: string, column: string, known: readonly string[]) {
    const list = known.length <= 12 ? known.join(', ') : `${known.slice(0, 12).join(', ')}, … (${known.length} columns)`;
    // A header of numbers is most likely a data row: say so (the file may lack its header line).
    const looksLikeData = known.length > 0 && known.every((k) => k.trim() !== '' && Number.isFinite(Number(k)));
    const hint = looksLikeData ? ' (the first line looks like data: is the header missing? then set header: false and name columns by number)' : '';
    super({ file, line: 1 }, `option ${option} names column "${column}", which the header does not have; columns: ${list}${hint}`);
    this.option = option;
  }
}

/** No records at all, or a header without data rows. */
export class EmptyFileError extends CsvError {
  constructor(file: string, what: string) {
    super({ file, line: 1 }, what);
  }
}

/** Binary targets were requested but the target takes more than two distinct values. */
export class TooManyClassesError extends CsvError {
  constructor(p: CellPosition, values: readonly string[]) {
    super(p, `binary target needs exactly two distinct values, found a third: ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  }
}

/** A per-sample weight that is negative, NaN or infinite. */
export class BadWeightError extends CsvError {
  constructor(p: CellPosition, value: string) {
    super(p, `weight ${JSON.stringify(value)} must be a finite number ≥ 0`);
  }
}

/** A classification task (or the whole target) with a single class. */
export class OneClassTaskError extends DataError {
  readonly task: string;
  constructor(source: string, task: string, label: string, n: number) {
    super(`${source}: task "${task}" has only one class (all ${n} labels are ${JSON.stringify(label)}); a binary task needs both classes`);
    this.task = task;
  }
}

/** A task has fewer rows than a split needs. */
export class TooFewRowsError extends DataError {
  readonly task: string;
  readonly rows: number;
  readonly needed: number;
  constructor(task: string, rows: number, needed: number, what: string) {
    super(`task "${task}" has ${rows} rows; ${what} needs at least ${needed}`);
    this.task = task;
    this.rows = rows;
    this.needed = needed;
  }
}

/** A stratified split would leave a class without training rows. */
export class EmptyTrainingClassError extends DataError {
  readonly task: string;
  constructor(task: string, label: string, count: number, what: string) {
    super(`task "${task}": class ${label} has ${count} rows, so ${what} would leave it without training rows`);
    this.task = task;
  }
}

/** A categorical value not seen when the encoding was fitted. */
export class UnseenCategoryError extends DataError {
  readonly column: string;
  readonly value: string;
  constructor(column: string, value: string, known: readonly string[], where = '') {
    super(`${where}categorical column "${column}": unseen category ${JSON.stringify(value)}; known: ${known.map((v) => JSON.stringify(v)).join(', ')}`);
    this.column = column;
    this.value = value;
  }
}

/** A malformed or unsupported MAT file: names the byte offset. */
export class MatFormatError extends ParseError {
  readonly offset: number;
  constructor(file: string, offset: number, message: string) {
    super({ file }, `byte ${offset}: ${message}`);
    this.offset = offset;
  }
}

/**
 * A MAT file that reads fine but does not hold the expected layout (a missing variable, cells that do
 * not line up, a 3-D array, a non-finite value): a data problem (exit 1), named by file and variable.
 */
export class MatLayoutError extends DataError {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
  }
}

/** A polytask-dataset JSON file that does not validate: names the JSON path. */
export class DatasetFileError extends ParseError {
  readonly path: string;
  constructor(file: string, path: string, message: string) {
    super({ file, column: path }, message);
    this.path = path;
  }
}

/** A split file (0/1 columns) that does not fit the dataset. */
export class SplitFileError extends CsvError {}

/** The file could not be read at all (missing, a directory, no permission). */
export class FileReadError extends PolytaskError {
  readonly file: string;
  constructor(file: string, cause: string) {
    super('IO', `${file}: cannot read file (${cause})`);
    this.file = file;
  }
}

/** The whole file as UTF-8 text, or a FileReadError naming it (missing, unreadable, a directory, ...). */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new FileReadError(file, (e as Error).message);
  }
}
