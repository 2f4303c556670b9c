// The short measured comparison that chose the Parquet reader (docs/data.md, "Columnar input"):
// one generated file (n rows × 1 task column + 1 target + d double features, snappy-compressed,
// written by parquet-wasm), read into one Float64Array per numeric column by each candidate.
// Median CPU seconds of 3 reads each after a warm-up, in one run. POLYTASK_BENCH_ROWS (default 200 000).
// @dsnp/parquetjs (the row-cursor candidate that lost) is not a dependency: its current release
// declares Node ≥ 22 and made every `npm install` print engine warnings (issue 10). To re-measure it:
// `npm install --no-save @dsnp/parquetjs`; without it that row is skipped with a message.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { Random } from '../src/linalg/random.ts';
import { median } from './common.ts';

const N = Number(process.env.POLYTASK_BENCH_ROWS ?? 200_000);
const D = 50;
const rng = new Random(1);
const cols: Record<string, Float64Array | Int32Array> = { task: Int32Array.from({ length: N }, () => rng.int(100)), y: Float64Array.from({ length: N }, () => rng.normal()) };
for (let j = 1; j <= D; j++) cols[`x${j}`] = Float64Array.from({ length: N }, () => rng.normal());
const file = join(tmpdir(), `polytask-pq-${process.pid}.parquet`);
const table = pw.Table.fromIPCStream(tableToIPC(tableFromArrays(cols), 'stream'));
writeFileSync(file, pw.writeParquet(table, new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).build()));
const names = Object.keys(cols);

async function cpu(f: () => Promise<Float64Array[]>): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let r = 0; r < 3; r++) {
    const c = process.cpuUsage();
    const out = await f();
    const u = process.cpuUsage(c);
    if (out.length !== names.length || out[2]![N - 1] !== (cols.x1 as Float64Array)[N - 1]) throw new Error('bench: wrong values');
    ts.push((u.user + u.system) / 1e6);
  }
  return median(ts);
}

interface ParquetjsModule {
  ParquetReader: { openFile(path: string): Promise<{ getCursor(): { next(): Promise<unknown> }; close(): Promise<void> }> };
}
/** @dsnp/parquetjs when installed by hand (see the header), else a 'skip' error. */
async function optionalParquetjs(): Promise<ParquetjsModule> {
  const name = '@dsnp/parquetjs'; // a variable: neither tsc nor the bundler should resolve it
  try {
    const m = (await import(name)) as { default?: ParquetjsModule } & ParquetjsModule;
    return m.default ?? m;
  } catch {
    throw new SkipError(`${name} is not installed (npm install --no-save ${name} to measure it)`);
  }
}
class SkipError extends Error {}

const candidates: [string, () => Promise<Float64Array[]>][] = [
  ['hyparquet (pure JS, column chunks)', async () => {
    const buf = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buf);
    const out = names.map(() => new Float64Array(N));
    await parquetRead({ file: buf, metadata, columns: names, onChunk: ({ columnName, columnData, rowStart }) => {
      const dst = out[names.indexOf(columnName)]!;
      for (let i = 0; i < columnData.length; i++) dst[rowStart + i] = Number(columnData[i]);
    } });
    return out;
  }],
  ['parquet-wasm (Rust/wasm) → apache-arrow', async () => {
    const t = tableFromIPC(pw.readParquet(readFileSync(file)).intoIPCStream());
    return names.map((n) => Float64Array.from(t.getChild(n)!.toArray() as ArrayLike<number>));
  }],
  ['@dsnp/parquetjs (row cursor)', async () => {
    const parquetjs = await optionalParquetjs();
    const reader = await parquetjs.ParquetReader.openFile(file);
    const cur = reader.getCursor();
    const out = names.map(() => new Float64Array(N));
    let i = 0;
    for (let rec = (await cur.next()) as Record<string, number> | null; rec; rec = (await cur.next()) as Record<string, number> | null, i++) {
      for (let j = 0; j < names.length; j++) out[j]![i] = Number(rec[names[j]!]);
    }
    await reader.close();
    return out;
  }],
];
try {
  console.log(`Parquet readers: ${N} rows × ${names.length} columns (${(readFileSync(file).length / 2 ** 20).toFixed(1)} MB, snappy); median CPU s of 3 reads`);
  for (const [name, f] of candidates) {
    let s: number;
    try {
      s = await cpu(f);
    } catch (e) {
      if (!(e instanceof SkipError)) throw e;
      console.log(`  ${name.padEnd(42)} skipped: ${e.message}`);
      continue;
    }
    console.log(`  ${name.padEnd(42)} ${s.toFixed(2).padStart(6)} s   ${((N * names.length) / s / 1e6).toFixed(1).padStart(6)} M values/s`);
  }
} finally {
  rmSync(file, { force: true });
}
