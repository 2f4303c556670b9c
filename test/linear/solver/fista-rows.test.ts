import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { availableBackends, backendName, kernels, setBackend } from '../../../src/linalg/backend.ts';
import { createLoss } from '../../../src/linear/loss/index.ts';
import { SquaredLoss } from '../../../src/linear/loss/squared.ts';
import { l21Penalty, rowNorms } from '../../../src/linear/penalty/l21.ts';
import { lassoPenalty } from '../../../src/linear/penalty/lasso.ts';
import type { Penalty } from '../../../src/linear/penalty/types.ts';
import { fista, proxGradientResidual } from '../../../src/linear/solver/fista.ts';
import { fistaRows, rowsPenaltyValue } from '../../../src/linear/solver/fista-rows.ts';
import { linearObjective, solveLinear } from '../../../src/linear/solver/composite.ts';
import type { Problem } from '../../../src/linear/types.ts';
import { randomMatrix, relDiff, rowLambdaMax, synthProblem } from '../helpers.ts';

const D = 12;
const T = 120;
// n_t ≤ d: every task on the data path (one dsqGradBatched call per evaluation where the backend has it).
const small = (): Problem => synthProblem({ T, d: D, n: Array.from({ length: T }, (_, t) => 3 + (t % 8)), intercept: true, weights: true, seed: 43 }).problem;

// The task-major kernel tests share their large random operands (drawing ~4 M normals is their slow part).
const memo = new Map<string, Float64Array>();
function drawn(rows: number, cols: number, seed: number): Float64Array {
  const key = `${rows}x${cols}:${seed}`;
  if (!memo.has(key)) memo.set(key, randomMatrix(rows, cols, seed).data);
  return memo.get(key)!;
}

function penaltyFor(kind: 'l21' | 'lasso', problem: Problem, frac: number): Penalty {
  return kind === 'l21' ? l21Penalty(frac * rowLambdaMax(problem, 'l21')) : lassoPenalty(frac * rowLambdaMax(problem, 'lasso'));
}

/** The generic FISTA and the buffer-owning one on the same loss object, same options. */
function both(problem: Problem, pen: Penalty, opts: { tol: number; accelerate?: boolean; gram?: boolean | 'always' }) {
  const loss = createLoss(problem, { gram: opts.gram ?? true }) as SquaredLoss;
  const obj = linearObjective(loss, [], pen);
  const accelerate = opts.accelerate ?? true;
  const common = { tol: opts.tol, maxIter: 20000, accelerate, stepIncrease: accelerate };
  const gen = fista(obj, { x0: [Matrix.zeros(problem.d, problem.tasks.length)], ...common });
  // With the loss's data blocks: task-major for l21 where the backend has dsqGradTasks (native, ts), else d × T;
  // `passes` forces d × T. `calls` counts smoothInto (task-major never calls it: the loss runs on the blocks).
  const sqData = loss.rowsData();
  let calls = 0;
  const prob = { d: problem.d, T: problem.tasks.length, smoothInto: (w: Float64Array, g: Float64Array) => (calls++, loss.evaluateInto(w, g)), penalty: pen.separable!, lipschitz: obj.lipschitz!, ...(sqData ? { sqData } : {}) };
  const x0 = new Float64Array(problem.d * problem.tasks.length);
  const rows = fistaRows(prob, { x0, ...common });
  const rowsCalls = calls;
  const passes = fistaRows(prob, { x0, ...common, taskMajor: false });
  return { obj, gen, rows, rowsCalls, passes, fusedData: sqData !== null };
}

