// Task-balancing benchmarks, side by side in one run (medians after warm-up):
//  A. solver time on 128 × 128 Gramians (UPGrad one by one [before] and batched [new] side by side) (goal for UPGrad, MGDA, Nash-MTL: ≪ 10 ms), two Gramians:
//     Gaussian gradients in P = 100 000 dimensions (nearly orthogonal, ~half the pairs conflicting
//     weakly) and rank-64 gradients (P = 64: strongly conflicting, singular K);
//  B. per-call cost of every aggregator at T = 2, 8, 32, 128 with P = 100 000: the Gramian K = GGᵀ
//     (shared by all Gramian-based methods), the method itself, and the direction wᵀG;
//  C. per-step overhead over EW of every method (weightings and aggregators, each in its first grad
//     mode) inside the trainer at T = 2, 8, 32, 128: an HPS MLP 32 → 64 → 64 ReLU with T linear
//     heads, batch 64, 8 steps per epoch (BENCH_STEP_BATCHES), Adam; ms per training step (median over repeats of one
//     epoch, all methods interleaved per repeat) and the ratio to EW measured in the same run.
// Parts: BENCH_PART=solvers (A), calls (B), step (C); default all. C's task counts: BENCH_STEP_T
// (default 2,8,32,128), repeats BENCH_STEP_REPEATS (3).
// BENCH_BASE=<dir holding another commit's src/ and build/Release/polytask_native.node> (e.g. the
// session's start, from `git archive <commit> src | tar -x -C <dir>` plus that commit's addon): part A
// also times that commit's UPGrad, MGDA, Nash-MTL and CAGrad solvers against this tree's, alternating
// call by call in this process (each tree with its own addon), and prints them side by side.
// A plain 128³ multiply-add loop is timed in the same run as a machine-speed reference (the machine
// is shared: compare ratios, not absolute times).
import { median, fmt } from './common.ts';
import { Matrix } from '../src/linalg/matrix.ts';
import { Random } from '../src/linalg/random.ts';
import { AGGREGATORS, directionOf, gramianOf } from '../src/balance/index.ts';
import { minNormPoint } from '../src/balance/solvers/min-norm.ts';
import { frankWolfeMinNorm } from '../src/balance/solvers/frank-wolfe.ts';
import { nashAlpha } from '../src/balance/aggregator/nash-mtl.ts';
import { regularisedGramian, upgradWeightsBatch } from '../src/balance/aggregator/upgrad.ts';
import { solveCagradDual } from '../src/balance/solvers/cagrad-dual.ts';
import { solvePowerEquation } from '../src/balance/solvers/power-equation.ts';
import type { AggregatorInput, GradMode } from '../src/balance/types.ts';
import { TRAINER_AGGREGATORS, TRAINER_WEIGHTINGS, trainerAggregator, trainerWeighting } from '../src/balance/nn-hooks.ts';
import { buildArchitecture } from '../src/nn/arch/index.ts';
import { adam } from '../src/nn/optim/adam.ts';
import { train } from '../src/nn/train/trainer.ts';
import type { MultiOutputData, TrainConfig } from '../src/nn/train/types.ts';

/** The fastest of the last time() call's runs (on a loaded machine the median includes descheduling). */
let lastMin = NaN;
function time(f: () => unknown, repeats: number, warm = 1): number {
  for (let i = 0; i < warm; i++) f();
  const t: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    f();
    t.push((performance.now() - t0) / 1000);
  }
  lastMin = Math.min(...t);
  return median(t);
}

function reference(n: number): number {
  const A = new Random(1).normals(n * n);
  let s = 0;
  return time(() => {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let v = 0;
      for (let k = 0; k < n; k++) v += A[i * n + k]! * A[j * n + k]!;
      s += v;
    }
    return s;
  }, 5);
}

const rng = new Random(2026);
const ref = reference(128);
const refMin0 = lastMin;
console.log(`machine reference: plain 128³ multiply-add loop ${fmt(ref)}`);

