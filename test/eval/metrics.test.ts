import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, auc, binaryMetrics, f1, logloss, LOGLOSS_EPS, mae, mse, nmse, r2, regressionMetrics, rmse } from '../../src/eval/metrics.ts';
import { deltaM, relativeGain } from '../../src/eval/delta-m.ts';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

test('regression metrics by hand', () => {
  const y = [1, 2, 3, 4];
  const p = [1, 3, 2, 4]; // residuals 0, −1, 1, 0
  close(mse(y, p), 0.5);
  close(rmse(y, p), Math.sqrt(0.5));
  close(mae(y, p), 0.5);
  // Var(y) = 1.25 (population), nMSE = 0.5 / 1.25 = 0.4, R² = 0.6
  close(nmse(y, p), 0.4);
  close(r2(y, p), 0.6);
  assert.ok(Number.isNaN(nmse([2, 2], [1, 3])), 'constant targets: nMSE undefined');
});

test('aggregates say how they aggregate: pooled vs task-averaged, School explained variance', () => {
  const tab = regressionMetrics([
    { task: 'a', y: [0, 2], pred: [0, 2] }, // MSE 0
    { task: 'b', y: [10, 12, 14, 16], pred: [11, 13, 15, 17] }, // MSE 1
  ]);
  close(tab.aggregate['mse']!, 4 / 6); // pooled over 6 samples
  close(tab.aggregate['rmse']!, Math.sqrt(4 / 6));
  close(tab.aggregate['rmse_task_avg']!, (0 + 1) / 2);
  // Pooled targets 0,2,10,12,14,16: mean 9, variance (81+49+1+9+25+49)/6 = 214/6.
  close(tab.aggregate['explained_variance']!, 1 - (4 / 6) / (214 / 6));
  // nMSE: a: 0/1 = 0, b: 1/5 = 0.2; weighted (2·0 + 4·0.2)/6, plain 0.1.
  close(tab.aggregate['nmse']!, 0.8 / 6);
  close(tab.aggregate['nmse_task_avg']!, 0.1);
  close(tab.aggregate['explained_variance_task_avg']!, (1 + 0.8) / 2);
  assert.equal(tab.aggregate['tasks_excluded'], 0);
});

test('AUC is exact with ties (Mann–Whitney midranks)', () => {
  close(auc([1, 1, -1, -1], [0.9, 0.8, 0.2, 0.1]), 1);
  close(auc([1, 1, -1, -1], [0.1, 0.2, 0.8, 0.9]), 0);
  // All scores tied: every pair counts ½.
  close(auc([1, -1, 1, -1], [0.5, 0.5, 0.5, 0.5]), 0.5);
  // Pairs (pos, neg): pos 0.8 vs negs {0.8, 0.3}: ½ + 1; pos 0.3 vs {0.8, 0.3}: 0 + ½ → 2/4.
  close(auc([1, -1, 1, -1], [0.8, 0.8, 0.3, 0.3]), 0.5);
  // pos {0.9, 0.5}, neg {0.5, 0.1}: 0.9 beats both (2), 0.5 ties 0.5 (½) and beats 0.1 (1) → 3.5/4.
  close(auc([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1]), 3.5 / 4);
});

test('single-class task: AUC NaN with a reason, excluded and counted, never a crash', () => {
  assert.ok(Number.isNaN(auc([1, 1, 1], [0.2, 0.5, 0.9])));
  const tab = binaryMetrics([
    { task: 'ok', y: [1, -1], pred: [0.9, 0.1] },
    { task: 'onlyneg', y: [-1, -1, -1], pred: [0.1, 0.7, 0.2] },
  ]);
  close(tab.aggregate['auc_task_avg']!, 1);
  close(tab.aggregate['auc']!, 1);
  assert.equal(tab.aggregate['tasks_excluded_auc'], 1);
  const ex = tab.excluded.find((e) => e.metric === 'auc');
  assert.equal(ex?.task, 'onlyneg');
  assert.match(ex!.reason, /one class/);
  // Pooled accuracy: 2 + 2 of 5 correct (0.7 ≥ ½ is a false positive).
  close(tab.aggregate['accuracy']!, 4 / 5);
});

test('accuracy, log-loss (clipped) and F1 by hand', () => {
  close(accuracy([1, -1, 1, -1], [0.7, 0.4, 0.2, 0.6]), 0.5);
  close(logloss([1, -1], [0.8, 0.4]), -(Math.log(0.8) + Math.log(0.6)) / 2);
  close(logloss([1], [0]), -Math.log(LOGLOSS_EPS)); // clipped, finite
  // TP 1 (0.7), FP 1 (0.6), FN 1 (0.2): F1 = 2/(2+1+1)
  close(f1([1, -1, 1, -1], [0.7, 0.4, 0.2, 0.6]), 0.5);
  assert.ok(Number.isNaN(f1([-1, -1], [0.1, 0.2])));
});

test('Δm: positive = better than the baseline, sign flips with the metric direction', () => {
  close(relativeGain(9, 10, false), 10); // RMSE 9 vs 10: 10% better
  close(relativeGain(0.9, 0.8, true), 12.5); // AUC 0.9 vs 0.8: 12.5% better
  const r = deltaM([9, 11], [10, 10], false);
  close(r.value, 0); // +10 and −10
  const r2_ = deltaM([9, 5, Number.NaN], [10, 0, 3], false);
  close(r2_.value, 10);
  assert.equal(r2_.excludedTasks, 2);
});

test('multiclass metrics: accuracy, macro-F1 by hand, cross-entropy, pooled and task-averaged aggregates', async () => {
  const { classAccuracy, macroF1, crossEntropy, multiclassMetrics } = await import('../../src/eval/metrics.ts');
  const y = [0, 0, 1, 1, 2, 2], p = [0, 1, 1, 1, 2, 0];
  assert.equal(classAccuracy(y, p), 4 / 6);
  // class 0: TP 1, FP 1, FN 1 → 2/4; class 1: TP 2, FP 1, FN 0 → 4/5; class 2: TP 1, FP 0, FN 1 → 2/3
  assert.ok(Math.abs(macroF1(y, p) - (0.5 + 0.8 + 2 / 3) / 3) < 1e-15);
  assert.equal(macroF1([3, 3], [3, 3]), 1);
  const P = [0.5, 0.25, 0.25, 0.1, 0.8, 0.1];
  assert.ok(Math.abs(crossEntropy([0, 1], P, 3) - -(Math.log(0.5) + Math.log(0.8)) / 2) < 1e-15);
  const t = multiclassMetrics([{ task: 'a', y, pred: p }, { task: 'b', y: [1, 1], pred: [1, 0] }]);
  assert.equal(t.aggregate['accuracy'], 5 / 8);
  assert.equal(t.aggregate['accuracy_task_avg'], (4 / 6 + 1 / 2) / 2);
  assert.equal(t.perTask[1]!.values['macro_f1'], (2 / 3 + 0) / 2);
});