for (const kind of ['l21', 'lasso'] as const) {
  test(`fistaRows (${kind}, many small tasks) takes the generic FISTA's iterates to rounding and reaches its optimum, certified, on every backend`, () => {
    const problem = small();
    const pen = penaltyFor(kind, problem, 0.5);
    const before = backendName();
    try {
      for (const b of availableBackends()) {
        setBackend(b);
        const { obj, gen, rows: fusedRows, rowsCalls, passes, fusedData } = both(problem, pen, { tol: 1e-10 });
        // The task-major path ran where it exists (l21 on native and ts): smoothInto never called.
        assert.equal(fusedData, true, 'every task on the data path: the loss hands over its blocks');
        const taskMajorHere = kind === 'l21' && kernels().dsqGradTasks !== undefined;
        assert.equal(taskMajorHere, kind === 'l21' && b !== 'wasm', `${b}: task-major available`);
        assert.equal(rowsCalls === 0, taskMajorHere, `${b}: ${rowsCalls} smoothInto calls`);
        for (const [rows, path] of [[fusedRows, 'default layout'], [passes, 'd × T']] as const) {
          assert.ok(gen.info.converged && rows.info.converged, `${b} ${path}: ${gen.info.message} / ${rows.info.message}`);
          // Same arithmetic in the same order: the traces agree entry by entry (1e-12 leaves room for nothing but rounding).
          assert.equal(rows.info.iterations, gen.info.iterations, `${b} ${path}: iterations`);
          const a = gen.info.objectiveTrace;
          const c = rows.info.objectiveTrace;
          assert.equal(c.length, a.length);
          for (let i = 0; i < a.length; i++) assert.ok(relDiff(c[i]!, a[i]!) <= 1e-12, `${b} ${path}: F at iteration ${i}: ${c[i]} vs ${a[i]}`);
          assert.ok(relDiff(rows.info.objective, gen.info.objective) <= 1e-8, `${b} ${path}: objective ${rows.info.objective} vs ${gen.info.objective}`);
          const W = rows.x[0]!;
          const Wg = gen.x[0]!;
          let md = 0;
          for (let i = 0; i < W.data.length; i++) md = Math.max(md, Math.abs(W.data[i]! - Wg.data[i]!));
          assert.ok(md <= 1e-12 * (1 + Math.max(...Array.from(Wg.data, Math.abs))), `${b} ${path}: max |ΔW| ${md}`);
          // Certified at the returned point by the generic solver's own residual.
          const res = proxGradientResidual(obj, rows.x, rows.lipschitz);
          assert.ok(res <= 1e-9, `${b} ${path}: prox-gradient residual ${res}`);
          // The penalty selects: some rows (l21) / entries (lasso) zero, some not.
          const parts = kind === 'l21' ? Array.from(rowNorms(W)) : Array.from(W.data);
          assert.ok(parts.some((v) => v === 0) && parts.some((v) => v !== 0), `${b} ${path}: a sparse solution`);
        }
      }
    } finally {
      setBackend(before);
    }
  });
}

test('fistaRows without acceleration (ISTA) and on the Gram path (evaluateInto copies evaluate) equals the generic solver', () => {
  const problem = small();
  for (const [opts, what] of [[{ tol: 1e-7, accelerate: false }, 'ista'], [{ tol: 1e-9, gram: 'always' as const }, 'gram always']] as const) {
    const { gen, rows } = both(problem, penaltyFor('l21', problem, 0.3), opts);
    assert.ok(rows.info.converged, `${what}: ${rows.info.message}`);
    assert.equal(rows.info.iterations, gen.info.iterations, what);
    assert.ok(relDiff(rows.info.objective, gen.info.objective) <= 1e-12, `${what}: ${rows.info.objective} vs ${gen.info.objective}`);
  }
});

test('solveLinear on squared loss + l21 alone (its fistaRows path) returns the generic FISTA optimum and intercepts', () => {
  const problem = small();
  const pen = penaltyFor('l21', problem, 0.4);
  const sol = solveLinear(problem, { smooth: [], prox: pen }, { tol: 1e-10, maxIter: 20000 });
  const { gen } = both(problem, pen, { tol: 1e-10 });
  assert.equal(sol.info.iterations, gen.info.iterations);
  assert.ok(relDiff(sol.info.objective, gen.info.objective) <= 1e-12);
  const loss = createLoss(problem);
  const b = loss.intercepts(gen.x[0]!);
  for (let t = 0; t < T; t++) assert.ok(Math.abs(sol.intercepts[t]! - b[t]!) <= 1e-9 * (1 + Math.abs(b[t]!)), `intercept ${t}`);
});

test('rowsPenaltyValue is the penalties\' own value() exactly; shape errors are RangeErrors', () => {
  const W = randomMatrix(7, 9, 5);
  assert.equal(rowsPenaltyValue('rows', 0.3, W.data, 7, 9), l21Penalty(0.3).value(W));
  assert.equal(rowsPenaltyValue('entries', 0.3, W.data, 7, 9), lassoPenalty(0.3).value(W));
  const loss = createLoss(small()) as SquaredLoss;
  assert.throws(() => loss.evaluateInto(new Float64Array(3), new Float64Array(D * T)), RangeError);
  assert.throws(() => fistaRows({ d: D, T, smoothInto: (w, g) => loss.evaluateInto(w, g), penalty: { kind: 'rows', lambda: 1 } }, { x0: new Float64Array(5) }), /x0 has 5 entries/);
});

