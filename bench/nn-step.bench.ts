// Per-step training time, polytask against PyTorch running the identical computation
// (bench/peers/torch_hps.py: same initial weights, same batches, same losses, Adam lr 1e-3):
//  - hps-mlp: HPS MLP 64 → 256 → 256 trunk (ReLU), 8 linear task heads, batch 256, MSE per task;
//  - mmoe:    MMoE, 8 experts 64 → 256 (ReLU), softmax gate per task (64 → 8, no bias),
//             8 linear towers, batch 256, MSE per task (src/nn/arch/mmoe.ts);
//  - lenet:   HPS-LeNet on MultiFashion 36 × 36 (Sener & Koltun's LeNet: conv 5×5 10 → pool → ReLU →
//             conv 5×5 20 → pool → ReLU → fc 50 → ReLU), two 10-class heads, softmax cross-entropy,
//             batch 64 (Fashion-MNIST from Debian's dataset-fashion-mnist; skipped when absent).
// First a parity check per model: the first 20 per-step losses of both (float32) agree to 1e-4
// relative. Then medians of ms/step at 1 and 2 threads (polytask: the native pool's threads,
// POLYTASK_THREADS; PyTorch: torch.set_num_threads); polytask is timed before and after the PyTorch
// run (the machine is shared), all in this one run, so the ratios compare like with like; at 1 thread
// also process CPU time per step (on a loaded machine wall time is mostly the wait for a core).
// PyTorch is skipped with a message when `python3 -c "import torch"` fails (Debian: python3-torch).
// BENCH_NN=hps,mmoe,lenet picks the models (default all); BENCH_NN_REPEATS the timed repeats (default 5).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendInfo } from '../src/linalg/backend.ts';
import { nativeLoad } from '../src/linalg/kernels/native.ts';
import { Random } from '../src/linalg/random.ts';
import { buildArchitecture } from '../src/nn/arch/index.ts';
import { hasFashionMnist, loadFashionMnist } from '../src/nn/data/fashion-mnist.ts';
import { makeMultiFashion } from '../src/nn/data/multifashion.ts';
import { Linear, MLP, collectParameters } from '../src/nn/module.ts';
import { mseLoss, softmaxCrossEntropy } from '../src/nn/ops/loss.ts';
import { adam } from '../src/nn/optim/adam.ts';
import { applyUpdates } from '../src/nn/optim/transform.ts';
import { Tape } from '../src/nn/tape.ts';
import type { Param, Tensor } from '../src/nn/tensor.ts';
import { median } from './common.ts';

const LR = 1e-3, STEPS = 20, PER = 12;
const REPEATS = Number(process.env.BENCH_NN_REPEATS ?? 5);
const WANT = (process.env.BENCH_NN ?? 'hps,mmoe,lenet').split(',');

interface Case {
  readonly name: string;
  readonly kind: 'hps' | 'mmoe' | 'lenet';
  readonly T: number;
  readonly B: number;
  /** Batches in the data (the step order cycles through them). */
  readonly NB: number;
  /** Shape of one example. */
  readonly inShape: number[];
  readonly params: Param[];
  readonly X: Float32Array;
  /** Per task: regression targets (MSE) or class labels (cross-entropy), NB·B each. */
  readonly Y: (Float32Array | Int32Array)[];
  /** Per-task outputs of the network for input x. */
  forward(g: Tape, x: Tensor): Tensor[];
  /** Extra fields of the PyTorch script's configuration. */
  readonly peer: Record<string, unknown>;
}

/** Regression data: NB batches of B rows; targets from a planted nonlinear map so the losses move. */
function mlpData(D: number, T: number, B: number, NB: number): { X: Float32Array; Y: Float32Array[] } {
  const rng = new Random(2026);
  const X = Float32Array.from({ length: NB * B * D }, () => rng.normal());
  const Wt = Array.from({ length: T }, () => Float64Array.from({ length: D }, () => rng.normal() / 8));
  const Y = Array.from({ length: T }, (_, t) => Float32Array.from({ length: NB * B }, (_, i) => {
    let s = 0;
    for (let j = 0; j < D; j++) s += X[i * D + j]! * Wt[t]![j]!;
    return Math.tanh(s) + 0.1 * Math.sin(3 * s);
  }));
  return { X, Y };
}

