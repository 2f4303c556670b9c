// The IDX file format of LeCun, Cortes & Burges's MNIST distribution (also used verbatim by
// Fashion-MNIST, Xiao, Rasul & Vollgraf 2017): a 4-byte magic number — two zero bytes, a type code
// (0x08 = unsigned byte, 0x09 = signed byte, 0x0B = int16, 0x0C = int32, 0x0D = float32,
// 0x0E = float64) and the number of dimensions — then each dimension as a big-endian uint32, then
// the values in row-major order, big-endian. Files may be gzip-compressed (Debian ships `.gz`).
//
// Only what image data sets need is read: any of the types above, into the narrowest JS typed
// array holding them exactly. A truncated or inconsistent file is a ParseError naming the file
// and the byte offset, never a silent short read.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ParseError } from '../../errors.ts';

export type IdxValues = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** Dimensions, outermost first: e.g. [60000, 28, 28] for images, [60000] for labels. */
  readonly shape: readonly number[];
  readonly data: IdxValues;
}

const TYPES: Readonly<Record<number, { readonly bytes: number; readonly name: string }>> = {
  0x08: { bytes: 1, name: 'uint8' },
  0x09: { bytes: 1, name: 'int8' },
  0x0b: { bytes: 2, name: 'int16' },
  0x0c: { bytes: 4, name: 'int32' },
  0x0d: { bytes: 4, name: 'float32' },
  0x0e: { bytes: 8, name: 'float64' },
};

/** Parses IDX bytes (already decompressed). `file` names the source in errors. */
export function parseIdx(bytes: Uint8Array, file = '<idx>'): IdxArray {
  const fail = (offset: number, msg: string): never => {
    throw new ParseError({ file, column: `byte ${offset}` }, msg);
  };
  if (bytes.length < 4) fail(0, `IDX header needs 4 bytes, the file has ${bytes.length}`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(0, `not an IDX file: the magic number must start with two zero bytes, got 0x${hex(bytes[0]!)}${hex(bytes[1]!)}`);
  const code = bytes[2]!;
  const type = TYPES[code];
  if (!type) fail(2, `unknown IDX type code 0x${hex(code)} (known: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64)`);
  const ndim = bytes[3]!;
  if (ndim === 0) fail(3, 'IDX file declares 0 dimensions');
  const headerEnd = 4 + 4 * ndim;
  if (bytes.length < headerEnd) fail(bytes.length, `IDX header declares ${ndim} dimensions but the file ends after ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let k = 0; k < ndim; k++) {
    const dim = view.getUint32(4 + 4 * k, false);
    shape.push(dim);
    count *= dim;
  }
  const { bytes: width } = type!;
  const expected = headerEnd + count * width;
  if (bytes.length < expected) fail(bytes.length, `IDX file is truncated: shape [${shape.join(', ')}] of ${type!.name} needs ${expected} bytes, the file has ${bytes.length}`);
  if (bytes.length > expected) fail(expected, `IDX file has ${bytes.length - expected} trailing bytes after shape [${shape.join(', ')}] of ${type!.name}`);
  let data: IdxValues;
  switch (code) {
    case 0x08:
      data = bytes.slice(headerEnd, expected);
      break;
    case 0x09:
      data = new Int8Array(bytes.slice(headerEnd, expected).buffer);
      break;
    default: {
      // Multi-byte values are big-endian in IDX; read them one by one through the DataView.
      const Ctor = code === 0x0b ? Int16Array : code === 0x0c ? Int32Array : code === 0x0d ? Float32Array : Float64Array;
      const out = new Ctor(count);
      for (let i = 0, o = headerEnd; i < count; i++, o += width) {
        out[i] = code === 0x0b ? view.getInt16(o, false) : code === 0x0c ? view.getInt32(o, false) : code === 0x0d ? view.getFloat32(o, false) : view.getFloat64(o, false);
      }
      data = out;
    }
  }
  return { shape, data };
}

/** Reads an IDX file, gunzipping it when it starts with the gzip magic bytes (0x1f 0x8b). */
export function readIdx(file: string): IdxArray {
  let bytes: Uint8Array = readFileSync(file);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new ParseError({ file }, `gzip data is corrupt: ${(e as Error).message}`);
    }
  }
  return parseIdx(bytes, file);
}

/** Encodes an IDX array (used by tests and for writing small slices). */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const d = arr.data;
  const code = d instanceof Uint8Array ? 0x08 : d instanceof Int8Array ? 0x09 : d instanceof Int16Array ? 0x0b : d instanceof Int32Array ? 0x0c : d instanceof Float32Array ? 0x0d : 0x0e;
  const width = TYPES[code]!.bytes;
  const count = arr.shape.reduce((a, b) => a * b, 1);
  if (count !== d.length) throw new RangeError(`encodeIdx: shape [${arr.shape.join(', ')}] holds ${count} values, data has ${d.length}`);
  const head = 4 + 4 * arr.shape.length;
  const out = new Uint8Array(head + count * width);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = arr.shape.length;
  arr.shape.forEach((s, k) => view.setUint32(4 + 4 * k, s, false));
  for (let i = 0, o = head; i < count; i++, o += width) {
    const v = d[i]!;
    if (code === 0x08) view.setUint8(o, v);
    else if (code === 0x09) view.setInt8(o, v);
    else if (code === 0x0b) view.setInt16(o, v, false);
    else if (code === 0x0c) view.setInt32(o, v, false);
    else if (code === 0x0d) view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  }
  return out;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
