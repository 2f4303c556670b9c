// A small reader for MATLAB Level 5 MAT files (the v5–v7 format; "MAT-File Format", The MathWorks,
// 2021, chapter 1), covering what MTL data sets use: numeric arrays of every integer and float class
// (returned as double), logical, char, cell arrays, simple structs, sparse matrices and miCOMPRESSED
// (zlib) elements, in either byte order. v7.3 files are HDF5 containers and are refused with a clear
// error. Arrays stay column-major as MATLAB stores them; `matToMatrix` converts to row-major.
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { OptionError } from '../errors.ts';
import { Matrix } from '../linalg/matrix.ts';
import type { LabelMap, MultiTaskDataset, TaskData, TaskKind } from './dataset.ts';
import { FileReadError, MatFormatError, MatLayoutError, OneClassTaskError, TooManyClassesError } from './errors.ts';
import { chooseLabelMap, type KindOption } from './csv.ts';

export type MatValue = MatNumeric | MatSparse | MatCell | MatStruct | MatChar;

export interface MatNumeric {
  readonly type: 'numeric';
  /** The MATLAB class ('double', 'uint8', 'logical', …). */
  readonly class: string;
  readonly dims: readonly number[];
  /** Column-major values, cast to double. */
  readonly real: Float64Array;
  readonly imag?: Float64Array;
}

export interface MatSparse {
  readonly type: 'sparse';
  readonly class: 'double' | 'logical';
  readonly dims: readonly [number, number];
  /** Compressed sparse column: row indices ir[k], column starts jc[0..n], values pr[k]. */
  readonly ir: Int32Array;
  readonly jc: Int32Array;
  readonly pr: Float64Array;
  readonly pi?: Float64Array;
}

export interface MatCell {
  readonly type: 'cell';
  readonly dims: readonly number[];
  /** Column-major cells. */
  readonly cells: readonly MatValue[];
}

export interface MatStruct {
  readonly type: 'struct';
  readonly dims: readonly number[];
  readonly fieldNames: readonly string[];
  /** One record per element, column-major. */
  readonly elements: readonly Readonly<Record<string, MatValue>>[];
}

export interface MatChar {
  readonly type: 'char';
  readonly dims: readonly number[];
  /** The characters column-major, as one string (a 1×n char array reads as the text). */
  readonly text: string;
}

// Data types (MAT-File Format, Table 1-1) and array classes (Table 1-3).
const mi = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15, UTF8: 16, UTF16: 17, UTF32: 18 } as const;
const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4 };
const CLASS_NAME: Record<number, string> = {
  1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 6: 'double', 7: 'single', 8: 'int8', 9: 'uint8',
  10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64', 16: 'function', 17: 'opaque',
};

/** A byte range being read, with where it sits in the file (for error offsets). */
class Reader {
  readonly view: DataView;
  readonly le: boolean;
  readonly file: string;
  /** File offset of byte 0 of this buffer, or −1 − (file offset of the compressed element) inside one. */
  readonly base: number;

  constructor(buf: Uint8Array, le: boolean, file: string, base: number) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.le = le;
    this.file = file;
    this.base = base;
  }

  fail(at: number, msg: string): never {
    if (this.base >= 0) throw new MatFormatError(this.file, this.base + at, msg);
    const el = -1 - this.base;
    throw new MatFormatError(this.file, el, `${msg} (at byte ${at} of the decompressed element that starts at byte ${el})`);
  }

  u32(at: number): number {
    if (at + 4 > this.view.byteLength) this.fail(at, 'unexpected end of data');
    return this.view.getUint32(at, this.le);
  }
}

interface Tag {
  readonly type: number;
  readonly nbytes: number;
  /** Offset of the data. */
  readonly data: number;
  /** Offset just after the element (including padding). */
  readonly next: number;
}

