// Row stores for streaming loaders: each parsed row is written straight into a small plain staging
// array (no per-row objects or copies of whole buffers), and `toArray()` returns one exact,
// contiguous, ordinary typed array at the end.
//
// Memory (issue 15: peak ≤ 1.5 × the float64 data plus a constant). A doubling buffer wastes up to
// half its capacity and holds the old and the new buffer while it grows (3× at the worst moment);
// chunks concatenated at the end hold everything twice until the garbage collector runs. So a store
// fills a staging array (at most STAGE_BYTES, grown geometrically from one row) and flushes it into a
// resizable ArrayBuffer (ES2024; Node ≥ 20) that grows in place — virtual space is reserved up to
// the bound the caller gives (the input size), pages are committed only as they are written. At the
// end the exact output array is allocated (zero pages, committed only when written) and filled from
// the end of the resizable buffer backwards in STAGE-sized pieces, shrinking the buffer after each
// piece, so the resident set never holds the data twice. Resizable buffers are only a staging area:
// typed arrays over them are ~2× slower to index in V8 11, so every array handed out is a plain one.
// When a resizable buffer cannot be reserved (old engine, address-space limits) the store falls back
// to a list of plain chunks (peak up to 2× while the garbage collector catches up).

type Typed = Float64Array | Int32Array | Uint8Array;
type Ctor<A extends Typed> = { new (n: number): A; new (buf: ArrayBuffer, byteOffset: number, length: number): A; readonly BYTES_PER_ELEMENT: number };

// Per store: the CSV loader has one set of stores per file (and 64 bucket stores while grouping many small tasks).
const STAGE_BYTES = 64 * 1024;
const MAX_RESIZABLE = 2 ** 32 - 4096;
// Resizable buffers grow (and, in toArray, shrink) in steps of at least this many bytes: each resize
// is a system call (page permissions), and one per 64 KiB staging flush was ~6 % of the profile of the
// 1 000 000-row CSV. Committed but unwritten pages are not resident, so the step costs no memory.
const RESIZE_STEP = 1 << 23; // V8's limit for a resizable ArrayBuffer's maxByteLength (4 GiB − 1)
const ResizableArrayBuffer = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Segment['rab'];
const resizableSupported = typeof (ArrayBuffer.prototype as { resize?: unknown }).resize === 'function';

interface Segment {
  readonly rab: ArrayBuffer & { resize(n: number): void };
  /** Values stored. */
  used: number;
  /** Capacity in values (maxByteLength / element size). */
  readonly cap: number;
}

export class RowStore<A extends Typed> {
  /** Values per row. */
  readonly width: number;
  /** Committed rows. */
  rows = 0;
  /** The staging array: write a row at `slot()`, then `commit()`. */
  cur: A;
  private off = 0;
  private readonly stageValues: number;
  /** Flushed data in order: resizable segments, or plain chunks once no segment can be reserved. */
  private readonly parts: (Segment | A)[] = [];
  private plainOnly = !resizableSupported;
  private flushed = 0;
  private readonly ctor: Ctor<A>;
  private readonly maxValues: number;

  /** `maxRows`: an upper bound on the rows this store can receive (sizes the reservation), or Infinity. */
  constructor(ctor: Ctor<A>, width: number, maxRows = Infinity) {
    this.ctor = ctor;
    this.width = width;
    const w = Math.max(1, width);
    this.stageValues = Math.max(1, Math.floor(STAGE_BYTES / (w * ctor.BYTES_PER_ELEMENT))) * w;
    this.maxValues = Math.max(this.stageValues, Math.min(Number.MAX_SAFE_INTEGER, (maxRows + 1) * w));
    // Two rows to start: with T = 10 000 small tasks, a larger first staging array per store costs more than the data.
    this.cur = new ctor(Math.min(this.stageValues, 2 * w));
  }

  /** Offset in `cur` where the next row's `width` values go. */
  slot(): number {
    if (this.off + this.width > this.cur.length) {
      if (this.cur.length < this.stageValues) {
        // Grow the staging array geometrically up to its final size (small tasks stay small).
        const w = Math.max(1, this.width);
        const next = new this.ctor(Math.min(this.stageValues, Math.ceil((this.cur.length * 1.5) / w) * w));
        next.set(this.cur.subarray(0, this.off) as never);
        this.cur = next;
      } else {
        this.flush();
      }
    }
    return this.off;
  }

  /** Keeps the row written at the last `slot()`. */
  commit(): void {
    this.off += this.width;
    this.rows++;
  }

