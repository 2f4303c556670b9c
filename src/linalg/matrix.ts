// Dense row-major matrices over Float64Array (convex solvers) or Float32Array (neural training).
// A Matrix is a thin view: `data` is the storage, element (i, j) is data[i * cols + j].
import { ShapeError } from '../errors.ts';

export type FloatArray = Float64Array | Float32Array;

export class Matrix<A extends FloatArray = Float64Array> {
  readonly rows: number;
  readonly cols: number;
  readonly data: A;

  constructor(rows: number, cols: number, data: A) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new ShapeError(`Matrix: invalid shape ${rows}×${cols}`);
    }
    if (data.length !== rows * cols) {
      throw new ShapeError(`Matrix: data has length ${data.length}, shape ${rows}×${cols} needs ${rows * cols}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols, new Float64Array(rows * cols));
  }

  static zeros32(rows: number, cols: number): Matrix<Float32Array> {
    return new Matrix(rows, cols, new Float32Array(rows * cols));
  }

  static identity(n: number): Matrix {
    const m = Matrix.zeros(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
    return m;
  }

  /** From an array of rows (all the same length). */
  static from(rows: readonly (readonly number[])[]): Matrix {
    const r = rows.length;
    const c = r === 0 ? 0 : rows[0]!.length;
    const m = Matrix.zeros(r, c);
    for (let i = 0; i < r; i++) {
      const row = rows[i]!;
      if (row.length !== c) throw new ShapeError(`Matrix.from: row ${i} has ${row.length} entries, row 0 has ${c}`);
      for (let j = 0; j < c; j++) m.data[i * c + j] = row[j]!;
    }
    return m;
  }

  static diag(values: ArrayLike<number>): Matrix {
    const n = values.length;
    const m = Matrix.zeros(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = values[i]!;
    return m;
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j]!;
  }

  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  /** Row i as a zero-copy view. */
  row(i: number): A {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols) as A;
  }

  /** Column j as a fresh copy. */
  col(j: number): A {
    const out = new (this.data.constructor as { new (n: number): A })(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.data[i * this.cols + j]!;
    return out;
  }

  clone(): Matrix<A> {
    return new Matrix(this.rows, this.cols, this.data.slice() as A);
  }

  transpose(): Matrix<A> {
    const { rows: r, cols: c, data } = this;
    const out = new (data.constructor as { new (n: number): A })(r * c);
    // Blocked so that both sides stay in cache for large matrices.
    const B = 32;
    for (let i0 = 0; i0 < r; i0 += B) {
      for (let j0 = 0; j0 < c; j0 += B) {
        const iMax = Math.min(i0 + B, r);
        const jMax = Math.min(j0 + B, c);
        for (let i = i0; i < iMax; i++) for (let j = j0; j < jMax; j++) out[j * r + i] = data[i * c + j]!;
      }
    }
    return new Matrix(c, r, out);
  }

  toFloat32(): Matrix<Float32Array> {
    return new Matrix(this.rows, this.cols, Float32Array.from(this.data));
  }

  toFloat64(): Matrix {
    return new Matrix(this.rows, this.cols, Float64Array.from(this.data));
  }

  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }

  /** Rows `idx` (in that order) as a new matrix. */
  selectRows(idx: ArrayLike<number>): Matrix<A> {
    const c = this.cols;
    const out = new (this.data.constructor as { new (n: number): A })(idx.length * c);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      if (i < 0 || i >= this.rows) throw new ShapeError(`selectRows: row ${i} out of range for ${this.rows} rows`);
      out.set(this.data.subarray(i * c, (i + 1) * c), k * c);
    }
    return new Matrix(idx.length, c, out);
  }

  toString(): string {
    return `Matrix(${this.rows}×${this.cols}, ${this.data instanceof Float32Array ? 'f32' : 'f64'})`;
  }
}

export type Matrix32 = Matrix<Float32Array>;

export function shapeOf(m: { rows: number; cols: number }): string {
  return `${m.rows}×${m.cols}`;
}

/** Throws a ShapeError naming `op` and both shapes unless `ok`. */
export function assertShapes(ok: boolean, op: string, a: { rows: number; cols: number }, b: { rows: number; cols: number }, detail = ''): void {
  if (!ok) throw new ShapeError(`${op}: incompatible shapes ${shapeOf(a)} and ${shapeOf(b)}${detail ? ` (${detail})` : ''}`);
}
