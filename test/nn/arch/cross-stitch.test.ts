import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { CrossStitch, STL } from '../../../src/nn/arch/index.ts';
import type { EncoderSpec } from '../../../src/nn/arch/index.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { zeroGrad } from '../../../src/nn/tensor.ts';
import { mseLoss } from '../../../src/nn/ops/loss.ts';
import { outputsOf } from './helpers.ts';

const opts = (encoder: EncoderSpec) => ({ taskNames: ['a', 'b', 'c'], outDims: [1, 2, 1], encoder, headHidden: [3], dtype: 'float64' as const });

test('cross-stitch initialisation (Misra et al. §4.2): α_S = 0.9 on the diagonal, (1 − α_S)/(T − 1) off it, rows summing to 1', () => {
  const cs = new CrossStitch(opts({ kind: 'mlp', input: 4, hidden: [5, 3] }), new Random(1));
  assert.equal(cs.mix.length, 2, 'one unit per layer');
  for (let l = 0; l < 2; l++) {
    const a = cs.alpha(l);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(a[i * 3 + j]! - (i === j ? 0.9 : 0.05)) < 1e-15);
  }
  const scaled = new CrossStitch({ ...opts({ kind: 'mlp', input: 4, hidden: [5] }), mixScale: 100, alphaSelf: 0.8 }, new Random(1));
  assert.ok(Math.abs(scaled.alpha(0)[0]! - 0.8) < 1e-14 && Math.abs(scaled.mix[0]!.data[0]! - 0.008) < 1e-15, 'α = c·β');
});

for (const encoder of [{ kind: 'mlp', input: 4, hidden: [5, 3] }, { kind: 'lenet', channels: 1, height: 16, width: 16, c1: 2, c2: 3, fc: 4 }] as EncoderSpec[]) {
  test(`cross-stitch with zero off-diagonal mixing equals T separate networks (${encoder.kind})`, () => {
    const cs = new CrossStitch(opts(encoder), new Random(2));
    const stl = new STL(opts(encoder), new Random(3));
    for (const m of cs.mix) { m.data.fill(0); for (let t = 0; t < 3; t++) m.data[t * 3 + t] = 1; }
    // copy column t's and head t's weights into STL network t
    const csCols = cs.columns.map((c) => c.flatMap((s) => s.parameters()));
    const stlCols = stl.trunks.map((c) => c.flatMap((s) => s.parameters()));
    csCols.forEach((ps, t) => ps.forEach((p, i) => stlCols[t]![i]!.data.set(p.data)));
    cs.heads.forEach((h, t) => h.parameters().forEach((p, i) => stl.heads[t]!.parameters()[i]!.data.set(p.data)));
    const per = cs.inShape.reduce((a, b) => a * b, 1);
    const X = Float64Array.from({ length: 5 * per }, (_, i) => Math.cos(i * 0.37));
    const g = new Tape('float64');
    const a = outputsOf(g, cs, X), b = outputsOf(g, stl, X);
    a.forEach((o, t) => o.forEach((v, i) => assert.ok(Math.abs(v - b[t]![i]!) < 1e-12, `task ${t}[${i}]: ${v} vs ${b[t]![i]}`)));
    // ... and with mixing at the paper's initialisation the outputs differ (the columns talk)
    const cs2 = new CrossStitch(opts(encoder), new Random(2));
    const c = outputsOf(g, cs2, X);
    assert.ok(c[0]!.some((v, i) => Math.abs(v - a[0]![i]!) > 1e-6));
  });
}

test('cross-stitch: off-diagonal α receive gradient (the mixing is learned), and task a\'s loss reaches column b only through α', () => {
  const cs = new CrossStitch(opts({ kind: 'mlp', input: 4, hidden: [5, 3] }), new Random(4));
  const g = new Tape('float64');
  const X = Float64Array.from({ length: 6 * 4 }, (_, i) => Math.sin(i));
  const out = cs.forward(g, g.input(X, [6, 4]));
  const L = mseLoss(g, out.outputs[0]!, new Float64Array(6).fill(1));
  zeroGrad(cs.parameters());
  g.backward(L);
  const a0 = cs.mix[0]!.grad!;
  assert.ok(Math.abs(a0[1]!) > 1e-8 && Math.abs(a0[2]!) > 1e-8, 'α_ab, α_ac get gradient from task a');
  const colB = cs.columns[1]!.flatMap((s) => s.parameters());
  assert.ok(colB.some((p) => p.grad!.some((v) => v !== 0)), 'column b gets gradient from task a through the mixing');
  for (const m of cs.mix) { m.data.fill(0); for (let t = 0; t < 3; t++) m.data[t * 3 + t] = 1; }
  g.reset();
  const out2 = cs.forward(g, g.input(X, [6, 4]));
  zeroGrad(cs.parameters());
  g.backward(mseLoss(g, out2.outputs[0]!, new Float64Array(6).fill(1)));
  assert.ok(colB.every((p) => p.grad!.every((v) => v === 0)), 'with α = I column b is cut off from task a');
});
