// Task-balancing benchmarks, side by side in one run (medians after warm-up):
//  A. solver time on 128 × 128 Gramians (goal for UPGrad, MGDA, Nash-MTL: ≪ 10 ms), two Gramians:
//     Gaussian gradients in P = 100 000 dimensions (nearly orthogonal, ~half the pairs conflicting
//     weakly) and rank-64 gradients (P = 64: strongly conflicting, singular K);
//  B. per-call cost of every aggregator at T = 2, 8, 32, 128 with P = 100 000: the Gramian K = GGᵀ
//     (shared by all Gramian-based methods), the method itself, and the direction wᵀG.
// A plain 128³ multiply-add loop is timed in the same run as a machine-speed reference (the machine
// is shared: compare ratios, not absolute times).
import { median, fmt } from './common.ts';
import { Matrix } from '../src/linalg/matrix.ts';
import { Random } from '../src/linalg/random.ts';
import { AGGREGATORS, directionOf, gramianOf } from '../src/balance/index.ts';
import { minNormPoint } from '../src/balance/solvers/min-norm.ts';
import { frankWolfeMinNorm } from '../src/balance/solvers/frank-wolfe.ts';
import { nashAlpha } from '../src/balance/aggregator/nash-mtl.ts';
import { regularisedGramian, upgradWeights } from '../src/balance/aggregator/upgrad.ts';
import { solveCagradDual } from '../src/balance/solvers/cagrad-dual.ts';
import { solvePowerEquation } from '../src/balance/solvers/power-equation.ts';
import type { AggregatorInput } from '../src/balance/types.ts';

function time(f: () => unknown, repeats: number, warm = 1): number {
  for (let i = 0; i < warm; i++) f();
  const t: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    f();
    t.push((performance.now() - t0) / 1000);
  }
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
console.log(`machine reference: plain 128³ multiply-add loop ${fmt(ref)}`);

// ---- A. solvers on 128 × 128 Gramians ----
const T = 128;
for (const [label, P] of [['Gaussian, P = 100 000', 100000], ['rank 64 (P = 64)', 64]] as const) {
  const G = new Matrix(T, P, rng.normals(T * P));
  const K = gramianOf(G);
  const pref = new Float64Array(T).fill(1 / T);
  const A = regularisedGramian(K, 1e-4, 1e-4)!;
  let g0 = 0;
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) g0 += K.data[i * T + j]! / (T * T);
  const rows: [string, number, string][] = [];
  const refHere = reference(128);
  const mn = minNormPoint(K);
  rows.push(['MGDA min-norm (active set, certified)', time(() => minNormPoint(K), 7), `KKT gap ${mn.kktGap.toExponential(1)}`]);
  const fw = frankWolfeMinNorm(K);
  rows.push(['MGDA Frank-Wolfe (250 it., baseline)', time(() => frankWolfeMinNorm(K), 7), `KKT gap ${fw.kktGap.toExponential(1)}, ‖d‖² ${fw.normSq.toExponential(2)} vs optimum ${mn.normSq.toExponential(2)}`]);
  const up = upgradWeights(A, T, pref);
  rows.push(['UPGrad (128 NNQPs)', time(() => upgradWeights(A, T, pref), 5), `${up.iterations} active-set steps, converged ${up.converged}`]);
  // A training step later: K changed a little (0.1 %), the previous active sets as the warm start.
  const A2 = A.map((v, i) => v * (1 + 1e-3 * Math.sin(i % T) * Math.sin(Math.floor(i / T))));
  const up2 = upgradWeights(A2, T, pref, up.sets);
  rows.push(['UPGrad, next step (K ±0.1 %, warm sets)', time(() => upgradWeights(A2, T, pref, up.sets), 5), `${up2.iterations} active-set steps, converged ${up2.converged}`]);
  const na = nashAlpha(K);
  rows.push(['Nash-MTL K α = 1/α (Newton)', time(() => nashAlpha(K), 7), `ridge ${na.ridge}, residual ${na.residual.toExponential(1)}, ${na.iterations} Newton steps`]);
  const K2 = new Matrix(T, T, K.data.map((v, i) => v * (1 + 1e-3 * Math.sin(i % T) * Math.sin(Math.floor(i / T)))));
  const na2 = nashAlpha(K2, na.alpha, na.ridge);
  rows.push(['Nash-MTL, next step (K ±0.1 %, warm α)', time(() => nashAlpha(K2, na.alpha, na.ridge), 7), `ridge ${na2.ridge}, residual ${na2.residual.toExponential(1)}, ${na2.iterations} Newton steps`]);
  if (P > T) {
    const fg = solvePowerEquation(K, 0.5);
    rows.push(['FairGrad K w = w^(−2) (Newton)', time(() => solvePowerEquation(K, 0.5), 7), `residual ${fg.residual.toExponential(1)}`]);
  }
  const cg = solveCagradDual(K, pref, 0.5 * Math.sqrt(g0));
  rows.push(['CAGrad dual (c = 0.5)', time(() => solveCagradDual(K, pref, 0.5 * Math.sqrt(g0)), 3), `KKT gap ${cg.kktGap.toExponential(1)}, ${cg.iterations} root steps`]);
  for (const name of ['pcgrad', 'imtl-g', 'aligned-mtl', 'config', 'dualproj']) {
    const agg = AGGREGATORS[name]!({});
    rows.push([name, time(() => agg.aggregate({ mode: 'jacobian', gramian: K }, agg.init(T)), 5), '']);
  }
  const refAfter = reference(128);
  const r = median([ref, refHere, refAfter]);
  console.log(`\nA. solvers on a 128 × 128 Gramian (${label}); median of 3–7 runs; 128³ loop ${fmt(refHere)} before, ${fmt(refAfter)} after`);
  console.log('| solver | median | × 128³ loop | certificate |\n|---|---|---|---|');
  for (const [n, s, note] of rows) console.log(`| ${n} | ${fmt(s)} | ${(s / r).toFixed(2)} | ${note} |`);
}

// ---- B. per-call cost at P = 100 000 ----
if (process.env.BENCH_PART === 'solvers') process.exit(0);
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
