// Task selection as T grows: the affinity's cost per fit and in total, on 1 and 2 worker threads,
// and the grouping search. Synthetic clustered tasks (20 rows each, d = 10, planted groups of ~10
// tasks), model `mean` with λ fixed (a direct solve: Woodbury-preconditioned PCG, one step).
//   node --import tsx bench/select.bench.ts            T = 10, 50, 139, 1000
//   node --import tsx bench/select.bench.ts 10 50      chosen sizes
//   node --import tsx bench/select.bench.ts warm       only the warm-start section (l21, T = 30, 139)
// The pairwise measure (T + T(T−1)/2 fits per fold) is run up to T = 50 and its total at larger T
// is the measured per-fit time × the fit count (said so in the output); leave-one-out (T + 1 fits
// per fold, the estimator that scales) runs at every T, on 1 and on 2 worker threads side by side
// (the ratio is the number to read on a shared machine). Each affinity line gives wall seconds and
// the process CPU seconds (all threads). Affinity times are one run each (each is already tens to
// thousands of fits); grouping times are medians of 3 runs (1 at T = 1000). The exact search is
// timed on noisy gains against its previous version (bench/baseline/exact-grouping-v0.ts).
import '../src/engines.ts';
import { makeClusteredTasks } from '../src/data/synthetic/clusters.ts';
import { getModel } from '../src/estimator/registry.ts';
import { fitAffinity } from '../src/select/affinity-pool.ts';
import type { Affinity } from '../src/select/affinity.ts';
import { chooseGroups, type GroupingMethod } from '../src/select/grouping.ts';
import { adjustedRandIndex } from '../src/linear/structure/clustering.ts';
import { Random } from '../src/linalg/random.ts';
import { exactGroupingV0 } from './baseline/exact-grouping-v0.ts';
import { fmt, median } from './common.ts';

const warmOnly = process.argv.includes('warm');
const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const Ts = warmOnly ? [] : sizes.length ? sizes : [10, 50, 139, 1000];
const model = 'mean';
const options = { lambda: 1 };
const cpu = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
async function timed(T: number, dataset: Parameters<typeof fitAffinity>[0], measure: 'pairs' | 'leave-one-out', folds: number, workers: number): Promise<Affinity> {
  const c0 = cpu();
  const a = await fitAffinity(dataset, measure, { model, options, folds, seed: 1, workers });
  const c = cpu() - c0;
  console.log(`affinity ${measure} T=${T}: ${a.fits} fits in ${fmt(a.seconds)} wall, ${fmt(c)} CPU, workers ${workers} (${fmt(c / a.fits)} CPU per fit)`);
  return a;
}
let pairPerFit = Number.NaN; // the pair fits' cost does not depend on T (two tasks of 20 rows)
for (const T of Ts) {
  const k = Math.max(2, Math.round(T / 10));
  const { dataset, truth } = makeClusteredTasks({ T, d: 10, n: 20, k, withinSd: 0.1, noise: 0.5, seed: 5 });
  const one: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    getModel(model).make(options).fit(dataset);
    one.push((performance.now() - t0) / 1000);
  }
  console.log(`T=${T}: one all-task fit ${fmt(median(one))} (median of 3)`);
  const folds = T >= 1000 ? 2 : 3;
  const pairFits = folds * (T + (T * (T - 1)) / 2);
  let last: Affinity | null = null;
  if (T <= 50) {
    const p: Affinity[] = [];
    for (const workers of [1, 2]) p.push(await timed(T, dataset, 'pairs', folds, workers));
    console.log(`  pairs 1 → 2 workers: ×${(p[0]!.seconds / p[1]!.seconds).toFixed(2)} faster (wall); matrices identical: ${p[0]!.gain.every((v, i) => Object.is(v, p[1]!.gain[i]!))}`);
    pairPerFit = p[0]!.seconds / p[0]!.fits;
    last = p[0]!;
  } else if (Number.isFinite(pairPerFit)) {
    console.log(`  pairs at T=${T}: ${pairFits} fits, ≈ ${fmt(pairFits * pairPerFit)} on 1 thread at the per-fit time measured at the last pairs run (not run)`);
  }
  const loo: Affinity[] = [];
  for (const workers of [1, 2]) loo.push(await timed(T, dataset, 'leave-one-out', folds, workers));
  const same = loo[0]!.gain.every((v, i) => Object.is(v, loo[1]!.gain[i]!));
  console.log(`  leave-one-out 1 → 2 workers: ×${(loo[0]!.seconds / loo[1]!.seconds).toFixed(2)} faster (wall); matrices identical: ${same}`);
  last ??= loo[0]!;
  const methods: GroupingMethod[] = T <= 10 ? ['exact', 'greedy', 'beam'] : T <= 139 ? ['greedy', 'beam'] : ['greedy'];
  for (const method of methods) {
    const times: number[] = [];
    let ari = 0;
    let gain = 0;
    for (let r = 0; r < (T >= 1000 ? 1 : 3); r++) {
      const t0 = performance.now();
      const g = chooseGroups(last, { budget: k, method });
      times.push((performance.now() - t0) / 1000);
      gain = g.estimatedGain;
      ari = adjustedRandIndex(truth.clusters!, g.serve);
    }
    console.log(`grouping ${method} T=${T} budget ${k} on the ${last.measure.split(':')[0]} matrix: ${fmt(median(times))} (estimated gain ${gain.toFixed(1)} % points, ARI with the planted groups ${ari.toFixed(3)})`);
  }
}