test('native fistaRowsStep / fistaRowsCheck equal the TypeScript passes (reference) to 1e-12, both penalties, with and without extrapolation, on 1 and 2 threads', async (t) => {
  const before = backendName();
  if (!availableBackends().includes('native')) return t.skip('native backend not built');
  const { passA, passC } = await import('../../../src/linear/solver/fista-rows.ts');
  const { nativeLoad } = await import('../../../src/linalg/kernels/native.ts');
  const drawn = new Map<string, Float64Array>(); // each draw once (drawing 262 400 normals is the slow part)
  // The small shape stays on one thread; d × T = 262 400 ≥ 2^18 is split over the pool when 2 threads are allowed.
  for (const [d, Tn, threads] of [[9, 37, 0], [8, 32800, 2]] as const) try {
    setBackend('native');
    nativeLoad.setThreads(threads);
    const k = kernels();
    assert.ok(k.fistaRowsStep && k.fistaRowsCheck, 'the native backend has both passes');
    const n = d * Tn;
    const arr = (seed: number) => {
      const key = `${d}x${Tn}:${seed}`;
      if (!drawn.has(key)) drawn.set(key, randomMatrix(d, Tn, seed).data);
      return Float64Array.from(drawn.get(key)!);
    };
    const [x, xp, gx, gp, gn] = [arr(1), arr(2), arr(3), arr(4), arr(5)];
    const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => {
      for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= 1e-12 * (1 + Math.abs(b[i]!)))) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
    };
    for (const kind of ['rows', 'entries'] as const) {
      for (const beta of [0, 0.37]) {
        const out = () => ({ y: beta === 0 ? arr(6) : new Float64Array(n), g: beta === 0 ? arr(7) : new Float64Array(n), xn: new Float64Array(n), s: new Float64Array(2) });
        // tau = the median row norm (|entry|) of v = y − 0.3·g (a prox at tau 0 is v itself): some zeroed, some kept.
        const v0 = out();
        passA(kind, d, Tn, beta, x, xp, gx, gp, v0.y, v0.g, v0.xn, 0.3, 0, v0.s);
        const sizes = kind === 'rows'
          ? Array.from({ length: d }, (_, j) => Math.sqrt(v0.xn.subarray(j * Tn, (j + 1) * Tn).reduce((q, v) => q + v * v, 0)))
          : Array.from(v0.xn, Math.abs);
        const tau = sizes.sort((p, q) => p - q)[sizes.length >> 1]!;
        const a = out();
        const b = out();
        const pa = passA(kind, d, Tn, beta, x, xp, gx, gp, a.y, a.g, a.xn, 0.3, tau, a.s);
        const pb = k.fistaRowsStep!(kind === 'rows', d, Tn, beta, x, xp, gx, gp, b.y, b.g, b.xn, 0.3, tau, b.s);
        const what = `${kind}, beta ${beta}, ${d} × ${Tn}, threads ${threads}`;
        close([pb], [pa], `${what}: penalty`);
        close(b.xn, a.xn, `${what}: xn`);
        close(b.y, a.y, `${what}: y`);
        close(b.g, a.g, `${what}: g`);
        close(b.s, a.s, `${what}: sums`);
        assert.ok(a.xn.some((v) => v === 0) && a.xn.some((v) => v !== 0), `${what}: the prox zeroes some and keeps some`);
        const ca = new Float64Array(5);
        const cb = new Float64Array(5);
        assert.equal(k.fistaRowsCheck!(n, a.xn, a.y, a.g, gn, x, 2.5, cb), passC(a.xn, a.y, a.g, gn, x, 2.5, ca));
        close(cb, ca, `${what}: check sums`);
      }
    }
    for (const at of [5, n - 3]) {
      const bad = Float64Array.from(x);
      bad[at] = at === 5 ? NaN : Infinity;
      assert.equal(k.fistaRowsCheck!(n, bad, x, gx, gn, x, 1, new Float64Array(5)), false, `non-finite at ${at}`);
    }
    assert.throws(() => k.fistaRowsCheck!(n, new Float64Array(3), x, gx, gn, x, 1, new Float64Array(5)), /shorter/);
  } finally {
    nativeLoad.setThreads(0);
    setBackend(before);
  }
});

