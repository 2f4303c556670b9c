// `--graph FILE`: the task graph of the graph model as a CSV edge list `from,to[,weight]` (a header
// row with those names is optional). Endpoints are task names, or 0-based task indices when the
// value is a whole number that is not itself a task name. Weight defaults to 1 and must be ≥ 0.
import { createRequire } from 'node:module';
import type { parse as parseType } from 'csv-parse/sync';
import { ParseError } from '../errors.ts';
import type { ModelOptions } from '../linear/types.ts';
import { readUserFile } from './io.ts';

type Edge = NonNullable<ModelOptions['graph']>[number];

export const MAX_WEIGHT = 1e100;

export function parseGraphText(text: string, file: string, tasks: readonly string[]): Edge[] {
  let records: string[][];
  // The file line of each record: blank lines are skipped, so the record index is not the line
  // (issue 16: a bad edge after blank lines was reported on the wrong line). csv-parse's `info`
  // gives the line each record starts on.
  let lines: number[];
  try {
    // Required on use: most fits have no graph file, and start-up should not load csv-parse.
    const { parse } = createRequire(import.meta.url)('csv-parse/sync') as { parse: typeof parseType };
    const parsed = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, info: true, bom: true }) as { record: string[]; info: { lines: number; raw?: string } }[];
    records = parsed.map((r) => r.record);
    // info.lines is the line a record ends on; a quoted field spanning lines starts it earlier.
    lines = parsed.map((r) => r.info.lines - r.record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0));
  } catch (e) {
    throw new ParseError({ file }, `not a CSV edge list (${(e as Error).message})`);
  }
  const known = new Set(tasks);
  let start = 0;
  const first = records[0];
  if (first && first[0]?.toLowerCase() === 'from' && first[1]?.toLowerCase() === 'to') start = 1;
  const edges: Edge[] = [];
  const endpoint = (v: string, line: number, column: number): string => {
    if (known.has(v)) return v;
    if (/^\d+$/.test(v) && Number(v) < tasks.length) return tasks[Number(v)]!;
    throw new ParseError({ file, line, column }, `"${v}" is not a task (tasks: ${tasks.length <= 8 ? tasks.join(', ') : `${tasks.slice(0, 8).join(', ')}, …`}; or a 0-based index below ${tasks.length})`);
  };
  for (let r = start; r < records.length; r++) {
    const rec = records[r]!;
    const line = lines[r]!;
    if (rec.length < 2 || rec.length > 3) throw new ParseError({ file, line }, `expected from,to[,weight], found ${rec.length} fields`);
    const from = endpoint(rec[0]!, line, 1);
    const to = endpoint(rec[1]!, line, 2);
    if (from === to) throw new ParseError({ file, line }, `an edge from task "${from}" to itself has no effect; remove it`);
    let weight = 1;
    if (rec.length === 3 && rec[2] !== '') {
      weight = Number(rec[2]);
      if (!Number.isFinite(weight) || weight < 0 || !/^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(rec[2]!)) {
        throw new ParseError({ file, line, column: 3 }, `weight "${rec[2]}" is not a number ≥ 0`);
      }
      // The graph penalty sums λ·w·‖w_s − w_t‖² over edges and the solver factors I + λL: a weight
      // near the largest double (1e308) overflows to ∞ there (issue 16: "cholesky: matrix has NaN or
      // infinite entries"). Weights only matter relative to λ, so a bound far above any sensible
      // scale loses nothing.
      if (weight > MAX_WEIGHT) throw new ParseError({ file, line, column: 3 }, `weight ${rec[2]} is too large (the penalty overflows above ${MAX_WEIGHT}); weights only matter relative to --lambda: rescale them so that the largest is about 1`);
    }
    edges.push({ from, to, weight });
  }
  if (edges.length === 0) throw new ParseError({ file }, 'no edges');
  return edges;
}

export function readGraphFile(file: string, shownAs: string, tasks: readonly string[]): Edge[] {
  const text = readUserFile(file, shownAs);
  return parseGraphText(text, shownAs, tasks);
}
