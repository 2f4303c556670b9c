import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainSpec } from '../../../src/linear/models/chain.ts';
import { l21Spec } from '../../../src/linear/models/l21.ts';
import { tglSpec } from '../../../src/linear/models/tgl.ts';
import { relDiff, synthProblem } from '../helpers.ts';

test('tgl: theta2 is the chain weight and theta3 the L21 weight (reduces to l21 and chain)', () => {
  const { problem } = synthProblem({ T: 4, d: 5, n: 25, seed: 151 });
  const base = { tol: 1e-10, maxIter: 20000, ridge: 0.01 };
  const asL21 = tglSpec.fit(problem, { ...base, theta2: 0, theta3: 0.3 });
  const l21 = l21Spec.fit(problem, { ...base, lambda: 0.3 });
  assert.ok(relDiff(asL21.info.objective, l21.info.objective) < 1e-10);
  const asChain = tglSpec.fit(problem, { ...base, theta2: 0.5, theta3: 0 });
  const chain = chainSpec.fit(problem, { ...base, lambda: 0.5 });
  assert.ok(relDiff(asChain.info.objective, chain.info.objective) < 1e-10);
  const both = tglSpec.fit(problem, { ...base, theta2: 0.5, theta3: 0.3 });
  assert.ok(both.info.converged);
  assert.ok(both.info.objective > Math.max(asL21.info.objective, asChain.info.objective));
});