for (const kind of ['l21', 'lasso'] as const) {
  test(`fistaRows with a constant step (${kind}) reaches the generic FISTA's optimum to 1e-8, certified, one loss evaluation per iteration, on every backend`, () => {
    const problem = small();
    const pen = penaltyFor(kind, problem, 0.5);
    const before = backendName();
    try {
      for (const b of availableBackends()) {
        setBackend(b);
        const { obj, gen } = both(problem, pen, { tol: 1e-10 });
        const loss = createLoss(problem, { gram: true }) as SquaredLoss;
        let evals = 0;
        const prob = { d: D, T, smoothInto: (w: Float64Array, g: Float64Array) => (evals++, loss.evaluateInto(w, g)), penalty: pen.separable!, lipschitz: obj.lipschitz! };
        const rows = fistaRows(prob, { x0: new Float64Array(D * T), tol: 1e-10, maxIter: 20000, constantStep: true });
        assert.ok(gen.info.converged && rows.info.converged, `${b}: ${rows.info.message}`);
        assert.ok(relDiff(rows.info.objective, gen.info.objective) <= 1e-8, `${b}: objective ${rows.info.objective} vs ${gen.info.objective}`);
        // The start's ‖∇f(0)‖ and f(x0), then one per iteration: the step L = obj.lipschitz never failed the test here.
        assert.equal(evals, rows.info.iterations + 2, `${b}: evaluations`);
        assert.equal(rows.lipschitz, obj.lipschitz, `${b}: L unchanged`);
        const res = proxGradientResidual(obj, rows.x, rows.lipschitz);
        assert.ok(res <= 1e-9, `${b}: prox-gradient residual ${res}`);
        // The constant step has no retries to spend, so its iterates are not fista.ts's (a different path to the same optimum).
        assert.ok(rows.info.objectiveTrace.length !== gen.info.objectiveTrace.length || rows.info.objectiveTrace.some((v, i) => v !== gen.info.objectiveTrace[i]), `${b}: a different path`);
      }
    } finally {
      setBackend(before);
    }
  });
}

test('fistaRows constantStep: the safeguard doubles an L below the curvature, and without an L it is a RangeError', () => {
  const problem = small();
  const pen = penaltyFor('l21', problem, 0.5);
  const loss = createLoss(problem, { gram: true }) as SquaredLoss;
  const obj = linearObjective(loss, [], pen);
  const base = { d: D, T, smoothInto: (w: Float64Array, g: Float64Array) => loss.evaluateInto(w, g), penalty: pen.separable! };
  const low = fistaRows({ ...base, lipschitz: obj.lipschitz! / 16 }, { x0: new Float64Array(D * T), tol: 1e-10, maxIter: 20000, constantStep: true });
  assert.ok(low.info.converged, low.info.message);
  assert.ok(low.lipschitz > obj.lipschitz! / 16, `L grew from ${obj.lipschitz! / 16} to ${low.lipschitz}`);
  const ref = fistaRows({ ...base, lipschitz: obj.lipschitz! }, { x0: new Float64Array(D * T), tol: 1e-10, maxIter: 20000, constantStep: true });
  assert.ok(relDiff(low.info.objective, ref.info.objective) <= 1e-8);
  assert.throws(() => fistaRows(base, { x0: new Float64Array(D * T), constantStep: true }), /constantStep needs problem.lipschitz/);
});

