// The registry models driven by the evaluation machinery end to end (small data, few λ).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registryPlan } from '../../src/eval/plans.ts';
import '../../src/engines.ts';
import { crossValidate } from '../../src/eval/cv.ts';
import { compare } from '../../src/eval/compare.ts';
import { MTLEstimator } from '../../src/linear/estimator.ts';
import { OptionError } from '../../src/errors.ts';
import { syntheticTasks } from './helpers.ts';

test('an unknown model is an OptionError listing the available models', () => {
  assert.throws(() => registryPlan('nope'), (e: unknown) => e instanceof OptionError && /available: .*stl/.test(e.message));
});

test('plans follow the spec: STL per task on request, L21 tuned from its λ_max where W = 0', () => {
  assert.deepEqual(registryPlan('stl').params!.map((p) => typeof p === 'string' ? p : p.name), ['lambda']);
  assert.deepEqual(registryPlan('cmtl').params!.map((p) => typeof p === 'string' ? p : p.name), ['rho1', 'rho2']);
  assert.deepEqual(registryPlan('mtrl').params!.map((p) => typeof p === 'string' ? p : p.name), ['lambda2', 'lambda1']);
  assert.equal(registryPlan('stl').perTask, false, 'one λ for all tasks by default');
  assert.equal(registryPlan('stl', { perTaskLambda: true }).perTask, true);
  assert.equal(registryPlan('l21', { perTaskLambda: true }).perTask, false, 'only models that accept perTaskLambda');
  const l21 = registryPlan('l21');
  assert.deepEqual(l21.params!.map((p) => typeof p === 'string' ? p : p.name), ['lambda']);
  const ds = syntheticTasks({ T: 3, n: 20, d: 4, noise: 0.3, seed: 31 });
  const lmax = l21.tops!(ds, {})['lambda']!;
  assert.ok(lmax > 0);
  // At λ_max the fit is W = 0; a little below it is not.
  const W0 = new MTLEstimator('l21', { lambda: lmax }).fit(ds).W;
  assert.ok(W0.data.every((v) => v === 0));
  const W1 = new MTLEstimator('l21', { lambda: 0.9 * lmax }).fit(ds).W;
  assert.ok(W1.data.some((v) => v !== 0));
  const cv = crossValidate(l21.make({}), ds, { lambdaMax: lmax, points: 4, decades: 2, folds: 3 });
  assert.equal(cv.curve!.grid[0], lmax);
  // Without tops, crossValidate finds the registered model's declaration and its λ_max itself.
  const own = crossValidate(l21.make({}), ds, { points: 4, decades: 2, folds: 3 });
  assert.deepEqual(own.curve!.grid, cv.curve!.grid);
  // The empty model at λ_max predicts the training means: clearly worse than a fitted λ.
  assert.ok(cv.curve!.mean[0]! > cv.curve!.mean[3]!);
});

test('compare with registry models: STL vs pooled on related tasks, Δm and flags present', () => {
  const ds = syntheticTasks({ T: 4, n: 24, d: 3, noise: 1, seed: 32, unrelated: true });
  const r = compare(ds, { plans: registryPlan, models: ['pooled'], repeats: 4, cvFolds: 3, cv: { points: 4, decades: 3 }, seed: 1 });
  assert.deepEqual(r.models.map((m) => m.name), ['stl', 'pooled']);
  const pooled = r.models[1]!;
  assert.ok(pooled.fit && pooled.fit.W.length === 3 && pooled.fit.W[0]!.length === 4, 'fit summary with W (d × T)');
  assert.ok(Number.isFinite(pooled.delta_m!));
  assert.ok(pooled.tasks[3]!.gain_over_stl < 0, 'the unrelated task loses from pooling');
});