/** Reads a data element tag, handling the small-element format (data packed in the tag). */
function readTag(r: Reader, at: number): Tag {
  const first = r.u32(at);
  if (first >>> 16 !== 0) {
    const type = first & 0xffff;
    const nbytes = first >>> 16;
    if (nbytes > 4) r.fail(at, `small data element claims ${nbytes} bytes (at most 4)`);
    return { type, nbytes, data: at + 4, next: at + 8 };
  }
  const nbytes = r.u32(at + 4);
  const data = at + 8;
  if (data + nbytes > r.view.byteLength) r.fail(at, `element of ${nbytes} bytes runs past the end of the data (${r.view.byteLength - data} left)`);
  // Compressed elements are not padded; everything else is padded to 8 bytes.
  const next = first === mi.COMPRESSED ? data + nbytes : data + Math.ceil(nbytes / 8) * 8;
  return { type: first, nbytes, data, next: Math.min(next, r.view.byteLength) };
}

/** The numbers of a numeric data element, as doubles. */
function readNumbers(r: Reader, tag: Tag, at: number): Float64Array {
  const size = MI_SIZE[tag.type];
  if (size === undefined || tag.type === mi.UTF8 || tag.type === mi.UTF16 || tag.type === mi.UTF32) r.fail(at, `expected a numeric data element, found type ${tag.type}`);
  if (tag.nbytes % size! !== 0) r.fail(at, `${tag.nbytes} bytes is not a whole number of ${size}-byte values`);
  const n = tag.nbytes / size!;
  const out = new Float64Array(n);
  const v = r.view;
  const le = r.le;
  const p = tag.data;
  switch (tag.type) {
    case mi.INT8: for (let i = 0; i < n; i++) out[i] = v.getInt8(p + i); break;
    case mi.UINT8: for (let i = 0; i < n; i++) out[i] = v.getUint8(p + i); break;
    case mi.INT16: for (let i = 0; i < n; i++) out[i] = v.getInt16(p + 2 * i, le); break;
    case mi.UINT16: for (let i = 0; i < n; i++) out[i] = v.getUint16(p + 2 * i, le); break;
    case mi.INT32: for (let i = 0; i < n; i++) out[i] = v.getInt32(p + 4 * i, le); break;
    case mi.UINT32: for (let i = 0; i < n; i++) out[i] = v.getUint32(p + 4 * i, le); break;
    case mi.SINGLE: for (let i = 0; i < n; i++) out[i] = v.getFloat32(p + 4 * i, le); break;
    case mi.DOUBLE: for (let i = 0; i < n; i++) out[i] = v.getFloat64(p + 8 * i, le); break;
    // 64-bit integers beyond 2^53 lose precision as doubles, like MATLAB's double().
    case mi.INT64: for (let i = 0; i < n; i++) out[i] = Number(v.getBigInt64(p + 8 * i, le)); break;
    case mi.UINT64: for (let i = 0; i < n; i++) out[i] = Number(v.getBigUint64(p + 8 * i, le)); break;
    default: r.fail(at, `unsupported numeric data type ${tag.type}`);
  }
  return out;
}

function readInt32s(r: Reader, tag: Tag, at: number, what: string): Int32Array {
  const nums = readNumbers(r, tag, at);
  const out = new Int32Array(nums.length);
  for (let i = 0; i < nums.length; i++) {
    const x = nums[i]!;
    if (!Number.isInteger(x) || x < -2147483648 || x > 2147483647) r.fail(at, `${what} must be 32-bit integers, found ${x}`);
    out[i] = x;
  }
  return out;
}

function readText(r: Reader, tag: Tag): string {
  const bytes = new Uint8Array(r.view.buffer, r.view.byteOffset + tag.data, tag.nbytes);
  if (tag.type === mi.INT8 || tag.type === mi.UINT8 || tag.type === mi.UTF8) return new TextDecoder('utf-8').decode(bytes);
  const codes = readNumbers(r, tag, tag.data);
  return String.fromCodePoint(...codes);
}

