// The balancing methods inside the neural trainer (through src/balance/nn-hooks.ts and the nn
// estimator's --weighting / --aggregator / --grad-mode options): every trainer-usable method trains an
// HPS network below the mean predictor; 'sum' through the Jacobian path reproduces plain backward;
// unusable combinations are refused with the flag named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeClusteredTasks } from '../../src/data/synthetic/clusters.ts';
import { getModel } from '../../src/estimator/registry.ts';
import { OptionError } from '../../src/errors.ts';
import { registerNeuralEngine } from '../../src/nn/estimator.ts';
import { TRAINER_AGGREGATORS, TRAINER_WEIGHTINGS, trainerAggregator, trainerWeighting } from '../../src/balance/nn-hooks.ts';
import type { Estimator } from '../../src/estimator/contract.ts';
import { Random } from '../../src/linalg/random.ts';
import { buildArchitecture } from '../../src/nn/arch/index.ts';
import { adam } from '../../src/nn/optim/adam.ts';
import { lastSharedLayer, train } from '../../src/nn/train/trainer.ts';
import type { GradientAggregator, LossWeighting } from '../../src/nn/train/hooks.ts';
import type { MultiOutputData, TrainConfig } from '../../src/nn/train/types.ts';

registerNeuralEngine();
const ds = makeClusteredTasks({ T: 3, d: 5, n: 60, seed: 4 }).dataset;
const base = { hidden: [12], epochs: 12, batchSize: 20, lr: 0.01, seed: 3, patience: 0, valRatio: 0 };

function relativeSse(fit: Estimator): number[] {
  return ds.tasks.map((task) => {
    const p = fit.predict(task.X, task.name);
    const m = task.y.reduce((a, b) => a + b, 0) / task.y.length;
    let se = 0;
    let s0 = 0;
    task.y.forEach((y, i) => {
      se += (p[i]! - y) ** 2;
      s0 += (m - y) ** 2;
    });
    return se / s0;
  });
}

// MGDA-type methods may sacrifice one task for a while (the min-norm point of conflicting gradients is
// short), so the criterion is the average over tasks.
test('nn trainer: every usable aggregator (in its first mode) and weighting trains HPS below the mean predictor on average', () => {
  for (const aggregator of TRAINER_AGGREGATORS) {
    const mode = aggregator === 'mgda-ub' || aggregator === 'graddrop' ? 'rep' : 'jacobian';
    const fit = getModel('hps').make({ ...base, aggregator, gradMode: mode }).fit(ds);
    const r = relativeSse(fit);
    assert.ok(r.every(Number.isFinite) && r.reduce((a, b) => a + b, 0) / r.length < 0.8, `${aggregator}: relative SSE ${r.map((v) => v.toFixed(3))}`);
  }
  for (const weighting of TRAINER_WEIGHTINGS) {
    const fit = getModel('hps').make({ ...base, weighting }).fit(ds);
    const r = relativeSse(fit);
    assert.ok(r.every(Number.isFinite) && r.reduce((a, b) => a + b, 0) / r.length < 0.8, `${weighting}: relative SSE ${r.map((v) => v.toFixed(3))}`);
  }
});

test("nn trainer: aggregator 'sum' on the Jacobian (backward mode) reproduces plain training", () => {
  const plain = getModel('hps').make(base).fit(ds);
  const viaSum = getModel('hps').make({ ...base, aggregator: 'sum', gradMode: 'backward' }).fit(ds);
  for (const task of ds.tasks) {
    const a = plain.predict(task.X, task.name);
    const b = viaSum.predict(task.X, task.name);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-3 * (1 + Math.abs(v)), `${task.name}[${i}]: ${v} vs ${b[i]}`));
  }
});

test('nn trainer: refusals name the flag and the reason', () => {
  assert.throws(() => trainerWeighting('excess-mtl', {}, 'rep'), (e: unknown) => e instanceof OptionError && /--grad-mode/.test(e.message) && /excess-mtl/.test(e.message) && /parameter space/.test(e.message));
  assert.throws(() => getModel('hps').make({ ...base, weighting: 'excess-mtl', gradMode: 'rep' }).fit(ds), /--grad-mode/);
  assert.throws(() => getModel('hps').make({ ...base, aggregator: 'graddrop', gradMode: 'jacobian' }).fit(ds), (e: unknown) => e instanceof OptionError && /graddrop/.test(e.message) && /rep/.test(e.message));
  assert.throws(() => getModel('hps').make({ weighting: 'nope' }), /--weighting/);
  assert.throws(() => getModel('hps').make({ ...base, aggregator: 'db-mtl', gradMode: 'rep' }).fit(ds), /db-mtl/);
  assert.throws(() => getModel('hps').make({ cagradC: -1 }), /--cagrad-c/);
});

