// A byte-level CSV tokenizer for the data loaders (issue 15): it scans Buffers directly, records
// each field as a byte range (no string per cell) and leaves decoding to the caller, which parses
// numeric cells straight from the bytes (`parseNumberBytes`) and decodes only text cells (task ids,
// labels, categories, the header).
//
// Dialect (RFC 4180 plus what csv-parse accepted before, so existing files read the same):
//  - records end at LF, CRLF or a lone CR (old Mac files); a UTF-8 byte order mark is skipped by
//    the driver; empty lines are skipped (a line holding only spaces is a record of one field);
//  - a field may be quoted with `"`; inside quotes the delimiter and line breaks are data and `""`
//    is one quote; after the closing quote comes a delimiter, a line break or the end of the file;
//  - a quote inside an unquoted field (`3"4`) is an error at its line and field (csv-parse's
//    "Invalid Opening Quote", which used to escape as an internal error, issue 16);
//  - the delimiter is any string without `"`, CR or LF (one byte is the fast path).
//
// Why not csv-parse any more: measured in bench/data-load.bench.ts, csv-parse alone (records parsed
// and dropped) reads ~10 MB/s on the n = 1 000 000 long-form file, an order of magnitude below the
// 100 MB/s the loader must reach, and it materialises every cell as a string. Its remaining "odd
// cases" (quoted fields, CR-only files, multi-byte delimiters, BOM) are all handled here, so the
// data loaders no longer use it; it stays for the small auxiliary CSVs (splits, graphs, predict).
//
// Chunked use: `run` tokenizes complete records of buf[pos, end) and returns the offset of the first
// byte it did not consume (the start of an incomplete record); the driver keeps those bytes, appends
// the next chunk and calls again. With `final` every byte is consumed (or an error names the place).
import { CsvError } from './errors.ts';

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Byte classes of the unquoted-field scan: 0 ordinary, 1 delimiter (first byte), 2 CR, 3 LF, 4 quote. */
function classTable(delim: Uint8Array): Uint8Array {
  const t = new Uint8Array(256);
  t[delim[0]!] = 1;
  t[CR] = 2;
  t[LF] = 3;
  t[QUOTE] = 4;
  return t;
}

/** Why a CSV cannot be tokenized, with the place (line, 1-based field and, past the header, its name). */
export class CsvSyntaxError extends CsvError {
  constructor(file: string, line: number, field: number, columnName: string | undefined, message: string) {
    super({ file, line, column: field, ...(columnName !== undefined ? { columnName } : {}) }, `CSV syntax: ${message}`);
  }
}

/**
 * One tokenized record: field j is buf[start[j], end[j]); quoted[j] is 0 (plain), 1 (quoted) or 2
 * (quoted with `""` escapes, so its text must be unescaped); line[j] is the 1-based line it starts on.
 * The arrays are reused from record to record.
 */
export class CsvRecord {
  buf: Uint8Array = new Uint8Array(0);
  count = 0;
  start = new Int32Array(64);
  end = new Int32Array(64);
  quoted = new Uint8Array(64);
  line = new Int32Array(64);
  /** For the columns marked numeric: the fast-path value of the field (NaN: decode and judge the text). */
  value = new Float64Array(64);

  grow(): void {
    const n = this.start.length * 2;
    const s = new Int32Array(n), e = new Int32Array(n), q = new Uint8Array(n), l = new Int32Array(n), v = new Float64Array(n);
    s.set(this.start);
    e.set(this.end);
    q.set(this.quoted);
    l.set(this.line);
    v.set(this.value);
    this.value = v;
    this.start = s;
    this.end = e;
    this.quoted = q;
    this.line = l;
  }

  /**
   * ≥ 0: the record came from the one-pass path, every field unquoted on this line, and `quoted` /
   * `line` were not written (two stores per cell saved); −1: the general path filled them.
   */
  plainLine = -1;

  /** The 1-based line field j starts on. */
  lineOf(j: number): number {
    return this.plainLine >= 0 ? this.plainLine : this.line[j]!;
  }

  /** 0 plain, 1 quoted, 2 quoted with `""` escapes. */
  quotedOf(j: number): number {
    return this.plainLine >= 0 ? 0 : this.quoted[j]!;
  }

