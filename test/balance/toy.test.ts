// The CAGrad / Nash-MTL toy problem: hand-written gradients against finite differences, the
// numerical Pareto front, and the papers' qualitative result from the start (9, 9): linear
// scalarisation stalls off the Pareto set, MGDA reaches it (Pareto-stationary, not dominated).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dominationGap, runToy, toyLosses, toyParetoGrid } from '../../src/balance/toy.ts';
import { mgda } from '../../src/balance/aggregator/mgda.ts';
import { sum } from '../../src/balance/aggregator/mean.ts';
import { Random } from '../../src/linalg/random.ts';

test('toy: gradients match central finite differences (both scales, away from the kinks)', () => {
  const r = new Random(1);
  for (let k = 0; k < 400; k++) {
    const x1 = r.uniformIn(-10, 10);
    const x2 = r.uniformIn(-10, 10);
    if (Math.abs(x2) < 1e-3) continue;
    for (const scale of [0.1, 1]) {
      const { jacobian } = toyLosses(x1, x2, scale);
      const h = 1e-6;
      for (let t = 0; t < 2; t++) {
        const fx = (toyLosses(x1 + h, x2, scale).losses[t]! - toyLosses(x1 - h, x2, scale).losses[t]!) / (2 * h);
        const fy = (toyLosses(x1, x2 + h, scale).losses[t]! - toyLosses(x1, x2 - h, scale).losses[t]!) / (2 * h);
        const tol = 1e-5 * (1 + Math.abs(fx) + Math.abs(fy));
        assert.ok(Math.abs(fx - jacobian.get(t, 0)) < tol && Math.abs(fy - jacobian.get(t, 1)) < tol, `(${x1}, ${x2}) task ${t}`);
      }
    }
  }
});

test('toy: the numerical Pareto front is non-dominated and spans L₂ from about −20 to 0', () => {
  const front = toyParetoGrid({ n: 120 });
  for (let i = 1; i < front.length; i++) assert.ok(front[i]!.f[0] >= front[i - 1]!.f[0] && front[i]!.f[1] < front[i - 1]!.f[1]);
  assert.ok(front[front.length - 1]!.f[1] < -19 && front[0]!.f[1] > -1);
  for (const p of front) assert.ok(dominationGap(p.f, front) <= 0);
});

test('toy: from (9, 9) linear scalarisation stalls off the Pareto set, MGDA reaches it', () => {
  const front = toyParetoGrid({ n: 200 });
  const ls = runToy({ aggregator: sum() }, [9, 9], { steps: 25000 });
  assert.ok(dominationGap(ls.losses, front) > 1, `LS ended at L = ${ls.losses}`);
  const m = runToy({ aggregator: mgda() }, [9, 9], { steps: 25000 });
  assert.ok(dominationGap(m.losses, front) <= 0.01, `MGDA ended at L = ${m.losses}`);
  assert.ok(m.stationarity < 1e-6, `MGDA stationarity ${m.stationarity}`);
});