test('task-major l21: passATasks equals passA on the transpose (x⁺ and Ω bit for bit), native fistaRowsStepTasks and dsqGradTasks equal the references to 1e-12 on 1 and 2 threads', async () => {
  const { passA, passATasks } = await import('../../../src/linear/solver/fista-rows.ts');
  const { sqGradBatched, sqGradTasks } = await import('../../../src/linalg/kernels/reference.ts');
  const { nativeLoad } = await import('../../../src/linalg/kernels/native.ts');
  const before = backendName();
  const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => {
    for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= 1e-12 * (1 + Math.abs(b[i]!)))) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
  };
  const tr = (a: Float64Array, r: number, c: number): Float64Array => {
    const o = new Float64Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) o[j * r + i] = a[i * c + j]!;
    return o;
  };
  // d × T = 262 400 ≥ 2^18 (and rows × d ≥ 2^22 for the loss) is split over the pool when 2 threads are allowed.
  for (const [d, Tn, maxRows] of [[9, 70, 5], [8, 32800, 33]] as const) try {
    // Tasks of 0 … maxRows−1 rows (an empty one included).
    const offsets = new Int32Array(Tn + 1);
    for (let t = 0; t < Tn; t++) offsets[t + 1] = offsets[t]! + (t * 7) % maxRows;
    const nRows = offsets[Tn]!;
    const A = drawn(nRows, d, 11);
    const yv = drawn(1, nRows, 12);
    const c = Float64Array.from({ length: Tn }, (_, t) => 0.5 + (t % 3) / 4);
    const n = d * Tn;
    // Task-major arrays (T × d) and their d × T transposes.
    const [x, xp, gx, gp] = [1, 2, 3, 4].map((seed) => drawn(Tn, d, seed)) as [Float64Array, Float64Array, Float64Array, Float64Array];
    const [xD, xpD, gxD, gpD] = [x, xp, gx, gp].map((a) => tr(a, Tn, d)) as [Float64Array, Float64Array, Float64Array, Float64Array];
    const what0 = `${d} × ${Tn}`;
    for (const beta of [0, 0.37]) {
      // tau = the median row norm of v: some rows zeroed, some kept.
      const v0 = { y: beta === 0 ? Float64Array.from(xD) : new Float64Array(n), g: beta === 0 ? Float64Array.from(gxD) : new Float64Array(n), xn: new Float64Array(n) };
      passA('rows', d, Tn, beta, xD, xpD, gxD, gpD, v0.y, v0.g, v0.xn, 0.3, 0, new Float64Array(2));
      const norms = Array.from({ length: d }, (_, j) => Math.sqrt(v0.xn.subarray(j * Tn, (j + 1) * Tn).reduce((q, v) => q + v * v, 0)));
      const tau = norms.sort((p, q) => p - q)[d >> 1]!;
      const out = (tm: boolean) => {
        const base = tm ? [x, gx] : [xD, gxD];
        return { y: beta === 0 ? Float64Array.from(base[0]!) : new Float64Array(n), g: beta === 0 ? Float64Array.from(base[1]!) : new Float64Array(n), xn: new Float64Array(n), s: new Float64Array(2) };
      };
      const D0 = out(false);
      const penD = passA('rows', d, Tn, beta, xD, xpD, gxD, gpD, D0.y, D0.g, D0.xn, 0.3, tau, D0.s);
      const R = out(true);
      const penR = passATasks(d, Tn, beta, x, xp, gx, gp, R.y, R.g, R.xn, 0.3, tau, R.s);
      const what = `${what0}, beta ${beta}`;
      assert.equal(penR, penD, `${what}: Ω bit for bit`);
      assert.deepEqual(tr(R.xn, Tn, d), D0.xn, `${what}: x⁺ bit for bit`);
      assert.deepEqual(tr(R.y, Tn, d), D0.y, `${what}: y`);
      close(R.s, D0.s, `${what}: sums`);
      assert.ok(D0.xn.some((v) => v === 0) && D0.xn.some((v) => v !== 0), `${what}: the prox zeroes some rows and keeps some`);
      if (availableBackends().includes('native')) {
        setBackend('native');
        for (const th of Tn > 1000 ? [1, 2] : [0]) {
          nativeLoad.setThreads(th);
          const N = out(true);
          const penN = kernels().fistaRowsStepTasks!(d, Tn, beta, x, xp, gx, gp, N.y, N.g, N.xn, 0.3, tau, N.s);
          close([penN], [penR], `${what} native ${th} thr: Ω`);
          close(N.xn, R.xn, `${what} native ${th} thr: x⁺`);
          close(N.y, R.y, `${what} native ${th} thr: y`);
          close(N.g, R.g, `${what} native ${th} thr: g`);
          close(N.s, R.s, `${what} native ${th} thr: sums`);
        }
        nativeLoad.setThreads(0);
      }
    }
    // The loss task-major: reference = dsqGradBatched's reference on the transposes, bit for bit; native to 1e-12.
    const cols = Int32Array.from({ length: Tn }, (_, t) => t);
    const gB = new Float64Array(n);
    const fB = new Float64Array(Tn);
    sqGradBatched(Tn, offsets, d, A, cols, xD, Tn, yv, c, gB, fB);
    const gR = new Float64Array(n);
    const fR = new Float64Array(Tn);
    sqGradTasks(Tn, offsets, d, A, x, yv, c, gR, fR);
    assert.deepEqual(tr(gR, Tn, d), gB, `${what0}: sqGradTasks = sqGradBatched transposed`);
    assert.deepEqual(fR, fB, `${what0}: values`);
    if (availableBackends().includes('native')) {
      setBackend('native');
      for (const th of Tn > 1000 ? [1, 2] : [0]) {
        nativeLoad.setThreads(th);
        const gN = new Float64Array(n).fill(NaN);
        const fN = new Float64Array(Tn);
        kernels().dsqGradTasks!(Tn, offsets, d, A, x, yv, c, gN, fN);
        close(gN, gR, `${what0} native ${th} thr: gradient`);
        close(fN, fR, `${what0} native ${th} thr: values`);
        // The native d × T kernel on the transposes: the same products, so the same numbers.
        const gND = new Float64Array(n);
        const fND = new Float64Array(Tn);
        kernels().dsqGradBatched!(Tn, offsets, d, A, cols, xD, Tn, yv, c, gND, fND);
        assert.deepEqual(tr(gN, Tn, d), gND, `${what0} native ${th} thr: = dsqGradBatched`);
      }
      nativeLoad.setThreads(0);
      assert.throws(() => kernels().dsqGradTasks!(Tn, offsets, d, A, new Float64Array(3), yv, c, new Float64Array(n), new Float64Array(Tn)), /shorter/);
      assert.throws(() => kernels().fistaRowsStepTasks!(d, Tn, 0, x, xp, gx, gp, new Float64Array(3), new Float64Array(n), new Float64Array(n), 0.3, 0, new Float64Array(2)), /shorter/);
    }
  } finally {
    nativeLoad.setThreads(0);
    setBackend(before);
  }
});

