import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { availableBackends, backendName, setBackend } from '../../../src/linalg/backend.ts';
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
  const rows = fistaRows(
    { d: problem.d, T: problem.tasks.length, smoothInto: (w, g) => loss.evaluateInto(w, g), penalty: pen.separable!, lipschitz: obj.lipschitz! },
    { x0: new Float64Array(problem.d * problem.tasks.length), ...common },
  );
  return { obj, gen, rows };
}

for (const kind of ['l21', 'lasso'] as const) {
  test(`fistaRows (${kind}, many small tasks) takes the generic FISTA's iterates to rounding and reaches its optimum, certified, on every backend`, () => {
    const problem = small();
    const pen = penaltyFor(kind, problem, 0.5);
    const before = backendName();
    try {
      for (const b of availableBackends()) {
        setBackend(b);
        const { obj, gen, rows } = both(problem, pen, { tol: 1e-10 });
        assert.ok(gen.info.converged && rows.info.converged, `${b}: ${gen.info.message} / ${rows.info.message}`);
        // Same arithmetic in the same order: the traces agree entry by entry (1e-12 leaves room for nothing but rounding).
        assert.equal(rows.info.iterations, gen.info.iterations, `${b}: iterations`);
        const a = gen.info.objectiveTrace;
        const c = rows.info.objectiveTrace;
        assert.equal(c.length, a.length);
        for (let i = 0; i < a.length; i++) assert.ok(relDiff(c[i]!, a[i]!) <= 1e-12, `${b}: F at iteration ${i}: ${c[i]} vs ${a[i]}`);
        assert.ok(relDiff(rows.info.objective, gen.info.objective) <= 1e-8, `${b}: objective ${rows.info.objective} vs ${gen.info.objective}`);
        const W = rows.x[0]!;
        const Wg = gen.x[0]!;
        let md = 0;
        for (let i = 0; i < W.data.length; i++) md = Math.max(md, Math.abs(W.data[i]! - Wg.data[i]!));
        assert.ok(md <= 1e-12 * (1 + Math.max(...Array.from(Wg.data, Math.abs))), `${b}: max |ΔW| ${md}`);
        // Certified at the returned point by the generic solver's own residual.
        const res = proxGradientResidual(obj, rows.x, rows.lipschitz);
        assert.ok(res <= 1e-9, `${b}: prox-gradient residual ${res}`);
        // The penalty selects: some rows (l21) / entries (lasso) zero, some not.
        const parts = kind === 'l21' ? Array.from(rowNorms(W)) : Array.from(W.data);
        assert.ok(parts.some((v) => v === 0) && parts.some((v) => v !== 0), `${b}: a sparse solution`);
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
