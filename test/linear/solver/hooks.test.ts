// FitContext.onProgress and signal through the linear solvers: a long fit reports progress (at most
// every ~200 ms, with iteration and optimality) and an abort stops it cleanly between iterations,
// leaving the estimator unfitted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortError, NotFittedError } from '../../../src/errors.ts';
import type { FitProgress } from '../../../src/estimator/contract.ts';
import type { MultiTaskDataset } from '../../../src/data/dataset.ts';
import { MTLEstimator } from '../../../src/linear/estimator.ts';
import { PROGRESS_MS, progressTicker } from '../../../src/linear/solver/hooks.ts';
import { synthProblem } from '../helpers.ts';

function data(seed: number): MultiTaskDataset {
  const { problem } = synthProblem({ T: 6, d: 30, n: 60, seed });
  return { layout: 'per-task', kind: 'regression', featureNames: Array.from({ length: 30 }, (_, j) => `f${j}`), tasks: problem.tasks.map((t) => ({ ...t, rows: Int32Array.from(t.y, (_, i) => i) })), source: 'synthetic' };
}

test('a long FISTA fit reports progress at most every ~200 ms, with iteration and optimality', () => {
  const ds = data(1);
  const seen: { t: number; p: FitProgress }[] = [];
  const t0 = performance.now();
  // tol 1e-300 never converges: the fit runs its full iteration budget (≈ 0.5–1 s).
  const est = new MTLEstimator('trace', { lambda: 0.01, tol: 1e-300, maxIter: 4000 }).fit(ds, { onProgress: (p) => seen.push({ t: performance.now(), p }) });
  const total = performance.now() - t0;
  assert.equal(est.info.converged, false);
  assert.ok(seen.length >= 1 || total < PROGRESS_MS, `no progress in a ${total.toFixed(0)} ms fit`);
  for (const s of seen) assert.match(s.p.detail, /^trace: .*iteration \d+, optimality \d\.\d\de[+-]\d+/);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.t - seen[i - 1]!.t >= PROGRESS_MS - 1, 'throttled');
  assert.ok(seen.length <= total / PROGRESS_MS + 1);
});

test('the ticker throttles by clock and iteration count, and throws AbortError once the signal fires', () => {
  const calls: number[] = [];
  const tick = progressTicker({ onProgress: (it) => calls.push(it) }, 'x', 1);
  const until = performance.now() + 2.5 * PROGRESS_MS;
  let it = 0;
  while (performance.now() < until) tick(++it, 0.5);
  assert.ok(calls.length >= 2 && calls.length <= 3, `${calls.length} reports in 2.5 intervals`);
  const ac = new AbortController();
  const t2 = progressTicker({ signal: ac.signal }, 'x');
  t2(1, 1);
  ac.abort();
  assert.throws(() => t2(2, 1), AbortError);
  assert.throws(() => progressTicker({ signal: ac.signal }, 'x'), AbortError, 'already aborted: stops before the first iteration');
});

for (const [model, options] of [
  ['trace', { lambda: 0.01 }],
  ['mtrl', { solver: 'alternating' }],
  ['chain', { solver: 'sgd' }],
  ['mean', { solver: 'direct' }],
  ['cmtl', {}],
] as const) {
  test(`abort stops a ${model} fit (${(options as { solver?: string }).solver ?? 'default solver'}) between iterations; the estimator stays unfitted`, () => {
    const ds = data(2);
    const ac = new AbortController();
    const est = new MTLEstimator(model, { ...options, tol: 1e-300, maxIter: 100000 });
    const t0 = performance.now();
    // Abort from the first progress report: the fit must end at the next iteration, not at maxIter.
    assert.throws(() => est.fit(ds, { signal: ac.signal, onProgress: () => ac.abort() }), (e: unknown) => e instanceof AbortError && e.code === 'ABORTED');
    assert.ok(performance.now() - t0 < 5000, 'stopped early');
    assert.throws(() => est.W, NotFittedError);
    // A signal that has already fired stops the fit before any work.
    const pre = new AbortController();
    pre.abort();
    assert.throws(() => new MTLEstimator(model, options).fit(ds, { signal: pre.signal }), AbortError);
  });
}
