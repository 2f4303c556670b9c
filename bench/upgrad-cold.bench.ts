// UPGrad's 128 projections from a cold start (issue 12), by route, in CPU time of this process: on a
// machine shared by several jobs the wall clock mostly measures descheduling, CPU time much less.
// Run with POLYTASK_THREADS=1 for a one-thread comparison. Routes (all native, all KKT-certified):
//   ADMM      — ADMM's supports (one eigendecomposition, batched products; single precision, the
//               default since session 5) + exact finish;
//   ADMM f64  — the same in double precision (the default before);
//   PDAS      — safeguarded primal-dual active set alone from the conflicting indices (≤ 24 steps);
//   ADMM5+PDAS — 5 ADMM iterations, then safeguarded PDAS (≤ 24 steps) from their supports;
//   default   — upgradWeightsBatch's default (a 4-step PDAS probe decides between the first two).
// Gramians as in balance.bench.ts part A: Gaussian gradients in P = 100 000 dimensions, and rank 64.
// Rounds interleave the routes; median CPU ms per call over BENCH_ROUNDS (default 5) rounds of 4 calls.
import { median } from './common.ts';
import { Matrix } from '../src/linalg/matrix.ts';
import { Random } from '../src/linalg/random.ts';
import { gramianOf } from '../src/balance/index.ts';
import { regularisedGramian, upgradWeightsBatch } from '../src/balance/aggregator/upgrad.ts';
import type { BatchNnqpOptions } from '../src/balance/solvers/nnqp-batch.ts';
import { loadavg } from 'node:os';

const T = 128;
const rng = new Random(2026);
const gram = (P: number): Matrix => gramianOf(new Matrix(T, P, rng.normals(T * P)));
const pref = new Float64Array(T).fill(1 / T);
const routes: [string, BatchNnqpOptions][] = [
  ['ADMM', { probeSteps: 0, maxIter: 0 }],
  ['ADMM f64', { probeSteps: 0, maxIter: 0, admmSingle: false }],
  ['PDAS', { probeSteps: 24 }],
  ['ADMM5+PDAS', { probeSteps: 0, maxIter: 0, admmIter: 5, admmCheck: 5, exact: { pdasSteps: 24 } }],
  ['default', {}],
];
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
console.log(`load ${loadavg().map((v) => v.toFixed(1)).join(' ')}, POLYTASK_THREADS=${process.env.POLYTASK_THREADS ?? '(pool default)'}`);
console.log('| Gramian | route | CPU ms / call (median) | wall ms / call (median) | steps + products | converged |\n|---|---|---|---|---|---|');
for (const [label, K] of [['Gaussian, P = 100 000', gram(100000)], ['rank 64 (P = 64)', gram(64)]] as const) {
  const A = regularisedGramian(K, 1e-4, 1e-4)!;
  const cpu: number[][] = routes.map(() => []), wall: number[][] = routes.map(() => []);
  const last = routes.map(([, o]) => upgradWeightsBatch(A, T, pref, null, null, o));
  for (let r = 0; r < rounds; r++) {
    routes.forEach(([, o], k) => {
      const c0 = process.cpuUsage(), t0 = performance.now();
      for (let i = 0; i < 4; i++) last[k] = upgradWeightsBatch(A, T, pref, null, null, o);
      const c = process.cpuUsage(c0);
      cpu[k]!.push((c.user + c.system) / 4000);
      wall[k]!.push((performance.now() - t0) / 4);
    });
  }
  routes.forEach(([name], k) => console.log(`| ${label} | ${name} | ${median(cpu[k]!).toFixed(1)} | ${median(wall[k]!).toFixed(1)} | ${last[k]!.iterations} | ${last[k]!.converged} |`));
}
