import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionError } from '../../../src/errors.ts';
import { chainSpec } from '../../../src/linear/models/chain.ts';
import { graphSpec } from '../../../src/linear/models/graph.ts';
import { relErr, synthProblem } from '../helpers.ts';

test('graph with the chain edges (by name and by index) equals the chain model', () => {
  const { problem } = synthProblem({ T: 4, d: 3, n: 15, seed: 111 });
  const opts = { tol: 1e-12, maxIter: 1000, lambda: 0.7 };
  const chain = chainSpec.fit(problem, opts);
  const g = graphSpec.fit(problem, { ...opts, graph: [{ from: 'task0', to: 'task1' }, { from: 1, to: 2 }, { from: 'task2', to: 3, weight: 1 }] });
  assert.ok(relErr(g.W.data, chain.W.data) < 1e-10);
});

test('graph: unknown task, bad index, negative weight, missing graph are OptionErrors naming "graph"', () => {
  const { problem } = synthProblem({ T: 3, d: 2, n: 5, seed: 112 });
  const base = { tol: 1e-8, maxIter: 100 };
  const isGraphErr = (re: RegExp) => (e: unknown) => e instanceof OptionError && e.option === 'graph' && re.test(e.message);
  assert.throws(() => graphSpec.fit(problem, { ...base, graph: [{ from: 'task0', to: 'mars' }] }), isGraphErr(/unknown task "mars"/));
  assert.throws(() => graphSpec.fit(problem, { ...base, graph: [{ from: 0, to: 7 }] }), isGraphErr(/index 7/));
  assert.throws(() => graphSpec.fit(problem, { ...base, graph: [{ from: 0, to: 1, weight: -2 }] }), isGraphErr(/weight/));
  assert.throws(() => graphSpec.fit(problem, base), isGraphErr(/needs a task graph/));
});
