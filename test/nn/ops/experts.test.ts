// The expert ops: gradients by central differences (float64, incl. the 2-lane pass), and equality
// with the unfused ops they replace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { expertsLinear, taskRow, weightedSums } from '../../../src/nn/ops/experts.ts';
import { biasAct } from '../../../src/nn/ops/elementwise.ts';
import { matmul } from '../../../src/nn/ops/matmul.ts';
import { weightedSum } from '../../../src/nn/ops/nn.ts';
import { stack } from '../../../src/nn/ops/shape.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { gradcheck, randParam } from '../gradcheck.ts';

test('expertsLinear: gradients (shared and per-expert inputs, with and without bias, every activation) and equal to per-expert linear + stack', () => {
  const rng = new Random(78);
  for (const [B, n, Din, H] of [[1, 1, 1, 1], [3, 2, 4, 5], [2, 3, 5, 7]] as const) {
    const ws = Array.from({ length: n }, (_, e) => randParam(rng, `w${e}`, [Din, H]));
    const bs = Array.from({ length: n }, (_, e) => randParam(rng, `b${e}`, [H]));
    const xs = randParam(rng, 'x', [B, Din]), xe = randParam(rng, 'xe', [B, n, Din]);
    for (const act of ['identity', 'relu', 'tanh', 'gelu', 'sigmoid', 'leakyRelu'] as const) {
      gradcheck(`expertsLinear shared ${act} ${B}/${n}/${Din}/${H}`, [xs, ...ws, ...bs], (g) => expertsLinear(g, xs, ws, bs, act));
      gradcheck(`expertsLinear per-expert ${act} ${B}/${n}/${Din}/${H}`, [xe, ...ws], (g) => expertsLinear(g, xe, ws, null, act));
    }
    const g = new Tape('float64');
    const fused = expertsLinear(g, xs, ws, bs, 'relu');
    const plain = stack(g, ws.map((w, e) => biasAct(g, matmul(g, xs, w), bs[e]!, 'relu')), 1);
    assert.deepEqual(fused.shape, plain.shape);
    for (let i = 0; i < fused.size; i++) assert.ok(Math.abs(fused.data[i]! - plain.data[i]!) < 1e-12);
  }
  const g = new Tape('float64');
  assert.throws(() => expertsLinear(g, randParam(rng, 'x', [2, 3, 4]), [randParam(rng, 'w', [4, 2])], null, 'relu'), /input must be \[B, D\] \(shared\) or \[B, 1, D\]/);
  assert.throws(() => expertsLinear(g, randParam(rng, 'x', [2, 4]), [randParam(rng, 'w', [3, 2])], null, 'relu'), /weight of expert 0 has shape \[3, 2\], expected \[4, 2\]/);
});

test('weightedSums + taskRow: gradients of experts and every gate, and equal to one weightedSum per task', () => {
  const rng = new Random(79);
  for (const [B, n, K, T] of [[1, 1, 1, 1], [3, 4, 5, 2], [2, 3, 17, 3]] as const) {
    const x = randParam(rng, 'x', [B, n, K]);
    const ws = Array.from({ length: T }, (_, t) => randParam(rng, `w${t}`, [B, n]));
    gradcheck(`weightedSums ${B}/${n}/${K}/${T}`, [x, ...ws], (g) => weightedSums(g, x, ws));
    gradcheck(`taskRow ${B}/${n}/${K}/${T}`, [x, ...ws], (g) => taskRow(g, weightedSums(g, x, ws), T - 1));
    const g = new Tape('float64');
    const all = weightedSums(g, x, ws);
    assert.deepEqual(all.shape, [T, B, K]);
    for (let t = 0; t < T; t++) {
      const one = weightedSum(g, x, ws[t]!), row = taskRow(g, all, t);
      assert.deepEqual(row.shape, one.shape);
      for (let i = 0; i < one.size; i++) assert.ok(Math.abs(row.data[i]! - one.data[i]!) < 1e-12);
    }
  }
  const g = new Tape('float64');
  assert.throws(() => weightedSums(g, randParam(rng, 'x', [2, 3, 4]), [randParam(rng, 'w', [2, 4])]), /weightedSums: gate 0 has shape \[2, 4\], expected \[2, 3\]/);
  assert.throws(() => taskRow(g, randParam(rng, 'x', [2, 3]), 2), /taskRow: index 2 is outside/);
});
