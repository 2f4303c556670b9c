// Per-step time of an HPS MLP (64 → 256 → 256 trunk, 8 linear task heads, batch 256, MSE per task,
// Adam lr 1e-3), polytask against PyTorch running the identical computation (bench/peers/torch_hps.py:
// same initial weights, same batches). First a parity check: the first 20 per-step losses of both
// (float32) agree to 1e-4 relative. Then medians of ms/step, measured side by side in this run.
// PyTorch is skipped with a message when `python3 -c "import torch"` fails (Debian: python3-torch).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendInfo } from '../src/linalg/backend.ts';
import { Random } from '../src/linalg/random.ts';
import { Linear, MLP, collectParameters } from '../src/nn/module.ts';
import { mseLoss } from '../src/nn/ops/loss.ts';
import { adam } from '../src/nn/optim/adam.ts';
import { applyUpdates } from '../src/nn/optim/transform.ts';
import { Tape } from '../src/nn/tape.ts';
import { median } from './common.ts';

const D = 64, H = 256, T = 8, B = 256, NB = 20, LR = 1e-3;

const rng = new Random(2026);
const trunk = new MLP('trunk', [D, H, H], rng, { activateLast: true, init: 'torch-default' });
const heads = Array.from({ length: T }, (_, t) => new Linear(`head${t}`, H, 1, rng, { init: 'torch-default' }));
const params = collectParameters([trunk, ...heads]);
const init = params.map((p) => Array.from(p.data));
// data: NB batches of B rows; targets from a planted nonlinear map so the losses move
const X = Float32Array.from({ length: NB * B * D }, () => rng.normal());
const Wt = Array.from({ length: T }, () => Float64Array.from({ length: D }, () => rng.normal() / 8));
const Y = Array.from({ length: T }, (_, t) => Float32Array.from({ length: NB * B }, (_, i) => {
  let s = 0;
  for (let j = 0; j < D; j++) s += X[i * D + j]! * Wt[t]![j]!;
  return Math.tanh(s) + 0.1 * Math.sin(3 * s);
}));
const order = rng.permutation(NB);

const g = new Tape('float32', 1);
const tx = adam({ lr: LR });
let state = tx.init(params);
const grads = params.map((p) => p.grad!);
const xb = new Float32Array(B * D);
const yb = Array.from({ length: T }, () => new Float32Array(B));

function step(k: number): number {
  const b = order[k % NB]!;
  xb.set(X.subarray(b * B * D, (b + 1) * B * D));
  for (let t = 0; t < T; t++) yb[t]!.set(Y[t]!.subarray(b * B, (b + 1) * B));
  g.reset();
  const f = trunk.forward(g, g.input(xb, [B, D]));
  let total = 0;
  const losses = heads.map((h, t) => mseLoss(g, h.forward(g, f), yb[t]!));
  for (const L of losses) total += L.item();
  g.backward(losses);
  tx.update(grads, state, params);
  applyUpdates(params, grads);
  for (const gr of grads) gr.fill(0);
  return total;
}

function reinit(): void {
  params.forEach((p, i) => p.data.set(init[i]!));
  state = tx.init(params);
}

function python(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

const STEPS = 20, REPEATS = 7, PER = 40;
console.log(`backend: ${backendInfo().name} (${backendInfo().reason})`);
// polytask losses of the first 20 steps
reinit();
const ours = Array.from({ length: STEPS }, (_, k) => step(k));
// timing: polytask is timed before AND after the PyTorch run (the machine is shared; the median
// over both halves keeps a load change during the peer run from favouring either side)
const times: number[] = [];
function timeOurs(): void {
  reinit();
  for (let k = 0; k < 20; k++) step(k);
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    for (let k = 0; k < PER; k++) step(k);
    times.push((performance.now() - t0) / PER);
  }
}
timeOurs();
const allocs0 = g.allocations;
step(0);
const steady = g.allocations === allocs0;

const py = python();
let peer: { losses: number[]; ms1: number; ms2: number } | null = null;
if (py === null) {
  console.log('pytorch: skipped (python3 -c "import torch" fails; install Debian python3-torch)');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-nn-bench-'));
  try {
    const file = join(dir, 'hps.json');
    // W is stored [in, out] here; the script transposes into nn.Linear's [out, in]
    writeFileSync(file, JSON.stringify({
      D, H, T, B, NB, LR, steps: STEPS, repeats: REPEATS, per: PER,
      params: params.map((p, i) => ({ name: p.name, shape: p.shape, data: init[i] })),
      X: Array.from(X), Y: Y.map((y) => Array.from(y)), order: Array.from(order),
    }));
    const r = spawnSync(py, ['bench/peers/torch_hps.py', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) console.log(`pytorch: failed: ${r.stderr.slice(-500)}`);
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
  console.log(`parity: first ${STEPS} per-step losses, max relative difference ${worst.toExponential(2)} (${worst < 1e-4 ? 'OK < 1e-4' : 'FAIL ≥ 1e-4'}); polytask ${ours[0]!.toFixed(6)} → ${ours[STEPS - 1]!.toFixed(6)}, pytorch ${peer.losses[0]!.toFixed(6)} → ${peer.losses[STEPS - 1]!.toFixed(6)}`);
}
console.log(`steady-state arena allocations per step: ${steady ? 0 : 'NONZERO'}`);
const line = (threads: number, pt: number | null): string =>
  `hps-mlp T=${T} b=${B} ${threads} thread${threads > 1 ? 's' : ''}: polytask ${msOurs.toFixed(2)} ms/step` +
  (pt === null ? ', pytorch skipped' : `, pytorch ${pt.toFixed(2)} ms/step (${(pt / msOurs).toFixed(2)}x)`);
console.log(line(1, peer ? peer.ms1 : null));
console.log(line(2, peer ? peer.ms2 : null) + ' [polytask is single-threaded: the same engine run]');