// ---- GradNorm, FAMO, ExcessMTL and GradDrop in real (tiny) training runs, by their defining property ----

const D = 6, H = 10, N = 64;
function twoTasks(scaleB: number, targetA: 'zero' | 'linear' = 'linear'): MultiOutputData {
  const rng = new Random(11);
  const X = Float32Array.from({ length: N * D }, () => rng.normal());
  const wa = rng.normals(D), wb = rng.normals(D);
  const f = (w: Float64Array, i: number): number => { let s = 0; for (let j = 0; j < D; j++) s += w[j]! * X[i * D + j]!; return s; };
  const a = Float32Array.from({ length: N }, (_, i) => (targetA === 'zero' ? 0 : f(wa, i)));
  const b = Float32Array.from({ length: N }, (_, i) => scaleB * Math.sin(2 * f(wb, i)) + 0.3 * rng.normal());
  return { layout: 'multi-output', X, n: N, d: D, targets: [a, b] };
}
const tasks2 = [{ name: 'a', kind: 'regression' as const }, { name: 'b', kind: 'regression' as const }];
const hps2 = (seed = 1) => buildArchitecture('hps', { taskNames: ['a', 'b'], outDims: [1, 1], encoder: { kind: 'mlp', input: D, hidden: [H, H] } }, new Random(seed));
const cfg2 = (over: Partial<TrainConfig>): TrainConfig => ({ tasks: tasks2, epochs: 30, batchSize: 16, seed: 2, optimizer: adam({ lr: 0.01 }), valRatio: 0, logConflictEvery: 0, ...over });

test('GradNorm in training: last shared layer gradients, and with α = 0 the weighted gradient norms are equalised', () => {
  const inner = trainerWeighting('gradnorm', { alpha: 0, lr: 0.05 }, 'jacobian');
  const seen: { cols: number; norms: number[]; w: number[] }[] = [];
  const weighting: LossWeighting = {
    ...inner,
    weights(input, state) {
      const out = inner.weights(input, state);
      const K = input.gramian!;
      seen.push({ cols: input.jacobian!.cols, norms: [Math.sqrt(K[0]!), Math.sqrt(K[3]!)], w: Array.from(out.weights) });
      return out;
    },
  };
  const net = hps2();
  const r = train(net, twoTasks(10), cfg2({ weighting, gradMode: 'jacobian' }));
  const last = lastSharedLayer(net.sharedParameters());
  assert.deepEqual(last.map((p) => p.name), ['trunk.1.weight', 'trunk.1.bias']);
  assert.equal(seen[0]!.cols, H * H + H, 'gradients of the last shared layer only');
  assert.deepEqual(r.history[0]!.gradients, { mode: 'jacobian', aggregator: null, weighting: 'last shared layer (trunk.1.weight, trunk.1.bias)' });
  const tail = seen.slice(-20);
  const ratio = (f: (s: (typeof seen)[number]) => number[]): number => tail.reduce((a, s) => { const [x, y] = f(s); return a + Math.abs(Math.log(x! / y!)); }, 0) / tail.length;
  const raw = ratio((s) => s.norms);
  const weighted = ratio((s) => [s.w[0]! * s.norms[0]!, s.w[1]! * s.norms[1]!]);
  for (const s of seen) assert.ok(Math.abs(s.w[0]! + s.w[1]! - 2) < 1e-9, 'weights sum to T');
  assert.ok(raw > Math.log(3), `task b's gradients are larger (|log ratio| ${raw.toFixed(2)})`);
  assert.ok(weighted < 0.5 * raw, `GradNorm balances w_t‖g_t‖: |log ratio| ${weighted.toFixed(3)} vs unweighted ${raw.toFixed(3)}`);
  assert.ok(tail[tail.length - 1]!.w[0]! > 1, 'the task with the smaller gradients gets the larger weight');
});