test('task-major fistaRows: a constant step from L far below the curvature (L doubles, and the false-certificate guard re-tests at L0) reaches the d × T optimum, on every backend', () => {
  const problem = small();
  const pen = penaltyFor('l21', problem, 0.5);
  const before = backendName();
  try {
    for (const b of availableBackends()) {
      setBackend(b);
      const loss = createLoss(problem, { gram: true }) as SquaredLoss;
      const obj = linearObjective(loss, [], pen);
      const sqData = loss.rowsData()!;
      let calls = 0;
      const prob = { d: D, T, smoothInto: (w: Float64Array, g: Float64Array) => (calls++, loss.evaluateInto(w, g)), penalty: pen.separable!, lipschitz: obj.lipschitz! / 1000, sqData };
      const x0 = new Float64Array(D * T);
      const tm = fistaRows(prob, { x0, tol: 1e-10, maxIter: 20000, constantStep: true });
      assert.equal(calls === 0, b !== 'wasm', `${b}: task-major where available (${calls} smoothInto calls)`);
      const dt = fistaRows(prob, { x0, tol: 1e-10, maxIter: 20000, constantStep: true, taskMajor: false });
      assert.ok(tm.info.converged && dt.info.converged, `${b}: ${tm.info.message}`);
      assert.ok(tm.lipschitz > 10 * obj.lipschitz! / 1000, `${b}: L grew past 10 L0 (${tm.lipschitz})`);
      assert.ok(relDiff(tm.info.objective, dt.info.objective) <= 1e-9, `${b}: ${tm.info.objective} vs ${dt.info.objective}`);
      assert.ok(proxGradientResidual(obj, tm.x, tm.lipschitz) <= 1e-9, `${b}: certified`);
    }
  } finally {
    setBackend(before);
  }
});

type FusedKernel = NonNullable<ReturnType<typeof kernels>['fistaFusedTasks']>;

