import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/linalg/matrix.ts';
import { dot, norm2 } from '../../src/linalg/ops.ts';
import { svd } from '../../src/linalg/decomp/svd.ts';
import { OptionError } from '../../src/errors.ts';
import type { MultiTaskDataset } from '../../src/data/dataset.ts';
import {
  makeChainTasks, makeClusteredTasks, makeCovarianceTasks, makeDemoProblem, makeEqualTasks, makeLowRankTasks,
  makeMmoeTasks, makeMultiOutput, makeOutlierTasks, makeSparseTasks, mmoeLink,
} from '../../src/data/synthetic/index.ts';

function col(W: Matrix, t: number): Float64Array {
  return W.col(t);
}

function sameData(a: MultiTaskDataset, b: MultiTaskDataset): boolean {
  if (a.tasks.length !== b.tasks.length) return false;
  return a.tasks.every((t, i) => {
    const u = b.tasks[i]!;
    return t.name === u.name && t.X.data.every((v, k) => Object.is(v, u.X.data[k])) && t.y.every((v, k) => Object.is(v, u.y[k]));
  });
}

/** Checks the shape contract every per-task generator shares. */
function checkPerTask(ds: MultiTaskDataset, T: number, d: number, n: readonly number[]): void {
  assert.equal(ds.layout, 'per-task');
  assert.equal(ds.tasks.length, T);
  assert.deepEqual(ds.featureNames, Array.from({ length: d }, (_, j) => `x${j + 1}`));
  let offset = 0;
  ds.tasks.forEach((t, i) => {
    assert.equal(t.name, `t${i + 1}`);
    assert.equal(t.X.rows, n[i]);
    assert.equal(t.X.cols, d);
    assert.equal(t.y.length, n[i]);
    assert.deepEqual(Array.from(t.rows), Array.from({ length: n[i]! }, (_, k) => offset + k));
    offset += n[i]!;
    assert.ok(t.y.every(Number.isFinite));
  });
}

test('every generator: same seed gives identical data, another seed different data', () => {
  const S = Matrix.from([[1, 0.5], [0.5, 1]]);
  const gens: ((seed: number) => { dataset: MultiTaskDataset })[] = [
    (seed) => makeEqualTasks({ seed }),
    (seed) => makeChainTasks({ seed }),
    (seed) => makeClusteredTasks({ seed }),
    (seed) => makeLowRankTasks({ seed }),
    (seed) => makeSparseTasks({ seed }),
    (seed) => makeOutlierTasks({ seed }),
    (seed) => makeCovarianceTasks({ covariance: S, seed }),
    (seed) => makeMmoeTasks({ seed, d: 10, n: 50 }),
    (seed) => makeMultiOutput({ seed }),
    (seed) => makeDemoProblem(seed),
  ];
  for (const g of gens) {
    const a = g(7).dataset;
    assert.ok(sameData(a, g(7).dataset), `${a.source}: same seed must repeat`);
    assert.ok(!sameData(a, g(8).dataset), `${a.source}: another seed must differ`);
  }
});

test('shapes, names and consecutive rows; n per task as an array', () => {
  const n = [5, 8, 13];
  const { dataset, truth } = makeClusteredTasks({ T: 3, d: 4, n, k: 2, seed: 3 });
  checkPerTask(dataset, 3, 4, n);
  assert.equal(truth.W.rows, 4);
  assert.equal(truth.W.cols, 3);
  assert.equal(truth.intercepts.length, 3);
  assert.equal(dataset.kind, 'regression');
});

test('noise-free squared labels are exactly xᵀw + b', () => {
  const { dataset, truth } = makeLowRankTasks({ T: 4, d: 6, n: 10, noise: 0, interceptSd: 1, rank: 2, seed: 5 });
  assert.ok(truth.intercepts.some((b) => b !== 0));
  dataset.tasks.forEach((task, t) => {
    const w = col(truth.W, t);
    for (let i = 0; i < task.y.length; i++) assert.ok(Math.abs(task.y[i]! - (dot(task.X.row(i), w) + truth.intercepts[t]!)) < 1e-12);
  });
});

