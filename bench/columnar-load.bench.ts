// Columnar loaders' memory and CPU (issue 15): a long-form table like the CSV bench's set a
// (task, y, x1..x50; POLYTASK_BENCH_ROWS rows, default 1 000 000, T = 100) written as Arrow IPC (file
// format; once as one record batch, once in batches of 100 000 rows) and as Parquet (hyparquet-writer,
// row groups of 100 000), each loaded in a fresh process
// (bench/data-load-child.ts) so that its peak RSS (getrusage maxRSS) and CPU seconds are its own.
// Prints (peak − start RSS) / float64 data: the target is ≤ 1.5 (plus a constant). Medians of
// POLYTASK_BENCH_REPEATS (default 3) runs.
import { spawnSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { Random } from '../src/linalg/random.ts';
import { median } from './common.ts';

const N = Number(process.env.POLYTASK_BENCH_ROWS ?? 1_000_000);
const D = 50;
const T = 100;
const REPEATS = Number(process.env.POLYTASK_BENCH_REPEATS ?? 3);
const MB = 1024 * 1024;

const rng = new Random(1);
const cols: Record<string, Float64Array | Int32Array> = { task: Int32Array.from({ length: N }, () => rng.int(T)), y: Float64Array.from({ length: N }, () => rng.normal()) };
for (let j = 1; j <= D; j++) cols[`x${j}`] = Float64Array.from({ length: N }, () => rng.normal());
const base = join(tmpdir(), `polytask-colbench-${process.pid}`);
const files = { arrow: `${base}.arrow`, 'arrow-batches': `${base}-b.arrow`, parquet: `${base}.parquet` };
const BATCH = 100_000;
try {
  writeFileSync(files.arrow, tableToIPC(tableFromArrays(cols), 'file'));
  {
    const parts: Table['batches'] = [];
    for (let a = 0; a < N; a += BATCH) {
      const slice: Record<string, Float64Array | Int32Array> = {};
      for (const [k, v] of Object.entries(cols)) slice[k] = v.subarray(a, Math.min(N, a + BATCH));
      parts.push(...tableFromArrays(slice).batches);
    }
    writeFileSync(files['arrow-batches'], tableToIPC(new Table(parts), 'file'));
  }
  const names = Object.keys(cols);
  writeFileSync(files.parquet, new Uint8Array(parquetWriteBuffer({
    columnData: names.map((n) => ({ name: n, data: cols[n]!, type: n === 'task' ? ('INT32' as const) : ('DOUBLE' as const) })),
    rowGroupSize: 100_000,
  } as never)));
  for (const k of Object.keys(cols)) delete cols[k];
  const dataMB = (N * (D + 1) * 8) / MB;
  console.log(`long form, n = ${N}, d = ${D}, T = ${T}: float64 X and y ${dataMB.toFixed(0)} MB; medians of ${REPEATS} fresh processes`);
  for (const fmt of ['arrow', 'arrow-batches', 'parquet'] as const) {
    const runs = Array.from({ length: REPEATS }, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/data-load-child.ts', fmt === 'parquet' ? 'parquet' : 'arrow', files[fmt], JSON.stringify({ taskCol: 'task', target: 'y', kind: 'regression' })], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(`${fmt} failed: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { rows: number; cpu: number; wall: number; baseRssMB: number; peakRssMB: number };
    });
    if (runs[0]!.rows !== N) throw new Error(`bench: ${fmt} read ${runs[0]!.rows} rows, expected ${N}`);
    const cpu = median(runs.map((r) => r.cpu));
    const peak = Math.max(...runs.map((r) => r.peakRssMB));
    const start = median(runs.map((r) => r.baseRssMB));
    const size = statSync(files[fmt]).size / MB;
    console.log(`  ${fmt.padEnd(13)} file ${size.toFixed(0).padStart(5)} MB  CPU ${cpu.toFixed(2).padStart(6)} s  ${(size / cpu).toFixed(0).padStart(4)} MB per CPU s  peak RSS ${peak.toFixed(0).padStart(5)} MB (start ${start.toFixed(0)}; (peak − start) / data = ${((peak - start) / dataMB).toFixed(2)})`);
  }
} finally {
  rmSync(files.arrow, { force: true });
  rmSync(files['arrow-batches'], { force: true });
  rmSync(files.parquet, { force: true });
}
