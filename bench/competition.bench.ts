// Cost of seeing the competition (issue 12) and of measuring neural task affinity (issue 13):
// ms per training step of an HPS MLP (64 → 128 → 128 ReLU trunk, T linear heads, batch 128,
// 20 steps per epoch, Adam), one epoch per run, medians over repeats, all cases interleaved in one
// run so the ratios to the plain step ("off") are measured side by side on the shared machine.
//  - log every N: the trainer's competition log (extra Jacobian of the shared parameters every N steps);
//  - mean-agg: the 'mean' aggregator in jacobian mode, competition log off vs on (the log then reuses
//    the step's Gramian every step);
//  - cosine / TAG: src/select/neural-affinity.ts probes every N steps.
// Run: node --import tsx bench/competition.bench.ts
import { Random } from '../src/linalg/random.ts';
import { buildArchitecture } from '../src/nn/arch/index.ts';
import { adam } from '../src/nn/optim/adam.ts';
import { sumAggregator } from '../src/nn/train/hooks.ts';
import { train } from '../src/nn/train/trainer.ts';
import type { MultiOutputData, TrainConfig } from '../src/nn/train/types.ts';
import { neuralAffinity } from '../src/select/neural-affinity.ts';
import { median } from './common.ts';

const D = 64, H = 128, B = 128, NB = 20, REPEATS = 5;

function problem(T: number): MultiOutputData {
  const rng = new Random(7);
  const n = NB * B;
  const X = Float32Array.from({ length: n * D }, () => rng.normal());
  const targets = Array.from({ length: T }, () => {
    const w = Float64Array.from({ length: D }, () => rng.normal() / 8);
    return Float32Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < D; j++) s += X[i * D + j]! * w[j]!;
      return Math.tanh(s);
    });
  });
  return { layout: 'multi-output', X, n, d: D, targets };
}

for (const T of [2, 8]) {
  const data = problem(T);
  const tasks = Array.from({ length: T }, (_, t) => ({ name: `t${t}`, kind: 'regression' as const }));
  const net = () => buildArchitecture('hps', { taskNames: tasks.map((t) => t.name), outDims: new Array<number>(T).fill(1), encoder: { kind: 'mlp', input: D, hidden: [H, H] } }, new Random(1));
  const base = (): TrainConfig => ({ tasks, epochs: 1, batchSize: B, seed: 1, optimizer: adam({ lr: 1e-3 }), valRatio: 0, logConflictEvery: 0 });
  const cases: [string, () => void][] = [
    ['off', () => { train(net(), data, base()); }],
    ['log every 10 (default)', () => { train(net(), data, { ...base(), logConflictEvery: 10 }); }],
    ['log every 1', () => { train(net(), data, { ...base(), logConflictEvery: 1 }); }],
    ['mean-agg, log off', () => { train(net(), data, { ...base(), aggregator: sumAggregator, gradMode: 'jacobian' }); }],
    ['mean-agg, log on', () => { train(net(), data, { ...base(), aggregator: sumAggregator, gradMode: 'jacobian', logConflictEvery: 1 }); }],
    ['cosine affinity every 1', () => { neuralAffinity(net(), data, base(), { measure: 'gradient-cosine', every: 1 }); }],
    ['TAG affinity every 1', () => { neuralAffinity(net(), data, base(), { measure: 'tag-lookahead', every: 1, lookaheadLr: 1e-3 }); }],
    ['TAG affinity every 10', () => { neuralAffinity(net(), data, base(), { measure: 'tag-lookahead', every: 10, lookaheadLr: 1e-3 }); }],
  ];
  for (const [, f] of cases) f(); // warm-up
  const times = cases.map(() => [] as number[]);
  for (let r = 0; r < REPEATS; r++) {
    cases.forEach(([, f], k) => {
      const t0 = performance.now();
      f();
      times[k]!.push((performance.now() - t0) / NB);
    });
  }
  const off = median(times[0]!);
  console.log(`\nT = ${T}: HPS ${D}→${H}→${H}, batch ${B}, ms/step (median of ${REPEATS} epochs of ${NB} steps), ratio to off`);
  cases.forEach(([name], k) => {
    const m = median(times[k]!);
    console.log(`  ${name.padEnd(26)} ${m.toFixed(2).padStart(8)} ms   ×${(m / off).toFixed(2)}`);
  });
}
