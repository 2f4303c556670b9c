// Growing typed-array buffers for streaming loaders: rows are appended as numbers the moment they
// are parsed, so a large file is never held as arrays of strings. Capacity doubles (amortised O(1)
// appends); `trimmed()` copies to the exact length once at the end.

type Typed = Float64Array | Int32Array | Uint8Array;
type Ctor<A extends Typed> = { new (n: number): A };

export class Grow<A extends Typed> {
  private buf: A;
  length = 0;
  private readonly ctor: Ctor<A>;

  constructor(ctor: Ctor<A>, initial = 1024) {
    this.ctor = ctor;
    this.buf = new ctor(Math.max(16, initial));
  }

  /** Makes room for `extra` more values. */
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new this.ctor(cap);
    next.set(this.buf.subarray(0, this.length) as never);
    this.buf = next;
  }

  push(v: number): void {
    if (this.length === this.buf.length) this.reserve(1);
    this.buf[this.length++] = v;
  }

  /** Appends the first `n` values of `src`. */
  pushAll(src: ArrayLike<number> & Typed, n: number): void {
    this.reserve(n);
    this.buf.set(src.subarray(0, n) as never, this.length);
    this.length += n;
  }

  /** A view of the filled part (shares storage; valid until the next append). */
  view(): A {
    return this.buf.subarray(0, this.length) as A;
  }

  /** An exact-length copy; the buffer is released afterwards. */
  trimmed(): A {
    const out = this.buf.slice(0, this.length) as A;
    this.buf = new this.ctor(16);
    this.length = 0;
    return out;
  }
}

export const growF64 = (initial?: number): Grow<Float64Array> => new Grow(Float64Array, initial);
export const growI32 = (initial?: number): Grow<Int32Array> => new Grow(Int32Array, initial);
export const growU8 = (initial?: number): Grow<Uint8Array> => new Grow(Uint8Array, initial);
