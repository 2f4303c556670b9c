import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { HPS, STL } from '../../../src/nn/arch/index.ts';
import type { EncoderSpec } from '../../../src/nn/arch/index.ts';
import type { MtlArchitecture } from '../../../src/nn/arch/index.ts';
import type { Param } from '../../../src/nn/tensor.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { outputsOf } from './helpers.ts';

const opts = (encoder: EncoderSpec) => ({ taskNames: ['a', 'b'], outDims: [1, 10], encoder, dtype: 'float64' as const });

/** Which tasks' outputs change when `p` is perturbed. */
function reach(arch: MtlArchitecture, p: Param, X: Float64Array): boolean[] {
  const g = new Tape('float64');
  const before = outputsOf(g, arch, X);
  const old = Float64Array.from(p.data);
  for (let i = 0; i < p.size; i++) p.data[i] += 0.5;
  const after = outputsOf(g, arch, X);
  p.data.set(old);
  return before.map((o, t) => o.some((v, i) => v !== after[t]![i]));
}

for (const encoder of [{ kind: 'mlp', input: 6, hidden: [8, 4] }, { kind: 'lenet', channels: 1, height: 20, width: 20, c1: 2, c2: 3, fc: 5 }] as EncoderSpec[]) {
  test(`HPS (${encoder.kind}): the trunk reaches every task, a head only its own; STL shares nothing`, () => {
    const hps = new HPS(opts(encoder), new Random(1));
    const per = hps.inShape.reduce((a, b) => a * b, 1);
    const X = Float64Array.from({ length: 4 * per }, (_, i) => Math.sin(i * 0.3));
    for (const p of hps.sharedParameters()) assert.deepEqual(reach(hps, p, X), [true, true], p.name);
    assert.deepEqual(reach(hps, hps.taskParameters(0)[0]!, X), [true, false]);
    assert.deepEqual(reach(hps, hps.taskParameters(1)[0]!, X), [false, true]);
    const out = hps.forward(new Tape('float64'), new Tape('float64').input(X, [4, ...hps.inShape]));
    assert.deepEqual(out.outputs[1]!.shape, [4, 10]);
    const stl = new STL(opts(encoder), new Random(1));
    assert.equal(stl.sharedParameters().length, 0);
    for (const p of stl.taskParameters(0)) assert.deepEqual(reach(stl, p, X), [true, false], p.name);
    // STL's network t has exactly HPS's parameter count with one head (same trunk size)
    const count = (ps: Param[]) => ps.reduce((s, p) => s + p.size, 0);
    assert.equal(count(stl.taskParameters(0)), count(hps.sharedParameters()) + count(hps.taskParameters(0)));
  });
}
