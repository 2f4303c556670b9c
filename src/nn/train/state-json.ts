// Exact JSON encoding of training state: typed arrays become tagged arrays of numbers (JSON numbers
// round-trip every float32 and float64 value exactly), so a resumed run is bit-identical.
import type { OptState } from '../optim/transform.ts';
import type { Data } from '../tensor.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Recursively encodes plain objects, arrays, numbers (incl. NaN/±Inf) and typed arrays. */
export function encodeState(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Float32Array) return { $f32: Array.from(v, (x) => encodeState(x)) };
  if (v instanceof Float64Array) return { $f64: Array.from(v, (x) => encodeState(x)) };
  if (v instanceof Int32Array) return { $i32: Array.from(v) };
  if (v instanceof Uint8Array) return { $u8: Array.from(v) };
  if (Array.isArray(v)) return v.map(encodeState);
  if (typeof v === 'object') {
    const o: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = encodeState(x);
    return o;
  }
  throw new TypeError(`encodeState: cannot encode a ${typeof v}`);
}

function num(x: Json): number {
  if (typeof x === 'number') return x;
  if (x !== null && typeof x === 'object' && !Array.isArray(x) && typeof x.$num === 'string') return Number(x.$num);
  throw new TypeError('decodeState: expected a number');
}

export function decodeState(j: Json): unknown {
  if (j === null || typeof j !== 'object') return j;
  if (Array.isArray(j)) return j.map(decodeState);
  if ('$num' in j) return num(j);
  if ('$f32' in j) return Float32Array.from(j.$f32 as Json[], num);
  if ('$f64' in j) return Float64Array.from(j.$f64 as Json[], num);
  if ('$i32' in j) return Int32Array.from(j.$i32 as number[]);
  if ('$u8' in j) return Uint8Array.from(j.$u8 as number[]);
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(j)) o[k] = decodeState(x);
  return o;
}

export function encodeOptState(s: OptState): Json {
  return { kind: s.kind, count: s.count, slots: s.slots.map((sl) => sl.map((d) => encodeState(d))), children: s.children.map(encodeOptState) };
}

/** Writes a saved optimiser state into a freshly initialised one (same structure), checking kinds. */
export function restoreOptState(into: OptState, j: Json): void {
  const o = j as { kind: string; count: number; slots: Json[][]; children: Json[] };
  if (o.kind !== into.kind) throw new TypeError(`optimiser state is "${o.kind}" but the optimiser is "${into.kind}"`);
  into.count = o.count;
  o.slots.forEach((sl, i) => sl.forEach((d, k) => (into.slots[i]![k] as Data).set(decodeState(d) as Data)));
  o.children.forEach((c, i) => restoreOptState(into.children[i]!, c));
}