test('FAMO in training: afterStep receives the same batch’s losses at the updated parameters, and the logits move', () => {
  const inner = trainerWeighting('famo', {}, 'jacobian');
  const before: number[][] = [], after: number[][] = [];
  let lastState: unknown = null;
  const weighting: LossWeighting = {
    ...inner,
    weights(input, state) { before.push(Array.from(input.losses)); return inner.weights(input, state); },
    afterStep(l, state) { after.push(Array.from(l)); lastState = inner.afterStep!(l, state); return lastState; },
  };
  // one full batch per step: the losses after step k are the losses before step k + 1
  const r = train(hps2(), twoTasks(3), cfg2({ weighting, batchSize: N, epochs: 15 }));
  assert.equal(after.length, r.steps);
  for (let k = 0; k + 1 < before.length; k++) {
    for (let t = 0; t < 2; t++) assert.ok(Math.abs(after[k]![t]! - before[k + 1]![t]!) <= 1e-5 * before[k + 1]![t]!, `step ${k} task ${t}: ${after[k]![t]} vs ${before[k + 1]![t]}`);
  }
  const xi = (lastState as { xi: Float64Array }).xi;
  assert.ok(Math.abs(xi[0]! - xi[1]!) > 1e-3, `FAMO's logits moved: ${Array.from(xi)}`);
  assert.equal(r.history[0]!.gradients, null, 'FAMO reads no task gradients');
});

test('ExcessMTL in training: the task with the larger remaining excess risk is up-weighted; rep mode is refused', () => {
  const inner = trainerWeighting('excess-mtl', { stepSize: 0.5 }, 'backward');
  const ws: number[][] = [];
  let cols = 0;
  const weighting: LossWeighting = {
    ...inner,
    weights(input, state) { const o = inner.weights(input, state); ws.push(Array.from(o.weights)); cols = input.jacobian!.cols; return o; },
  };
  const net = hps2();
  // task a (target 0) is learnt at once, its gradients vanish; task b (a noisy sine) keeps its excess risk
  const r = train(net, twoTasks(2, 'zero'), cfg2({ weighting, gradMode: 'backward', epochs: 10 }));
  assert.equal(cols, net.sharedParameters().reduce((a, p) => a + p.size, 0), 'gradients of all shared parameters');
  assert.deepEqual(r.history[0]!.gradients, { mode: 'backward', aggregator: null, weighting: 'shared parameters' });
  const w = ws[ws.length - 1]!;
  assert.ok(Math.abs(w[0]! + w[1]! - 2) < 1e-9);
  assert.ok(w[1]! > 1.2 * w[0]!, `λ = ${w.map((v) => v.toFixed(3))}`);
  assert.throws(() => train(hps2(), twoTasks(2), cfg2({ weighting: trainerWeighting('excess-mtl', {}, 'jacobian'), gradMode: 'rep' })), (e: unknown) => e instanceof OptionError && /excess-mtl/.test(e.message) && /rep/.test(e.message));
});

test('GradDrop in training (rep mode): at every feature only tasks of one sign of the sign-corrected gradient pass', () => {
  const inner = trainerAggregator('graddrop', { seed: 5 });
  let calls = 0, mixed = 0, pickedNeg = 0;
  const aggregator: GradientAggregator = {
    ...inner,
    aggregate(input, state) {
      const o = inner.aggregate(input, state);
      const R = input.jacobian!, A = input.representation!, B = input.batch!, F = R.cols / B, dir = o.direction!;
      assert.equal(A.length, R.cols);
      for (let f = 0; f < F; f++) {
        const S = [0, 1].map((t) => { let s = 0; for (let b = 0; b < B; b++) s += Math.sign(A[b * F + f]!) * R.data[t * R.cols + b * F + f]!; return s; });
        const pass = (sign: number) => Array.from({ length: B }, (_, b) => [0, 1].reduce((a, t) => a + (Math.sign(S[t]!) === sign ? R.data[t * R.cols + b * F + f]! : 0), 0));
        const pos = pass(1), neg = pass(-1);
        const got = Array.from({ length: B }, (_, b) => dir[b * F + f]!);
        const close = (x: number[]) => x.every((v, b) => Math.abs(v - got[b]!) <= 1e-6 * (1 + Math.abs(v)));
        assert.ok(close(pos) || close(neg), `call ${calls}, feature ${f}: the output is not the sum of one sign's tasks`);
        if (S[0]! * S[1]! < 0) { mixed++; if (!close(pos)) pickedNeg++; }
      }
      calls++;
      return o;
    },
  };
  const r = train(hps2(), twoTasks(1), cfg2({ aggregator, gradMode: 'rep', epochs: 6 }));
  assert.ok(calls === r.steps && mixed > 20 && pickedNeg > 0 && pickedNeg < mixed, `conflicting features ${mixed}, negative sign drawn ${pickedNeg}`);
  assert.deepEqual(r.history[0]!.gradients, { mode: 'rep', aggregator: 'representation', weighting: null });
  const l0 = r.history[0]!.train.loss, l1 = r.history[r.history.length - 1]!.train.loss;
  assert.ok(l1[0]! < l0[0]! && l1[1]! < l0[1]!, `GradDrop trains: ${l0} → ${l1}`);
});
