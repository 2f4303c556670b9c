// Task selection as T grows: the affinity's cost per fit and in total, on 1 and 2 worker threads,
// and the grouping search. Synthetic clustered tasks (20 rows each, d = 10), model `mean` with λ
// fixed (a direct solve).
//   node --import tsx bench/select.bench.ts            T = 10, 50, 139, 1000
//   node --import tsx bench/select.bench.ts 10 50      chosen sizes
// The pairwise measure (T + T(T−1)/2 fits per fold) is run up to T = 50 and its total at larger T
// is the measured per-fit time × the fit count (said so in the output); leave-one-out (T + 1 fits
// per fold) runs at every T, on 1 and on 2 worker threads side by side (the ratio is the number to
// read on a shared machine). Affinity times are one run each (each is already tens to thousands of
// fits); grouping times are medians of 3 runs (1 at T = 1000). The baseline printed beside each
// affinity is one all-task fit measured in the same run.
import '../src/engines.ts';
import { makeClusteredTasks } from '../src/data/synthetic/clusters.ts';
import { getModel } from '../src/estimator/registry.ts';
import { fitAffinity } from '../src/select/affinity-pool.ts';
import type { Affinity } from '../src/select/affinity.ts';
import { chooseGroups, type GroupingMethod } from '../src/select/grouping.ts';
import { Random } from '../src/linalg/random.ts';
import { fmt, median } from './common.ts';

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const Ts = sizes.length ? sizes : [10, 50, 139, 1000];
const model = 'mean';
const options = { lambda: 1 };
let pairPerFit = Number.NaN; // the pair fits' cost does not depend on T (two tasks of 20 rows)
for (const T of Ts) {
  const { dataset } = makeClusteredTasks({ T, d: 10, n: 20, k: Math.max(2, Math.round(T / 10)), withinSd: 0.1, noise: 0.5, seed: 5 });
  const one: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    getModel(model).make(options).fit(dataset);
    one.push((performance.now() - t0) / 1000);
  }
  const allFit = median(one);
  const folds = T >= 1000 ? 2 : 3;
  let last: Affinity | null = null;
  const pairFits = folds * (T + (T * (T - 1)) / 2);
  if (T <= 50) {
    const a = await fitAffinity(dataset, 'pairs', { model, options, folds, seed: 1, workers: 1 });
    console.log(`affinity pairs T=${T}: ${a.fits} fits in ${fmt(a.seconds)} on 1 thread (${fmt(a.seconds / a.fits)} per fit; one all-task fit ${fmt(allFit)})`);
    last = a;
    pairPerFit = a.seconds / a.fits;
  }
  const loo: Affinity[] = [];
  // At T = 1000 the leave-one-out affinity is 2 × 1001 fits of the 1000-task model (minutes on a
  // shared machine): run only with BENCH_SELECT_LOO=1; the grouping is then timed on a gain matrix
  // of planted blocks with noise (what the search costs does not depend on where the gains came from).
  const skipLoo = T >= 1000 && process.env['BENCH_SELECT_LOO'] !== '1';
  if (skipLoo) {
    const fit = allFit;
    console.log(`affinity leave-one-out T=${T}: not run (${2 * (T + 1)} fits ≈ ${fmt(2 * (T + 1) * fit)} on 1 thread at one all-task fit each; BENCH_SELECT_LOO=1 runs it)`);
    const rng = new Random(9);
    const gain = new Float64Array(T * T).map((_, k) => {
      const i = Math.floor(k / T), j = k % T;
      return i === j ? 0 : (i % 100 === j % 100 ? 5 : -5) + rng.normal(0, 3);
    });
    last = { T, gain, se: new Float64Array(T * T), aloneError: new Float64Array(T), tasks: dataset.tasks.map((t) => t.name), measure: 'planted blocks', model, folds: 0, fits: 0, failures: [], seconds: 0 };
  }
  for (const workers of skipLoo ? [] : T >= 1000 ? [2] : [1, 2]) {
    const a = await fitAffinity(dataset, 'leave-one-out', { model, options, folds, seed: 1, workers });
    loo.push(a);
    console.log(`affinity leave-one-out T=${T}: ${a.fits} fits in ${fmt(a.seconds)} on ${a.workers} thread(s) (${fmt((a.seconds * (a.workers ?? 1)) / a.fits)} thread-time per fit)`);
  }
  if (loo.length === 2) {
    const same = loo[0]!.gain.every((v, k) => Object.is(v, loo[1]!.gain[k]!));
    console.log(`  leave-one-out 1 → 2 threads: ×${(loo[0]!.seconds / loo[1]!.seconds).toFixed(2)} faster; matrices identical: ${same}`);
  }
  if (T > 50 && last === null) console.log(`  pairs at T=${T}: ${pairFits} fits, ≈ ${fmt(pairFits * pairPerFit)} on 1 thread at the per-fit time measured above (not run)`);
  last ??= loo[loo.length - 1]!;
  const methods: GroupingMethod[] = T <= 12 ? ['exact', 'greedy', 'beam'] : T <= 139 ? ['greedy', 'beam'] : ['greedy'];
  if (last === null) throw new Error('no affinity to group');
  const budget = Math.max(2, Math.round(T / 10));
  for (const method of methods) {
    const times: number[] = [];
    let gain = 0;
    for (let r = 0; r < (T >= 1000 ? 1 : 3); r++) {
      const t0 = performance.now();
      gain = chooseGroups(last, { budget, method }).estimatedGain;
      times.push((performance.now() - t0) / 1000);
    }
    console.log(`grouping ${method} T=${T} budget ${budget}: ${fmt(median(times))} (estimated gain ${gain.toFixed(1)} % points)`);
  }
}