test('fistaFusedTasks: the reference is the three task-major passes composed (bit for bit), native equals it to 1e-12 on 1 and 2 threads, and broken variants fail the same check', async () => {
  const { passATasks, passC, rowNormsExact } = await import('../../../src/linear/solver/fista-rows.ts');
  const { fistaFusedTasks, sqGradTasks } = await import('../../../src/linalg/kernels/reference.ts');
  const { nativeLoad } = await import('../../../src/linalg/kernels/native.ts');
  const before = backendName();
  // rows × d ≥ 2^22 in the second shape: split over the pool when 2 threads are allowed.
  for (const [d, Tn, maxRows] of [[9, 70, 5], [8, 32800, 33]] as const) try {
    const offsets = new Int32Array(Tn + 1);
    for (let t = 0; t < Tn; t++) offsets[t + 1] = offsets[t]! + (t * 7) % maxRows; // an empty task included
    const nRows = offsets[Tn]!;
    const A = drawn(nRows, d, 11);
    const yv = drawn(1, nRows, 12);
    const c = Float64Array.from({ length: Tn }, (_, t) => 0.5 + (t % 3) / 4);
    const n = d * Tn;
    const [w, wp, g, gp] = [1, 2, 3, 4].map((seed) => drawn(Tn, d, seed)) as [Float64Array, Float64Array, Float64Array, Float64Array];
    const step = 0.3;
    const L = 2.5;
    const spec = Float64Array.of(0.61, 0.2, 0.1);
    for (const beta of [0, 0.37]) {
      const what = `${d} × ${Tn}, beta ${beta}`;
      // The prox's factors from the exact row sums; tau = the median row norm (some rows zeroed, some kept).
      const nsq = new Float64Array(d);
      rowNormsExact(d, Tn, beta, step, w, wp, g, gp, nsq);
      const tau = Array.from(nsq, Math.sqrt).sort((p, q) => p - q)[d >> 1]!;
      const fac = Float64Array.from(nsq, (s) => (Math.sqrt(s) <= tau ? 0 : 1 - tau / Math.sqrt(s)));
      // The expected results, from the three passes the fused kernel replaces.
      const yb = beta === 0 ? Float64Array.from(w) : new Float64Array(n);
      const gb = beta === 0 ? Float64Array.from(g) : new Float64Array(n);
      const xn = new Float64Array(n);
      const sA = new Float64Array(2);
      const pen = passATasks(d, Tn, beta, w, wp, g, gp, yb, gb, xn, step, tau, sA);
      const gnR = new Float64Array(n);
      const fR = new Float64Array(Tn);
      sqGradTasks(Tn, offsets, d, A, xn, yv, c, gnR, fR);
      const sC = new Float64Array(5);
      passC(xn, yb, gb, gnR, w, L, sC);
      const cands = [[spec[0]!, spec[1]!], [0, spec[1]!], [spec[0]!, spec[2]!], [0, spec[2]!]].map(([b2, s2]) => {
        const o = new Float64Array(d);
        rowNormsExact(d, Tn, b2!, s2!, xn, w, gnR, g, o);
        return o;
      });
      assert.ok(xn.some((v) => v === 0) && xn.some((v) => v !== 0), `${what}: the prox zeroes some rows and keeps some`);
      const run = (k: FusedKernel) => {
        const o = { wn: new Float64Array(n).fill(NaN), gn: new Float64Array(n).fill(NaN), f: new Float64Array(Tn), rows: new Float64Array(5 * d), sums: new Float64Array(8) };
        const finite = k(Tn, offsets, d, A, yv, c, beta, step, L, fac, spec, w, wp, g, gp, o.wn, o.gn, o.f, o.rows, o.sums);
        return { ...o, finite };
      };
      // Every output against the passes; returns the mismatches (empty: the kernel is right).
      const check = (k: FusedKernel): string[] => {
        const o = run(k);
        const bad: string[] = [];
        const close = (a: ArrayLike<number>, b: ArrayLike<number>, name: string): void => {
          for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= 1e-12 * (1 + Math.abs(b[i]!)))) return void bad.push(`${name}[${i}]: ${a[i]} vs ${b[i]}`);
        };
        close(o.wn, xn, 'x⁺');
        close(o.gn, gnR, '∇f(x⁺)');
        close(o.f, fR, 'f');
        close([o.sums[0]!], [fR.reduce((p, q) => p + q, 0)], 'Σf');
        close(o.sums.subarray(1, 3), beta === 0 ? [0, 0] : sA, 'extrapolation sums');
        close(o.sums.subarray(3, 8), sC, 'check sums');
        close([Array.from(o.rows.subarray(0, d), Math.sqrt).reduce((p, q) => p + q, 0)], [pen], 'Ω/λ');
        for (let m = 0; m < 4; m++) close(o.rows.subarray((m + 1) * d, (m + 2) * d), cands[m]!, `candidate ${m + 1}`);
        if (o.finite !== true) bad.push('finite');
        return bad;
      };
      assert.deepEqual(check(fistaFusedTasks), [], `${what}: reference`);
      // The reference bit for bit: x⁺, ∇f(x⁺), f and each candidate's row sums are the passes' own.
      const r = run(fistaFusedTasks);
      assert.deepEqual(r.wn, xn, `${what}: x⁺ bit for bit`);
      assert.deepEqual(r.gn, gnR, `${what}: ∇f(x⁺) bit for bit`);
      for (let m = 0; m < 4; m++) assert.deepEqual(r.rows.subarray((m + 1) * d, (m + 2) * d), cands[m], `${what}: candidate ${m + 1} bit for bit`);
      // Broken variants fail the check: candidates' steps swapped, the extrapolation dropped, the scale c ignored.
      const broken: [string, FusedKernel][] = [
        ['steps swapped', (...a) => fistaFusedTasks(...(a.map((v, i) => (i === 10 ? Float64Array.of(spec[0]!, spec[2]!, spec[1]!) : v)) as Parameters<FusedKernel>))],
        ['no c', (...a) => fistaFusedTasks(...(a.map((v, i) => (i === 5 ? new Float64Array(Tn).fill(1) : v)) as Parameters<FusedKernel>))],
      ];
      if (beta !== 0) broken.push(['no extrapolation', (...a) => fistaFusedTasks(...(a.map((v, i) => (i === 6 ? 0 : v)) as Parameters<FusedKernel>))]);
      if (Tn < 1000) for (const [name, k] of broken) assert.ok(check(k).length > 0, `${what}: the check catches "${name}"`); // (small shape: enough)
      if (availableBackends().includes('native')) {
        setBackend('native');
        const k = kernels().fistaFusedTasks;
        assert.ok(k, 'the native backend has fistaFusedTasks');
        for (const th of Tn > 1000 ? [1, 2] : [0]) {
          nativeLoad.setThreads(th);
          assert.deepEqual(check(k), [], `${what}: native, ${th} threads`);
        }
        nativeLoad.setThreads(0);
        // A non-finite x⁺ is reported; a short array is an error, not a read past its end.
        const wBad = Float64Array.from(w);
        const at = (Tn - 1) * d + 1;
        wBad[at] = Infinity;
        const facAll = new Float64Array(d).fill(0.5);
        const o = new Float64Array(n);
        assert.equal(k(Tn, offsets, d, A, yv, c, beta, step, L, facAll, spec, wBad, wp, g, gp, o, new Float64Array(n), new Float64Array(Tn), new Float64Array(5 * d), new Float64Array(8)), false, `${what}: native sees the non-finite x⁺`);
        assert.equal(fistaFusedTasks(Tn, offsets, d, A, yv, c, beta, step, L, facAll, spec, wBad, wp, g, gp, o, new Float64Array(n), new Float64Array(Tn), new Float64Array(5 * d), new Float64Array(8)), false, `${what}: the reference too`);
        assert.throws(() => k(Tn, offsets, d, A, yv, c, beta, step, L, fac, spec, w, wp, g, gp, new Float64Array(3), new Float64Array(n), new Float64Array(Tn), new Float64Array(5 * d), new Float64Array(8)), /shorter/);
        setBackend(before);
      }
    }
  } finally {
    nativeLoad.setThreads(0);
    setBackend(before);
  }
});

