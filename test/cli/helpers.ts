// Helpers for the CLI tests: run the CLI in-process with captured streams, and small data files in
// a temporary directory (never the shared data).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { Random } from '../../src/linalg/random.ts';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function cli(argv: readonly string[], cwd: string, opts: { tty?: boolean } = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: opts.tty ?? false },
    cwd,
    env: {},
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

export function tempDir(prefix = 'polytask-cli-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A small long-form regression CSV: `T` tasks "a", "b", ... with `n` rows each over features
 * x1..xd; y = xᵀw_t + b_t + noise, the tasks' w_t close to a shared one (so MTL has something to share).
 */
export function writeLongCsv(dir: string, name = 'data.csv', opts: { T?: number; n?: number; d?: number; seed?: number; binary?: boolean } = {}): string {
  const T = opts.T ?? 3;
  const n = opts.n ?? 30;
  const d = opts.d ?? 4;
  const rng = new Random(opts.seed ?? 3);
  const shared = rng.normals(d);
  const lines = [['task', 'y', ...Array.from({ length: d }, (_, j) => `x${j + 1}`)].join(',')];
  for (let t = 0; t < T; t++) {
    const w = shared.map((v) => v + 0.3 * rng.normal());
    const b = rng.normal();
    for (let i = 0; i < n; i++) {
      const x = rng.normals(d);
      let y = b;
      for (let j = 0; j < d; j++) y += x[j]! * w[j]!;
      y += 0.1 * rng.normal();
      const label = opts.binary ? (y > b ? 1 : 0) : y;
      lines.push([String.fromCharCode(97 + t), String(label), ...Array.from(x, String)].join(','));
    }
  }
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}
