// The README's library examples run as written (`import ... from 'polytask'` resolved to src/index.ts,
// 'school.csv' replaced by a small CSV of the same shape), so that they cannot drift from the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeLongCsv } from './cli/helpers.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const INDEX = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href;

/** The ```ts blocks that import from 'polytask'. */
function libraryExamples(): string[] {
  const text = readFileSync(README, 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /from 'polytask'/.test(b));
}

test('the README has library examples, and each one runs against the package entry', async () => {
  const blocks = libraryExamples();
  assert.ok(blocks.length >= 1, 'README.md has a library example');
  const dir = mkdtempSync(join(tmpdir(), 'polytask-readme-'));
  try {
    // A School-shaped long CSV (task, features, y): 4 tasks × 40 rows.
    const csv = writeLongCsv(dir, 'school.csv', { T: 4, n: 40, d: 4, seed: 3 });
    for (const [i, block] of blocks.entries()) {
      const code = block.replaceAll("'polytask'", `'${INDEX}'`).replaceAll("'school.csv'", JSON.stringify(csv));
      const file = join(dir, `example${i}.mts`); // .mts: an ES module wherever the temp dir is
      const logged: string[] = [];
      writeFileSync(file, `const console = { log: (...a: unknown[]) => (globalThis as Record<string, unknown>).__readmeLog = [...(((globalThis as Record<string, unknown>).__readmeLog as unknown[]) ?? []), a.join(' ')] };\n${code}\nexport {};\n`);
      await import(pathToFileURL(file).href);
      logged.push(...(((globalThis as Record<string, unknown>)['__readmeLog'] as string[]) ?? []));
      assert.ok(logged.length > 0, `example ${i + 1} printed something`);
      if (/compare\(/.test(block)) {
        // stl (the baseline, always added), mean, l21: one line each, with a finite RMSE and the counts.
        const lines = logged.filter((l) => /unconverged/.test(l));
        assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['stl', 'mean', 'l21']);
        for (const l of lines) assert.ok(Number.isFinite(Number(l.split(' ')[1])), l);
        assert.ok(lines.every((l) => /0 failed units/.test(l)));
      }
      if (/getModel\('cmtl'\)/.test(block)) assert.ok(logged.some((l) => l.startsWith('--rho1 --rho2 --clusters')));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
