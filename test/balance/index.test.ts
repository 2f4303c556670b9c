// Every registered aggregator and weighting: finite outputs on random and degenerate inputs
// (fast-check, T = 1 … 12, plus T = 128), explicit mode refusals naming the method and the flag,
// the mode recorded in the output, state threaded through calls, unknown names refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AGGREGATORS, WEIGHTINGS, createAggregator, createWeighting, directionOf } from '../../src/balance/index.ts';
import { OptionError, UnsupportedError } from '../../src/errors.ts';
import type { AggregatorInput, GradMode } from '../../src/balance/types.ts';
import { Random } from '../../src/linalg/random.ts';
import { arbCase, makeCase, type Case } from './helpers.ts';

function inputFor(c: Case, mode: GradMode, seed: number): AggregatorInput {
  const r = new Random(seed);
  return {
    mode,
    jacobian: c.G,
    losses: Float64Array.from({ length: c.T }, () => 0.1 + r.uniform()),
    representation: r.normals(c.P),
    batch: 1,
  };
}

test('aggregators: finite direction on random and degenerate Jacobians, in every mode they accept', () => {
  fc.assert(
    fc.property(arbCase({ maxT: 12, maxP: 16 }), fc.integer({ min: 0, max: 1e6 }), (c, seed) => {
      for (const [name, make] of Object.entries(AGGREGATORS)) {
        const agg = make({});
        for (const mode of agg.modes) {
          let state = agg.init(c.T);
          for (let step = 0; step < 2; step++) {
            const out = agg.aggregate(inputFor(c, mode, seed + step), state);
            assert.equal(out.mode, mode);
            const d = directionOf(out, c.G);
            assert.equal(d.length, c.P);
            assert.ok(d.every(Number.isFinite), `${name} (${mode}) on ${c.kind} T=${c.T} P=${c.P}: non-finite direction`);
            state = out.state;
          }
        }
      }
    }),
    { numRuns: 60 },
  );
});

test('aggregators: T = 128 tasks, P = 200 — finite output from every method', () => {
  const c = makeCase('random', 128, 200, 1);
  for (const [name, make] of Object.entries(AGGREGATORS)) {
    const agg = make({});
    const mode = agg.modes[0]!;
    const out = agg.aggregate(inputFor(c, mode, 3), agg.init(128));
    assert.ok(directionOf(out, c.G).every(Number.isFinite), name);
  }
});

test('aggregators: refused modes throw UnsupportedError naming the method, the mode and the flag', () => {
  const c = makeCase('random', 3, 5, 2);
  let refusals = 0;
  for (const [name, make] of Object.entries(AGGREGATORS)) {
    const agg = make({});
    for (const mode of ['jacobian', 'backward', 'rep'] as const) {
      if (agg.modes.includes(mode)) continue;
      refusals++;
      assert.throws(
        () => agg.aggregate(inputFor(c, mode, 1), agg.init(3)),
        (e: unknown) => e instanceof UnsupportedError && e.message.includes(name) && e.message.includes(`--grad-mode ${mode}`),
      );
    }
  }
  // db-mtl and moco refuse 'rep'; mgda-ub and graddrop refuse both parameter modes.
  assert.equal(refusals, 6);
});

test('aggregators: Gramian-only methods accept K without G and give the same weights', () => {
  const c = makeCase('random', 6, 9, 4);
  for (const [name, make] of Object.entries(AGGREGATORS)) {
    const agg = make({});
    if (agg.needs !== 'gramian') continue;
    const mode = agg.modes[0]!;
    const a = agg.aggregate({ mode, jacobian: c.G, losses: new Float64Array(6).fill(1) }, agg.init(6));
    const b = agg.aggregate({ mode, gramian: c.K, losses: new Float64Array(6).fill(1) }, agg.init(6));
    assert.ok(a.kind === 'weights' && b.kind === 'weights');
    if (a.kind === 'weights' && b.kind === 'weights') a.weights.forEach((v, t) => assert.ok(Math.abs(v - b.weights[t]!) <= 1e-9 * (1 + Math.abs(v)), `${name} task ${t}`));
  }
});

test('weightings: finite weights over 30 steps and 3 epochs, modes recorded', () => {
  const c = makeCase('random', 4, 10, 5);
  const r = new Random(9);
  for (const [name, make] of Object.entries(WEIGHTINGS)) {
    const w = make({});
    let state = w.init(4);
    for (let step = 0; step < 30; step++) {
      const losses = Float64Array.from({ length: 4 }, () => 0.2 + r.uniform());
      const out = w.weigh({ mode: 'backward', losses, epoch: Math.floor(step / 10), jacobian: c.G, gramian: c.K }, state);
      assert.equal(out.mode, 'backward');
      assert.ok(out.weights.every((v) => Number.isFinite(v) && v >= 0), `${name} step ${step}`);
      assert.ok(Number.isFinite(out.objective), name);
      state = w.afterStep ? w.afterStep(losses.map((l) => l * 0.99), out.state) : out.state;
    }
  }
});

test('unknown names and bad options are refused with the flag named', () => {
  assert.throws(() => createAggregator('nash'), (e: unknown) => e instanceof OptionError && /--aggregator/.test(e.message) && /nash-mtl/.test(e.message));
  assert.throws(() => createWeighting('uncertainty'), (e: unknown) => e instanceof OptionError && /--weighting/.test(e.message));
  assert.throws(() => createAggregator('cagrad', { c: -1 }), (e: unknown) => e instanceof OptionError && /--cagrad-c/.test(e.message));
  assert.throws(() => createAggregator('cagrad', { c: 'abc' }), (e: unknown) => e instanceof OptionError && /--cagrad-c/.test(e.message));
  assert.throws(() => createWeighting('dwa', { tau: 0 }), OptionError);
});

test('non-finite gradients or losses are refused, not propagated', () => {
  const c = makeCase('random', 3, 4, 6);
  const G = c.G.clone();
  G.data[5] = Number.NaN;
  assert.throws(() => createAggregator('upgrad').aggregate({ mode: 'jacobian', jacobian: G }, null), /NaN/);
  assert.throws(() => createWeighting('gls').weigh({ mode: 'backward', losses: Float64Array.from([1, 0, 2]), epoch: 0 }, null), /task 1/);
});
