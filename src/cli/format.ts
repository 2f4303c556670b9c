// Plain-text tables and number formatting for humans. Pure functions: strings in, string out.

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align; // default: right for numbers-looking columns is the caller's choice; left here
}

/** Visible width (the CLI prints no colour codes, so this is the code-point count). */
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'right' ? fill + s : s + fill;
}

/** An aligned table: header, a rule of dashes, then rows; columns separated by two spaces. */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  for (const [i, r] of rows.entries()) {
    if (r.length !== columns.length) throw new Error(`table: row ${i} has ${r.length} cells, expected ${columns.length}`);
  }
  const widths = columns.map((c, j) => Math.max(width(c.header), ...rows.map((r) => width(r[j]!))));
  const line = (cells: readonly string[]): string =>
    cells.map((c, j) => pad(c, widths[j]!, columns[j]!.align ?? 'left')).join('  ').trimEnd();
  const out = [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  return out.join('\n');
}

/** A number with `digits` significant digits, never in exponent form for ordinary magnitudes. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(Math.max(0, digits - 1));
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  return x.toFixed(Math.min(decimals, 10));
}

/** mean ± std. */
export function meanStd(mean: number, std: number, digits = 4): string {
  return `${num(mean, digits)} ± ${num(std, 2)}`;
}

/** A signed percentage, e.g. +3.1 % / −0.4 %. */
export function percent(x: number | null | undefined, decimals = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const s = Math.abs(x).toFixed(decimals);
  if (Number(s) === 0) return `${s} %`;
  return `${x > 0 ? '+' : '−'}${s} %`;
}

/** Seconds for humans. */
export function seconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 1) return `${(s * 1000).toFixed(0)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  // Whole seconds from the total, so that 119.6 s reads "2 min 0 s", never "1 min 60 s".
  const t = Math.round(s);
  if (t < 3600) return `${Math.floor(t / 60)} min ${t % 60} s`;
  return `${Math.floor(t / 3600)} h ${Math.floor((t % 3600) / 60)} min`;
}