  /** The text of field j (UTF-8; escapes resolved). */
  text(j: number): string {
    const s = this.start[j]!;
    const e = this.end[j]!;
    const str = decodeUtf8(this.buf, s, e);
    return this.quotedOf(j) === 2 ? str.replaceAll('""', '"') : str;
  }

  /** The value of field j when it is a plain unquoted decimal number on the fast path, else NaN. */
  number(j: number): number {
    return this.numeric[j] === 1 ? this.value[j]! : this.quotedOf(j) === 0 ? parseNumberBytes(this.buf, this.start[j]!, this.end[j]!) : NaN;
  }

  /** numeric[j] = 1: the tokenizer parsed field j on the fast path into value[j] (set by the loader after the header). */
  numeric: Uint8Array = new Uint8Array(0);
}

const decoder = new TextDecoder('utf-8');
function decodeUtf8(buf: Uint8Array, s: number, e: number): string {
  if (e - s < 24) {
    // Short ASCII cells (the common case): String.fromCharCode beats a TextDecoder call.
    let ascii = true;
    for (let i = s; i < e; i++) if (buf[i]! >= 128) { ascii = false; break; }
    if (ascii) {
      // Node's Buffer slices ASCII natively (one flat string); a plain Uint8Array builds it here.
      const latin1 = (buf as { latin1Slice?: (s: number, e: number) => string }).latin1Slice;
      if (latin1 !== undefined) return latin1.call(buf, s, e);
      let out = '';
      for (let i = s; i < e; i++) out += String.fromCharCode(buf[i]!);
      return out;
    }
  }
  return decoder.decode(buf.subarray(s, e));
}

// Exact powers of ten up to 1e22 (all exactly representable in float64), and each split in two
// halves of ≤ 26 significant bits (Veltkamp), for the exact products of `longDecimal`.
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const SPLIT = 134217729; // 2^27 + 1 (Veltkamp's splitter for float64)
const POW10_HI = POW10.map((t) => { const u = SPLIT * t; return u - (u - t); });
const POW10_LO = POW10.map((t, i) => t - POW10_HI[i]!);
// The mantissa accumulator takes another digit only while m < MAX_HEAD, so m·10 + 9 < 2^53 stays exact.
const MAX_HEAD = 900719925474099;
const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer); // little-endian: WORDS[1] holds sign, exponent, top mantissa bits

/**
 * The correctly rounded value (identical to Number()) of the decimal (h·10^r + l)·10^scale with
 * h < 2^53, 1 ≤ r ≤ 4, l < 10^r, |scale| ≤ 22 — the 16–19 significant digits Clinger's fast path
 * cannot take (Landmine's cells) — or NaN when it cannot prove the rounding (then Number() decides).
 *
 * Why not a string and Number(): that was 40 % of loading Landmine (issue 10's start-up budget).
 * How: the decimal is evaluated in double-double arithmetic (T. J. Dekker, "A floating-point
 * technique for extending the available precision", Numer. Math. 18, 1971: exact products by
 * Veltkamp splitting, exact sums by Fast2Sum), so that hi + lo approximates it with a relative error
 * below 2^-100, hi = fl(hi + lo) (round to nearest even). hi is then the correctly rounded decimal
 * unless a rounding midpoint lies within that error of hi + lo, i.e. unless |lo| is within 2^-98·|hi|
 * of half the gap to hi's neighbour on lo's side; those rare cases (exact halfway decimals among
 * them) return NaN. This is the "approximate, then check the rounding boundary" scheme of Clinger
 * (PLDI 1990, §6, AlgorithmR's test) with the check done in double-double instead of bignums.
 *
 * Error bound: M = h·10^r + l is exact as Mh + Ml (h split at 2^26 so each partial product has ≤ 41
 * bits; |l| < 10^r ≤ the lower partial product's spacing, so Fast2Sum applies). Multiplication by
 * T = 10^s: Mh·T exact as p + e (Dekker's product), Ml·T and e + Ml·T each rounded once on terms of
 * size ≤ 2^-52·|p|: error ≤ 2^-104·|p|. Division: q1 = fl(Mh/T); Mh − fl(q1·T) is exact (Sterbenz),
 * q1·T's rounding error is exact (Dekker), the remainder's two roundings and its division by T add
 * ≤ 2^-101·|q1|. Both ≤ 2^-100 relative, checked against a margin of 2^-98.
 */
