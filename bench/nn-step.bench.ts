// Per-step training time, polytask against PyTorch running the identical computation
// (bench/peers/torch_hps.py: same initial weights, same batches, same losses, Adam lr 1e-3):
//  - hps-mlp: HPS MLP 64 → 256 → 256 trunk (ReLU), 8 linear task heads, batch 256, MSE per task;
//  - mmoe:    MMoE, 8 experts 64 → 256 (ReLU), softmax gate per task (64 → 8, no bias),
//             8 linear towers, batch 256, MSE per task (src/nn/arch/mmoe.ts).
// First a parity check per model: the first 20 per-step losses of both (float32) agree to 1e-4
// relative. Then medians of ms/step; polytask is timed before and after the PyTorch run (the
// machine is shared) and PyTorch at 1 and 2 threads, all in this one run. polytask's engine is
// single-threaded, so its 2-thread figure is the same run.
// PyTorch is skipped with a message when `python3 -c "import torch"` fails (Debian: python3-torch).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendInfo } from '../src/linalg/backend.ts';
import { Random } from '../src/linalg/random.ts';
import { buildArchitecture } from '../src/nn/arch/index.ts';
import { Linear, MLP, collectParameters } from '../src/nn/module.ts';
import { mseLoss } from '../src/nn/ops/loss.ts';
import { adam } from '../src/nn/optim/adam.ts';
import { applyUpdates } from '../src/nn/optim/transform.ts';
import { Tape } from '../src/nn/tape.ts';
import type { Param, Tensor } from '../src/nn/tensor.ts';
import { median } from './common.ts';

const D = 64, H = 256, T = 8, B = 256, NB = 20, LR = 1e-3, E = 8;
const STEPS = 20, REPEATS = 5, PER = 12;

interface Case {
  readonly name: string;
  readonly kind: 'hps' | 'mmoe';
  readonly params: Param[];
  /** Per-task outputs ([B, 1]) of the network for input x. */
  forward(g: Tape, x: Tensor): Tensor[];
}

function hpsCase(rng: Random): Case {
  const trunk = new MLP('trunk', [D, H, H], rng, { activateLast: true, init: 'torch-default' });
  const heads = Array.from({ length: T }, (_, t) => new Linear(`head${t}`, H, 1, rng, { init: 'torch-default' }));
  return {
    name: 'hps-mlp', kind: 'hps', params: collectParameters([trunk, ...heads]),
    forward: (g, x) => { const f = trunk.forward(g, x); return heads.map((h) => h.forward(g, f)); },
  };
}

function mmoeCase(rng: Random): Case {
  const net = buildArchitecture('mmoe', { taskNames: Array.from({ length: T }, (_, t) => `t${t}`), outDims: new Array<number>(T).fill(1), encoder: { kind: 'mlp', input: D, hidden: [H] }, experts: E }, rng);
  return {
    name: `mmoe E=${E}`, kind: 'mmoe', params: net.parameters(),
    forward: (g, x) => net.forward(g, x).outputs.map((o) => o!),
  };
}

// data: NB batches of B rows; targets from a planted nonlinear map so the losses move
const rng = new Random(2026);
const X = Float32Array.from({ length: NB * B * D }, () => rng.normal());
const Wt = Array.from({ length: T }, () => Float64Array.from({ length: D }, () => rng.normal() / 8));
const Y = Array.from({ length: T }, (_, t) => Float32Array.from({ length: NB * B }, (_, i) => {
  let s = 0;
  for (let j = 0; j < D; j++) s += X[i * D + j]! * Wt[t]![j]!;
  return Math.tanh(s) + 0.1 * Math.sin(3 * s);
}));
const order = rng.permutation(NB);

function python(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

function runCase(c: Case, py: string | null): void {
  const params = c.params;
  const init = params.map((p) => Array.from(p.data));
  const g = new Tape('float32', 1);
  const tx = adam({ lr: LR });
  let state = tx.init(params);
  const grads = params.map((p) => p.grad!);
  const xb = new Float32Array(B * D);
  const yb = Array.from({ length: T }, () => new Float32Array(B));
  const step = (k: number): number => {
    const b = order[k % NB]!;
    xb.set(X.subarray(b * B * D, (b + 1) * B * D));
    for (let t = 0; t < T; t++) yb[t]!.set(Y[t]!.subarray(b * B, (b + 1) * B));
    g.reset();
    const outs = c.forward(g, g.input(xb, [B, D]));
    let total = 0;
    const losses = outs.map((o, t) => mseLoss(g, o, yb[t]!));
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
  const times: number[] = [];
  const timeOurs = (): void => {
    reinit();
    for (let k = 0; k < 5; k++) step(k);
    for (let r = 0; r < REPEATS; r++) {
      const t0 = performance.now();
      for (let k = 0; k < PER; k++) step(k);
      times.push((performance.now() - t0) / PER);
    }
  };
  timeOurs();
  const allocs0 = g.allocations;
  step(0);
  const steady = g.allocations === allocs0;

  let peer: { losses: number[]; ms1: number; ms2: number } | null = null;
  if (py !== null) {
    const dir = mkdtempSync(join(tmpdir(), 'polytask-nn-bench-'));
    try {
      const file = join(dir, 'case.json');
      writeFileSync(file, JSON.stringify({
        kind: c.kind, D, H, T, B, NB, E, LR, steps: STEPS, repeats: REPEATS, per: PER,
        params: params.map((p, i) => ({ name: p.name, shape: p.shape, data: init[i] })),
        X: Array.from(X), Y: Y.map((y) => Array.from(y)), order: Array.from(order),
      }));
      const r = spawnSync(py, ['bench/peers/torch_hps.py', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) console.log(`${c.name}: pytorch failed: ${r.stderr.slice(-800)}`);
      else peer = JSON.parse(r.stdout.trim().split('\n').pop()!) as { losses: number[]; ms1: number; ms2: number };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  timeOurs();
  const msOurs = median(times);
  if (peer) {
    let worst = 0;
    for (let k = 0; k < STEPS; k++) worst = Math.max(worst, Math.abs(ours[k]! - peer.losses[k]!) / Math.abs(peer.losses[k]!));
    console.log(`${c.name} parity: first ${STEPS} per-step losses, max relative difference ${worst.toExponential(2)} (${worst < 1e-4 ? 'OK < 1e-4' : 'FAIL ≥ 1e-4'}); polytask ${ours[0]!.toFixed(6)} → ${ours[STEPS - 1]!.toFixed(6)}, pytorch ${peer.losses[0]!.toFixed(6)} → ${peer.losses[STEPS - 1]!.toFixed(6)}`);
  }
  console.log(`${c.name}: steady-state arena allocations per step: ${steady ? 0 : 'NONZERO'}`);
  const line = (threads: number, pt: number | null): string =>
    `${c.name} T=${T} b=${B} ${threads} thread${threads > 1 ? 's' : ''}: polytask ${msOurs.toFixed(2)} ms/step` +
    (pt === null ? ', pytorch skipped' : `, pytorch ${pt.toFixed(2)} ms/step (${(pt / msOurs).toFixed(2)}x)`);
  console.log(line(1, peer ? peer.ms1 : null));
  console.log(line(2, peer ? peer.ms2 : null) + ' [polytask single-threaded]');
}

console.log(`backend: ${backendInfo().name} (${backendInfo().reason})`);
const py = python();
if (py === null) console.log('pytorch: skipped (python3 -c "import torch" fails; install Debian python3-torch)');
runCase(hpsCase(new Random(7)), py);
runCase(mmoeCase(new Random(8)), py);