test('fused fistaRows (l21, task-major): the same iterates as the three passes, bit for bit, on every backend that has the kernel; the constant step and ISTA too', () => {
  const problem = small();
  const pen = penaltyFor('l21', problem, 0.5);
  const before = backendName();
  try {
    for (const b of availableBackends()) {
      setBackend(b);
      const loss = createLoss(problem, { gram: true }) as SquaredLoss;
      const obj = linearObjective(loss, [], pen);
      const prob = { d: D, T, smoothInto: (w: Float64Array, g: Float64Array) => loss.evaluateInto(w, g), penalty: pen.separable!, lipschitz: obj.lipschitz!, sqData: loss.rowsData()! };
      const x0 = new Float64Array(D * T);
      for (const o of [{}, { constantStep: true }, { accelerate: false, stepIncrease: false }]) {
        const what = `${b} ${JSON.stringify(o)}`;
        const fused = fistaRows(prob, { x0, tol: 1e-10, maxIter: 20000, ...o });
        const passes = fistaRows(prob, { x0, tol: 1e-10, maxIter: 20000, ...o, fused: false });
        assert.equal(/fused/.test(fused.info.message ?? ''), kernels().fistaFusedTasks !== undefined, `${what}: fused where the backend has it (${fused.info.message})`);
        assert.ok(!/fused/.test(passes.info.message ?? ''), what);
        assert.ok(fused.info.converged, `${what}: ${fused.info.message}`);
        assert.deepEqual(fused.info.objectiveTrace, passes.info.objectiveTrace, `${what}: F at every iteration`);
        assert.deepEqual(fused.x[0]!.data, passes.x[0]!.data, `${what}: W`);
        assert.equal(fused.lipschitz, passes.lipschitz, `${what}: L`);
      }
    }
  } finally {
    setBackend(before);
  }
});

test('fused fistaRows: progress and abort between iterations (hooks), and the row-norm pass when no candidate matches', () => {
  const problem = small();
  const pen = penaltyFor('l21', problem, 0.5);
  const loss = createLoss(problem, { gram: true }) as SquaredLoss;
  const obj = linearObjective(loss, [], pen);
  const prob = { d: D, T, smoothInto: (w: Float64Array, g: Float64Array) => loss.evaluateInto(w, g), penalty: pen.separable!, lipschitz: obj.lipschitz!, sqData: loss.rowsData()! };
  const x0 = new Float64Array(D * T);
  if (!kernels().fistaFusedTasks) return;
  // A signal that fires at its 7th read: the ticker reads it once at set-up and once per iteration.
  let reads = 0;
  const signal = { get aborted() { return ++reads >= 7; } } as unknown as AbortSignal;
  assert.throws(() => fistaRows(prob, { x0, tol: 1e-10, maxIter: 20000, hooks: { signal } }), (e: Error) => e.name === 'AbortError' && /iteration 6\b/.test(e.message));
  // The first iteration has no previous pass (one row-norm pass); an L far below the curvature doubles several
  // times in a row, past the two candidate steps (more).
  const ok = fistaRows(prob, { x0, tol: 1e-10, maxIter: 20000 });
  const low = fistaRows({ ...prob, lipschitz: obj.lipschitz! / 1000 }, { x0, tol: 1e-10, maxIter: 20000 });
  const passes = (m: string) => Number(/(\d+) row-norm passes/.exec(m)?.[1]);
  assert.ok(passes(ok.info.message ?? '') >= 1 && passes(low.info.message ?? '') > passes(ok.info.message ?? ''), `${ok.info.message} / ${low.info.message}`);
  const lowRef = fistaRows({ ...prob, lipschitz: obj.lipschitz! / 1000 }, { x0, tol: 1e-10, maxIter: 20000, fused: false });
  assert.deepEqual(low.info.objectiveTrace, lowRef.info.objectiveTrace);
});
