import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseGroups, evaluateSelection } from '../../src/select/grouping.ts';
import { groupGain, taskGainInGroup, type GainMatrix } from '../../src/select/hoa.ts';
import { adjustedRandIndex } from '../../src/linear/structure/clustering.ts';
import { Random } from '../../src/linalg/random.ts';

function randomGains(T: number, seed: number, mean = 0): GainMatrix {
  const rng = new Random(seed);
  const gain = new Float64Array(T * T);
  for (let k = 0; k < T * T; k++) gain[k] = Math.floor(k / T) === k % T ? 0 : rng.normal(mean, 5);
  return { T, gain };
}

/** Gains with planted blocks: +10 within a block, −10 across, and one task hurt by everyone. */
function plantedGains(labels: readonly number[], adversary: number): GainMatrix {
  const T = labels.length;
  const gain = new Float64Array(T * T);
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      if (i === j) continue;
      gain[i * T + j] = i === adversary || j === adversary ? -15 : labels[i] === labels[j] ? 10 : -10;
    }
  }
  return { T, gain };
}

/** Brute force: every selection of at most K non-empty subsets that covers all tasks. */
function bruteForce(g: GainMatrix, K: number): number {
  const T = g.T;
  const subsets: number[][] = [];
  for (let m = 1; m < 1 << T; m++) subsets.push([...Array(T).keys()].filter((i) => m & (1 << i)));
  let best = -Infinity;
  const pick: number[][] = [];
  const rec = (start: number): void => {
    const covered = new Set(pick.flat());
    if (covered.size === T) best = Math.max(best, evaluateSelection(g, pick).total);
    if (pick.length === K) return;
    for (let s = start; s < subsets.length; s++) {
      pick.push(subsets[s]!);
      rec(s + 1);
      pick.pop();
    }
  };
  rec(0);
  return best;
}

test('exact search (beam incumbent, budget bound, covering last group) equals brute force on noisy gains (T = 6, K = 2, 3; overlapping groups pay)', () => {
  for (let seed = 11; seed <= 12; seed++) {
    for (const mean of [0, 3]) {
      const g = randomGains(6, seed, mean);
      for (const K of [2, 3]) {
        const r = chooseGroups(g, { budget: K, method: 'exact' });
        const best = bruteForce(g, K);
        assert.ok(r.groups.length <= K);
        assert.ok(Math.abs(r.estimatedGain - best) < 1e-9, `seed ${seed} mean ${mean} K ${K}: ${r.estimatedGain} vs ${best}`);
        assert.ok(Math.abs(evaluateSelection(g, r.groups).total - r.estimatedGain) < 1e-9);
      }
    }
  }
});

test('HOA: a task\'s gain in a group is the mean of its pairwise gains; a singleton gains 0', () => {
  const g: GainMatrix = { T: 3, gain: Float64Array.from([0, 4, -2, 1, 0, 3, 5, 6, 0]) };
  assert.equal(taskGainInGroup(g, 0, [0]), 0);
  assert.equal(taskGainInGroup(g, 0, [0, 1, 2]), 1); // (4 − 2) / 2
  assert.equal(groupGain(g, [0, 1, 2]), (4 - 2 + 1 + 3 + 5 + 6) / 2);
});

test('exact branch and bound equals brute force on random gains (T = 5, K = 1…3)', () => {
  for (let seed = 1; seed <= 6; seed++) {
    const g = randomGains(5, seed);
    for (const K of [1, 2, 3]) {
      const r = chooseGroups(g, { budget: K, method: 'exact' });
      assert.ok(r.groups.length <= K);
      assert.ok(Math.abs(r.estimatedGain - bruteForce(g, K)) < 1e-9, `seed ${seed} K ${K}: ${r.estimatedGain} vs ${bruteForce(g, K)}`);
      // every task is served by a group that contains it
      r.serve.forEach((k, i) => assert.ok(r.groups[k]!.includes(i)));
    }
  }
});

test('every method recovers planted groups and isolates the adversarial task', () => {
  const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3];
  const g = plantedGains(labels, 9);
  for (const method of ['exact', 'greedy', 'beam'] as const) {
    const r = chooseGroups(g, { budget: 4, method });
    const found = r.serve.map((k) => k);
    assert.equal(adjustedRandIndex(found, labels), 1, `${method}: ${JSON.stringify(r.groups)}`);
    assert.deepEqual(r.groups.find((G) => G.includes(9)), [9], `${method} keeps the adversary alone`);
    assert.equal(r.taskGains[9], 0);
  }
});

test('greedy and beam respect the budget and give disjoint groups; beam is never worse than greedy', () => {
  for (let seed = 1; seed <= 5; seed++) {
    const g = randomGains(20, seed);
    for (const K of [1, 3, 7]) {
      const greedy = chooseGroups(g, { budget: K, method: 'greedy' });
      const beam = chooseGroups(g, { budget: K, method: 'beam', beamWidth: 4 });
      for (const r of [greedy, beam]) {
        assert.ok(r.groups.length <= K);
        const all = r.groups.flat().sort((a, b) => a - b);
        assert.deepEqual(all, [...Array(20).keys()]);
      }
      assert.ok(beam.estimatedGain >= greedy.estimatedGain - 1e-9, `seed ${seed} K ${K}`);
    }
  }
});

test('bad budgets and non-finite gains are refused by name', () => {
  const g = randomGains(4, 1);
  assert.throws(() => chooseGroups(g, { budget: 0 }), /budget/);
  const bad = { T: 2, gain: Float64Array.from([0, Number.NaN, 1, 0]) };
  assert.throws(() => chooseGroups(bad, { budget: 1 }), /not finite/);
  assert.throws(() => chooseGroups(randomGains(17, 1), { budget: 2, method: 'exact' }), /greedy or beam/);
});

test('the in-place greedy search equals the beam of width 1 (the copying implementation) on random gains', () => {
  for (let seed = 1; seed <= 6; seed++) {
    const g = randomGains(25, seed);
    for (const K of [1, 4, 9]) {
      const greedy = chooseGroups(g, { budget: K, method: 'greedy' });
      const beam1 = chooseGroups(g, { budget: K, method: 'beam', beamWidth: 1 });
      assert.deepEqual(greedy.groups, beam1.groups, `seed ${seed} K ${K}`);
      assert.ok(Math.abs(greedy.estimatedGain - beam1.estimatedGain) < 1e-9);
    }
  }
});
