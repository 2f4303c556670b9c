import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { HPS, MTAN } from '../../../src/nn/arch/index.ts';
import type { EncoderSpec } from '../../../src/nn/arch/index.ts';
import type { Param } from '../../../src/nn/tensor.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { outputsOf } from './helpers.ts';

for (const encoder of [{ kind: 'mlp', input: 6, hidden: [8, 4] }, { kind: 'lenet', channels: 1, height: 20, width: 20, c1: 2, c2: 3, fc: 5 }] as EncoderSpec[]) {
  test(`MTAN (${encoder.kind}): masks in (0, 1) per task and block; with masks saturated at 1 it is HPS on the same trunk`, () => {
    const o = { taskNames: ['a', 'b'], outDims: [1, 3], encoder, dtype: 'float64' as const };
    const mtan = new MTAN(o, new Random(1));
    const per = mtan.inShape.reduce((a, b) => a * b, 1);
    const X = Float64Array.from({ length: 4 * per }, (_, i) => Math.sin(i * 0.7));
    const g = new Tape('float64');
    const means = mtan.attentionMeans(g, g.input(X, [4, ...mtan.inShape]));
    assert.equal(means.length, 2);
    for (const m of means) { assert.equal(m.length, encoder.kind === 'mlp' ? 2 : 3); for (const v of m) assert.ok(v > 0 && v < 1); }
    // saturate every mask: last layer weight 0, bias +40 → σ = 1 to double precision
    for (const t of [0, 1]) for (const m of mtan.masks[t]!) {
      const ps = m.parameters();
      const w = ps[ps.length - 2]!, b = ps[ps.length - 1]!;
      w.data.fill(0); b.data.fill(40);
    }
    const hps = new HPS(o, new Random(2));
    const copy = (from: Param[], to: Param[]) => from.forEach((p, i) => to[i]!.data.set(p.data));
    copy(mtan.sharedParameters(), hps.sharedParameters());
    copy(mtan.heads.flatMap((h) => h.parameters()), hps.heads.flatMap((h) => h.parameters()));
    const a = outputsOf(g, mtan, X), b = outputsOf(g, hps, X);
    a.forEach((o2, t) => o2.forEach((v, i) => assert.ok(Math.abs(v - b[t]![i]!) < 1e-12, `${v} vs ${b[t]![i]}`)));
    // a mask that closes (bias −40) silences the task's features: its output becomes the head's bias path only
    const last = mtan.masks[0]![mtan.masks[0]!.length - 1]!.parameters();
    last[last.length - 1]!.data.fill(-40);
    const c = outputsOf(g, mtan, X);
    assert.ok(c[0]!.every((v) => Math.abs(v - c[0]![0]!) < 1e-12), 'task a output no longer depends on x');
    assert.deepEqual(c[1], a[1], 'task b unaffected by task a\'s mask');
  });
}
