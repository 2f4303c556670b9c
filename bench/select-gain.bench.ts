// Which gain should the affinity use (issue 13)? Measured, not argued: on a synthetic problem with
// planted clusters where some tasks are nearly noise-free (their errors alone are tiny: the School
// failure mode), on Landmine and on School, with the protocol of `polytask group` (choose on 50 %
// of every task's rows, test on the rest with compare against all-in-one and STL).
// The fits are made once per data set (one cache); every gain is assembled from the same fits, so
// the gains differ only in how they turn two errors into a number. Reported per gain:
//  - tail: median and max |gain| of the matrix (heavy tails let one pair decide a group);
//  - HOA check: Spearman and sign agreement of HOA's estimates with fitted groups of 3 and 4;
//  - planted only: adjusted Rand index of the chosen grouping against the planted clusters;
//  - the chosen grouping's held-out metric against all-in-one and STL (same splits).
//   node --import tsx bench/select-gain.bench.ts                 planted, landmine, school
//   node --import tsx bench/select-gain.bench.ts planted landmine
import { existsSync } from 'node:fs';
import '../src/engines.ts';
import { loadData } from '../src/cli/data-load.ts';
import { modelOptions } from '../src/cli/model-setup.ts';
import type { MultiTaskDataset } from '../src/data/dataset.ts';
import { subsetDataset, trainTestSplit } from '../src/data/split.ts';
import { makeClusteredTasks } from '../src/data/synthetic/clusters.ts';
import type { Options } from '../src/estimator/contract.ts';
import { compare } from '../src/eval/compare.ts';
import { registryPlan } from '../src/eval/plans.ts';
import { Random } from '../src/linalg/random.ts';
import { adjustedRandIndex } from '../src/linear/structure/clustering.ts';
import { assembleAffinity, foldsFor, GroupFitCache, type FitMeasure } from '../src/select/affinity.ts';
import { fitAffinity, runFitJobs } from '../src/select/affinity-pool.ts';
import { GAIN_KINDS } from '../src/select/gain.ts';
import { groupedPlan } from '../src/select/grouped.ts';
import { chooseGroups } from '../src/select/grouping.ts';
import { assessHoa, checkGroups, hoaCheckJobs } from '../src/select/hoa-check.ts';
import { selectTasks } from '../src/select/tasks.ts';

interface Case {
  name: string;
  ds: MultiTaskDataset;
  model: string;
  options: Options;
  budget: number;
  folds: number;
  truth?: Int32Array;
  /** Tasks used for the HOA check (pairs on a subset when T is large). */
  hoaTasks?: number;
}

/** Planted clusters (T = 12, k = 3) where a third of the tasks are nearly noise-free; `hard`:
 * closer centres, more spread inside a cluster and fewer rows, so that the pairs are noisy. */
function planted(seed = 21, hard = false): Case {
  const { dataset, truth } = makeClusteredTasks(hard ? { T: 12, d: 8, n: 16, k: 3, centreSd: 0.5, withinSd: 0.2, noise: 1, seed } : { T: 12, d: 8, n: 30, k: 3, withinSd: 0.05, noise: 0.5, seed });
  const rng = new Random(seed + 1);
  const tasks = dataset.tasks.map((t, i) => {
    if (i % 3 !== 0) return t;
    const w = truth.W.col(i);
    const y = Float64Array.from({ length: t.y.length }, (_, r) => {
      let s = truth.intercepts[i]!;
      for (let c = 0; c < w.length; c++) s += t.X.get(r, c) * w[c]!;
      return s + rng.normal(0, 0.02);
    });
    return { ...t, y };
  });
  return { name: `planted${hard ? ', hard' : ''} (T = 12, 3 clusters, 4 near-noise-free tasks, seed ${seed})`, ds: { ...dataset, tasks }, model: 'pooled', options: { lambda: 0.01 }, budget: 3, folds: 3, truth: truth.clusters! };
}

async function real(name: string): Promise<Case | null> {
  const file = `../shared/data/${name}/${name}.csv`;
  if (!existsSync(file)) {
    console.log(`${name}: skipped (needs ${file})`);
    return null;
  }
  const school = name === 'school';
  const flags = { data: file, taskCol: 'task', target: 'y', standardize: (school ? 'task' : 'none') as 'task' | 'none', lambda: school ? 1 : 0.1 };
  const { dataset } = await loadData(flags, process.cwd());
  const model = school ? 'mean' : 'pooled';
  return { name, ds: dataset, model, options: modelOptions(flags, dataset, process.cwd(), model), budget: school ? 4 : 3, folds: school ? 2 : 3, hoaTasks: school ? 30 : undefined };
}

