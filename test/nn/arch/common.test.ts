// The contract every architecture keeps (src/nn/arch/common.ts): shared vs task parameters form a
// partition, a task's parameters receive nothing from other tasks' losses, the lanes Jacobian
// through `features` equals T separate backward passes (so `features` really cuts shared from
// task-specific), and the whole network's gradient matches central differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARCH_NAMES } from '../../../src/nn/arch/index.ts';
import { jacobianByBackward, jacobianByLanes } from '../../../src/nn/mtl.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { zeroGrad } from '../../../src/nn/tensor.ts';
import { tinyArch, tinyBatch, tinyLosses } from './helpers.ts';

for (const name of ARCH_NAMES) {
  test(`${name}: shared and task parameters partition the parameters; names are unique`, () => {
    const arch = tinyArch(name);
    const all = arch.parameters();
    const names = all.map((p) => p.name);
    assert.equal(new Set(names).size, names.length, `duplicate names in ${names.join(',')}`);
    const parts = [arch.sharedParameters(), ...arch.taskNames.map((_, t) => arch.taskParameters(t))].flat();
    assert.deepEqual(new Set(parts), new Set(all));
    assert.equal(parts.length, all.length, 'a parameter is listed twice');
  });

  test(`${name}: task parameters get no gradient from other tasks; every parameter gets some`, () => {
    const arch = tinyArch(name);
    const { X, Y } = tinyBatch(arch);
    const g = new Tape('float64');
    const all = arch.parameters();
    const touched = new Set<string>();
    const T = arch.taskNames.length;
    for (let t = 0; t < T; t++) {
      const { losses } = tinyLosses(g, arch, X, Y);
      zeroGrad(all);
      g.backward(losses[t]!);
      for (let s = 0; s < T; s++) {
        for (const p of arch.taskParameters(s)) {
          const nz = p.grad!.some((v) => v !== 0);
          if (s !== t) assert.ok(!nz, `${p.name} (task ${s}) got a gradient from task ${t}`);
        }
      }
      for (const p of all) if (p.grad!.some((v) => v !== 0)) touched.add(p.name);
    }
    const dead = all.filter((p) => !touched.has(p.name)).map((p) => p.name);
    assert.deepEqual(dead, [], 'parameters no task reaches');
  });

  if (name !== 'stl') {
    test(`${name}: the Jacobian through the representation equals T backward passes (the cut is exact)`, () => {
      const arch = tinyArch(name);
      const { X, Y } = tinyBatch(arch);
      const g = new Tape('float64');
      const shared = arch.sharedParameters();
      const all = arch.parameters();
      const { losses, features } = tinyLosses(g, arch, X, Y);
      assert.ok(features, 'an architecture with shared parameters exposes its representation');
      zeroGrad(all);
      const J1 = jacobianByBackward(g, losses, shared);
      zeroGrad(all);
      const J2 = jacobianByLanes(g, losses, features!, shared);
      let max = 0;
      for (let i = 0; i < J1.data.length; i++) {
        max = Math.max(max, Math.abs(J1.data[i]!));
        assert.ok(Math.abs(J1.data[i]! - J2.data[i]!) <= 1e-10 * Math.max(1, Math.abs(J1.data[i]!)), `entry ${i}: ${J1.data[i]} vs ${J2.data[i]}`);
      }
      assert.ok(max > 1e-4, 'non-trivial Jacobian');
      // and the head passes alone (stopped at the representation) leave every shared parameter untouched
      zeroGrad(all);
      for (const L of losses) g.backward(L, { stopAt: features! });
      for (const p of shared) assert.ok(p.grad!.every((v) => v === 0), `${p.name} is reached without going through the representation`);
    });
  }

  test(`${name}: gradient of Σ_t L_t matches central differences on sampled parameter entries`, () => {
    const arch = tinyArch(name, 3);
    const { X, Y } = tinyBatch(arch, 4);
    const g = new Tape('float64');
    const all = arch.parameters();
    const total = (): number => tinyLosses(g, arch, X, Y).losses.reduce((s, L) => s + L.item(), 0);
    const { losses } = tinyLosses(g, arch, X, Y);
    zeroGrad(all);
    g.backward(losses);
    const h = 1e-6;
    let checked = 0;
    for (const p of all) {
      for (const i of [0, Math.floor(p.size / 2), p.size - 1]) {
        const a = p.grad![i]!;
        const v = p.data[i]!;
        p.data[i] = v + h; const fp = total();
        p.data[i] = v - h; const fm = total();
        p.data[i] = v;
        const num = (fp - fm) / (2 * h);
        assert.ok(Math.abs(a - num) <= 1e-5 * Math.max(1, Math.abs(num)), `${p.name}[${i}]: analytic ${a}, numeric ${num}`);
        checked++;
      }
    }
    assert.ok(checked >= 3 * all.length);
  });
}