function longDecimal(h: number, r: number, l: number, scale: number): number {
  const P = POW10[r]!;
  const hh = Math.floor(h / 67108864) * 67108864; // h's bits above 2^26 (≤ 27 significant bits)
  const A = hh * P; // exact: ≤ 27 + 14 bits
  const B = (h - hh) * P + l; // exact: < 2^26·P + P
  let x = A + B; // Fast2Sum (A ≥ B): x + y = M exactly
  // scale 0: x = fl(A + B) is M rounded to nearest even by one IEEE addition, as Number() rounds.
  if (scale === 0) return x;
  let y = B - (x - A);
  {
    const k = scale < 0 ? -scale : scale;
    const T = POW10[k]!;
    const th = POW10_HI[k]!;
    const tl = POW10_LO[k]!;
    let p: number;
    let q: number;
    if (scale > 0) {
      p = x * T;
      const u = SPLIT * x;
      const xh = u - (u - x);
      const xl = x - xh;
      const e = ((xh * th - p) + xh * tl + xl * th) + xl * tl; // x·T − p exactly (Dekker)
      q = e + y * T;
    } else {
      p = x / T;
      const pt = p * T;
      const u = SPLIT * p;
      const ph = u - (u - p);
      const pl = p - ph;
      const e = ((ph * th - pt) + ph * tl + pl * th) + pl * tl; // p·T − pt exactly
      q = (((x - pt) - e) + y) / T; // (M − p·T)/T: the remainder's quotient
    }
    x = p + q; // Fast2Sum (|q| ≪ |p|)
    y = q - (x - p);
  }
  // Half the gap from x to its neighbour on y's side (x is normal: 1e-22 ≤ M·10^scale < 1e43).
  BITS[0] = x;
  const hi = WORDS[1]!;
  const ex = (hi >>> 20) & 0x7ff;
  const mantissaZero = (hi & 0xfffff) === 0 && WORDS[0] === 0;
  WORDS[1] = (ex - 53) << 20; // 2^(ex − 1023 − 53) = ulp(x)/2
  WORDS[0] = 0;
  const half = BITS[0]!;
  const gap = y >= 0 ? half : mantissaZero ? half / 2 : half;
  const margin = x * 3.1554436208840472e-30; // 2^-98·x
  return (y >= 0 ? y : -y) + margin < gap ? x : NaN;
}

/**
 * Scans a plain decimal number `[+-]digits[.digits][(e|E)[+-]digits]` starting at buf[s] (up to e),
 * stores its value in out[k] and returns the offset of the first byte after the grammar; the value is
 * NaN when the grammar is not matched or the number leaves the fast path. Exact (correctly rounded,
 * identical to Number()): with a mantissa m < 2^53 (an exact integer) and 10^k exact (|k| ≤ 22),
 * m·10^k or m/10^k is one correctly rounded IEEE operation (Clinger's fast path: W. D. Clinger,
 * "How to read floating point numbers accurately", PLDI 1990, §5); 16–19 significant digits with
 * |k| ≤ 22 go to `longDecimal` (double-double with a rounding check). Anything else (20+ significant
 * digits, large exponents, subnormals, blanks, words, hex) gives NaN and the caller falls back to
 * the string rules of `classifyCell` (i.e. Number()).
 *
 * Why it writes into an array instead of returning the value: the profile of the 1 000 000-row file
 * showed this function called, not inlined, once per cell, and a double returned from a call is boxed
 * as a heap number — one allocation per cell (the GC was 6 % of the load). Offsets are small
 * integers, returned unboxed.
 */
