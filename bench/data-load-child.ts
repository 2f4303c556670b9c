// One measured load in a fresh process, for bench/data-load.bench.ts: each loader gets its own
// process so that its peak RSS (getrusage maxRSS) and CPU time are its own, and the two CSV loaders
// never share a JIT profile. Prints one JSON line: wall and CPU seconds, baseline and peak RSS.
//   node --import tsx bench/data-load-child.ts <v0|bytes|base|arrow|parquet|inspect|fit> <file> '<options JSON>'
// `fit` runs `polytask fit … --json` in this process (argv from the options) and also prints the
// solver's own seconds (the fit's `seconds`), so the issue-15 column "solver / process CPU" comes
// from one run.
import { loadCsv } from '../src/data/csv.ts';
import { loadCsv as loadCsvV0 } from './baseline/csv-v0.ts';
import { run } from '../src/cli/main.ts';
import type { CsvOptions } from '../src/data/csv.ts';

const [which, file, optsJson] = process.argv.slice(2);
const opts = JSON.parse(optsJson ?? '{}') as CsvOptions & { format?: string; argv?: string[] };
const MB = 1024 * 1024;
const base = process.memoryUsage().rss;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let rows = 0;
let solverSeconds: number | undefined;
if (which === 'v0') rows = (await loadCsvV0(file!, opts)).report.rowsKept;
else if (which === 'bytes') rows = (await loadCsv(file!, opts)).report.rowsKept;
else if (which === 'base') {
  // The byte loader of another commit (POLYTASK_BENCH_BASE: a directory holding its src/), e.g. the session's start.
  const base = (await import(`${process.env.POLYTASK_BENCH_BASE}/src/data/csv.ts`)) as { loadCsv: typeof loadCsv };
  rows = (await base.loadCsv(file!, opts)).report.rowsKept;
}
else if (which === 'arrow' || which === 'parquet') {
  const { loadColumnar } = await import('../src/data/columnar.ts');
  rows = (await loadColumnar(file!, { ...opts, format: which })).dataset.tasks.reduce((s: number, t: { y: Float64Array }) => s + t.y.length, 0);
} else if (which === 'inspect') {
  const sink = { write: () => true };
  const code = await run(['inspect', '--data', file!, ...(opts.argv ?? [])], { stdout: sink, stderr: { write: (s: string) => (process.stderr.write(s), true) }, cwd: process.cwd(), env: process.env } as never);
  if (code !== 0) throw new Error(`inspect exited ${code}`);
} else if (which === 'fit') {
  let out = '';
  const sink = { write: (t: string) => ((out += t), true) };
  const code = await run(['fit', '--data', file!, ...(opts.argv ?? []), '--json'], { stdout: sink, stderr: { write: () => true }, cwd: process.cwd(), env: process.env } as never);
  if (code !== 0) throw new Error(`fit exited ${code}`);
  const r = JSON.parse(out) as { seconds: number; tasks: string[] };
  solverSeconds = r.seconds;
  rows = -1;
} else throw new Error(`unknown loader ${which}`);
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const c = process.cpuUsage(cpu0);
console.log(JSON.stringify({ which, rows, solverSeconds, wall, cpu: (c.user + c.system) / 1e6, baseRssMB: base / MB, peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB }));