const D = 64, H = 256, E = 8;

function hpsCase(): Case {
  const T = 8, B = 256, NB = 20, rng = new Random(7);
  const trunk = new MLP('trunk', [D, H, H], rng, { activateLast: true, init: 'torch-default' });
  const heads = Array.from({ length: T }, (_, t) => new Linear(`head${t}`, H, 1, rng, { init: 'torch-default' }));
  return {
    name: 'hps-mlp', kind: 'hps', T, B, NB, inShape: [D], params: collectParameters([trunk, ...heads]), ...mlpData(D, T, B, NB),
    forward: (g, x) => { const f = trunk.forward(g, x); return heads.map((h) => h.forward(g, f)); },
    peer: { D, H },
  };
}

function mmoeCase(): Case {
  const T = 8, B = 256, NB = 20;
  const net = buildArchitecture('mmoe', { taskNames: Array.from({ length: T }, (_, t) => `t${t}`), outDims: new Array<number>(T).fill(1), encoder: { kind: 'mlp', input: D, hidden: [H] }, experts: E }, new Random(8));
  return {
    name: `mmoe E=${E}`, kind: 'mmoe', T, B, NB, inShape: [D], params: net.parameters(), ...mlpData(D, T, B, NB),
    forward: (g, x) => net.forward(g, x).outputs.map((o) => o!),
    peer: { D, H, E },
  };
}

function lenetCase(): Case | string {
  if (!hasFashionMnist('train')) return 'Fashion-MNIST not found (Debian: apt-get install dataset-fashion-mnist)';
  const B = 64, NB = 8, T = 2;
  const mf = makeMultiFashion(loadFashionMnist('train', { limit: 4000 }), { n: NB * B, seed: 5 });
  const spec = { kind: 'lenet' as const, channels: 1, height: mf.height, width: mf.width };
  const net = buildArchitecture('hps', { taskNames: ['left', 'right'], outDims: [10, 10], encoder: spec }, new Random(9));
  return {
    name: 'hps-lenet', kind: 'lenet', T, B, NB, inShape: [1, mf.height, mf.width], params: net.parameters(),
    X: mf.images, Y: [mf.left, mf.right],
    forward: (g, x) => net.forward(g, x).outputs.map((o) => o!),
    peer: { C: 1, height: mf.height, width: mf.width, c1: 10, c2: 20, fc: 50, classes: 10, taskNames: ['left', 'right'] },
  };
}