function scanInto(buf: Uint8Array, s: number, e: number, out: Float64Array, k: number): number {
  let i = s;
  if (i >= e) { out[k] = NaN; return i; }
  let c = buf[i]!;
  // Branch-free sign (measured ~20 % faster on data with random signs: no mispredicted branch).
  const neg = (c === 45 ? 1 : 0);
  i += neg | (c === 43 ? 1 : 0);
  // Digits go into the head m while m·10 + 9 stays below 2^53 (exact), the rest into the tail l
  // (r digits); the tail is taken on by `longDecimal`.
  let m = 0;
  let l = 0;
  let r = 0;
  const d0 = i;
  while (i < e) {
    c = buf[i]! - 48;
    if ((c >>> 0) > 9) break;
    if (m < MAX_HEAD) m = m * 10 + c;
    else { l = l * 10 + c; r++; }
    i++;
  }
  let nd = i - d0; // digits read
  let scale = 0;
  if (i < e && buf[i] === 46) {
    i++;
    const f0 = i;
    while (i < e) {
      c = buf[i]! - 48;
      if ((c >>> 0) > 9) break;
      if (m < MAX_HEAD) m = m * 10 + c;
      else { l = l * 10 + c; r++; }
      i++;
    }
    scale = f0 - i;
    nd -= scale;
  }
  if (nd === 0 || r > 4) { out[k] = NaN; return i; }
  if (i < e && (buf[i]! | 32) === 101) { // e or E
    i++;
    let eneg = false;
    if (i < e && (buf[i] === 45 || buf[i] === 43)) {
      eneg = buf[i] === 45;
      i++;
    }
    const x0 = i;
    let x = 0;
    while (i < e) {
      c = buf[i]! - 48;
      if ((c >>> 0) > 9) break;
      x = x * 10 + c;
      i++;
    }
    // No exponent digits, or a large exponent: the string path decides (overflow is an error there).
    if (i === x0 || i - x0 > 4) { out[k] = NaN; return i; }
    scale += eneg ? -x : x;
  }
  let v: number;
  if (r !== 0) v = scale >= -22 && scale <= 22 ? longDecimal(m, r, l, scale) : NaN;
  else if (scale === 0) v = m;
  else if (scale < 0) v = scale >= -22 ? m / POW10[-scale]! : m === 0 ? 0 : NaN;
  else v = scale <= 22 ? m * POW10[scale]! : m === 0 ? 0 : NaN;
  out[k] = v * (1 - 2 * neg); // −0 for "-0", as Number()
  return i;
}

const one = new Float64Array(1);

/** The value of buf[s, e) when all of it is a plain decimal number on the fast path, else NaN. */
export function parseNumberBytes(buf: Uint8Array, s: number, e: number): number {
  return scanInto(buf, s, e, one, 0) === e ? one[0]! : NaN;
}

