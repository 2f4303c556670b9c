import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, writeLongCsv } from './helpers.ts';

test('affinity --json gives a T × T matrix with its measure, order and fit count; bad flags are usage errors', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = writeLongCsv(dir, 'data.csv', { T: 4, n: 24, d: 3 });
    const r = await cli(['affinity', '--data', data, '--task-col', 'task', '--target', 'y', '--model', 'pooled', '--lambda', '0.1', '--folds', '2', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.tasks.length, 4);
    assert.equal(j.gain_percent.length, 4);
    assert.equal(j.gain_percent[0][0], null);
    assert.ok(j.gain_percent.flat().filter((v: number | null) => v !== null).every(Number.isFinite));
    assert.equal(j.fits, 2 * (4 + 6));
    assert.match(j.measure, /pairwise transfer/);
    assert.deepEqual([...j.order].sort(), ['a', 'b', 'c', 'd']);
    const bad = await cli(['affinity', '--data', data, '--task-col', 'task', '--target', 'y', '--model', 'nosuch'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /nosuch/);
  } finally {
    cleanup();
  }
});

test('affinity --gain, --workers and --check-hoa: the gain kind and HOA check in the JSON; misuse named', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = writeLongCsv(dir, 'data.csv', { T: 4, n: 24, d: 3 });
    const base = ['--data', data, '--task-col', 'task', '--target', 'y', '--model', 'pooled', '--lambda', '0.1', '--folds', '2'];
    const r = await cli(['affinity', ...base, '--gain', 'log-ratio', '--workers', '1', '--check-hoa', '3', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.gain, 'log-ratio');
    assert.equal(j.workers, 1);
    // T = 4: all 4 groups of 3 (≤ 3 asked: a sample of 3) and the one group of 4
    assert.equal(j.hoa_check.groups.length, 3 + 1);
    assert.equal(j.hoa_check.fits, 4 * 2);
    assert.ok(j.hoa_check.groups.every((g: { estimated: number; measured: number }) => Number.isFinite(g.estimated) && Number.isFinite(g.measured)));
    assert.ok(j.hoa_check.summaries.some((s: { size: number | string }) => s.size === 'all'));
    const def = JSON.parse((await cli(['affinity', ...base, '--json'], dir)).stdout);
    assert.equal(def.gain, 'pooled');
    const badGain = await cli(['affinity', ...base, '--gain', 'ratio'], dir);
    assert.equal(badGain.code, 2);
    assert.match(badGain.stderr, /gain/);
    const inGroup = await cli(['group', ...base, '--budget', '2', '--check-hoa', '3'], dir);
    assert.equal(inGroup.code, 2);
    assert.match(inGroup.stderr, /check-hoa/);
  } finally {
    cleanup();
  }
});

test('group chooses groups on the selection part and compares them with all-in-one and STL on the rest', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = writeLongCsv(dir, 'data.csv', { T: 4, n: 40, d: 3 });
    const report = join(dir, 'r.html');
    const r = await cli(['group', '--data', data, '--task-col', 'task', '--target', 'y', '--model', 'pooled', '--lambda', '0.1', '--folds', '2', '--budget', '2', '--splits', '2', '--cv-folds', '2', '--report', report, '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.grouping.groups.length <= 2);
    // exact search (T ≤ 12) may let a task sit in two groups; each task is served by one that holds it
    assert.deepEqual([...new Set(j.grouping.groups.flat())].sort(), ['a', 'b', 'c', 'd']);
    for (const [t, k] of Object.entries(j.grouping.serve)) assert.ok(j.grouping.groups[k as number].includes(t));
    const names = j.comparison.models.map((m: { name: string }) => m.name);
    assert.deepEqual(names.sort(), ['grouped-pooled', 'pooled', 'stl']);
    assert.ok(existsSync(report));
    const badBudget = await cli(['group', '--data', data, '--task-col', 'task', '--target', 'y', '--model', 'pooled', '--budget', '0'], dir);
    assert.equal(badBudget.code, 2);
    assert.match(badBudget.stderr, /budget/);
  } finally {
    cleanup();
  }
});

test('affinity of a neural model is measured during one training run (TAG lookahead); fit-based measures are refused for it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = writeLongCsv(dir, 'data.csv', { T: 3, n: 30, d: 3 });
    const r = await cli(['affinity', '--data', data, '--task-col', 'task', '--target', 'y', '--model', 'hps', '--epochs', '2', '--hidden', '8', '--every', '1', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.match(j.measure, /tag-lookahead/);
    assert.equal(j.gain_percent.length, 3);
    assert.ok(j.gain_percent.flat().filter((v: number | null) => v !== null).every(Number.isFinite));
    const bad = await cli(['affinity', '--data', data, '--task-col', 'task', '--target', 'y', '--model', 'hps', '--measure', 'pairs'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--measure/);
  } finally {
    cleanup();
  }
});