test('label noise has the requested standard deviation', () => {
  const { dataset, truth } = makeEqualTasks({ T: 2, d: 3, n: 4000, noise: 0.5, seed: 9 });
  const res: number[] = [];
  dataset.tasks.forEach((task, t) => {
    const w = col(truth.W, t);
    for (let i = 0; i < task.y.length; i++) res.push(task.y[i]! - dot(task.X.row(i), w));
  });
  const sd = Math.sqrt(res.reduce((s, r) => s + r * r, 0) / res.length);
  // sd of the sample sd ≈ σ/√(2N) = 0.0040; allow 5 of them.
  assert.ok(Math.abs(sd - 0.5) < 0.02, `sd ${sd}`);
});

test('equal tasks share one w', () => {
  const { truth } = makeEqualTasks({ T: 5, d: 4, seed: 2 });
  for (let t = 1; t < 5; t++) assert.deepEqual(col(truth.W, t), col(truth.W, 0));
});

test('chain: every consecutive step has norm exactly `step`', () => {
  const { truth } = makeChainTasks({ T: 8, d: 5, step: 0.25, seed: 4 });
  for (let t = 0; t + 1 < 8; t++) {
    const diff = col(truth.W, t + 1).map((v, j) => v - col(truth.W, t)[j]!);
    assert.ok(Math.abs(norm2(diff) - 0.25) < 1e-12);
  }
});

test('clusters: balanced labels, tasks close to their own centre and far from the others', () => {
  const { truth } = makeClusteredTasks({ T: 12, d: 30, k: 3, withinSd: 0.05, seed: 6 });
  const clusters = truth.clusters!;
  const centres = truth.centres!;
  assert.equal(centres.cols, 3);
  for (let c = 0; c < 3; c++) assert.equal(clusters.filter((z) => z === c).length, 4);
  for (let t = 0; t < 12; t++) {
    const w = col(truth.W, t);
    const dist = [0, 1, 2].map((c) => norm2(w.map((v, j) => v - centres.get(j, c))));
    // E‖e_t‖ ≈ 0.05·√30 ≈ 0.27; centres are ≈ √60 ≈ 7.7 apart.
    assert.ok(dist[clusters[t]!]! < 0.5, `task ${t} is ${dist[clusters[t]!]} from its centre`);
    for (let c = 0; c < 3; c++) if (c !== clusters[t]) assert.ok(dist[c]! > 3);
  }
});

test('low rank: W has exactly `rank` non-negligible singular values', () => {
  const { truth } = makeLowRankTasks({ T: 15, d: 12, rank: 3, seed: 8 });
  const { s } = svd(truth.W);
  assert.equal(truth.rank, 3);
  assert.ok(s[2]! > 1e-3 * s[0]!);
  for (let k = 3; k < s.length; k++) assert.ok(s[k]! < 1e-12 * s[0]!, `s[${k}] = ${s[k]}`);
  assert.throws(() => makeLowRankTasks({ T: 3, d: 12, rank: 4 }), OptionError);
});

test('sparse: support rows non-zero in every task, all other rows exactly zero', () => {
  const { truth } = makeSparseTasks({ T: 6, d: 20, s: 4, seed: 10 });
  const support = Array.from(truth.support!);
  assert.equal(support.length, 4);
  assert.deepEqual(support, [...support].sort((a, b) => a - b));
  for (let j = 0; j < 20; j++) {
    const row = truth.W.row(j);
    if (support.includes(j)) assert.ok(row.every((v) => v !== 0));
    else assert.ok(row.every((v) => v === 0));
  }
});

test('outliers: regular tasks near a common w, outliers far and named in the truth', () => {
  const { truth } = makeOutlierTasks({ T: 10, d: 25, outliers: 2, withinSd: 0.05, seed: 11 });
  assert.equal(truth.outlierTasks!.length, 2);
  const regular = truth.clusters!.reduce<number[]>((a, z, t) => (z === 0 ? [...a, t] : a), []);
  assert.equal(regular.length, 8);
  const mean = new Float64Array(25);
  for (const t of regular) col(truth.W, t).forEach((v, j) => (mean[j]! += v / 8));
  for (let t = 0; t < 10; t++) {
    const dist = norm2(col(truth.W, t).map((v, j) => v - mean[j]!));
    const isOutlier = truth.outlierTasks!.includes(`t${t + 1}`);
    assert.equal(truth.clusters![t], isOutlier ? -1 : 0);
    assert.ok(isOutlier ? dist > 2 : dist < 0.5, `task ${t}: ${dist}`);
  }
});