/** Decompresses a miCOMPRESSED element and reads the one element inside. */
function readCompressed(r: Reader, tag: Tag, at: number): { name: string; value: MatValue } | null {
  let inner: Uint8Array;
  try {
    inner = inflateSync(new Uint8Array(r.view.buffer, r.view.byteOffset + tag.data, tag.nbytes));
  } catch (e) {
    r.fail(at, `miCOMPRESSED element does not inflate: ${(e as Error).message}`);
  }
  const elStart = r.base >= 0 ? r.base + at : -1 - r.base;
  const ir = new Reader(inner, r.le, r.file, -1 - elStart);
  const t = readTag(ir, 0);
  return readElement(ir, t, 0);
}

/** Reads one top-level or nested element: a miMATRIX (or a miCOMPRESSED holding one). */
function readElement(r: Reader, tag: Tag, at: number): { name: string; value: MatValue } | null {
  if (tag.type === mi.COMPRESSED) return readCompressed(r, tag, at);
  if (tag.type !== mi.MATRIX) r.fail(at, `expected a miMATRIX element (type 14), found type ${tag.type}`);
  if (tag.nbytes === 0) return { name: '', value: { type: 'numeric', class: 'double', dims: [0, 0], real: new Float64Array(0) } };
  const end = tag.data + tag.nbytes;
  let p = tag.data;
  const next = (what: string): Tag & { at: number } => {
    if (p >= end) r.fail(p, `miMATRIX ends before its ${what}`);
    const at = p;
    const t = readTag(r, p);
    p = t.next;
    return { ...t, at };
  };
  const flagsTag = next('array flags');
  if (flagsTag.type !== mi.UINT32 || flagsTag.nbytes !== 8) r.fail(tag.data, 'array flags must be a miUINT32 element of 8 bytes');
  const flags = r.u32(flagsTag.data);
  const cls = flags & 0xff;
  const complex = (flags & 0x800) !== 0;
  const logical = (flags & 0x200) !== 0;
  const dimsTag = next('dimensions');
  const dims = Array.from(readInt32s(r, dimsTag, dimsTag.at, 'dimensions'));
  if (dims.length < 2 || dims.some((d) => d < 0)) r.fail(dimsTag.data, `invalid dimensions [${dims.join(', ')}]`);
  const nameTag = next('name');
  const name = readText(r, nameTag);
  const count = dims.reduce((a, b) => a * b, 1);
  const className = CLASS_NAME[cls];
  if (className === undefined) r.fail(flagsTag.data, `unknown array class ${cls}`);
  switch (cls) {
    case 1: {
      const cells: MatValue[] = [];
      for (let i = 0; i < count; i++) {
        const ct = next(`cell ${i + 1} of ${count}`);
        const c = readElement(r, ct, ct.at);
        cells.push(c!.value);
      }
      return { name, value: { type: 'cell', dims, cells } };
    }
    case 2: {
      const lenTag = next('field name length');
      const len = readNumbers(r, lenTag, lenTag.data)[0] ?? 0;
      const namesTag = next('field names');
      if (len <= 0 || namesTag.nbytes % len !== 0) r.fail(namesTag.data, `field names of ${namesTag.nbytes} bytes do not divide into names of length ${len}`);
      const all = new Uint8Array(r.view.buffer, r.view.byteOffset + namesTag.data, namesTag.nbytes);
      const fieldNames: string[] = [];
      for (let k = 0; k < namesTag.nbytes / len; k++) {
        const chunk = all.subarray(k * len, (k + 1) * len);
        const z = chunk.indexOf(0);
        fieldNames.push(new TextDecoder().decode(z >= 0 ? chunk.subarray(0, z) : chunk));
      }
      const elements: Record<string, MatValue>[] = [];
      for (let i = 0; i < count; i++) {
        const rec: Record<string, MatValue> = {};
        for (const f of fieldNames) {
          const ft = next(`field "${f}" of element ${i + 1}`);
          rec[f] = readElement(r, ft, ft.at)!.value;
        }
        elements.push(rec);
      }
      return { name, value: { type: 'struct', dims, fieldNames, elements } };
    }
    case 4: {
      const dataTag = next('characters');
      return { name, value: { type: 'char', dims, text: readText(r, dataTag) } };
    }
    case 5: {
      if (dims.length !== 2) r.fail(dimsTag.data, 'a sparse array must be 2-D');
      const irTag = next('row indices (ir)');
      const ir = readInt32s(r, irTag, irTag.data, 'sparse row indices');
      const jcTag = next('column starts (jc)');
      const jc = readInt32s(r, jcTag, jcTag.data, 'sparse column starts');
      const prTag = next('values (pr)');
      const pr = readNumbers(r, prTag, prTag.data);
      const [m, n] = dims as [number, number];
      if (jc.length !== n + 1) r.fail(jcTag.data, `jc has ${jc.length} entries, a sparse ${m}×${n} array needs ${n + 1}`);
      const nnz = jc[n]!;
      if (nnz < 0 || nnz > ir.length || nnz > pr.length) r.fail(prTag.data, `sparse array has ${nnz} non-zeros but ir/pr hold ${ir.length}/${pr.length}`);
      for (let j = 0; j < n; j++) if (jc[j]! > jc[j + 1]!) r.fail(jcTag.data, `jc is not non-decreasing at column ${j + 1}`);
      for (let k = 0; k < nnz; k++) if (ir[k]! < 0 || ir[k]! >= m) r.fail(irTag.data, `row index ${ir[k]} out of range for ${m} rows`);
      const value: MatSparse = { type: 'sparse', class: logical ? 'logical' : 'double', dims: [m, n], ir: ir.subarray(0, nnz), jc, pr: pr.subarray(0, nnz) };
      if (complex) return { name, value: { ...value, pi: readNumbers(r, next('imaginary values (pi)'), p).subarray(0, nnz) } };
      return { name, value };
    }
    case 6: case 7: case 8: case 9: case 10: case 11: case 12: case 13: case 14: case 15: {
      const realTag = next('real part');
      const real = readNumbers(r, realTag, realTag.data);
      if (real.length !== count) r.fail(realTag.data, `array of size [${dims.join('×')}] needs ${count} values, found ${real.length}`);
      const cname = logical ? 'logical' : className!;
      if (complex) {
        const imTag = next('imaginary part');
        const imag = readNumbers(r, imTag, imTag.data);
        if (imag.length !== count) r.fail(imTag.data, `imaginary part has ${imag.length} values, expected ${count}`);
        return { name, value: { type: 'numeric', class: cname, dims, real, imag } };
      }
      return { name, value: { type: 'numeric', class: cname, dims, real } };
    }
    default:
      r.fail(flagsTag.data, `array class "${className}" (variable "${name}") is not supported`);
  }
}

