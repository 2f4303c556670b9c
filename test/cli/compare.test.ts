// compare's flags (issue 10): the significance level is --significance, so that --alpha is
// relation's α in compare as in fit and cv; an --alpha that no compared model takes is an error
// naming the new flag, never a silent change of meaning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ComparisonResult } from '../../src/eval/types.ts';
import { cli, tempDir, writeLongCsv } from './helpers.ts';

test('compare: --significance sets the tests\' level and --alpha reaches relation (both in one run)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const csv = writeLongCsv(dir, 'data.csv', { T: 3, n: 30, seed: 5 });
    const run = async (alpha: string) => {
      const r = await cli(['compare', '--data', csv, '--task-col', 'task', '--target', 'y', '--models', 'relation', '--alpha', alpha, '--beta', '0.1', '--significance', '0.1', '--splits', '2', '--folds', '2', '--workers', '1', '--json'], dir);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as ComparisonResult;
    };
    const small = await run('0.01');
    const large = await run('50');
    assert.equal(small.protocol.alpha, 0.1);
    const R = (res: ComparisonResult) => JSON.stringify(res.models.find((m) => m.name === 'relation')!.fit!.learned['relation']);
    const W = (res: ComparisonResult) => res.models.find((m) => m.name === 'relation')!.fit!.W;
    // α weights ‖W − WR‖²: a large α pulls the tasks' weights together, so the fits differ.
    assert.notEqual(R(small), R(large));
    assert.notDeepEqual(W(small), W(large));
    // α and β were given, so CV tuned neither (a given value is fixed, not replaced by the grid's choice).
    for (const c of small.models.find((m) => m.name === 'relation')!.chosen) assert.deepEqual(c, {});
  } finally {
    cleanup();
  }
});

test('compare: --alpha without relation names --significance; a bad --significance is a usage error', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const csv = writeLongCsv(dir);
    const r = await cli(['compare', '--data', csv, '--task-col', 'task', '--target', 'y', '--models', 'l21', '--alpha', '0.01'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--alpha.*relation's α.*--significance/);
    const bad = await cli(['compare', '--data', csv, '--task-col', 'task', '--target', 'y', '--significance', '1.5'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--significance/);
  } finally {
    cleanup();
  }
});