// ---- A. solvers on 128 × 128 Gramians ----
// Each Gramian comes with its "next step": the Jacobian moved by 0.1 % (G + 10⁻³·noise, still a
// Gramian) — or, for the real one, the next training step's Gramian — solved warm from the first
// one's solution, as the aggregators do during training. Old and new solvers alternate in one run.
const T = 128;
interface GramianPair { label: string; K: Matrix; K2: Matrix }
function syntheticPair(label: string, P: number): GramianPair {
  const G = new Matrix(T, P, rng.normals(T * P));
  const G2 = new Matrix(T, P, G.data.map((v) => v + 1e-3 * rng.normal()));
  return { label, K: gramianOf(G), K2: gramianOf(G2) };
}
/** Two consecutive Gramians of a real training run: HPS MLP 32 → 64 → 64, 128 regression heads (part C's set-up), UPGrad, steps 7 and 8. */
function realPair(): GramianPair {
  const D = 32, H = 64, B = 64, NB = 8;
  const r = new Random(7);
  const n = NB * B;
  const X = Float32Array.from({ length: n * D }, () => r.normal());
  const targets = Array.from({ length: T }, () => {
    const w = r.normals(D).map((v) => v / 6);
    return Float32Array.from({ length: n }, (_, i) => { let s = 0; for (let j = 0; j < D; j++) s += X[i * D + j]! * w[j]!; return Math.tanh(s); });
  });
  const tasks = Array.from({ length: T }, (_, t) => ({ name: `t${t}`, kind: 'regression' as const }));
  const net = buildArchitecture('hps', { taskNames: tasks.map((t) => t.name), outDims: new Array<number>(T).fill(1), encoder: { kind: 'mlp', input: D, hidden: [H, H] } }, new Random(1));
  const inner = trainerAggregator('upgrad', {});
  const seen: Float64Array[] = [];
  const recording: typeof inner = { ...inner, aggregate: (input, state) => { seen.push(Float64Array.from(input.gramian)); return inner.aggregate(input, state); } };
  train(net, { layout: 'multi-output', X, n, d: D, targets }, {
    tasks, epochs: 1, batchSize: B, seed: 1, optimizer: adam({ lr: 1e-3 }), valRatio: 0, logConflictEvery: 0, gradMode: 'jacobian',
    weighting: trainerWeighting('ew', {}, 'jacobian'), aggregator: recording,
  });
  return { label: 'real: HPS MLP, 128 tasks, training steps 7 → 8', K: new Matrix(T, T, seen[NB - 2]!), K2: new Matrix(T, T, seen[NB - 1]!) };
}
const SOLVERS_OLD_TS = { exact: { native: false } } as const;
interface SolverSet {
  upgradWeightsBatch: typeof upgradWeightsBatch;
  minNormPoint: typeof minNormPoint;
  nashAlpha: typeof nashAlpha;
  solveCagradDual: (K: Matrix, pref: Float64Array, rho: number) => { kktGap: number; weights: Float64Array };
}
const BASE = process.env.BENCH_BASE;
const base: SolverSet | null = BASE ? {
  upgradWeightsBatch: ((await import(`${BASE}/src/balance/aggregator/upgrad.ts`)) as { upgradWeightsBatch: typeof upgradWeightsBatch }).upgradWeightsBatch,
  minNormPoint: ((await import(`${BASE}/src/balance/solvers/min-norm.ts`)) as { minNormPoint: typeof minNormPoint }).minNormPoint,
  nashAlpha: ((await import(`${BASE}/src/balance/aggregator/nash-mtl.ts`)) as { nashAlpha: typeof nashAlpha }).nashAlpha,
  solveCagradDual: ((await import(`${BASE}/src/balance/solvers/cagrad-dual.ts`)) as { solveCagradDual: SolverSet['solveCagradDual'] }).solveCagradDual,
} : null;
const baseRows: string[] = [];
if ((process.env.BENCH_PART ?? 'all') === 'all' || process.env.BENCH_PART === 'solvers') {
  const pairs = [syntheticPair('Gaussian, P = 100 000', 100000), syntheticPair('rank 64 (P = 64)', 64), realPair()];
  const summary: string[] = [];
  for (const { label, K, K2 } of pairs) {
  const pref = new Float64Array(T).fill(1 / T);
  const A = regularisedGramian(K, 1e-4, 1e-4)!;
  const A2 = regularisedGramian(K2, 1e-4, 1e-4)!;
  let g0 = 0;
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) g0 += K.data[i * T + j]! / (T * T);
  const rows: [string, number, string, number][] = [];
  const push = (name: string, s: number, note: string): void => { rows.push([name, s, note, lastMin]); };
  /** old and new interleaved: `reps` rounds of one call each, after one warm-up each. */
  const pair = (old: () => unknown, neu: () => unknown, reps: number): [number, number, number, number] => {
    old(); neu();
    const to: number[] = [], tn: number[] = [];
    for (let r = 0; r < reps; r++) {
      let t0 = performance.now(); old(); to.push((performance.now() - t0) / 1000);
      t0 = performance.now(); neu(); tn.push((performance.now() - t0) / 1000);
    }
    return [median(to), median(tn), Math.min(...to), Math.min(...tn)];
  };
  const refHere = reference(128);
  const refHereMin = lastMin;
  const side: [string, ...[number, number, number, number], string][] = [];
  // UPGrad: the previous session's path (TypeScript: batched FISTA → ADMM → TypeScript exact finish)
  // vs the new default (native exact solver: PDAS probe cold, warm sets straight to it). Both certified.
  const upOld = upgradWeightsBatch(A, T, pref, null, null, SOLVERS_OLD_TS);
  const upNew = upgradWeightsBatch(A, T, pref);
  let dW = 0;
  for (let j = 0; j < T; j++) dW = Math.max(dW, Math.abs(upNew.weights[j]! - upOld.weights[j]!) / Math.max(...upOld.weights));
  const warmOld = upOld.batched === 0 ? { maxIter: 0, ...SOLVERS_OLD_TS } : SOLVERS_OLD_TS;
  const up2Old = upgradWeightsBatch(A2, T, pref, upOld.sets, upOld.projections, warmOld);
  const up2New = upgradWeightsBatch(A2, T, pref, upNew.sets, upNew.projections);
  side.push(['UPGrad (128 NNQPs), cold', ...pair(() => upgradWeightsBatch(A, T, pref, null, null, SOLVERS_OLD_TS), () => upgradWeightsBatch(A, T, pref), 7), `converged ${upOld.converged}/${upNew.converged}, max |Δw|/max w ${dW.toExponential(1)}`]);
  // Cold, native both: ADMM's supports + exact finish (no probe) vs safeguarded PDAS alone from the
  // conflicting sets (probe of up to 24 steps, which certifies every row even on the rank-64 Gramian).
  // The default (probe of 4 steps) takes the second route where PDAS settles fast, the first otherwise.
  const PDAS_ONLY = { probeSteps: 24 } as const;
  const upAdmm = upgradWeightsBatch(A, T, pref, null, null, { probeSteps: 0, maxIter: 0 });
  const upPdas = upgradWeightsBatch(A, T, pref, null, null, PDAS_ONLY);
  let dA = 0;
  for (let j = 0; j < T; j++) dA = Math.max(dA, Math.abs(upPdas.weights[j]! - upAdmm.weights[j]!) / Math.max(...upAdmm.weights));
  side.push(['UPGrad cold: ADMM supports → safeguarded PDAS alone', ...pair(() => upgradWeightsBatch(A, T, pref, null, null, { probeSteps: 0, maxIter: 0 }), () => upgradWeightsBatch(A, T, pref, null, null, PDAS_ONLY), 7), `converged ${upAdmm.converged}/${upPdas.converged}, ${upAdmm.iterations} / ${upPdas.iterations} products + steps, max |Δw|/max w ${dA.toExponential(1)}`]);
  side.push(['UPGrad, next step (warm sets + x)', ...pair(() => upgradWeightsBatch(A2, T, pref, upOld.sets, upOld.projections, warmOld), () => upgradWeightsBatch(A2, T, pref, upNew.sets, upNew.projections), 7), `converged ${up2Old.converged}/${up2New.converged}`]);
  const na = nashAlpha(K);
  const na2 = nashAlpha(K2, na.alpha, na.ridge);
  // MGDA: Wolfe's active set from the corral of all tasks (before) vs the native NNQP route (new, from
  // T = 32; certified by the min-norm KKT gap, Wolfe otherwise). The MGDA aggregator starts every call
  // from all tasks, so "next step" is the same call on the next Gramian.
  const mnOld = minNormPoint(K, { native: false });
  const mn = minNormPoint(K);
  const mn2 = minNormPoint(K2);
  side.push(['MGDA min-norm, cold', ...pair(() => minNormPoint(K, { native: false }), () => minNormPoint(K), 7), `KKT gap ${mnOld.kktGap.toExponential(1)} / ${mn.kktGap.toExponential(1)}, ‖d‖² ${mnOld.normSq.toExponential(3)} / ${mn.normSq.toExponential(3)}`]);
  side.push(['MGDA min-norm, next step', ...pair(() => minNormPoint(K2, { native: false }), () => minNormPoint(K2), 7), `KKT gap ${mn2.kktGap.toExponential(1)}`]);
  const fw = frankWolfeMinNorm(K);
  push('MGDA Frank-Wolfe (250 it., baseline)', time(() => frankWolfeMinNorm(K), 7), `KKT gap ${fw.kktGap.toExponential(1)}, ‖d‖² ${fw.normSq.toExponential(2)} vs optimum ${mn.normSq.toExponential(2)}`);
  // Nash-MTL: the previous solvers (Wolfe's existence test, Newton evaluating f at every Armijo trial)
  // vs the new ones (native min-norm route, Newton with the exact quadratic line search); same iterates.
  const naOld = nashAlpha(K, undefined, 0, { reference: true });
  side.push(['Nash-MTL K α = 1/α, cold', ...pair(() => nashAlpha(K, undefined, 0, { reference: true }), () => nashAlpha(K), 7), `ridge ${naOld.ridge}/${na.ridge}, residual ${naOld.residual.toExponential(1)} / ${na.residual.toExponential(1)}, ${na.iterations} Newton steps`]);
  side.push(['Nash-MTL, next step (warm α)', ...pair(() => nashAlpha(K2, na.alpha, na.ridge, { reference: true }), () => nashAlpha(K2, na.alpha, na.ridge), 7), `ridge ${na2.ridge}, residual ${na2.residual.toExponential(1)}, ${na2.iterations} Newton steps`]);
  if (label.startsWith('Gaussian')) {
    const fg = solvePowerEquation(K, 0.5);
    push('FairGrad K w = w^(−2) (Newton)', time(() => solvePowerEquation(K, 0.5), 7), `residual ${fg.residual.toExponential(1)}`);
  }
  const cg = solveCagradDual(K, pref, 0.5 * Math.sqrt(g0));
  push('CAGrad dual (c = 0.5)', time(() => solveCagradDual(K, pref, 0.5 * Math.sqrt(g0)), 3), `KKT gap ${cg.kktGap.toExponential(1)}, ${cg.iterations} root steps`);
  for (const name of ['pcgrad', 'imtl-g', 'aligned-mtl', 'config', 'dualproj']) {
    const agg = AGGREGATORS[name]!({});
    push(name, time(() => agg.aggregate({ mode: 'jacobian', gramian: K }, agg.init(T)), 5), '');
  }
  if (base) {
    // this commit vs BENCH_BASE, default routes of both, alternating call by call (median of 7)
    const maxDiff = (a: Float64Array, b: Float64Array): number => { let d = 0, m = 0; for (let j = 0; j < a.length; j++) { d = Math.max(d, Math.abs(a[j]! - b[j]!)); m = Math.max(m, Math.abs(b[j]!)); } return d / (m || 1); };
    const rhoC = 0.5 * Math.sqrt(g0);
    const bU = base.upgradWeightsBatch(A, T, pref), nU = upgradWeightsBatch(A, T, pref);
    const bU2 = base.upgradWeightsBatch(A2, T, pref, bU.sets, bU.projections), nU2 = upgradWeightsBatch(A2, T, pref, nU.sets, nU.projections);
    const bC = base.solveCagradDual(K, pref, rhoC), nC = solveCagradDual(K, pref, rhoC);
    const cases: [string, () => unknown, () => unknown, string][] = [
      ['UPGrad cold', () => base.upgradWeightsBatch(A, T, pref), () => upgradWeightsBatch(A, T, pref), `max |Δw|/max w ${maxDiff(nU.weights, bU.weights).toExponential(1)}`],
      ['UPGrad next step (warm)', () => base.upgradWeightsBatch(A2, T, pref, bU.sets, bU.projections), () => upgradWeightsBatch(A2, T, pref, nU.sets, nU.projections), `max |Δw|/max w ${maxDiff(nU2.weights, bU2.weights).toExponential(1)}`],
      ['MGDA cold', () => base.minNormPoint(K), () => minNormPoint(K), ''],
      ['Nash-MTL cold', () => base.nashAlpha(K), () => nashAlpha(K), ''],
      ['CAGrad dual (c = 0.5)', () => base.solveCagradDual(K, pref, rhoC), () => solveCagradDual(K, pref, rhoC), `KKT gap ${bC.kktGap.toExponential(1)} → ${nC.kktGap.toExponential(1)}, max |Δw| ${maxDiff(nC.weights, bC.weights).toExponential(1)}`],
    ];
    // wall and process CPU time per call (CPU: what the call costs on a shared machine; with
    // POLYTASK_THREADS=1 it is the single-thread work, with more threads it includes the pool's waits)
    const cpuOf = (f: () => unknown): [number, number] => { const c0 = process.cpuUsage(), t0 = performance.now(); f(); const c = process.cpuUsage(c0); return [(performance.now() - t0) / 1000, (c.user + c.system) / 1e6]; };
    for (const [name, o, nw, note] of cases) {
      o(); nw();
      const wo: number[] = [], wn: number[] = [], co: number[] = [], cn: number[] = [];
      for (let r = 0; r < 7; r++) {
        const [a, b] = cpuOf(o); wo.push(a); co.push(b);
        const [c, d] = cpuOf(nw); wn.push(c); cn.push(d);
      }
      const [mo, mn2, lo, ln, cO, cN] = [median(wo), median(wn), Math.min(...wo), Math.min(...wn), median(co), median(cn)];
      baseRows.push(`| ${label} | ${name} | ${fmt(mo)} | ${fmt(mn2)} | ${(mo / mn2).toFixed(1)}× | ${fmt(lo)} → ${fmt(ln)} | ${fmt(cO)} → ${fmt(cN)} (${(cO / cN).toFixed(1)}×) | ${note} |`);
    }
  }
  const refAfter = reference(128);
  const refAfterMin = lastMin;
  const r = median([ref, refHere, refAfter]);
  console.log(`\nA. solvers on a 128 × 128 Gramian (${label}); 128³ loop ${fmt(refHere)} before, ${fmt(refAfter)} after`);
  console.log('old vs new, alternating in this run (median of 7; fastest run):');
  console.log('| solver | old median | new median | old / new | old fastest | new fastest | old / new (fastest) | note |\n|---|---|---|---|---|---|---|---|');
  for (const [n, mo, mnw, lo, ln, note] of side) {
    console.log(`| ${n} | ${fmt(mo)} | ${fmt(mnw)} | ${(mo / mnw).toFixed(1)}× | ${fmt(lo)} | ${fmt(ln)} | ${(lo / ln).toFixed(1)}× | ${note} |`);
    summary.push(`| ${label} | ${n} | ${fmt(mo)} → ${fmt(mnw)} (${(mo / mnw).toFixed(1)}×) | ${fmt(lo)} → ${fmt(ln)} (${(lo / ln).toFixed(1)}×) |`);
  }
  const rMin = Math.min(refMin0, refHereMin, refAfterMin);
  console.log('\nthe other solvers (median of 3–7 runs):');
  console.log('| solver | median | × 128³ loop | fastest run | × fastest loop | certificate |\n|---|---|---|---|---|---|');
  for (const [n, s, note, lo] of rows) {
    console.log(`| ${n} | ${fmt(s)} | ${(s / r).toFixed(2)} | ${fmt(lo)} | ${(lo / rMin).toFixed(2)} | ${note} |`);
    if (/^CAGrad/.test(n)) summary.push(`| ${label} | ${n} | ${fmt(s)} | ${fmt(lo)} |`);
  }
  }
  if (base) {
    console.log(`\nA. BENCH_BASE (${BASE}) vs this tree, default routes, alternating call by call (median of 7; fastest run)`);
    console.log('| Gramian | solver | base | this | base / this | fastest base → this | CPU per call, base → this | note |\n|---|---|---|---|---|---|---|---|');
    for (const l of baseRows) console.log(l);
  }
  console.log('\nA. summary (goal: UPGrad, MGDA, Nash-MTL ≪ 10 ms): old → new median (ratio) | fastest run');
  console.log('| Gramian | solver | median | fastest |\n|---|---|---|---|');
  for (const l of summary) console.log(l);
}

