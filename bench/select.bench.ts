// Task selection as T grows: the affinity's cost per fit and in total, and the grouping search.
// Synthetic clustered tasks (20 rows each, d = 10), model `mean` with λ fixed (a direct solve).
//   node --import tsx bench/select.bench.ts            T = 10, 50, 139, 1000
//   node --import tsx bench/select.bench.ts 10 50      chosen sizes
// The pairwise measure is run up to T = 139 (T(T−1)/2 fits per fold), leave-one-out at every T
// (T + 1 fits per fold). Affinity times are one run each (each is already hundreds of fits; the
// per-fit time is the ratio to compare); grouping times are medians of 5 runs. The baseline
// printed beside each affinity is the time of one all-task fit measured in the same run.
import '../src/engines.ts';
import { makeClusteredTasks } from '../src/data/synthetic/clusters.ts';
import { getModel } from '../src/estimator/registry.ts';
import { leaveOneOutAffinity, pairwiseAffinity } from '../src/select/affinity.ts';
import { chooseGroups, type GroupingMethod } from '../src/select/grouping.ts';
import { fmt, median } from './common.ts';

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const Ts = sizes.length ? sizes : [10, 50, 139, 1000];
const model = 'mean';
const options = { lambda: 1 };
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
  const runs: [string, typeof pairwiseAffinity][] = T <= 139 ? [['pairs', pairwiseAffinity], ['leave-one-out', leaveOneOutAffinity]] : [['leave-one-out', leaveOneOutAffinity]];
  let last = null as ReturnType<typeof pairwiseAffinity> | null;
  for (const [name, fn] of runs) {
    const a = fn(dataset, { model, options, folds, seed: 1 });
    last = a;
    console.log(`affinity ${name} T=${T}: ${a.fits} fits in ${fmt(a.seconds)} (${fmt(a.seconds / a.fits)} per fit; one all-task fit ${fmt(allFit)})`);
  }
  const methods: GroupingMethod[] = T <= 12 ? ['exact', 'greedy', 'beam'] : T <= 139 ? ['greedy', 'beam'] : ['greedy'];
  for (const method of methods) {
    const times: number[] = [];
    let gain = 0;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      gain = chooseGroups(last!, { budget: Math.max(2, Math.round(T / 10)), method }).estimatedGain;
      times.push((performance.now() - t0) / 1000);
    }
    console.log(`grouping ${method} T=${T} budget ${Math.max(2, Math.round(T / 10))}: ${fmt(median(times))} (estimated gain ${gain.toFixed(1)} % points)`);
  }
}
