// A minimal MAT v5 writer used only by the tests, to build files the shared data do not cover
// (big-endian, integer classes, logical, char, structs, malformed bytes). It follows the same
// published layout ("MAT-File Format", The MathWorks) independently of the reader's code paths.
import { deflateSync } from 'node:zlib';

export interface W {
  le: boolean;
}

const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };

function concat(parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A data element: 8-byte tag, payload, zero padding to 8 bytes (small format when asked and it fits). */
export function element(w: W, type: number, payload: Uint8Array, small = false): Uint8Array {
  if (small && payload.length <= 4) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setUint32(0, (payload.length << 16) | type, w.le);
    out.set(payload, 4);
    return out;
  }
  const pad = (8 - (payload.length % 8)) % 8;
  const out = new Uint8Array(8 + payload.length + pad);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, w.le);
  dv.setUint32(4, payload.length, w.le);
  out.set(payload, 8);
  return out;
}

export function numbers(w: W, type: number, values: readonly number[]): Uint8Array {
  const size = SIZES[type]!;
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    const p = i * size;
    switch (type) {
      case 1: dv.setInt8(p, v); break;
      case 2: dv.setUint8(p, v); break;
      case 3: dv.setInt16(p, v, w.le); break;
      case 4: dv.setUint16(p, v, w.le); break;
      case 5: dv.setInt32(p, v, w.le); break;
      case 6: dv.setUint32(p, v, w.le); break;
      case 7: dv.setFloat32(p, v, w.le); break;
      case 9: dv.setFloat64(p, v, w.le); break;
      case 12: dv.setBigInt64(p, BigInt(v), w.le); break;
      case 13: dv.setBigUint64(p, BigInt(v), w.le); break;
    }
  });
  return out;
}

function header(w: W, flagsWord: number, dims: readonly number[], name: string, nzmax = 0): Uint8Array[] {
  return [
    element(w, 6, numbers(w, 6, [flagsWord, nzmax])),
    element(w, 5, numbers(w, 5, dims)),
    element(w, 1, new TextEncoder().encode(name), true),
  ];
}

/** A numeric miMATRIX; `values` column-major; stored as data type `store`. */
export function numeric(w: W, name: string, cls: number, dims: number[], values: number[], store = 9, opts: { logical?: boolean; imag?: number[] } = {}): Uint8Array {
  const flags = cls | (opts.logical ? 0x200 : 0) | (opts.imag ? 0x800 : 0);
  const parts = [...header(w, flags, dims, name), element(w, store, numbers(w, store, values))];
  if (opts.imag) parts.push(element(w, store, numbers(w, store, opts.imag)));
  return element(w, 14, concat(parts));
}

export function cell(w: W, name: string, dims: number[], cells: Uint8Array[]): Uint8Array {
  return element(w, 14, concat([...header(w, 1, dims, name), ...cells]));
}

export function struct(w: W, name: string, fields: string[], values: Uint8Array[]): Uint8Array {
  const len = 32;
  const names = new Uint8Array(len * fields.length);
  fields.forEach((f, k) => names.set(new TextEncoder().encode(f), k * len));
  return element(w, 14, concat([...header(w, 2, [1, 1], name), element(w, 5, numbers(w, 5, [len]), true), element(w, 1, names), ...values]));
}

export function char(w: W, name: string, text: string): Uint8Array {
  const codes = Array.from(text, (c) => c.charCodeAt(0));
  return element(w, 14, concat([...header(w, 4, [1, codes.length], name), element(w, 4, numbers(w, 4, codes))]));
}

/** Sparse m×n from (row, col, value) triplets sorted by column then row. */
export function sparse(w: W, name: string, m: number, n: number, trip: [number, number, number][]): Uint8Array {
  const ir = trip.map((t) => t[0]);
  const jc = new Array<number>(n + 1).fill(0);
  for (const [, c] of trip) jc[c + 1]!++;
  for (let j = 0; j < n; j++) jc[j + 1]! += jc[j]!;
  return element(w, 14, concat([...header(w, 5, [m, n], name, trip.length), element(w, 5, numbers(w, 5, ir)), element(w, 5, numbers(w, 5, jc)), element(w, 9, numbers(w, 9, trip.map((t) => t[2])))]));
}

export function compressed(w: W, el: Uint8Array): Uint8Array {
  const z = deflateSync(el);
  const out = new Uint8Array(8 + z.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 15, w.le);
  dv.setUint32(4, z.length, w.le);
  out.set(z, 8);
  return out;
}

export function matFile(w: W, elements: Uint8Array[]): Uint8Array {
  const head = new Uint8Array(128).fill(32);
  head.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, written by the polytask tests'));
  for (let i = 116; i < 124; i++) head[i] = 0;
  const dv = new DataView(head.buffer);
  dv.setUint16(124, 0x0100, w.le);
  // The writer's 16-bit 'MI' (0x4d49) in its own byte order: "IM" little-endian, "MI" big-endian.
  dv.setUint16(126, 0x4d49, w.le);
  return concat([head, ...elements]);
}