  /** Appends a one-value row. */
  push(v: number): void {
    const o = this.slot();
    this.cur[o] = v;
    this.commit();
  }

  private flush(): void {
    const n = this.off;
    if (n === 0) return;
    const size = this.ctor.BYTES_PER_ELEMENT;
    let done = 0;
    while (done < n) {
      const last = this.parts[this.parts.length - 1];
      let seg = last !== undefined && !ArrayBuffer.isView(last) && last.used < last.cap ? last : this.newSegment(n - done);
      if (seg === undefined) {
        // No resizable buffer: keep the rest of the staging array as a chunk and start a new one.
        this.parts.push(this.cur.slice(done, n) as A);
        this.flushed += n;
        this.off = 0;
        return;
      }
      const k = Math.min(n - done, seg.cap - seg.used);
      const need = (seg.used + k) * size;
      if (seg.rab.byteLength < need) seg.rab.resize(Math.min(seg.cap * size, Math.max(need, seg.rab.byteLength + RESIZE_STEP)));
      new this.ctor(seg.rab, seg.used * size, k).set(this.cur.subarray(done, done + k) as never);
      seg.used += k;
      done += k;
    }
    this.flushed += n;
    this.off = 0;
  }

  private newSegment(need: number): Segment | undefined {
    if (this.plainOnly) return undefined;
    const size = this.ctor.BYTES_PER_ELEMENT;
    const remaining = Math.max(need, this.maxValues - this.flushed);
    // Whole rows per segment, so that `drainBackward` hands out whole rows.
    const w = Math.max(1, this.width);
    const cap = Math.max(w, Math.floor(Math.min(MAX_RESIZABLE, remaining * size) / (size * w)) * w);
    try {
      const rab = new ResizableArrayBuffer(0, { maxByteLength: cap * size });
      const seg = { rab, used: 0, cap };
      this.parts.push(seg);
      return seg;
    } catch {
      this.plainOnly = true;
      return undefined;
    }
  }

  /** All committed rows as one exact-length plain array; the store is empty afterwards. */
  toArray(): A {
    const total = this.rows * this.width;
    if (this.parts.length === 0 && this.off >= 0.8 * this.cur.length) {
      const out = this.off === this.cur.length ? this.cur : (this.cur.subarray(0, this.off) as A);
      this.reset();
      return out;
    }
    const out = new this.ctor(total);
    this.drainBackward((piece, firstRow) => out.set(piece as never, firstRow * this.width));
    return out;
  }

  /**
   * Hands out all committed rows as pieces of whole rows, last piece first (`firstRow`: the index of
   * the piece's first row), releasing each piece's memory after the call (the resizable segments
   * shrink as they are read): a caller that copies the rows elsewhere, in any order, never holds the
   * data twice. The store is empty afterwards. A piece is only valid during its call.
   */
  drainBackward(fn: (piece: A, firstRow: number) => void): void {
    const size = this.ctor.BYTES_PER_ELEMENT;
    const w = Math.max(1, this.width);
    let end = this.rows * this.width; // value offset of the end of the next piece
    const emit = (piece: A): void => {
      end -= piece.length;
      if (piece.length > 0) fn(piece, end / w);
    };
    // The staging tail, then the parts backwards, shrinking each segment as it is read.
    emit(this.cur.subarray(0, this.off) as A);
    for (let p = this.parts.length - 1; p >= 0; p--) {
      const part = this.parts[p]!;
      if (ArrayBuffer.isView(part)) {
        emit(part as A);
        continue;
      }
      const piece = Math.max(this.stageValues, Math.floor(RESIZE_STEP / (size * w)) * w);
      while (part.used > 0) {
        const k = Math.min(part.used, piece);
        const from = part.used - k;
        emit(new this.ctor(part.rab, from * size, k));
        part.used = from;
        part.rab.resize(from * size);
      }
    }
    this.reset();
  }

  private reset(): void {
    this.parts.length = 0;
    this.cur = new this.ctor(0);
    this.off = 0;
    this.rows = 0;
    this.flushed = 0;
  }
}

export const rowsF64 = (width: number, maxRows?: number): RowStore<Float64Array> => new RowStore(Float64Array, width, maxRows);
export const rowsI32 = (width: number, maxRows?: number): RowStore<Int32Array> => new RowStore(Int32Array, width, maxRows);
export const rowsU8 = (width: number, maxRows?: number): RowStore<Uint8Array> => new RowStore(Uint8Array, width, maxRows);
