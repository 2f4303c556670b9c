// The reliability corpus of issue 16 as a table: each case is a set of generated input files, a
// command line, the exit code it must give, and what its one-line error must name (the file with
// line/column, the task, the flag or the path the user gave). Files are generated here (small, in
// a temporary directory), never committed. The runner (corpus.test.ts) also checks that no output
// file and no temporary file is left behind.
import { Random } from '../../src/linalg/random.ts';
import { cell, char, matFile, numeric, struct } from '../data/mat-writer.ts';

export interface Case {
  readonly name: string;
  /** Files to create in the case's directory (besides the shared base files). */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  readonly argv: readonly string[];
  readonly code: 0 | 1 | 2;
  /** Substrings (or patterns) the stderr line must contain. */
  readonly says: readonly (string | RegExp)[];
  /** Files that must not exist afterwards (outputs of the failed command). */
  readonly noFile?: readonly string[];
  /** Files whose contents must be unchanged afterwards (inputs that an output named). */
  readonly unchanged?: readonly string[];
  /** Known to fail on this branch and fixed on another (named): reported as a todo, not a failure. */
  readonly todo?: string;
}

/** A small long-form CSV: tasks a, b, c; 12 rows each; y, x1..x3. */
export function longCsv(seed = 1, opts: { big?: (t: number, i: number, j: number) => number | undefined; bigY?: number } = {}): string {
  const rng = new Random(seed);
  const lines = ['task,y,x1,x2,x3'];
  for (let t = 0; t < 3; t++) {
    for (let i = 0; i < 12; i++) {
      const x = [0, 1, 2].map((j) => opts.big?.(t, i, j) ?? rng.normal());
      const y = opts.bigY !== undefined && t === 1 ? opts.bigY * (1 + rng.uniform()) : x[0]! - x[1]! + 0.1 * rng.normal();
      lines.push(['abc'[t], y, ...x].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** A wide CSV: shared features x1, x2, one target column per task y1..y3. */
export function wideCsv(): string {
  const rng = new Random(2);
  const lines = ['x1,x2,y1,y2,y3'];
  for (let i = 0; i < 20; i++) lines.push([rng.normal(), rng.normal(), rng.normal(), rng.normal(), rng.normal()].join(','));
  return lines.join('\n') + '\n';
}

const L = ['--task-col', 'task', '--target', 'y'];
const FIT = (data: string, ...more: string[]): string[] => ['fit', '--data', data, ...L, '--model', 'l21', '--lambda', '0.1', ...more];
const FIT_OUT = (data: string, ...more: string[]): string[] => FIT(data, '--out', 'm.json', ...more);
const CMP = (...more: string[]): string[] => ['compare', '--data', 'data.csv', ...L, '--models', 'l21', '--splits', '2', '--folds', '2', '--workers', '1', '--out', 'r.json', '--report', 'r.html', ...more];
const PRED = (model: string, data: string, ...more: string[]): string[] => ['predict', '--model', model, '--data', data, '--task-col', 'task', '--target', 'y', '--out', 'p.csv', ...more];

function csvCase(name: string, text: string, says: readonly (string | RegExp)[], code: 0 | 1 | 2 = 1, extra: string[] = []): Case {
  return { name: `csv long: ${name}`, files: { 'bad.csv': text }, argv: FIT_OUT('bad.csv', ...extra), code, says, noFile: code === 0 ? [] : ['m.json'] };
}

const GOOD = longCsv();
const rows = GOOD.trimEnd().split('\n');
const withRow = (i: number, row: string): string => [...rows.slice(0, i), row, ...rows.slice(i + 1)].join('\n') + '\n';

const w = { le: true };
const matOk = (X: Uint8Array[], Y: Uint8Array[]): Uint8Array => matFile(w, [cell(w, 'X', [1, X.length], X), cell(w, 'Y', [1, Y.length], Y)]);
const mx = (n: number, d: number, f = (i: number) => Math.sin(i + 1)): Uint8Array => numeric(w, '', 6, [n, d], Array.from({ length: n * d }, (_, i) => f(i)));
const my = (n: number, f = (i: number) => Math.cos(i)): Uint8Array => numeric(w, '', 6, [n, 1], Array.from({ length: n }, (_, i) => f(i)));

const graph = (text: string): Case => ({ name: '', files: { 'g.csv': text }, argv: ['fit', '--data', 'data.csv', ...L, '--model', 'graph', '--lambda', '0.1', '--graph', 'g.csv', '--out', 'm.json'], code: 1, says: [], noFile: ['m.json'] });
const splits = (text: string): Case => ({ name: '', files: { 's.csv': text }, argv: CMP('--splits-file', 's.csv').filter((a, i, all) => !(a === '--splits' || all[i - 1] === '--splits')), code: 1, says: ['s.csv'], noFile: ['r.json', 'r.html'] });

/** The lines of data.csv: header, then 36 data rows (0-based rows 0..35). */
const splitRows = (col: (r: number) => string, header = 'row,s1'): string => [header, ...Array.from({ length: 36 }, (_, r) => `${r},${col(r)}`)].join('\n') + '\n';

export const CASES: readonly Case[] = [
  // ---- long CSV ------------------------------------------------------------------------------
  csvCase('empty file', '', ['bad.csv']),
  csvCase('header only', 'task,y,x1\n', ['bad.csv']),
  csvCase('non-numeric cell', withRow(3, 'a,1,2,abc,4'), ['bad.csv:4', 'x2', 'abc']),
  csvCase('NaN cell', withRow(5, 'a,1,2,NaN,4'), ['bad.csv:6', 'x2']),
  csvCase('Infinity cell', withRow(5, 'a,1,Infinity,3,4'), ['bad.csv:6', 'x1']),
  csvCase('1e999 cell (overflows on reading)', withRow(2, 'a,1,1e999,3,4'), ['bad.csv:3', 'x1']),
  csvCase('empty feature cell', withRow(4, 'a,1,,3,4'), ['bad.csv:5', 'x1']),
  csvCase('too many fields', withRow(7, 'a,1,2,3,4,5'), ['bad.csv:8']),
  csvCase('too few fields', withRow(7, 'a,1,2'), ['bad.csv:8']),
  csvCase('unterminated quote', withRow(9, '"a,1,2,3,4'), ['bad.csv']),
  csvCase('non-numeric target', withRow(2, 'a,high,2,3,4'), ['bad.csv:3', 'y']),
  csvCase('missing task name', withRow(2, ',1,2,3,4'), ['bad.csv:3']),
  csvCase('duplicated header', 'task,y,x1,x1\na,1,2,3\n', ['bad.csv', 'x1']),
  csvCase('--task-col names no column', GOOD, ['--task-col', 'grp'], 1, ['--task-col', 'grp']),
  csvCase('--target names no column', GOOD, ['--target', 'z'], 1, ['--target', 'z']),
  csvCase('a task with a single row is accepted', GOOD + 'zz,1,2,3,4\n', [], 0),
  csvCase('constant target is fine', GOOD, [], 0),
  csvCase('CRLF line ends accepted', GOOD.replace(/\n/g, '\r\n'), [], 0),
  csvCase('CR-only line ends accepted', GOOD.replace(/\n/g, '\r'), [], 0),
  csvCase('UTF-8 BOM accepted', '\ufeff' + GOOD, [], 0),
  csvCase('unicode task names accepted', GOOD.replace(/^a,/gm, 'café,').replace(/^b,/gm, '東京,'), [], 0),
  csvCase('quoted newline in a task name accepted', GOOD.replace(/^c,/gm, '"c\nd",'), [], 0),
  csvCase('features ~1e300 overflow', longCsv(1, { big: (t, i, j) => (j === 1 && t === 2 ? 1e300 * (1 + i) : undefined) }), ['bad.csv', 'column "x2"', 'task "c"', '--standardize']),
  csvCase('features ~1e150 overflow the step size', longCsv(1, { big: (t, i, j) => (j === 0 && t === 0 ? 1e150 * (1 + i) : undefined) }), ['bad.csv', 'column "x1"', 'task "a"', '--standardize']),
  csvCase('features ~1e100 still fit', longCsv(1, { big: (t, i, j) => (j === 2 ? 1e100 * (1 + i) : undefined) }), [], 0),
  csvCase('features ~1e300 overflow even with --standardize', longCsv(1, { big: (t, i, j) => (j === 2 ? 1e300 * (1 + i) : undefined) }), ['bad.csv', 'column "x3"', '--standardize global', 'rescale'], 1, ['--standardize', 'global']),
  csvCase('features ~1e150 accepted with --standardize', longCsv(1, { big: (t, i, j) => (j === 2 ? 1e150 * (1 + i) : undefined) }), [], 0, ['--standardize', 'task']),
  csvCase('targets ~1e200 overflow', longCsv(1, { bigY: 1e200 }), ['bad.csv', '"y"', 'task "b"', 'rescale']),
  csvCase('--features names no column', GOOD, ['--features'], 1, ['--features', 'x1,nope']),
  csvCase('--skip names no column', GOOD, ['--skip'], 1, ['--skip', 'nope']),
  // ---- wide CSV ------------------------------------------------------------------------------
  { name: 'csv wide: --targets names no column', files: { 'w.csv': wideCsv() }, argv: ['fit', '--data', 'w.csv', '--targets', 'y1,y9', '--model', 'l21', '--lambda', '0.1', '--out', 'm.json'], code: 1, says: ['--targets', 'y9'], noFile: ['m.json'] },
  { name: 'csv wide: non-numeric target cell', files: { 'w.csv': wideCsv().replace(/\n([^\n]*)\n/, (m, r: string) => `\n${r.split(',').slice(0, 3).join(',')},oops,${r.split(',')[4]}\n`) }, argv: ['fit', '--data', 'w.csv', '--targets', 'y1,y2,y3', '--model', 'l21', '--lambda', '0.1', '--out', 'm.json'], code: 1, says: ['w.csv:2', 'y2'], noFile: ['m.json'] },
  { name: 'csv wide: --one-vs-rest names no column', files: { 'w.csv': wideCsv() }, argv: ['fit', '--data', 'w.csv', '--one-vs-rest', 'cls', '--model', 'l21', '--lambda', '0.1', '--out', 'm.json'], code: 1, says: ['--one-vs-rest', 'cls'], noFile: ['m.json'] },
  { name: 'csv wide: --targets with --task-col', files: { 'w.csv': wideCsv() }, argv: ['fit', '--data', 'w.csv', '--targets', 'y1,y2', '--task-col', 'x1', '--target', 'x2', '--model', 'l21', '--out', 'm.json'], code: 2, says: ['--targets'], noFile: ['m.json'] },
  { name: 'csv wide: valid data accepted', files: { 'w.csv': wideCsv() }, argv: ['fit', '--data', 'w.csv', '--targets', 'y1,y2,y3', '--model', 'l21', '--lambda', '0.1', '--out', 'm.json'], code: 0, says: [] },
  // ---- MAT -----------------------------------------------------------------------------------
  { name: 'mat: not a MAT file', files: { 'd.mat': 'hello, I am text\n'.repeat(20) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat'], noFile: ['m.json'] },
  { name: 'mat: truncated header', files: { 'd.mat': matOk([mx(5, 2)], [my(5)]).slice(0, 60) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat'], noFile: ['m.json'] },
  { name: 'mat: truncated element', files: { 'd.mat': matOk([mx(5, 2), mx(6, 2)], [my(5), my(6)]).slice(0, 300) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat'], noFile: ['m.json'] },
  { name: 'mat: no variable X', files: { 'd.mat': matFile(w, [cell(w, 'A', [1, 1], [mx(5, 2)]), cell(w, 'Y', [1, 1], [my(5)])]) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat', 'no variable "X"', 'A, Y'], noFile: ['m.json'] },
  { name: 'mat: --mat-y names no variable', files: { 'd.mat': matOk([mx(5, 2)], [my(5)]) }, argv: ['fit', '--data', 'd.mat', '--mat-y', 'Q', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat', '"Q"'], noFile: ['m.json'] },
  { name: 'mat: X and Y task counts differ', files: { 'd.mat': matOk([mx(5, 2), mx(5, 2)], [my(5)]) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat'], noFile: ['m.json'] },
  { name: 'mat: rows of X and Y differ in a task', files: { 'd.mat': matOk([mx(5, 2), mx(6, 2)], [my(5), my(5)]) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat'], noFile: ['m.json'] },
  { name: 'mat: feature counts differ between tasks', files: { 'd.mat': matOk([mx(5, 2), mx(5, 3)], [my(5), my(5)]) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat'], noFile: ['m.json'] },
  { name: 'mat: NaN in X', files: { 'd.mat': matOk([mx(5, 2, (i) => (i === 3 ? NaN : i)), mx(5, 2)], [my(5), my(5)]) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat'], noFile: ['m.json'] },
  { name: 'mat: X is a struct', files: { 'd.mat': matFile(w, [struct(w, 'X', ['a'], [mx(5, 2)]), cell(w, 'Y', [1, 1], [my(5)])]) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat'], noFile: ['m.json'] },
  { name: 'mat: a cell holds text', files: { 'd.mat': matOk([char(w, '', 'abc'), mx(5, 2)], [my(5), my(5)]) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat'], noFile: ['m.json'] },
  { name: 'mat: random bytes', files: { 'd.mat': randomBytes(4000, 9) }, argv: ['fit', '--data', 'd.mat', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.mat'], noFile: ['m.json'] },
  // ---- JSON data -----------------------------------------------------------------------------
  { name: 'json data: not JSON', files: { 'd.json': '{"format": "polytask-dataset", ' }, argv: ['fit', '--data', 'd.json', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.json'], noFile: ['m.json'] },
  { name: 'json data: wrong format tag', files: { 'd.json': '{"format":"other","version":1}' }, argv: ['fit', '--data', 'd.json', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.json'], noFile: ['m.json'] },
  { name: 'json data: future version', files: { 'd.json': '{"format":"polytask-dataset","version":99}' }, argv: ['fit', '--data', 'd.json', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.json'], noFile: ['m.json'] },
  { name: 'json data: an array', files: { 'd.json': '[1,2,3]' }, argv: ['fit', '--data', 'd.json', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.json'], noFile: ['m.json'] },
  { name: 'json data: X of the wrong length', files: { 'd.json': JSON.stringify({ format: 'polytask-dataset', version: 1, layout: 'per-task', kind: 'regression', featureNames: ['x1', 'x2'], tasks: [{ name: 'a', n: 3, X: [1, 2, 3], y: [1, 2, 3], rows: [0, 1, 2] }] }) }, argv: ['fit', '--data', 'd.json', '--model', 'l21', '--out', 'm.json'], code: 1, says: ['d.json'], noFile: ['m.json'] },
  // ---- files and paths -----------------------------------------------------------------------
  { name: 'data file missing', argv: FIT_OUT('nope.csv'), code: 1, says: ['nope.csv'], noFile: ['m.json'] },
  { name: 'data is a directory', files: { 'dir.csv/x': 'x' }, argv: FIT_OUT('dir.csv'), code: 1, says: ['dir.csv'], noFile: ['m.json'] },
  { name: '--out into a missing directory', argv: FIT('data.csv', '--out', 'nodir/m.json'), code: 1, says: ['nodir/m.json', 'nodir'], noFile: ['nodir'] },
  { name: '--out onto a directory', files: { 'outdir/keep': 'k' }, argv: FIT('data.csv', '--out', 'outdir'), code: 1, says: ['outdir'] },
  { name: '--data of unknown extension', files: { 'd.xyz': GOOD }, argv: FIT_OUT('d.xyz'), code: 2, says: ['d.xyz', '--format'], noFile: ['m.json'] },
  // ---- never write what is read (issue 16, data loss) ----------------------------------------
  { name: 'fit --out = --data', argv: FIT('data.csv', '--out', 'data.csv'), code: 2, says: ['--out', '--data', 'data.csv'], unchanged: ['data.csv'] },
  { name: 'fit --out = ./--data', argv: FIT('data.csv', '--out', './data.csv'), code: 2, says: ['--out', '--data', 'data.csv'], unchanged: ['data.csv'] },
  { name: 'fit --out = --data through ..', files: { 'sub/x': '' }, argv: FIT('data.csv', '--out', 'sub/../data.csv'), code: 2, says: ['--out', '--data'], unchanged: ['data.csv'] },
  { name: 'fit --out = a symlink to --data', files: { '@link.csv': 'data.csv' }, argv: FIT('data.csv', '--out', 'link.csv'), code: 2, says: ['--out', '--data', 'link.csv'], unchanged: ['data.csv'] },
  { name: 'fit --out = --graph', files: { 'g.csv': 'from,to\na,b\n' }, argv: ['fit', '--data', 'data.csv', ...L, '--model', 'graph', '--graph', 'g.csv', '--out', 'g.csv'], code: 2, says: ['--out', '--graph', 'g.csv'], unchanged: ['g.csv'] },
  { name: 'predict --out = --model', argv: ['predict', '--model', 'model.json', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--out', 'model.json'], code: 2, says: ['--out', '--model', 'model.json'], unchanged: ['model.json'] },
  { name: 'predict --out = --data', argv: ['predict', '--model', 'model.json', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--out', 'data.csv'], code: 2, says: ['--out', '--data'], unchanged: ['data.csv'] },
  { name: 'compare --out = --data', argv: CMP().map((a) => (a === 'r.json' ? 'data.csv' : a)), code: 2, says: ['--out', '--data'], unchanged: ['data.csv'], noFile: ['r.html'] },
  { name: 'compare --report = --data', argv: CMP().map((a) => (a === 'r.html' ? 'data.csv' : a)), code: 2, says: ['--report', '--data'], unchanged: ['data.csv'], noFile: ['r.json'] },
  { name: 'compare --report = --splits-file', files: { 's.csv': splitRows((r) => String(r % 4 === 0 ? 0 : 1)) }, argv: ['compare', '--data', 'data.csv', ...L, '--models', 'l21', '--splits-file', 's.csv', '--report', 's.csv'], code: 2, says: ['--report', '--splits-file', 's.csv'], unchanged: ['s.csv'] },
  { name: 'compare --out = --report', argv: CMP().map((a) => (a === 'r.html' ? 'r.json' : a)), code: 2, says: ['--report', '--out', 'r.json'], noFile: ['r.json'] },
  { name: 'report --out = --from', files: { 'res.json': '{}' }, argv: ['report', '--from', 'res.json', '--out', 'res.json'], code: 2, says: ['--out', '--from', 'res.json'], unchanged: ['res.json'] },
  // ---- graph files ---------------------------------------------------------------------------
  { ...graph('from,to\na,zz\n'), name: 'graph: unknown task', says: ['g.csv:2:2', '"zz"'] },
  { ...graph('from,to\na,b\n\n\n\na,zz\n'), name: 'graph: blank lines before a bad edge keep the line number', says: ['g.csv:6:2', '"zz"'] },
  { ...graph('\n\na,b,x\n'), name: 'graph: blank lines before a bad weight', says: ['g.csv:3:3', '"x"'] },
  { ...graph('from,to\na,b,-1\n'), name: 'graph: negative weight', says: ['g.csv:2:3', '-1'] },
  { ...graph('from,to\na,b,1e308\n'), name: 'graph: weight 1e308 refused at file:line', says: ['g.csv:2:3', '1e308', 'rescale'] },
  { ...graph('from,to\na,b,NaN\n'), name: 'graph: NaN weight', says: ['g.csv:2:3'] },
  { ...graph('from,to\na,a\n'), name: 'graph: self edge', says: ['g.csv:2', '"a"'] },
  { ...graph('from,to\na\n'), name: 'graph: one field', says: ['g.csv:2'] },
  { ...graph('from,to\na,b,1,2\n'), name: 'graph: four fields', says: ['g.csv:2'] },
  { ...graph('from,to\n'), name: 'graph: no edges', says: ['g.csv', 'no edges'] },
  { ...graph('from,to\n7,1\n'), name: 'graph: task index out of range', says: ['g.csv:2:1', '"7"'] },
  { ...graph('"a,b\n'), name: 'graph: unterminated quote', says: ['g.csv'] },
  { ...graph('\ufefffrom,to\na,b\n'), name: 'graph: BOM and header accepted', code: 0, says: [], noFile: [] },
  { name: 'graph: file missing', argv: ['fit', '--data', 'data.csv', ...L, '--model', 'graph', '--graph', 'none.csv', '--out', 'm.json'], code: 1, says: ['none.csv'], noFile: ['m.json'] },
  // ---- splits files --------------------------------------------------------------------------
  { ...splits(splitRows((r) => String(r % 4 === 0 ? 0 : 1)).replace('\n5,', '\n3,')), name: 'splits: a row listed twice', says: ['s.csv', '3'] },
  { ...splits(splitRows((r) => String(r % 4 === 0 ? 0 : 1)) + '99,1\n'), name: 'splits: a row beyond the data', says: ['s.csv', '99'] },
  { ...splits(splitRows((r) => `${r % 4 === 0 ? 0 : 1},${r % 3 === 0 ? 0 : 1}`, 'row,s1,s1')), name: 'splits: duplicated split column', says: ['s.csv', 's1'] },
  { ...splits(splitRows(() => '1')), name: 'splits: no test rows', says: ['s.csv', 's1'] },
  { ...splits(splitRows((r) => (r === 7 ? '2' : String(r % 4 === 0 ? 0 : 1)))), name: 'splits: a value other than 0/1', says: ['s.csv:9'] },
  { ...splits(splitRows((r) => (r === 7 ? 'x' : String(r % 4 === 0 ? 0 : 1)))), name: 'splits: a non-number', says: ['s.csv:9'] },
  { ...splits(splitRows((r) => String(r % 4 === 0 ? 0 : 1)).split('\n').slice(0, 20).join('\n') + '\n'), name: 'splits: rows missing', says: ['s.csv'] },
  { ...splits('s1,s2\n1,0\n'), name: 'splits: no row column', says: ['s.csv'] },
  { ...splits(''), name: 'splits: empty file', says: ['s.csv'] },
  { name: 'splits: --splits-file with --splits', files: { 's.csv': splitRows((r) => String(r % 4 === 0 ? 0 : 1)) }, argv: CMP('--splits-file', 's.csv'), code: 2, says: ['--splits-file', '--splits'], noFile: ['r.json', 'r.html'] },
  { name: 'splits: --split-cols names no column', files: { 's.csv': splitRows((r) => String(r % 4 === 0 ? 0 : 1)) }, argv: ['compare', '--data', 'data.csv', ...L, '--models', 'l21', '--splits-file', 's.csv', '--split-cols', 'zz', '--out', 'r.json'], code: 2, says: ['--split-cols', 'zz'], noFile: ['r.json'] },
  { name: 'splits: file missing', argv: ['compare', '--data', 'data.csv', ...L, '--models', 'l21', '--splits-file', 'nos.csv', '--out', 'r.json'], code: 1, says: ['nos.csv'], noFile: ['r.json'] },
  // ---- model files ---------------------------------------------------------------------------
  ...modelCases(),
  // ---- predict -------------------------------------------------------------------------------
  { name: 'predict: rows with 1e308 features', files: { 'new.csv': 'task,y,x1,x2,x3\na,0,1,2,3\nb,0,1.5e308,-1.5e308,0\nc,0,1,1,1\nb,0,-1.5e308,1.5e308,0\n' }, argv: PRED('model.json', 'new.csv'), code: 1, says: ['new.csv', 'not finite', 'task "b"', 'rows 1, 3'], noFile: ['p.csv'] },
  { name: 'predict: model weights 1e308', files: { 'new.csv': 'task,y,x1,x2,x3\na,0,3,2,3\n' }, argv: PRED('huge.json', 'new.csv'), code: 1, says: ['new.csv', 'not finite', 'task "a"', 'row 0', 'huge.json'], noFile: ['p.csv'] },
  { name: 'predict: unknown task', files: { 'new.csv': 'task,y,x1,x2,x3\nzz,0,1,2,3\n' }, argv: PRED('model.json', 'new.csv'), code: 1, says: ['new.csv:2', '"zz"'], noFile: ['p.csv'] },
  { name: 'predict: missing feature column', files: { 'new.csv': 'task,y,x1,x2\na,0,1,2\n' }, argv: PRED('model.json', 'new.csv'), code: 1, says: ['new.csv', '"x3"'], noFile: ['p.csv'] },
  { name: 'predict: extra column', files: { 'new.csv': 'task,y,x1,x2,x3,x4\na,0,1,2,3,4\n' }, argv: PRED('model.json', 'new.csv'), code: 1, says: ['new.csv', 'x4'], noFile: ['p.csv'] },
  { name: 'predict: non-numeric feature', files: { 'new.csv': 'task,y,x1,x2,x3\na,0,1,two,3\n' }, argv: PRED('model.json', 'new.csv'), code: 1, says: ['new.csv:2', 'x2'], noFile: ['p.csv'] },
  { name: 'predict: empty feature cell', files: { 'new.csv': 'task,y,x1,x2,x3\na,0,1,,3\n' }, argv: PRED('model.json', 'new.csv'), code: 1, says: ['new.csv:2', 'x2'], noFile: ['p.csv'] },
  { name: 'predict: ragged row', files: { 'new.csv': 'task,y,x1,x2,x3\na,0,1,2\n' }, argv: PRED('model.json', 'new.csv'), code: 1, says: ['new.csv:2'], noFile: ['p.csv'] },
  { name: 'predict: empty data file', files: { 'new.csv': '' }, argv: PRED('model.json', 'new.csv'), code: 1, says: ['new.csv'], noFile: ['p.csv'] },
  { name: 'predict: --task-col names no column', files: { 'new.csv': 'grp,y,x1,x2,x3\na,0,1,2,3\n' }, argv: PRED('model.json', 'new.csv'), code: 2, says: ['--task-col', 'task'], noFile: ['p.csv'] },
  { name: 'predict: data file missing', argv: PRED('model.json', 'nothere.csv'), code: 1, says: ['nothere.csv'], noFile: ['p.csv'] },
  { name: 'predict: valid rows', files: { 'new.csv': 'task,y,x1,x2,x3\na,0,1,2,3\nc,0,-1,0.5,2\n' }, argv: PRED('model.json', 'new.csv'), code: 0, says: [] },
  // ---- flags ---------------------------------------------------------------------------------
  { name: 'flags: unknown command', argv: ['fitt'], code: 2, says: ['fitt'] },
  { name: 'flags: unknown flag', argv: FIT_OUT('data.csv', '--lamda', '1'), code: 2, says: ['--lamda'], noFile: ['m.json'] },
  { name: 'flags: --lambda not a number', argv: ['fit', '--data', 'data.csv', ...L, '--model', 'l21', '--lambda', 'abc', '--out', 'm.json'], code: 2, says: ['--lambda', 'abc'], noFile: ['m.json'] },
  { name: 'flags: negative --lambda', argv: ['fit', '--data', 'data.csv', ...L, '--model', 'l21', '--lambda=-1', '--out', 'm.json'], code: 2, says: ['--lambda'], noFile: ['m.json'] },
  { name: 'flags: unknown model', argv: ['fit', '--data', 'data.csv', ...L, '--model', 'l22', '--out', 'm.json'], code: 2, says: ['--model', 'l22'], noFile: ['m.json'] },
  { name: 'flags: a flag the model does not use', argv: ['fit', '--data', 'data.csv', ...L, '--model', 'l21', '--rho1', '1', '--out', 'm.json'], code: 2, says: ['--rho1'], noFile: ['m.json'] },
  { name: 'flags: --data missing', argv: ['fit', ...L, '--model', 'l21', '--out', 'm.json'], code: 2, says: ['--data'], noFile: ['m.json'] },
  { name: 'flags: --folds 1', argv: ['cv', '--data', 'data.csv', ...L, '--model', 'l21', '--folds', '1'], code: 2, says: ['--folds'] },
  { name: 'flags: --folds beyond the rows of a task', argv: ['cv', '--data', 'data.csv', ...L, '--model', 'l21', '--folds', '40'], code: 1, says: ['task "a"', '40-fold'] },
  { name: 'flags: --test-ratio 1.5', argv: CMP('--test-ratio', '1.5'), code: 2, says: ['--test-ratio'], noFile: ['r.json', 'r.html'] },
  { name: 'flags: --max-iter 0', argv: FIT_OUT('data.csv', '--max-iter', '0'), code: 2, says: ['--max-iter'], noFile: ['m.json'] },
  { name: 'flags: --standardize bogus', argv: FIT_OUT('data.csv', '--standardize', 'bogus'), code: 2, says: ['--standardize', 'bogus'], noFile: ['m.json'] },
  { name: 'flags: --workers 0', argv: CMP('--workers', '0'), code: 2, says: ['--workers'], noFile: ['r.json', 'r.html'] },
  { name: 'flags: stray word', argv: ['fit', '--data', 'data.csv', ...L, 'extra.csv', '--model', 'l21'], code: 2, says: ['"extra.csv"', 'flag'] },
  { name: 'flags: --models unknown', argv: CMP('--models', 'l21,nope'), code: 2, says: ['--models', 'nope'], noFile: ['r.json', 'r.html'] },
  { name: 'flags: --format unknown', argv: FIT_OUT('data.csv', '--format', 'xls'), code: 2, says: ['--format', 'xls'], noFile: ['m.json'] },
  { name: 'flags: --seed not an integer', argv: FIT_OUT('data.csv', '--seed', '1.5'), code: 2, says: ['--seed'], noFile: ['m.json'] },
  // ---- report --------------------------------------------------------------------------------
  { name: 'report: --from not JSON', files: { 'res.json': 'nope' }, argv: ['report', '--from', 'res.json', '--out', 'o.html'], code: 1, says: ['res.json'], noFile: ['o.html'] },
  { name: 'report: --from of the wrong shape', files: { 'res.json': '{"models": 3}' }, argv: ['report', '--from', 'res.json', '--out', 'o.html'], code: 1, says: ['res.json'], noFile: ['o.html'] },
  { name: 'report: --from missing', argv: ['report', '--from', 'gone.json', '--out', 'o.html'], code: 1, says: ['gone.json'], noFile: ['o.html'] },
];

/** Model-file cases, built from the valid model file `model.json` that the runner fits first. */
function modelCases(): Case[] {
  const p = (name: string, files: Record<string, string | Uint8Array>, says: (string | RegExp)[]): Case => ({ name: `model file: ${name}`, files, argv: PRED('bad.json', 'data.csv'), code: 1, says: ['bad.json', ...says], noFile: ['p.csv'] });
  return [
    p('empty', { 'bad.json': '' }, []),
    p('not JSON', { 'bad.json': 'hello' }, []),
    p('a JSON array', { 'bad.json': '[]' }, []),
    p('random bytes', { 'bad.json': randomBytes(500, 4) }, []),
    p('truncated', { 'bad.json': '=TRUNCATE' }, []),
    p('one byte flipped in a weight', { 'bad.json': '=FLIP' }, ['checksum']),
    p('wrong checksum', { 'bad.json': '=CHECKSUM' }, ['checksum']),
    p('future format version', { 'bad.json': '=FUTURE' }, ['99']),
    p('unknown model name', { 'bad.json': '=MODEL' }, []),
    p('not a model file (a dataset)', { 'bad.json': '{"format":"polytask-dataset","version":1}' }, []),
    { name: 'model file: UTF-8 BOM accepted', files: { 'bad.json': '=BOM' }, argv: PRED('bad.json', 'data.csv'), code: 0, says: [] },
    { name: 'model file: missing', argv: PRED('absent.json', 'data.csv'), code: 1, says: ['absent.json'], noFile: ['p.csv'] },
  ];
}

/** Deterministic random bytes from the project's generator. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rng.uniform() * 256));
}
