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
// Then the default route's phases, each timed alone on the same inputs (BENCH_PHASES=0 skips them):
// ADMM's matrix (addon: power / inverse iteration + Cholesky; vs the eigendecomposition route), the
// 2-problem PDAS probe, 25 ADMM iterations, the PDAS finish from ADMM's supports (with its certificate),
// the certificate alone (addon vs TypeScript), and the whole call; "glue" is the call minus its phases.
import { median } from './common.ts';
import { Matrix } from '../src/linalg/matrix.ts';
import { Random } from '../src/linalg/random.ts';
import { gramianOf } from '../src/balance/index.ts';
import { regularisedGramian, upgradWeightsBatch } from '../src/balance/aggregator/upgrad.ts';
import { admmMatrix, batchNnqp, exactBatchNnqp, kktCertify, type BatchNnqpOptions } from '../src/balance/solvers/nnqp-batch.ts';
import { nativeDecomp } from '../src/linalg/backend.ts';
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

if (process.env.BENCH_PHASES !== '0' && nativeDecomp()?.admmMatrix) {
  const nat = nativeDecomp()!;
  console.log(`\nphases of the default cold route (median of ${3 * rounds} calls each, wall ms; CPU in brackets)`);
  console.log('| Gramian | ADMM matrix (addon / eigh) | probe, 2 rows × ≤ 4 steps | ADMM, 25 iterations | PDAS finish from the supports (steps) | certificate (addon / TypeScript) | whole call | glue |\n|---|---|---|---|---|---|---|---|');
  for (const [label, K] of [['Gaussian, P = 100 000', gram(100000)], ['rank 64 (P = 64)', gram(64)]] as const) {
    const A = regularisedGramian(K, 1e-4, 1e-4)!;
    const Qrhs = A.map((v) => v / T);
    const time = (f: () => unknown): [number, number] => {
      f();
      const w: number[] = [], c: number[] = [];
      for (let r = 0; r < 3 * rounds; r++) {
        const c0 = process.cpuUsage(), t0 = performance.now();
        f();
        const d = process.cpuUsage(c0);
        w.push(performance.now() - t0);
        c.push((d.user + d.system) / 1000);
      }
      return [median(w), median(c)];
    };
    const fmt2 = ([w, c]: [number, number]): string => `${w.toFixed(2)} (${c.toFixed(2)})`;
    const am = admmMatrix(A, T, nat)!;
    const tM = time(() => admmMatrix(A, T, nat)), tE = time(() => admmMatrix(A, T, null));
    const tP = time(() => exactBatchNnqp(A, T, Qrhs.subarray(0, 2 * T), 2, null, { maxIter: 0, pdasSteps: 4, redo: false }));
    const mask = new Uint8Array(T * T);
    const tA = time(() => nat.admmSupports!(T, T, am.M, Qrhs, { rho: am.rho, relax: 1.6, maxIter: 25, check: 25, single: true }, mask));
    let steps = 0;
    const tF = time(() => { steps = exactBatchNnqp(A, T, Qrhs, T, mask.slice(), { pdasSteps: 24 }).exactSteps; });
    const X = exactBatchNnqp(A, T, Qrhs, T, mask.slice(), { pdasSteps: 24 }).X;
    const ok = new Uint8Array(T);
    const tC = time(() => nat.nnqpCertify!(T, T, A, Qrhs, X, 1e-13, ok)), tCt = time(() => kktCertify(A, T, Qrhs, X, T, 1e-13, ok));
    const tW = time(() => upgradWeightsBatch(A, T, pref));
    const admmRoute = batchNnqp(A, T, Qrhs, T).admmIterations > 0; // the Gaussian Gramian stays on PDAS
    const parts = admmRoute ? tM[0] + tP[0] + tA[0] + tF[0] : NaN;
    console.log(`| ${label} | ${fmt2(tM)} / ${fmt2(tE)} | ${fmt2(tP)} | ${fmt2(tA)} | ${fmt2(tF)} (${steps}) | ${fmt2(tC)} / ${fmt2(tCt)} | ${fmt2(tW)} | ${admmRoute ? (tW[0] - parts).toFixed(2) : 'PDAS route'} |`);
  }
}