function python(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');

function runCase(c: Case, py: string | null): void {
  const { params, T, B, NB } = c;
  const per = c.inShape.reduce((a, b) => a * b, 1);
  const order = new Random(2027).permutation(NB);
  const init = params.map((p) => Array.from(p.data));
  const g = new Tape('float32', 1);
  const tx = adam({ lr: LR });
  let state = tx.init(params);
  const grads = params.map((p) => p.grad!);
  const xb = new Float32Array(B * per);
  const yb = c.Y.map((y) => (y instanceof Int32Array ? new Int32Array(B) : new Float32Array(B)));
  const step = (k: number): number => {
    const b = order[k % NB]!;
    xb.set(c.X.subarray(b * B * per, (b + 1) * B * per));
    for (let t = 0; t < T; t++) yb[t]!.set(c.Y[t]!.subarray(b * B, (b + 1) * B));
    g.reset();
    const outs = c.forward(g, g.input(xb, [B, ...c.inShape]));
    let total = 0;
    const losses = outs.map((o, t) => (c.kind === 'lenet' ? softmaxCrossEntropy(g, o, yb[t]!) : mseLoss(g, o, yb[t]!)));
    for (const L of losses) total += L.item();
    g.backward(losses);
    tx.update(grads, state, params);
    applyUpdates(params, grads);
    for (const gr of grads) gr.fill(0);
    return total;
  };
  const reinit = (): void => {
    params.forEach((p, i) => p.data.set(init[i]!));
    state = tx.init(params);
  };
  reinit();
  const ours = Array.from({ length: STEPS }, (_, k) => step(k));
  const native = backendInfo().name === 'native';
  const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const cpu1: number[] = [];
  const timeOurs = (): void => {
    for (const threads of [1, 2] as const) {
      if (native) nativeLoad.setThreads(threads);
      reinit();
      for (let k = 0; k < 3; k++) step(k);
      for (let r = 0; r < REPEATS; r++) {
        const t0 = performance.now(), c0 = process.cpuUsage();
        for (let k = 0; k < PER; k++) step(k);
        times[threads].push((performance.now() - t0) / PER);
        const c = process.cpuUsage(c0);
        if (threads === 1) cpu1.push((c.user + c.system) / 1000 / PER);
      }
    }
    if (native) nativeLoad.setThreads(0);
  };
  const load0 = load();
  timeOurs();
  const allocs0 = g.allocations;
  step(0);
  const steady = g.allocations === allocs0;

  let peer: { losses: number[]; ms1: number; ms2: number; cpu1?: number } | null = null;
  if (py !== null) {
    const dir = mkdtempSync(join(tmpdir(), 'polytask-nn-bench-'));
    try {
      const file = join(dir, 'case.json');
      writeFileSync(file, JSON.stringify({
        kind: c.kind, T, B, NB, LR, steps: STEPS, repeats: REPEATS, per: PER, ...c.peer,
        params: params.map((p, i) => ({ name: p.name, shape: p.shape, data: init[i] })),
        X: Array.from(c.X.subarray(0, NB * B * per)), Y: c.Y.map((y) => Array.from(y.subarray(0, NB * B))), order: Array.from(order),
      }));
      const r = spawnSync(py, ['bench/peers/torch_hps.py', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) console.log(`${c.name}: pytorch failed: ${r.stderr.slice(-800)}`);
      else peer = JSON.parse(r.stdout.trim().split('\n').pop()!) as { losses: number[]; ms1: number; ms2: number; cpu1?: number };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  timeOurs();
  if (peer) {
    let worst = 0;
    for (let k = 0; k < STEPS; k++) worst = Math.max(worst, Math.abs(ours[k]! - peer.losses[k]!) / Math.abs(peer.losses[k]!));
    console.log(`${c.name} parity: first ${STEPS} per-step losses, max relative difference ${worst.toExponential(2)} (${worst < 1e-4 ? 'OK < 1e-4' : 'FAIL ≥ 1e-4'}); polytask ${ours[0]!.toFixed(6)} → ${ours[STEPS - 1]!.toFixed(6)}, pytorch ${peer.losses[0]!.toFixed(6)} → ${peer.losses[STEPS - 1]!.toFixed(6)}`);
  }
  console.log(`${c.name}: steady-state arena allocations per step: ${steady ? 0 : 'NONZERO'}`);
  for (const threads of [1, 2] as const) {
    const ms = median(times[threads]);
    const pt = peer ? (threads === 1 ? peer.ms1 : peer.ms2) : null;
    console.log(`${c.name} T=${T} b=${B} ${threads} thread${threads > 1 ? 's' : ''}: polytask ${ms.toFixed(2)} ms/step` +
      (pt === null ? ', pytorch skipped' : `, pytorch ${pt.toFixed(2)} ms/step (${(pt / ms).toFixed(2)}x)`) +
      (native ? '' : ' [polytask single-threaded: not the native backend]') + ` [load ${load0} → ${load()}]`);
  }
  // Wall time on a shared machine mostly measures the wait for a core; process CPU time at 1 thread
  // counts only the work (both sides measured the same way).
  const c1 = median(cpu1);
  console.log(`${c.name} T=${T} b=${B} 1 thread, process CPU time: polytask ${c1.toFixed(2)} ms/step` +
    (peer?.cpu1 === undefined ? ', pytorch skipped' : `, pytorch ${peer.cpu1.toFixed(2)} ms/step (${(peer.cpu1 / c1).toFixed(2)}x)`));
}

console.log(`backend: ${backendInfo().name} (${backendInfo().reason})`);
const py = python();
if (py === null) console.log('pytorch: skipped (python3 -c "import torch" fails; install Debian python3-torch)');
if (WANT.includes('hps')) runCase(hpsCase(), py);
if (WANT.includes('mmoe')) runCase(mmoeCase(), py);
if (WANT.includes('lenet')) {
  const c = lenetCase();
  if (typeof c === 'string') console.log(`hps-lenet: skipped (${c})`);
  else runCase(c, py);
}
