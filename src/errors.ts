// One base error with a stable machine-readable `code`; the CLI maps every PolytaskError to a
// one-line message and an exit code, and anything else to an internal-error report.

export type ErrorCode =
  | 'SHAPE'
  | 'OPTION'
  | 'PARSE'
  | 'DATA'
  | 'UNKNOWN_TASK'
  | 'FEATURE_MISMATCH'
  | 'NOT_FITTED'
  | 'NUMERIC'
  | 'CONVERGENCE'
  | 'MODEL_FILE'
  | 'IO'
  | 'UNSUPPORTED'
  | 'ABORTED';

export class PolytaskError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Operands of incompatible shapes: names the operation and both shapes. */
export class ShapeError extends PolytaskError {
  constructor(message: string) {
    super('SHAPE', message);
  }
}

/** A bad option or flag value: names the option. */
export class OptionError extends PolytaskError {
  readonly option: string;
  constructor(option: string, message: string) {
    super('OPTION', `${option}: ${message}`);
    this.option = option;
  }
}

/** Where in a file a problem was found (1-based line and column, as editors count). */
export interface FilePosition {
  readonly file: string;
  readonly line?: number;
  readonly column?: number | string;
}

function where(p: FilePosition): string {
  let s = p.file;
  if (p.line !== undefined) s += `:${p.line}`;
  if (p.column !== undefined) s += typeof p.column === 'number' ? `:${p.column}` : ` (column "${p.column}")`;
  return s;
}

/** A file that cannot be read as the format it claims: names file, line and column. */
export class ParseError extends PolytaskError {
  readonly position: FilePosition;
  constructor(position: FilePosition, message: string) {
    super('PARSE', `${where(position)}: ${message}`);
    this.position = position;
  }
}

/** Data that parse but cannot be used (one-class task, too few rows, NaN, ...). */
export class DataError extends PolytaskError {
  constructor(message: string) {
    super('DATA', message);
  }
}

export class UnknownTaskError extends PolytaskError {
  readonly task: string;
  constructor(task: string, known: readonly string[]) {
    const list = known.length <= 8 ? known.join(', ') : `${known.slice(0, 8).join(', ')}, … (${known.length} tasks)`;
    super('UNKNOWN_TASK', `unknown task "${task}"; the model knows: ${list}`);
    this.task = task;
  }
}

export class FeatureMismatchError extends PolytaskError {
  constructor(message: string) {
    super('FEATURE_MISMATCH', message);
  }
}

export class NotFittedError extends PolytaskError {
  constructor(what: string) {
    super('NOT_FITTED', `${what}: the estimator is not fitted yet; call fit() first`);
  }
}

/** A NaN/Inf produced or met inside a numerical routine. */
export class NumericError extends PolytaskError {
  constructor(message: string) {
    super('NUMERIC', message);
  }
}

/** Raised only when the caller asked for convergence to be enforced (`requireConvergence`). */
export class ConvergenceError extends PolytaskError {
  constructor(message: string) {
    super('CONVERGENCE', message);
  }
}

export class ModelFileError extends PolytaskError {
  constructor(file: string, message: string) {
    super('MODEL_FILE', `${file}: ${message}`);
  }
}

export class UnsupportedError extends PolytaskError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
  }
}

/** A fit stopped by its AbortSignal (FitContext.signal) between iterations. */
export class AbortError extends PolytaskError {
  constructor(what: string) {
    super('ABORTED', `${what}: stopped by the caller (abort signal)`);
  }
}