/** Over seeds of the hard planted problem: mean ARI and HOA Spearman per gain (no compare). */
async function sweep(seeds: number): Promise<void> {
  const ari = new Map<string, number[]>();
  const rho = new Map<string, number[]>();
  for (let s = 1; s <= seeds; s++) {
    const c = planted(100 + s, true);
    const cache = new GroupFitCache(c.ds, foldsFor(c.ds, c.folds, 0), c.model, c.options);
    await fitAffinity(c.ds, 'pairs', { model: c.model, options: c.options, folds: c.folds, seed: 0, workers: 1 }, cache);
    const groups = checkGroups(12, [3, 4], 30, 13);
    await runFitJobs(cache, hoaCheckJobs(groups, c.folds), { workers: 1 });
    for (const kind of GAIN_KINDS) {
      const aff = assembleAffinity(c.ds, cache, 'pairs', c.folds, kind, c.model, 0);
      (ari.get(kind) ?? ari.set(kind, []).get(kind)!).push(adjustedRandIndex(chooseGroups(aff, { budget: 3, method: 'beam' }).serve, c.truth!));
      (rho.get(kind) ?? rho.set(kind, []).get(kind)!).push(assessHoa(aff, cache, groups).summaries.find((x) => x.size === 'all')!.spearman);
    }
  }
  const mean = (v: number[]): string => (v.reduce((a, b) => a + b, 0) / v.length).toFixed(3);
  console.log(`\nplanted, hard, ${seeds} seeds (T = 12, 3 clusters, a third of the tasks near noise-free; all fits on the whole data, beam grouping, budget 3):`);
  console.log('gain        mean ARI   min ARI   mean HOA Spearman');
  for (const kind of GAIN_KINDS) console.log(`${kind.padEnd(10)} ${mean(ari.get(kind)!).padStart(9)} ${Math.min(...ari.get(kind)!).toFixed(3).padStart(9)} ${mean(rho.get(kind)!).padStart(19)}`);
}

const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'NaN');

async function run(c: Case): Promise<void> {
  const t0 = performance.now();
  const seed = 0;
  const part = trainTestSplit(c.ds, { testRatio: 0.5, seed: seed + 7 });
  const sel = subsetDataset(c.ds, part.train);
  const evaluation = subsetDataset(c.ds, part.test);
  const T = sel.tasks.length;
  const measure: FitMeasure = T <= 60 ? 'pairs' : 'leave-one-out';
  const cache = new GroupFitCache(sel, foldsFor(sel, c.folds, seed), c.model, c.options);
  const first = await fitAffinity(sel, measure, { model: c.model, options: c.options, folds: c.folds, seed, gain: 'relative' }, cache);
  // The HOA check: pairs on all tasks, or on the first hoaTasks tasks (own cache) when T is large.
  const hoaDs = c.hoaTasks ? selectTasks(sel, [...Array(c.hoaTasks).keys()]) : sel;
  const hoaCache = c.hoaTasks ? new GroupFitCache(hoaDs, foldsFor(hoaDs, c.folds, seed), c.model, c.options) : cache;
  if (c.hoaTasks) await fitAffinity(hoaDs, 'pairs', { model: c.model, options: c.options, folds: c.folds, seed }, hoaCache);
  const groups = checkGroups(hoaDs.tasks.length, [3, 4], 30, 13);
  await runFitJobs(hoaCache, hoaCheckJobs(groups, c.folds), {});
  console.log(`\n${c.name}: ${T} tasks, model ${c.model}, ${measure} (${c.folds} folds, ${first.fits} fits on ${first.workers} thread(s)); HOA check on ${groups.length} groups of 3–4 among ${hoaDs.tasks.length} tasks`);
  console.log('gain        median|g|    max|g|   HOA Spearman  sign right  ARI    groups chosen → held-out (grouped / all-in-one / STL)');
  const tested = new Map<string, string>();
  for (const kind of GAIN_KINDS) {
    const aff = assembleAffinity(sel, cache, measure, c.folds, kind, c.model, 0);
    const abs = [...aff.gain].filter((v, k) => k % (T + 1) !== 0).map(Math.abs).sort((a, b) => a - b);
    const hoaAff = c.hoaTasks ? assembleAffinity(hoaDs, hoaCache, 'pairs', c.folds, kind, c.model, 0) : aff;
    const hoa = assessHoa(hoaAff, hoaCache, groups).summaries.find((s) => s.size === 'all')!;
    const g = chooseGroups(aff, { budget: c.budget });
    const ari = c.truth ? adjustedRandIndex(g.serve, c.truth) : Number.NaN;
    const key = JSON.stringify(g.groups);
    let result = tested.get(key);
    if (!result) {
      const names = g.groups.map((G) => G.map((i) => aff.tasks[i]!));
      const serve = Object.fromEntries(aff.tasks.map((t, i) => [t, g.serve[i]!]));
      const r = compare(evaluation, {
        models: [c.model, 'grouped'],
        plans: (m) => (m === 'grouped' ? groupedPlan('grouped', c.model, { groups: names, serve }) : registryPlan(m)),
        repeats: 3,
        testRatio: 0.3,
        cvFolds: 3,
        seed,
        modelOptions: c.options,
      });
      const metric = r.primaryMetric === 'rmse' ? 'rmse_task_avg' : 'auc_task_avg';
      const m = (n: string): number => r.models.find((x) => x.name === n)?.metrics[metric]?.mean ?? Number.NaN;
      const stl = r.models.find((x) => x.name !== c.model && x.name !== 'grouped')?.name ?? 'stl';
      result = `${metric} ${fmt(m('grouped'), 4)} / ${fmt(m(c.model), 4)} / ${fmt(m(stl), 4)}`;
      tested.set(key, result);
    }
    console.log(`${kind.padEnd(10)} ${fmt(abs[abs.length >> 1]!, 2).padStart(10)} ${fmt(abs[abs.length - 1]!, 1).padStart(9)} ${fmt(hoa.spearman).padStart(13)} ${`${(100 * hoa.signAgreement).toFixed(0)} %`.padStart(11)}  ${fmt(ari, 2).padEnd(5)}  ${g.groups.map((G) => G.length).join('+')} → ${result}`);
  }
  console.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : ['planted', 'sweep', 'landmine', 'school'];
for (const n of names) {
  if (n === 'sweep') {
    await sweep(6);
    continue;
  }
  const c = n === 'planted' ? planted() : n === 'planted-hard' ? planted(101, true) : await real(n);
  if (c) await run(c);
}
