import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

test('polytask train on wide binary targets: the model file keeps the labels and the layout; predict answers in 0/1 without flags', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // Two binary targets labelled 0/1 in one wide file (the ESMM layout).
    const lines = ['click,buy,x1,x2'];
    for (let i = 0; i < 60; i++) {
      const x1 = Math.sin(i * 1.7), x2 = Math.cos(i * 0.9);
      lines.push(`${x1 + 0.3 * x2 > 0 ? 1 : 0},${x1 - x2 > 0.2 ? 1 : 0},${x1.toFixed(4)},${x2.toFixed(4)}`);
    }
    writeFileSync(join(dir, 'wide.csv'), lines.join('\n') + '\n');
    const t = await cli(['train', '--data', 'wide.csv', '--targets', 'click,buy', '--arch', 'hps', '--hidden', '4', '--epochs', '2', '--quiet', '--out', 'w.json'], dir);
    assert.equal(t.code, 0, t.stderr);
    const env = JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8'));
    assert.deepEqual(env.payload.labelMap, { negative: '0', positive: '1' });
    assert.deepEqual(env.payload.columns, { targets: ['click', 'buy'] });
    // The training file itself: its label columns are ignored because the model file names them.
    const p = await cli(['predict', '--model', 'w.json', '--data', 'wide.csv'], dir);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stderr, /training layout from w\.json: ignoring "click", "buy"/);
    const rows = p.stdout.trim().split('\n');
    assert.equal(rows[0], 'row,task,prediction,probability');
    assert.equal(rows.length, 1 + 2 * 60);
    for (const r of rows.slice(1)) {
      const [, , label, prob] = r.split(',');
      assert.equal(label, Number(prob) >= 0.5 ? '1' : '0', r);
    }
  } finally {
    cleanup();
  }
});

test('polytask train: architecture flags reach the model (cross-stitch α, DSelect-k k/γ/λ/gate, ESMM towers and CTR task, CGC experts, hps:method)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = writeLongCsv(dir, 'data.csv', { T: 2, n: 30, d: 3, binary: true });
    type Env = { payload: { model: string; options: Record<string, unknown>; state: { params: Record<string, number[]> } } };
    const train = async (args: string[]): Promise<Env> => {
      const r = await cli(['train', '--data', data, '--task-col', 'task', '--target', 'y', '--hidden', '4', '--epochs', '1', '--quiet', '--out', 'm.json', ...args], dir);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as Env;
    };
    const cs = await train(['--arch', 'cross-stitch', '--alpha-self', '0.7', '--mix-scale', '2']);
    assert.equal(cs.payload.options['alphaSelf'], 0.7);
    assert.equal(cs.payload.options['mixScale'], 2);
    const ds = await train(['--arch', 'dselect-k', '--experts', '4', '--k', '3', '--gamma', '0.5', '--entropy-reg', '0.02', '--gate', 'static']);
    assert.deepEqual([ds.payload.options['k'], ds.payload.options['gamma'], ds.payload.options['entropyReg'], ds.payload.options['gate']], [3, 0.5, 0.02, 'static']);
    assert.deepEqual(ds.payload.state.params['gate.a.z']!.length, 3 * 2, 'static gate: k × ⌈log₂ n⌉ selector logits');
    const es = await train(['--arch', 'esmm', '--ctr-task', 'b', '--embedding', '5', '--tower-hidden', '3']);
    assert.equal(es.payload.options['ctrTask'], 'b');
    assert.equal(es.payload.state.params['embedding.weight']!.length, 3 * 5);
    const cg = await train(['--arch', 'cgc', '--shared-experts', '3', '--task-experts', '2']);
    assert.deepEqual([cg.payload.options['sharedExperts'], cg.payload.options['taskExperts']], [3, 2]);
    const hp = await train(['--arch', 'hps:pcgrad']);
    assert.equal(hp.payload.model, 'hps');
    assert.equal(hp.payload.options['aggregator'], 'pcgrad');
    const bad = await cli(['train', '--data', data, '--task-col', 'task', '--target', 'y', '--arch', 'esmm', '--ctr-task', 'zz', '--epochs', '1'], dir);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--ctr-task.*"zz" is not one of the data's tasks/);
    const clash = await cli(['train', '--data', data, '--task-col', 'task', '--target', 'y', '--arch', 'hps:pcgrad', '--aggregator', 'upgrad', '--epochs', '1'], dir);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /"hps:pcgrad" fixes --aggregator pcgrad/);
  } finally {
    cleanup();
  }
});