// ---- B. per-call cost at P = 100 000 ----
const part = process.env.BENCH_PART ?? 'all';
if (part === 'all' || part === 'calls') partB();
if (part === 'all' || part === 'step') partC();

function partB(): void {
const P = 100000;
console.log(`\nB. per call at P = ${P} (medians): Gramian K = GGᵀ once, then each method (given K or G) plus the direction wᵀG`);
const names = Object.keys(AGGREGATORS).filter((n) => n !== 'mgda-ub');
const table: Record<string, string[]> = {};
const header: string[] = [];
for (const t of [2, 8, 32, 128]) {
  const G = new Matrix(t, P, rng.normals(t * P));
  const losses = Float64Array.from({ length: t }, () => 0.5 + rng.uniform());
  const representation = rng.normals(P);
  const reps = t === 128 ? 3 : 5;
  const tK = time(() => gramianOf(G), reps);
  const K = gramianOf(G);
  const tMean = time(() => directionOf(AGGREGATORS.mean!({}).aggregate({ mode: 'jacobian', gramian: K }, null), G), reps);
  header.push(`T = ${t}`);
  (table['Gramian K = GGᵀ'] ??= []).push(fmt(tK));
  for (const name of names) {
    const agg = AGGREGATORS[name]!({});
    const mode = agg.modes[0]!;
    const input: AggregatorInput = agg.needs === 'gramian' ? { mode, gramian: K, jacobian: G, losses } : { mode, jacobian: G, losses, representation, batch: 100 };
    let state = agg.init(t);
    const s = time(() => {
      const out = agg.aggregate(input, state);
      state = out.state;
      return directionOf(out, G);
    }, reps);
    (table[name] ??= []).push(`${fmt(s)} (${(s / tMean).toFixed(1)}× mean)`);
  }
  process.stderr.write(`T = ${t} done\n`);
}
console.log(`| method (excl. Gramian) | ${header.join(' | ')} |\n|---|${header.map(() => '---').join('|')}|`);
for (const [k, v] of Object.entries(table)) console.log(`| ${k} | ${v.join(' | ')} |`);
}