/** Parses a whole MAT v5 file held in memory. */
export function parseMat(bytes: Uint8Array, file = '<buffer>'): Map<string, MatValue> {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46) {
    throw new MatFormatError(file, 0, 'this is an HDF5 file (MAT v7.3); only MAT v5–v7 files are supported: save with -v7 in MATLAB or use scipy.io.savemat');
  }
  if (bytes.length < 128) throw new MatFormatError(file, 0, `too short for a MAT v5 header (${bytes.length} bytes, need 128)`);
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 116));
  if (text.startsWith('MATLAB 7.3')) {
    throw new MatFormatError(file, 0, 'MAT v7.3 (HDF5) files are not supported; save with -v7 in MATLAB or use scipy.io.savemat');
  }
  if (!text.startsWith('MATLAB 5.0 MAT-file')) throw new MatFormatError(file, 0, 'not a MAT v5 file (the header does not start with "MATLAB 5.0 MAT-file")');
  const endian = String.fromCharCode(bytes[126]!, bytes[127]!);
  if (endian !== 'IM' && endian !== 'MI') throw new MatFormatError(file, 126, `bad endian indicator ${JSON.stringify(endian)} (expected "IM" or "MI")`);
  // "IM" means the writer was little-endian (it wrote the 16-bit 'MI' as bytes I, M).
  const r = new Reader(bytes, endian === 'IM', file, 0);
  const out = new Map<string, MatValue>();
  let p = 128;
  while (p + 8 <= bytes.length) {
    const tag = readTag(r, p);
    const el = readElement(r, tag, p);
    if (el !== null) out.set(el.name, el.value);
    p = tag.next;
  }
  if (p < bytes.length && bytes.subarray(p).some((b) => b !== 0)) throw new MatFormatError(file, p, `${bytes.length - p} trailing bytes do not form a data element`);
  return out;
}

