import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { CGC } from '../../../src/nn/arch/index.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { outputsOf } from './helpers.ts';

test('CGC (Tang et al. eq. 2–4): a task\'s gate weighs only its own and the shared experts; another task\'s experts never reach it', () => {
  const cgc = new CGC({ taskNames: ['a', 'b'], outDims: [1, 1], encoder: { kind: 'mlp', input: 5, hidden: [4] }, sharedExperts: 2, taskExperts: 2, dtype: 'float64' }, new Random(1));
  const X = Float64Array.from({ length: 6 * 5 }, (_, i) => Math.cos(i));
  const g = new Tape('float64');
  const out = cgc.forward(g, g.input(X, [6, 5]));
  assert.deepEqual(out.gates.map((r) => r.experts), [['a0', 'a1', 'shared0', 'shared1'], ['b0', 'b1', 'shared0', 'shared1']]);
  assert.deepEqual(out.gates[0]!.weights.shape, [6, 4]);
  const before = outputsOf(g, cgc, X);
  for (const p of cgc.own[1]!.flatMap((e) => e.flatMap((s) => s.parameters()))) p.data.fill(0.7);
  const after = outputsOf(g, cgc, X);
  assert.deepEqual(after[0], before[0], 'task a is blind to task b\'s experts');
  assert.notDeepEqual(after[1], before[1]);
  for (const p of cgc.shared[0]!.flatMap((s) => s.parameters())) p.data.fill(-0.3);
  const after2 = outputsOf(g, cgc, X);
  assert.ok(after2[0]!.some((v, i) => v !== after[0]![i]) && after2[1]!.some((v, i) => v !== after[1]![i]), 'shared experts reach both');
});
