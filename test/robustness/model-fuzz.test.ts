// Fuzzing the model-file reader through the CLI (issue 16): random bytes and mutations of a valid
// file (bytes flipped, deleted, inserted; truncation) give exit 0 or 1 — never an internal error
// (70) or a hang — and predict never writes a non-finite number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { cli, tempDir } from '../cli/helpers.ts';
import { longCsv } from './corpus.ts';

test('model-file reader: random bytes and mutations of a valid file never give exit 70 or a non-finite prediction', async () => {
  const { dir, cleanup } = tempDir('polytask-fuzz-');
  try {
    writeFileSync(join(dir, 'data.csv'), longCsv());
    const fit = await cli(['fit', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--model', 'l21', '--lambda', '0.1', '--out', 'model.json', '--quiet'], dir);
    assert.equal(fit.code, 0, fit.stderr);
    const valid = readFileSync(join(dir, 'model.json'));
    const mutation = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([i, x]) => Uint8Array.from(valid, (b, k) => (k === i % valid.length ? b ^ x : b))),
      fc.nat().map((i) => valid.subarray(0, i % valid.length)),
      fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([i, n]) => Buffer.concat([valid.subarray(0, i % valid.length), valid.subarray((i % valid.length) + n)])),
      fc.tuple(fc.nat(), fc.constantFrom('1e308', '-', 'NaN', '"', '{', ']', 'null', '9'.repeat(400))).map(([i, s]) => Buffer.concat([valid.subarray(0, i % valid.length), Buffer.from(s), valid.subarray(i % valid.length)])),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (bytes) => {
        writeFileSync(join(dir, 'bad.json'), bytes);
        const r = await cli(['predict', '--model', 'bad.json', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--json'], dir);
        assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
        if (r.code === 1) assert.match(r.stderr, /^polytask: bad\.json|bad\.json/);
        if (r.code === 0) {
          const out = JSON.parse(r.stdout) as { predictions: { prediction: number | string }[] };
          for (const p of out.predictions) if (typeof p.prediction === 'number') assert.ok(Number.isFinite(p.prediction));
        }
      }),
      { numRuns: 200, seed: 16 },
    );
  } finally {
    cleanup();
  }
});
