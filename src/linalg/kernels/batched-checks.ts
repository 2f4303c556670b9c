// Shape checks of the batched kernels (types.ts), shared by the compiled backends (wasm, native)
// so that both refuse a bad call with the same ShapeError before any memory is touched.
import { ShapeError } from '../../errors.ts';

/** Checks offsets (count + 1 entries, non-negative, non-decreasing), a, x and y; returns the rows of the stacked blocks. */
export function checkBatched(trans: boolean, count: number, offsets: Int32Array, n: number, a: Float64Array, x: Float64Array, y: Float64Array | null): number {
  if (offsets.length < count + 1) throw new ShapeError(`dgemvBatched: offsets has ${offsets.length} entries, ${count} blocks need ${count + 1}`);
  for (let t = 0; t < count; t++) {
    if (offsets[t + 1]! < offsets[t]! || offsets[t]! < 0) throw new ShapeError(`dgemvBatched: offsets must be non-negative and non-decreasing (block ${t})`);
  }
  const rows = offsets[count]!;
  if (a.length < rows * n) throw new ShapeError(`dgemvBatched: a has ${a.length} entries, ${rows} rows × ${n} need ${rows * n}`);
  const xl = trans ? rows : count * n;
  if (x.length < xl) throw new ShapeError(`dgemvBatched: x has length ${x.length}, needs ${xl}`);
  const yl = trans ? count * n : rows;
  if (y && y.length < yl) throw new ShapeError(`dgemvBatched: y has length ${y.length}, needs ${yl}`);
  return rows;
}

/** dsymvBatched: a holds count d×d blocks (a = null: already checked, e.g. resident), x and y count·d entries. */
export function checkSymv(count: number, d: number, a: Float64Array | null, x: Float64Array, y: Float64Array): void {
  if (a && a.length < count * d * d) throw new ShapeError(`dsymvBatched: a has ${a.length} entries, ${count} blocks of ${d}×${d} need ${count * d * d}`);
  if (x.length < count * d || y.length < count * d) throw new ShapeError(`dsymvBatched: x and y need ${count * d} entries, have ${x.length} and ${y.length}`);
}

/** dresidualGradBatched's outputs and targets, after checkBatched gave the rows. */
export function checkResidualGrad(count: number, n: number, rows: number, y: Float64Array, r: Float64Array, g: Float64Array): void {
  if (y.length < rows || r.length < rows) throw new ShapeError(`dresidualGradBatched: y and r need ${rows} entries, have ${y.length} and ${r.length}`);
  if (g.length < count * n) throw new ShapeError(`dresidualGradBatched: g has length ${g.length}, needs ${count * n}`);
}

/** dsqGradBatched: offsets and a (checkBatched), cols distinct in [0, ldw), w and g n × ldw, y the rows, c and f count. */
export function checkSqGrad(count: number, offsets: Int32Array, n: number, a: Float64Array, cols: Int32Array, w: Float64Array, ldw: number,
  y: Float64Array, c: Float64Array, g: Float64Array, f: Float64Array): number {
  if (offsets.length < count + 1) throw new ShapeError(`dsqGradBatched: offsets has ${offsets.length} entries, ${count} blocks need ${count + 1}`);
  for (let t = 0; t < count; t++) {
    if (offsets[t + 1]! < offsets[t]! || offsets[t]! < 0) throw new ShapeError(`dsqGradBatched: offsets must be non-negative and non-decreasing (block ${t})`);
  }
  const rows = offsets[count]!;
  if (a.length < rows * n) throw new ShapeError(`dsqGradBatched: a has ${a.length} entries, ${rows} rows × ${n} need ${rows * n}`);
  if (cols.length < count) throw new ShapeError(`dsqGradBatched: cols has ${cols.length} entries, needs ${count}`);
  const seen = new Uint8Array(ldw);
  for (let k = 0; k < count; k++) {
    const j = cols[k]!;
    if (!(j >= 0 && j < ldw) || seen[j]) throw new ShapeError(`dsqGradBatched: cols[${k}] = ${j} must be a distinct column in [0, ${ldw})`);
    seen[j] = 1;
  }
  if (w.length < n * ldw || g.length < n * ldw) throw new ShapeError(`dsqGradBatched: w and g need ${n} × ${ldw} entries, have ${w.length} and ${g.length}`);
  if (y.length < rows) throw new ShapeError(`dsqGradBatched: y needs ${rows} entries, has ${y.length}`);
  if (c.length < count || f.length < count) throw new ShapeError(`dsqGradBatched: c and f need ${count} entries, have ${c.length} and ${f.length}`);
  return rows;
}
