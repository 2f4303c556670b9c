import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, writeLongCsv } from './helpers.ts';

test('polytask train: epoch log, checkpoint, model file; resume reproduces the uninterrupted run', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeLongCsv(dir, 'data.csv', { T: 3, n: 40, d: 4 });
    const base = ['train', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--arch', 'mmoe', '--experts', '3', '--hidden', '8', '--batch-size', '16', '--lr', '0.01', '--seed', '3'];
    const full = await cli([...base, '--epochs', '4', '--log', 'full.jsonl', '--out', 'full.json', '--json'], dir);
    assert.equal(full.code, 0, full.stderr);
    const fj = JSON.parse(full.stdout) as { epochs: number; history: unknown[] };
    assert.equal(fj.epochs, 4);
    const lines = readFileSync(join(dir, 'full.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; train: { loss: number[] }; val: { loss: number[] } });
    assert.deepEqual(lines.map((l) => l.epoch), [1, 2, 3, 4]);
    assert.equal(lines[0]!.train.loss.length, 3);
    const model = JSON.parse(readFileSync(join(dir, 'full.json'), 'utf8')) as { format: string; sha256: string; payload: { engine: string; model: string; state: { params: Record<string, number[]> } } };
    assert.equal(model.format, 'polytask-model');
    assert.equal(model.payload.engine, 'nn');
    // interrupted after 2 epochs, then resumed to 4
    const part = await cli([...base, '--epochs', '2', '--checkpoint', 'run.ckpt', '--quiet'], dir);
    assert.equal(part.code, 0, part.stderr);
    assert.ok(existsSync(join(dir, 'run.ckpt')));
    const res = await cli([...base, '--epochs', '4', '--checkpoint', 'run.ckpt', '--resume', '--out', 'resumed.json', '--quiet'], dir);
    assert.equal(res.code, 0, res.stderr);
    const m2 = JSON.parse(readFileSync(join(dir, 'resumed.json'), 'utf8')) as typeof model;
    assert.deepEqual(m2.payload.state.params, model.payload.state.params);
  } finally {
    cleanup();
  }
});

test('polytask train: bad flags are usage errors naming the flag', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeLongCsv(dir, 'data.csv', { T: 2, n: 20, d: 3 });
    const a = await cli(['train', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--arch', 'bogus'], dir);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /--arch/);
    const b = await cli(['train', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--resume'], dir);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /--checkpoint/);
    const c = await cli(['train', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--epochs', '0'], dir);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /epochs/);
  } finally {
    cleanup();
  }
});

test('polytask train with a gradient aggregator writes a model file that predict loads (engine nn)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = writeLongCsv(dir, 'data.csv', { T: 3, n: 30, d: 3 });
    const t = await cli(['train', '--data', data, '--task-col', 'task', '--target', 'y', '--arch', 'hps', '--hidden', '8', '--epochs', '2', '--aggregator', 'upgrad', '--log-conflict-every', '1', '--out', 'm.json'], dir);
    assert.equal(t.code, 0, t.stderr);
    const env = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    assert.equal(env.payload.engine, 'nn');
    assert.equal(env.payload.options.aggregator, 'upgrad');
    const p = await cli(['predict', '--model', 'm.json', '--data', data, '--task-col', 'task', '--skip', 'y', '--out', 'p.csv'], dir);
    assert.equal(p.code, 0, p.stderr);
    const rows = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n');
    assert.equal(rows.length, 1 + 90);
    assert.ok(rows.slice(1).every((r) => Number.isFinite(Number(r.split(',')[2]))));
  } finally {
    cleanup();
  }
});
