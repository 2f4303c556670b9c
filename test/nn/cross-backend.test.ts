// The same seeded short training runs on every available kernel backend (native, wasm, ts) agree to
// 1e-4 in float32 (issue 14): per-step losses (relative) and every parameter after training. A tape
// takes the backend active when it is created (src/nn/tape.ts), so one process can run all three;
// the runs are large enough that the native backend's kernels run rather than its small-size path
// to the reference (NATIVE_SMALL_NN, NATIVE_SMALL_GEMM_WORK).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, backendName, setBackend } from '../../src/linalg/backend.ts';
import type { BackendName } from '../../src/linalg/kernels/types.ts';
import { Random } from '../../src/linalg/random.ts';
import { buildArchitecture } from '../../src/nn/arch/index.ts';
import type { ArchName } from '../../src/nn/arch/common.ts';
import { mseLoss } from '../../src/nn/ops/loss.ts';
import { adam } from '../../src/nn/optim/adam.ts';
import { applyUpdates } from '../../src/nn/optim/transform.ts';
import { Tape } from '../../src/nn/tape.ts';

interface Run { losses: number[]; params: Float32Array[]; backend: BackendName }

const T = 3, STEPS = 8;

function trainOn(backend: BackendName, arch: ArchName, opts: Record<string, unknown>, inShape: number[], B: number): Run {
  const before = backendName();
  setBackend(backend);
  try {
    const net = buildArchitecture(arch, { taskNames: ['a', 'b', 'c'], outDims: [1, 1, 1], ...opts } as never, new Random(11));
    const params = net.parameters();
    const rng = new Random(12);
    const per = inShape.reduce((a, b) => a * b, 1);
    const X = Float32Array.from({ length: 2 * B * per }, () => rng.normal());
    const Y = Array.from({ length: T }, () => Float32Array.from({ length: 2 * B }, () => rng.normal()));
    const g = new Tape('float32', 3);
    const tx = adam({ lr: 1e-2 });
    const state = tx.init(params);
    const grads = params.map((p) => p.grad!);
    const losses: number[] = [];
    for (let k = 0; k < STEPS; k++) {
      const s = k % 2;
      g.reset();
      const out = net.forward(g, g.input(X.subarray(s * B * per, (s + 1) * B * per), [B, ...inShape]));
      const ls = out.outputs.map((o, t) => mseLoss(g, o!, Y[t]!.subarray(s * B, (s + 1) * B)));
      losses.push(ls.reduce((a, l) => a + l.item(), 0));
      g.backward(ls);
      tx.update(grads, state, params);
      applyUpdates(params, grads);
      for (const gr of grads) gr.fill(0);
    }
    return { losses, params: params.map((p) => Float32Array.from(p.data)), backend: g.k.name };
  } finally {
    setBackend(before);
  }
}

const CASES: { name: string; arch: ArchName; opts: Record<string, unknown>; inShape: number[]; B: number }[] = [
  { name: 'HPS MLP 24 → 48 → 48', arch: 'hps', opts: { encoder: { kind: 'mlp', input: 24, hidden: [48, 48] } }, inShape: [24], B: 32 },
  { name: 'MMoE 4 experts 24 → 48 → 32 (expertsLinear, bmm gates)', arch: 'mmoe', opts: { encoder: { kind: 'mlp', input: 24, hidden: [48, 32] }, experts: 4 }, inShape: [24], B: 32 },
  { name: 'HPS LeNet 1 × 16 × 16 (im2col, conv bias, max-pool)', arch: 'hps', opts: { encoder: { kind: 'lenet', channels: 1, height: 16, width: 16, c1: 4, c2: 6, fc: 16 } }, inShape: [1, 16, 16], B: 8 },
];

for (const c of CASES) {
  test(`cross-backend training: ${c.name} — ${availableBackends().join(', ')} agree to 1e-4 (f32) in losses and parameters`, () => {
    const runs = availableBackends().map((b) => trainOn(b, c.arch, c.opts, c.inShape, c.B));
    const ref = runs.find((r) => r.backend === 'ts')!;
    assert.ok(ref, 'the ts backend is always available');
    assert.ok(ref.losses[STEPS - 1]! < ref.losses[0]!, `training lowers the loss (${ref.losses[0]} → ${ref.losses[STEPS - 1]})`);
    for (const r of runs) {
      for (let k = 0; k < STEPS; k++) {
        const rel = Math.abs(r.losses[k]! - ref.losses[k]!) / Math.abs(ref.losses[k]!);
        assert.ok(rel < 1e-4, `${r.backend} step ${k}: loss ${r.losses[k]} vs ts ${ref.losses[k]} (relative ${rel.toExponential(2)})`);
      }
      r.params.forEach((p, i) => {
        for (let j = 0; j < p.length; j++) {
          const d = Math.abs(p[j]! - ref.params[i]![j]!) / Math.max(1, Math.abs(ref.params[i]![j]!));
          if (!(d < 1e-4)) assert.fail(`${r.backend} parameter ${i}[${j}]: ${p[j]} vs ts ${ref.params[i]![j]}`);
        }
      });
    }
  });
}