// The exact search on noisy gains (every selection close to the best): before/after in one run.
for (const [T, K, old] of warmOnly ? [] : ([[10, 2, true], [10, 3, false], [12, 2, false]] as const)) {
  const rng = new Random(7);
  const g = { T, gain: new Float64Array(T * T).map((_, k) => (Math.floor(k / T) === k % T ? 0 : rng.normal(0, 5))) };
  let t0 = performance.now();
  const b = chooseGroups(g, { budget: K, method: 'exact' });
  const tNew = (performance.now() - t0) / 1000;
  let line = `exact search, noisy gains T=${T} K=${K}: ${fmt(tNew)} (${b.examined} nodes, gain ${b.estimatedGain.toFixed(3)})`;
  if (old) {
    t0 = performance.now();
    const a = exactGroupingV0(g, K);
    const tOld = (performance.now() - t0) / 1000;
    line += `; before (v0) ${fmt(tOld)} (${a.examined} nodes, gain ${a.estimatedGain.toFixed(3)}): ×${(tOld / tNew).toFixed(1)}`;
  } else line += '; before (v0): not run (> 2 min)';
  console.log(line);
}

// Leave-one-out fits warm-started from the fold's all-task fit against cold starts, for an
// iterative solver (l21: working-set BCD), alternating cold / warm, CPU seconds on 1 thread.
for (const T of warmOnly || Ts.length === 0 ? [30, 139] : []) {
  const { dataset } = makeClusteredTasks({ T, d: 10, n: 20, k: Math.max(2, Math.round(T / 10)), withinSd: 0.1, noise: 0.5, seed: 5 });
  const cpuOf: Record<string, number[]> = { cold: [], warm: [] };
  const gains: Record<string, Float64Array> = {};
  for (const warmStart of [false, true, false, true]) {
    const c0 = cpu();
    const a = await fitAffinity(dataset, 'leave-one-out', { model: 'l21', options: { lambda: 0.05 }, folds: 3, seed: 1, workers: 1, warmStart });
    const key = warmStart ? 'warm' : 'cold';
    cpuOf[key]!.push(cpu() - c0);
    gains[key] = a.gain;
  }
  let worst = 0;
  for (let k = 0; k < gains['warm']!.length; k++) worst = Math.max(worst, Math.abs(gains['warm']![k]! - gains['cold']![k]!));
  const cold = median(cpuOf['cold']!);
  const warm = median(cpuOf['warm']!);
  console.log(`l21 leave-one-out T=${T} (${3 * (T + 1)} fits): cold ${fmt(cold)} CPU, warm ${fmt(warm)} CPU: ×${(cold / warm).toFixed(2)}; largest gain difference ${worst.toExponential(1)} % points`);
}
