// Loading speed and memory of the streaming CSV loader on a generated long-form file
// (default 1 000 000 rows × 20 features, 50 tasks; POLYTASK_BENCH_ROWS overrides the row count).
// Prints rows/s (median of 3 loads after one warm-up), the peak RSS and heapUsed sampled during a
// load, both against the file size, and the ratio to a bare csv-parse pass over the same file
// (records parsed and dropped), measured in the same run.
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { loadCsv } from '../src/data/csv.ts';
import { Random } from '../src/linalg/random.ts';

const ROWS = Number(process.env.POLYTASK_BENCH_ROWS ?? 1_000_000);
const FEATURES = 20;
const TASKS = 50;
const REPEATS = 3;
const MB = 1024 * 1024;

async function writeCsv(file: string): Promise<void> {
  const rng = new Random(2024);
  const out = createWriteStream(file);
  out.write(['task', 'y', ...Array.from({ length: FEATURES }, (_, j) => `x${j + 1}`)].join(',') + '\n');
  const CHUNK = 5000;
  for (let i0 = 0; i0 < ROWS; i0 += CHUNK) {
    let s = '';
    for (let i = i0; i < Math.min(ROWS, i0 + CHUNK); i++) {
      s += `${rng.int(TASKS)},${rng.normal().toFixed(5)}`;
      for (let j = 0; j < FEATURES; j++) s += `,${rng.normal().toFixed(6)}`;
      s += '\n';
    }
    if (!out.write(s)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs f while sampling memory every 10 ms; returns seconds and high-water marks. */
async function measured(f: () => Promise<unknown>): Promise<{ seconds: number; rss: number; heap: number; external: number }> {
  let rss = 0;
  let heap = 0;
  let external = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
    external = Math.max(external, m.arrayBuffers);
  };
  const timer = setInterval(sample, 10);
  const t0 = process.hrtime.bigint();
  await f();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  sample();
  clearInterval(timer);
  return { seconds, rss, heap, external };
}

async function bareParse(file: string): Promise<number> {
  let n = 0;
  for await (const _ of createReadStream(file).pipe(parse({ info: true }))) n++;
  return n;
}

const file = join(tmpdir(), `polytask-bench-${process.pid}.csv`);
try {
  const tw = Date.now();
  await writeCsv(file);
  const size = statSync(file).size;
  console.log(`generated ${ROWS} rows × ${FEATURES} features, ${TASKS} tasks: ${(size / MB).toFixed(1)} MB in ${((Date.now() - tw) / 1000).toFixed(1)} s`);
  const base = process.memoryUsage();
  console.log(`baseline: rss ${(base.rss / MB).toFixed(0)} MB, heapUsed ${(base.heapUsed / MB).toFixed(0)} MB`);

  await loadCsv(file, { taskCol: 'task', target: 'y' }); // warm-up
  const loads: number[] = [];
  const bare: number[] = [];
  let mem = { seconds: 0, rss: 0, heap: 0, external: 0 };
  for (let r = 0; r < REPEATS; r++) {
    globalThis.gc?.();
    const m = await measured(async () => {
      const { dataset, report } = await loadCsv(file, { taskCol: 'task', target: 'y' });
      if (report.rowsKept !== ROWS || dataset.tasks.length !== TASKS) throw new Error('bench: wrong load result');
    });
    loads.push(m.seconds);
    if (m.rss > mem.rss) mem = m;
    const b = await measured(() => bareParse(file));
    bare.push(b.seconds);
  }
  const t = median(loads);
  const tb = median(bare);
  const dataBytes = ROWS * (FEATURES + 1) * 8;
  console.log(`loadCsv:        median ${t.toFixed(2)} s  → ${(ROWS / t / 1e3).toFixed(0)} k rows/s, ${(size / MB / t).toFixed(1)} MB/s`);
  console.log(`bare csv-parse: median ${tb.toFixed(2)} s  → ${(ROWS / tb / 1e3).toFixed(0)} k rows/s`);
  console.log(`ratio loadCsv / bare csv-parse (same run): ${(t / tb).toFixed(2)}`);
  console.log(`peak during load: rss ${(mem.rss / MB).toFixed(0)} MB, heapUsed ${(mem.heap / MB).toFixed(0)} MB, arrayBuffers ${(mem.external / MB).toFixed(0)} MB`);
  console.log(`file ${(size / MB).toFixed(0)} MB; the loaded float64 data (X and y) ${(dataBytes / MB).toFixed(0)} MB; peak rss / file size = ${(mem.rss / size).toFixed(2)}, peak rss / data = ${(mem.rss / dataBytes).toFixed(2)}`);
} finally {
  rmSync(file, { force: true });
}