export function readMat(file: string): Map<string, MatValue> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new FileReadError(file, (e as Error).message);
  }
  return parseMat(bytes, file);
}

/** A 2-D numeric (dense or sparse, real) MAT value as a row-major Matrix. */
export function matToMatrix(v: MatValue, what = 'value', file = 'MAT file'): Matrix {
  if (v.type === 'numeric') {
    if (v.dims.length !== 2) throw new MatLayoutError(file, `${what} is ${v.dims.length}-D, expected a 2-D array`);
    if (v.imag) throw new MatLayoutError(file, `${what} is complex; only real arrays can be used as data`);
    const [m, n] = v.dims as [number, number];
    // Column-major [m×n] is row-major [n×m]: transpose.
    return new Matrix(n, m, v.real).transpose();
  }
  if (v.type === 'sparse') {
    if (v.pi) throw new MatLayoutError(file, `${what} is complex; only real arrays can be used as data`);
    const [m, n] = v.dims;
    const out = Matrix.zeros(m, n);
    for (let j = 0; j < n; j++) for (let k = v.jc[j]!; k < v.jc[j + 1]!; k++) out.data[v.ir[k]! * n + j] = v.pr[k]!;
    return out;
  }
  throw new MatLayoutError(file, `${what} is a ${v.type} array, expected a numeric matrix`);
}

export interface MatCellsOptions {
  /** Name of the cell array of per-task feature matrices (School: 'X', Landmine: 'feature'). */
  readonly x: string;
  /** Name of the cell array of per-task target vectors (School: 'Y', Landmine: 'label'). */
  readonly y: string;
  /** Task names (default "1".."T", MATLAB's 1-based numbering). */
  readonly taskNames?: readonly string[];
  readonly featureNames?: readonly string[];
  readonly kind?: KindOption;
  readonly positive?: string;
}

export interface MatCellsReport {
  readonly file: string;
  readonly tasks: number;
  readonly rows: number;
  readonly kind: TaskKind;
  readonly labelMap?: LabelMap;
  readonly labelRule?: string;
  /** The MATLAB classes found in the X cells (e.g. uint8, cast to double). */
  readonly xClasses: readonly string[];
}

/**
 * A per-task dataset from cell arrays X{t} (n_t × d) and Y{t} (n_t × 1), as in MALSAR's School and
 * Landmine files. `rows` number the samples 0.. in task order (task 1's rows first), which is the
 * row order of the shared CSV conversions, so split files apply to either.
 */