test('covariance: the empirical covariance of many W rows approaches Σ', () => {
  const S = Matrix.from([[1, 0.8, -0.3], [0.8, 1, 0], [-0.3, 0, 0.5]]);
  const d = 20000;
  const { truth } = makeCovarianceTasks({ covariance: S, d, n: 1, seed: 12 });
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += truth.W.get(j, a) * truth.W.get(j, b);
      const emp = s / d;
      // sd of a sample covariance ≈ √((Σ_aa Σ_bb + Σ_ab²)/d) ≤ √(2/d) = 0.01; allow 5 sd.
      assert.ok(Math.abs(emp - S.get(a, b)) < 0.05, `(${a},${b}) ${emp} vs ${S.get(a, b)}`);
    }
  }
  assert.throws(() => makeCovarianceTasks({ covariance: Matrix.from([[1, 2], [2, 1]]) }), OptionError);
  assert.throws(() => makeCovarianceTasks({ covariance: Matrix.from([[1, 0.5], [0.4, 1]]) }), OptionError);
});

test('covariance: a singular (rank-1) Σ gives perfectly correlated tasks', () => {
  const S = Matrix.from([[1, 1], [1, 1]]);
  const { truth } = makeCovarianceTasks({ covariance: S, d: 50, seed: 1 });
  for (let j = 0; j < 50; j++) assert.ok(Math.abs(truth.W.get(j, 0) - truth.W.get(j, 1)) < 1e-7);
});

test('MMoE: cos(w1, w2) = p to 1e-12, ‖w_i‖ = c, and labels follow the paper\'s formula', () => {
  for (const p of [-1, -0.5, 0, 0.3, 0.9, 1]) {
    const { dataset, truth } = makeMmoeTasks({ d: 40, n: 30, p, c: 2, noise: 0, seed: 13 });
    const w1 = col(truth.W, 0);
    const w2 = col(truth.W, 1);
    assert.ok(Math.abs(dot(w1, w2) / (norm2(w1) * norm2(w2)) - p) < 1e-12);
    assert.ok(Math.abs(norm2(w1) - 2) < 1e-12 && Math.abs(norm2(w2) - 2) < 1e-12);
    assert.equal(dataset.layout, 'multi-output');
    assert.equal(truth.alphas.length, 10);
    const X = dataset.shared!.X;
    for (let i = 0; i < 30; i++) {
      assert.ok(Math.abs(dataset.shared!.Y.get(i, 0) - mmoeLink(dot(X.row(i), w1), truth.alphas, truth.betas)) < 1e-12);
      assert.ok(Math.abs(dataset.tasks[1]!.y[i]! - mmoeLink(dot(X.row(i), w2), truth.alphas, truth.betas)) < 1e-12);
    }
  }
  assert.throws(() => makeMmoeTasks({ p: 1.5 }), OptionError);
});

test('logistic labels are ±1 with P(y = +1) = σ(xᵀw + b) (calibrated in every probability bin)', () => {
  const { dataset, truth } = makeEqualTasks({ T: 3, d: 2, n: 3000, loss: 'logistic', interceptSd: 0.5, seed: 14 });
  assert.equal(dataset.kind, 'binary');
  assert.deepEqual(dataset.labelMap, { negative: '-1', positive: '1' });
  // Per bin of σ(η): observed count of +1 vs expected Σσ, with sd √Σσ(1−σ); allow 5 sd.
  const bins = Array.from({ length: 5 }, () => ({ obs: 0, exp: 0, varSum: 0, count: 0 }));
  dataset.tasks.forEach((task, t) => {
    const w = col(truth.W, t);
    task.y.forEach((y, i) => {
      assert.ok(y === 1 || y === -1);
      const p = 1 / (1 + Math.exp(-(dot(task.X.row(i), w) + truth.intercepts[t]!)));
      const bin = bins[Math.min(4, Math.floor(p * 5))]!;
      bin.obs += y === 1 ? 1 : 0;
      bin.exp += p;
      bin.varSum += p * (1 - p);
      bin.count++;
    });
  });
  for (const bin of bins) {
    assert.ok(bin.count > 100, 'every bin is populated');
    assert.ok(Math.abs(bin.obs - bin.exp) < 5 * Math.sqrt(bin.varSum) + 1, `observed ${bin.obs}, expected ${bin.exp}`);
  }
});