// ---- C. per-step overhead over EW inside the trainer ----
function partC(): void {
  const D = 32, H = 64, B = 64, NB = Number(process.env.BENCH_STEP_BATCHES ?? 8);
  const Ts = (process.env.BENCH_STEP_T ?? '2,8,32,128').split(',').map(Number);
  const repeats = Number(process.env.BENCH_STEP_REPEATS ?? 3);
  const methods: { label: string; weighting?: string; aggregator?: string; mode: GradMode }[] = [
    { label: 'ew', mode: 'jacobian' },
    ...TRAINER_WEIGHTINGS.filter((w) => w !== 'ew').map((w) => ({ label: w, weighting: w, mode: 'jacobian' as GradMode })),
    ...TRAINER_AGGREGATORS.map((a) => ({ label: a, aggregator: a, mode: (a === 'graddrop' || a === 'mgda-ub' ? 'rep' : 'jacobian') as GradMode })),
  ];
  console.log(`\nC. ms per training step (HPS MLP ${D} → ${H} → ${H}, batch ${B}, ${NB} steps per epoch, Adam; median of ${repeats} epochs, methods interleaved) and ×EW in the same run; competition log off`);
  const table: Record<string, string[]> = {};
  for (const T of Ts) {
    const rng = new Random(7);
    const n = NB * B;
    const X = Float32Array.from({ length: n * D }, () => rng.normal());
    const targets = Array.from({ length: T }, () => {
      const w = rng.normals(D).map((v) => v / 6);
      return Float32Array.from({ length: n }, (_, i) => { let s = 0; for (let j = 0; j < D; j++) s += X[i * D + j]! * w[j]!; return Math.tanh(s); });
    });
    const data: MultiOutputData = { layout: 'multi-output', X, n, d: D, targets };
    const tasks = Array.from({ length: T }, (_, t) => ({ name: `t${t}`, kind: 'regression' as const }));
    const run = (m: (typeof methods)[number]): number => {
      const net = buildArchitecture('hps', { taskNames: tasks.map((t) => t.name), outDims: new Array<number>(T).fill(1), encoder: { kind: 'mlp', input: D, hidden: [H, H] } }, new Random(1));
      const cfg: TrainConfig = {
        tasks, epochs: 1, batchSize: B, seed: 1, optimizer: adam({ lr: 1e-3 }), valRatio: 0, logConflictEvery: 0, gradMode: m.mode,
        weighting: trainerWeighting(m.weighting ?? 'ew', {}, m.mode),
        ...(m.aggregator ? { aggregator: trainerAggregator(m.aggregator, {}) } : {}),
      };
      const t0 = performance.now();
      train(net, data, cfg);
      return (performance.now() - t0) / NB;
    };
    for (const m of methods) run(m); // warm-up
    const times = methods.map(() => [] as number[]);
    for (let r = 0; r < repeats; r++) methods.forEach((m, k) => times[k]!.push(run(m)));
    const ew = median(times[0]!);
    methods.forEach((m, k) => {
      const t = median(times[k]!);
      (table[`${m.label} (${m.mode === 'rep' ? 'rep' : m.aggregator || m.weighting === 'gradnorm' || m.weighting === 'excess-mtl' ? 'jacobian' : 'loss'})`] ??= []).push(`${t.toFixed(1)} ms (×${(t / ew).toFixed(2)})`);
    });
    // the table so far after every T (the T = 128 column takes long on a loaded machine)
    const done = Ts.slice(0, Ts.indexOf(T) + 1);
    console.log(`| method (grad mode) | ${done.map((t) => `T = ${t}`).join(' | ')} |\n|---|${done.map(() => '---').join('|')}|`);
    for (const [k, v] of Object.entries(table)) console.log(`| ${k} | ${v.join(' | ')} |`);
  }
}