export function loadMatCells(file: string, opts: MatCellsOptions): { dataset: MultiTaskDataset; report: MatCellsReport } {
  const vars = readMat(file);
  const get = (option: 'x' | 'y'): MatCell => {
    const name = opts[option];
    const v = vars.get(name);
    if (v === undefined) throw new MatLayoutError(file, `no variable "${name}" (the ${option === 'x' ? 'feature' : 'target'} cell array); the file has: ${[...vars.keys()].join(', ') || 'no variables'}`);
    if (v.type !== 'cell') throw new MatLayoutError(file, `variable "${name}" is a ${v.type} array, expected a cell array (one cell per task)`);
    return v;
  };
  const xc = get('x');
  const yc = get('y');
  const T = xc.cells.length;
  if (yc.cells.length !== T) throw new MatLayoutError(file, `${opts.x} has ${T} cells but ${opts.y} has ${yc.cells.length}`);
  if (T === 0) throw new MatLayoutError(file, `${opts.x} is an empty cell array`);
  const names = opts.taskNames ?? Array.from({ length: T }, (_, t) => String(t + 1));
  if (names.length !== T) throw new OptionError('taskNames', `${names.length} names for ${T} tasks`);
  const Xs = xc.cells.map((c, t) => matToMatrix(c, `${opts.x}{${t + 1}}`, file));
  const d = Xs[0]!.cols;
  const ys = yc.cells.map((c, t) => {
    const m = matToMatrix(c, `${opts.y}{${t + 1}}`, file);
    if (m.cols !== 1 && m.rows !== 1) throw new MatLayoutError(file, `${opts.y}{${t + 1}} is ${m.rows}×${m.cols}, expected a vector`);
    if (m.data.length !== Xs[t]!.rows) throw new MatLayoutError(file, `task ${names[t]} has ${Xs[t]!.rows} rows in ${opts.x} but ${m.data.length} targets`);
    if (Xs[t]!.cols !== d) throw new MatLayoutError(file, `${opts.x}{${t + 1}} has ${Xs[t]!.cols} columns, ${opts.x}{1} has ${d}`);
    return m.data;
  });
  for (let t = 0; t < T; t++) {
    const bad = Xs[t]!.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new MatLayoutError(file, `${opts.x}{${t + 1}} has a non-finite value at row ${Math.floor(bad / d) + 1}, column ${(bad % d) + 1}`);
    const badY = ys[t]!.findIndex((v) => !Number.isFinite(v));
    if (badY >= 0) throw new MatLayoutError(file, `${opts.y}{${t + 1}} has a non-finite value at row ${badY + 1}`);
  }
  const { kind, labelMap, rule } = decideMatKind(file, ys, names, opts);
  let offset = 0;
  const tasks: TaskData[] = Xs.map((X, t) => {
    const n = X.rows;
    const rows = Int32Array.from({ length: n }, (_, i) => offset + i);
    offset += n;
    let y = Float64Array.from(ys[t]!);
    if (labelMap) y = y.map((v) => (String(v) === labelMap.positive ? 1 : -1));
    return { name: names[t]!, X, y, rows };
  });
  const featureNames = opts.featureNames ?? Array.from({ length: d }, (_, j) => `x${j + 1}`);
  if (featureNames.length !== d) throw new OptionError('featureNames', `${featureNames.length} names for ${d} features`);
  const dataset: MultiTaskDataset = { layout: 'per-task', kind, featureNames, tasks, source: file, ...(labelMap ? { labelMap } : {}) };
  const xClasses = [...new Set(xc.cells.map((c) => (c.type === 'numeric' || c.type === 'sparse' ? c.class : c.type)))];
  return { dataset, report: { file, tasks: T, rows: offset, kind, ...(labelMap ? { labelMap, labelRule: rule } : {}), xClasses } };
}

/** Same rule as the CSV loader: binary when (auto and) there are exactly two distinct target values. */
function decideMatKind(file: string, ys: readonly Float64Array[], names: readonly string[], opts: MatCellsOptions): { kind: TaskKind; labelMap?: LabelMap; rule?: string } {
  const kind = opts.kind ?? 'auto';
  if (kind === 'regression') return { kind };
  const distinct = new Set<number>();
  for (let t = 0; t < ys.length; t++) {
    for (let i = 0; i < ys[t]!.length; i++) {
      distinct.add(ys[t]![i]!);
      if (distinct.size > 2) {
        if (kind === 'auto') return { kind: 'regression' };
        throw new TooManyClassesError({ file, column: 1, columnName: `${opts.y}{${t + 1}}`, line: i + 1 }, [...distinct].map(String));
      }
    }
  }
  if (distinct.size < 2) {
    if (kind === 'auto') return { kind: 'regression' };
    throw new OneClassTaskError(file, '(all tasks)', String([...distinct][0]), ys.reduce((s, y) => s + y.length, 0));
  }
  const [a, b] = [...distinct].map(String) as [string, string];
  const { map, rule } = chooseLabelMap(a, b, opts.positive);
  ys.forEach((y, t) => {
    let pos = 0;
    for (const v of y) if (String(v) === map.positive) pos++;
    if (pos === 0 || pos === y.length) throw new OneClassTaskError(file, names[t]!, pos === 0 ? map.negative : map.positive, y.length);
  });
  return { kind: 'binary', labelMap: map, rule };
}
