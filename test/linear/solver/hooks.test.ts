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
  // tol 1e-300 never converges: the fit runs its full iteration budget (≈ 0.3–1 s).
  const est = new MTLEstimator('trace', { lambda: 0.01, tol: 1e-300, maxIter: 1500 }).fit(ds, { onProgress: (p) => seen.push({ t: performance.now(), p }) });
  const total = performance.now() - t0;
  assert.equal(est.info.converged, false);
  // The solver's own time (FitInfo.seconds, the span the ticker sees): past two intervals at least one
  // report is due (the clock is read every 16 iterations, a few ms here).
  if (est.info.seconds * 1000 > 2 * PROGRESS_MS) assert.ok(seen.length >= 1, `no progress in a ${(est.info.seconds * 1000).toFixed(0)} ms fit`);
  for (const s of seen) assert.match(s.p.detail, /^trace: .*iteration \d+, optimality \d\.\d\de[+-]\d+/);
  // Throttled: the ticker's own clock reads are PROGRESS_MS apart; the callback's timestamps may lag
  // its read by a scheduling delay on a loaded machine, so half an interval is the bound checked here
  // (the exact rule is tested with a fake clock below).
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.t - seen[i - 1]!.t >= PROGRESS_MS / 2, 'throttled');
  assert.ok(seen.length <= total / PROGRESS_MS + 1);
});

test('the ticker throttles by clock and iteration count, and throws AbortError once the signal fires', () => {
  // A fake clock: 30 ms per iteration, so reports fall due at iterations 7 (210 ms), 14 (420 ms), ...
  let ms = 0;
  const calls: number[] = [];
  const tick = progressTicker({ onProgress: (it) => calls.push(it) }, 'x', 1, () => ms);
  for (let it = 1; it <= 20; it++) {
    ms += 30;
    tick(it, 0.5);
  }
  assert.deepEqual(calls, [7, 14]);
  // Reading the clock only every 16 iterations: the first report is at the first multiple of 16 past 200 ms.
  ms = 0;
  const sparse: number[] = [];
  const t16 = progressTicker({ onProgress: (it) => sparse.push(it) }, 'x', 16, () => ms);
  for (let it = 1; it <= 40; it++) {
    ms += 30;
    t16(it, 0.5);
  }
  assert.deepEqual(sparse, [16, 32]);
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
  // cmtl's default for the squared loss is ADMM (whose loop trace covers above); its certified gap
  // reaches exactly 0 in floating point on this small problem, so tol 1e-300 would not keep it running.
  ['cmtl', { solver: 'fista' }],
] as const) {
  test(`abort stops a ${model} fit (${(options as { solver?: string }).solver ?? 'default solver'}) between iterations; the estimator stays unfitted`, () => {
    const ds = data(2);
    const ac = new AbortController();
    const est = new MTLEstimator(model, { ...options, tol: 1e-300, maxIter: 100000 });
    // Abort from the first progress report: the fit must end at the next iteration (no second report),
    // not at maxIter.
    let reports = 0;
    const onProgress = (): void => {
      reports++;
      ac.abort();
    };
    assert.throws(() => est.fit(ds, { signal: ac.signal, onProgress }), (e: unknown) => e instanceof AbortError && e.code === 'ABORTED' && /stopped by the caller/.test(e.message));
    assert.equal(reports, 1, 'stopped at the iteration after the abort');
    assert.throws(() => est.W, NotFittedError);
    // A signal that has already fired stops the fit before any work.
    const pre = new AbortController();
    pre.abort();
    assert.throws(() => new MTLEstimator(model, options).fit(ds, { signal: pre.signal }), AbortError);
  });
}

// The direct solve (PCG) of a small smooth model ends in milliseconds, before a first progress
// report could fire on a fast backend, so its abort is checked with a signal that has already fired.
test('abort stops a mean fit (direct) before any work; the estimator stays unfitted', () => {
  const ds = data(2);
  const pre = new AbortController();
  pre.abort();
  const est = new MTLEstimator('mean', { solver: 'direct' });
  assert.throws(() => est.fit(ds, { signal: pre.signal }), AbortError);
  assert.throws(() => est.W, NotFittedError);
});