/** Byte offset of the first invalid UTF-8 sequence in buf[s, e), or −1 (slow path, only after `isUtf8` failed). */
export function firstInvalidUtf8(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  while (i < e) {
    const b = buf[i]!;
    if (b < 0x80) { i++; continue; }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; }
    else return i;
    if (i + need >= e) return i; // truncated sequence
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

export class CsvTokenizer {
  private readonly file: string;
  private readonly delim: Uint8Array;
  private readonly cls: Uint8Array;
  /** 1-based line of the next byte to tokenize. */
  line = 1;
  /** File offset of buf[0] in the current `run` (so messages give offsets in the file, not the buffer). */
  base = 0;
  /** Column names for messages, once the header is known. */
  names: readonly string[] = [];
  readonly rec = new CsvRecord();

  /** See plainRecordAt. */
  private plainRecord(buf: Uint8Array, p: number, end: number, numeric: Uint8Array, badUtf8: number): number {
    return plainRecordAt(this, buf, p, end, numeric, badUtf8, this.delim[0]!, this.cls);
  }

  constructor(file: string, delimiter: Uint8Array) {
    this.file = file;
    this.delim = delimiter;
    this.cls = classTable(delimiter);
  }

  /**
   * Tokenizes the complete records of buf[pos, end), calling onRecord for each non-empty one, and
   * returns the offset of the first byte not consumed (= end when final). `badUtf8` is the offset of
   * an invalid UTF-8 byte (or −1): the record holding it is refused with its line and field instead.
   */
  run(buf: Uint8Array, pos: number, end: number, final: boolean, badUtf8: number, onRecord: (r: CsvRecord) => void): number {
    const rec = this.rec;
    rec.buf = buf;
    const cls = this.cls;
    const delim = this.delim;
    const dlen = delim.length;
    const d0 = delim[0]!;
    let numeric = rec.numeric; // refreshed after each record: the header's handler sets it
    const fast = dlen === 1;
    let p = pos;
    while (p < end) {
      if (fast) {
        const q = this.plainRecord(buf, p, end, numeric, badUtf8);
        if (q >= 0) {
          p = q;
          this.line++;
          onRecord(rec);
          numeric = rec.numeric;
          continue;
        }
      }
      const recStart = p;
      const recLine = this.line;
      let line = recLine;
      let nf = 0;
      let complete = false;
      // One record: fields until a line break or the end of the file.
      for (;;) {
        if (nf === rec.start.length) rec.grow();
        rec.line[nf] = line;
        let fs: number, fe: number, q: number;
        if (p < end && buf[p] === QUOTE) {
          p++;
          fs = p;
          q = 1;
          for (;;) {
            if (p >= end) {
              if (!final) { this.line = recLine; return recStart; }
              throw new CsvSyntaxError(this.file, rec.line[nf]!, nf + 1, this.names[nf], 'unclosed quote: the quoted field that starts here never ends');
            }
            const c = buf[p]!;
            if (c === QUOTE) {
              if (p + 1 >= end && !final) { this.line = recLine; return recStart; }
              if (p + 1 < end && buf[p + 1] === QUOTE) { q = 2; p += 2; continue; }
              break;
            }
            if (c === LF) line++;
            else if (c === CR && !(p + 1 < end && buf[p + 1] === LF)) {
              if (p + 1 >= end && !final) { this.line = recLine; return recStart; }
              line++;
            }
            p++;
          }
          fe = p;
          rec.value[nf] = NaN; // quoted: the loader reads its text
          p++; // the closing quote
          if (p < end) {
            const k = cls[buf[p]!]!;
            if (k === 0 || k === 4 || (k === 1 && !delimAt(buf, p, end, delim))) {
              throw new CsvSyntaxError(this.file, line, nf + 1, this.names[nf], `unexpected ${describeByte(buf[p]!)} after the closing quote of a quoted field (a quoted field must end at a delimiter or line break)`);
            }
          }
        } else {
          fs = p;
          q = 0;
          let done = false;
          if (numeric[nf] === 1) {
            // Numeric column: parse while scanning; a clean number ends at a terminator.
            p = scanInto(buf, p, end, rec.value, nf);
            if (p < end) {
              const c = buf[p]!;
              if (c === LF || c === CR || (c === d0 && (dlen === 1 || delimAt(buf, p, end, delim)))) done = true;
            } else if (final) done = true;
            if (!done) rec.value[nf] = NaN;
          }
          if (!done) {
            for (;;) {
              let c = 0;
              while (p < end && (((c = buf[p]!) > 34 && c !== d0) || cls[c] === 0)) p++;
              if (p >= end) break;
              if (c === QUOTE) throw new CsvSyntaxError(this.file, line, nf + 1, this.names[nf], 'a quote (") inside an unquoted field; quote the whole field ("…") and double any quote inside it ("")');
              if (c === d0 && dlen > 1 && !delimAt(buf, p, end, delim)) {
                if (p + dlen > end && !final) { this.line = recLine; return recStart; }
                p++;
                continue;
              }
              break;
            }
          }
          fe = p;
        }
        if (badUtf8 >= fs && badUtf8 < fe) {
          throw new CsvSyntaxError(this.file, rec.line[nf]!, nf + 1, this.names[nf], `invalid UTF-8 (byte 0x${buf[badUtf8]!.toString(16).toUpperCase().padStart(2, '0')} at byte offset ${this.base + badUtf8}); the file must be UTF-8 text — convert it first (e.g. iconv -f latin1 -t utf-8)`);
        }
        rec.start[nf] = fs;
        rec.end[nf] = fe;
        rec.quoted[nf] = q;
        nf++;
        if (p >= end) {
          if (!final) { this.line = recLine; return recStart; }
          complete = true;
          break;
        }
        const c = buf[p]!;
        if (c === LF) { p++; line++; complete = true; break; }
        if (c === CR) {
          if (p + 1 >= end && !final) { this.line = recLine; return recStart; }
          p += p + 1 < end && buf[p + 1] === LF ? 2 : 1;
          line++;
          complete = true;
          break;
        }
        p += dlen; // a delimiter: the next field
        if (p > end) p = end;
      }
      this.line = line;
      if (complete && !(nf === 1 && rec.quoted[0] === 0 && rec.start[0] === rec.end[0])) {
        rec.count = nf;
        rec.plainLine = -1;
        onRecord(rec);
        numeric = rec.numeric;
      }
    }
    return p;
  }
}

/**
 * The common record in one pass (one-byte delimiter): every field unquoted, the record complete in
 * buf[p, end) on one line, ending at LF or CRLF/CR, without invalid UTF-8. Numeric columns are parsed
 * while scanning. Returns the offset after the line break, with rec filled (count, start, end, value,
 * plainLine: quoted and line are implied), or −1 when the record is anything else: then the general tokenizer
 * (`run`) reads it from the same offset and keeps every rule and message. Why a second path:
 * profiling the 1 000 000-row file showed the general loop's per-field checks (quotes, partial
 * records, multi-byte delimiters) costing as much as the number parsing itself.
 */
function plainRecordAt(tok: CsvTokenizer, buf: Uint8Array, p: number, end: number, numeric: Uint8Array, badUtf8: number, d0: number, cls: Uint8Array): number {
  const rec = tok.rec;
  const from = p;
  const line = tok.line;
  const start = rec.start;
  const end_ = rec.end;
  const value = rec.value;
  if (p >= end) return -1;
  let c = buf[p]!;
  if (c === LF || c === CR) return -1; // an empty line: the general path skips it
  let nf = 0;
  const cap = rec.start.length;
  for (;;) {
    if (nf === cap) return -1; // a wide record: the general path grows the arrays
    const fs = p;
    if (numeric[nf] === 1) {
      // The common cell inline: [-]digits[.digits] with at most 15 digits in all, ending at the
      // delimiter or a line break. m < 10^15 < 2^53 and 10^k (k ≤ 15) are exact, so m / 10^k is one
      // correctly rounded division: Number()'s value (Clinger's fast path, as in scanInto). Anything
      // else (a plus sign, more digits, an exponent, text) is re-read from the field's start by
      // scanInto. Why inline: scanInto is too large for V8 to inline, and the call per cell with its
      // general grammar was over half of the loader's profile on the 1 000 000-row file.
      let i = p;
      c = i < end ? buf[i]! : 0;
      const neg = c === 45 ? 1 : 0;
      i += neg;
      const ds = i;
      let m = 0;
      let lim = ds + 15 < end ? ds + 15 : end;
      while (i < lim) {
        const dg = buf[i]! - 48;
        if ((dg >>> 0) > 9) break;
        m = m * 10 + dg;
        i++;
      }
      let nd = i - ds;
      let k = 0;
      if (i < lim && buf[i] === 46) {
        i++;
        const f0 = i;
        lim = f0 + 15 - nd < end ? f0 + 15 - nd : end;
        while (i < lim) {
          const dg = buf[i]! - 48;
          if ((dg >>> 0) > 9) break;
          m = m * 10 + dg;
          i++;
        }
        k = i - f0;
        nd += k;
      }
      if (nd !== 0 && i < end && ((c = buf[i]!) === d0 || c === LF || c === CR)) {
        value[nf] = (k === 0 ? m : m / POW10[k]!) * (1 - 2 * neg); // −0 for "-0", as Number()
        p = i;
      } else {
        p = scanInto(buf, p, end, value, nf);
        if (p >= end) return -1;
        c = buf[p]!;
        if (c !== d0 && c !== LF && c !== CR) {
          value[nf] = NaN; // not a plain number: the loader judges its text
          while (p < end && (((c = buf[p]!) > 34 && c !== d0) || cls[c] === 0)) p++;
          if (p >= end || c === QUOTE) return -1;
        }
      }
    } else {
      while (p < end && (((c = buf[p]!) > 34 && c !== d0) || cls[c] === 0)) p++;
      if (p >= end || c === QUOTE) return -1;
    }
    start[nf] = fs;
    end_[nf] = p;
    nf++;
    if (c === d0) {
      p++;
      continue;
    }
    if (c === LF) {
      p++;
      break;
    }
    if (p + 1 >= end) return -1; // CR at the end of the buffer: CRLF or not is decided later
    p += buf[p + 1] === LF ? 2 : 1;
    break;
  }
  if (badUtf8 >= from && badUtf8 < p) return -1;
  rec.count = nf;
  rec.plainLine = line;
  return p;
}

function delimAt(buf: Uint8Array, p: number, end: number, delim: Uint8Array): boolean {
  if (p + delim.length > end) return false;
  for (let k = 0; k < delim.length; k++) if (buf[p + k] !== delim[k]) return false;
  return true;
}

function describeByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? JSON.stringify(String.fromCharCode(b)) : `byte 0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}