test('multi-output: shared X, NaN for missing, missing fraction close to the option', () => {
  const n = 400;
  const T = 5;
  const { dataset, truth } = makeMultiOutput({ T, d: 6, n, missing: 0.3, structure: 'sparse', s: 2, seed: 15 });
  assert.equal(dataset.layout, 'multi-output');
  const { X, Y } = dataset.shared!;
  assert.equal(X.rows, n);
  assert.equal(Y.cols, T);
  let miss = 0;
  for (const v of Y.data) if (Number.isNaN(v)) miss++;
  // sd of the fraction = √(0.3·0.7/2000) ≈ 0.010; allow 5 sd.
  assert.ok(Math.abs(miss / (n * T) - 0.3) < 0.05, `missing ${miss / (n * T)}`);
  assert.equal(truth.support!.length, 2);
  dataset.tasks.forEach((task, t) => {
    for (let k = 0; k < task.rows.length; k++) {
      const i = task.rows[k]!;
      assert.equal(task.y[k], Y.get(i, t));
      assert.deepEqual(task.X.row(k), X.row(i));
    }
    assert.equal(task.rows.length + Array.from({ length: n }, (_, i) => Y.get(i, t)).filter(Number.isNaN).length, n);
  });
});

test('multi-output: a task never ends up with no labels', () => {
  const { dataset } = makeMultiOutput({ T: 20, d: 2, n: 1, missing: 0.99, seed: 16 });
  for (const t of dataset.tasks) assert.equal(t.y.length, 1);
});

test('demo problem: 13 tasks, 3 clusters of 4 plus one named outlier, d = 20, n_t in 20..80', () => {
  const { dataset, truth } = makeDemoProblem(1);
  assert.equal(dataset.tasks.length, 13);
  assert.equal(dataset.featureNames.length, 20);
  for (const t of dataset.tasks) assert.ok(t.y.length >= 20 && t.y.length <= 80);
  assert.ok(new Set(dataset.tasks.map((t) => t.y.length)).size > 3, 'sizes vary');
  const z = Array.from(truth.clusters!);
  for (let c = 0; c < 3; c++) assert.equal(z.filter((v) => v === c).length, 4);
  assert.equal(z.filter((v) => v === -1).length, 1);
  assert.deepEqual(truth.outlierTasks, [`t${z.indexOf(-1) + 1}`]);
});

test('bad options are OptionErrors naming the option', () => {
  const cases: [() => unknown, string][] = [
    [() => makeEqualTasks({ T: 0 }), 'T'],
    [() => makeEqualTasks({ d: 2.5 }), 'd'],
    [() => makeEqualTasks({ T: 2, n: [3] }), 'n'],
    [() => makeEqualTasks({ noise: -1 }), 'noise'],
    [() => makeEqualTasks({ loss: 'hinge' as never }), 'loss'],
    [() => makeEqualTasks({ T: 2, taskNames: ['a', 'a'] }), 'taskNames'],
    [() => makeClusteredTasks({ T: 2, k: 3 }), 'k'],
    [() => makeSparseTasks({ d: 3, s: 4 }), 's'],
    [() => makeOutlierTasks({ T: 2, outliers: 2 }), 'outliers'],
    [() => makeMultiOutput({ missing: 1 }), 'missing'],
    [() => makeMmoeTasks({ d: 1 }), 'd'],
    [() => makeEqualTasks({ seed: 0.5 }), 'seed'],
  ];
  for (const [f, option] of cases) {
    assert.throws(f, (e: unknown) => e instanceof OptionError && e.option === option, `expected OptionError on ${option}`);
  }
});
