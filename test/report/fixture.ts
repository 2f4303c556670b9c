// A hand-built ComparisonResult with every part the report can draw (CV curves, traces, learned
// task relationships, a sparse W), deterministic from a seed. Used by the report tests and the CLI's
// `report --from` test. Numbers are illustrative, not the output of a fit.
import { Random } from '../../src/linalg/random.ts';
import type { ComparisonResult, CVCurve, ModelComparison, TaskComparison } from '../../src/eval/types.ts';

export function fixtureResult(seed = 7, opts: { T?: number; d?: number; withExtras?: boolean } = {}): ComparisonResult {
  const rng = new Random(seed);
  const T = opts.T ?? 6;
  const d = opts.d ?? 5;
  const extras = opts.withExtras ?? true;
  const tasks = Array.from({ length: T }, (_, i) => (i === T - 1 ? 'unrelated' : `task ${i + 1}`));
  const features = Array.from({ length: d }, (_, j) => `x${j + 1}`);
  const splits = 5;
  const stlRmse = tasks.map(() => 1 + rng.uniform());
  const model = (name: string, factor: number, hurtLast: boolean, extra: Partial<ModelComparison> = {}): ModelComparison => {
    const taskRows: TaskComparison[] = tasks.map((task, t) => {
      const last = t === T - 1;
      const rmse = stlRmse[t]! * (name === 'stl' ? 1 : last && hurtLast ? 1.4 : factor);
      const gain = ((stlRmse[t]! - rmse) / stlRmse[t]!) * 100;
      return {
        task,
        n_test: 20,
        rmse,
        gain_over_stl: gain,
        p_value: name === 'stl' ? null : 0.01,
        p_adjusted: name === 'stl' ? null : 0.03,
        negative_transfer: name !== 'stl' && gain < 0,
        positive_transfer: name !== 'stl' && gain > 0,
      };
    });
    const mean = taskRows.reduce((s, r) => s + (r.rmse as number), 0) / T;
    const values = Array.from({ length: splits }, () => mean + 0.02 * rng.normal());
    return {
      name,
      metrics: { rmse_task_avg: { mean, std: 0.02, values }, rmse: { mean: mean * 1.01, std: 0.02, values } },
      tasks: taskRows,
      delta_m: name === 'stl' ? 0 : taskRows.reduce((s, r) => s + r.gain_over_stl, 0) / T,
      chosen: Array.from({ length: splits }, (): Record<string, number> => (name === 'pooled' ? {} : { lambda: 0.1 })),
      seconds: 0.05 + rng.uniform() * 0.1,
      fits: { total: splits * 21, unconverged: 0, failed: 0, worst_optimality: 1e-7, seconds: 0.05, backends: ['wasm'] },
      fits_per_split: [],
      unconverged: [],
      failures: [],
      units_failed: 0,
      cv_warnings: [],
      ...extra,
    };
  };
  const curve = (rule: 'min' | '1se'): CVCurve => {
    const grid = Array.from({ length: 8 }, (_, i) => 10 ** (1 - i * 0.5));
    const mean = grid.map((l) => 1 + 0.3 * (Math.log10(l) + 1) ** 2 + 0.01 * rng.uniform());
    const se = grid.map(() => 0.05);
    let best = 0;
    for (let i = 1; i < mean.length; i++) if (mean[i]! < mean[best]!) best = i;
    return { param: 'lambda', grid, mean, se, metric: 'mse', bestIndex: best, oneSeIndex: Math.max(0, best - 1), chosenIndex: rule === 'min' ? best : Math.max(0, best - 1), rule };
  };
  const trace = (n: number, rate: number): number[] => Array.from({ length: n }, (_, k) => 10 + 5 * rate ** k);
  const fit = (W: number[][], learned: Record<string, unknown>, n = 40) => ({
    objectiveTrace: trace(n, 0.8),
    iterations: n,
    converged: true,
    seconds: 0.01,
    W,
    learned,
  });
  const denseW = (): number[][] => features.map(() => tasks.map(() => rng.normal()));
  // L21: the last two feature rows exactly zero.
  const sparseW = features.map((_, j) => tasks.map(() => (j >= d - 2 ? 0 : rng.normal())));
  // MTRL: two groups of tasks plus the unrelated one (a Matrix-like object, as compare.ts may pass).
  const corr = tasks.map((_, i) => tasks.map((__, j) => (i === j ? 1 : i === T - 1 || j === T - 1 ? -0.1 : i % 2 === j % 2 ? 0.8 : 0.2)));
  const corrMatrixLike = { rows: T, cols: T, data: Object.fromEntries(corr.flat().map((v, k) => [String(k), v])) };
  const clusters = tasks.map((_, i) => (i === T - 1 ? 2 : i % 2));
  const models: ModelComparison[] = [
    model('stl', 1, false, extras ? { cv: curve('min') } : {}),
    model('pooled', 0.9, true),
    model('l21', 0.85, false, extras ? { cv: curve('1se'), fit: fit(sparseW, { selectedFeatures: features.slice(0, d - 2) }) } : {}),
    model('mtrl', 0.8, false, extras ? { cv: curve('min'), fit: fit(denseW(), { taskCorrelation: corrMatrixLike }, 25) } : {}),
    model('cmtl', 0.82, false, extras ? { cv: curve('min'), fit: fit(denseW(), { clusters }, 60) } : {}),
  ];
  return {
    dataset: {
      source: 'fixture (synthetic)',
      kind: 'regression',
      layout: 'per-task',
      tasks: tasks.map((name) => ({ name, n: 60 + Math.floor(rng.uniform() * 40) })),
      features,
    },
    protocol: { splits, splitSource: 'random', testRatio: 0.25, seed, cvFolds: 3, rule: 'min', alpha: 0.05, test: 'paired t-test, Holm over tasks' },
    primaryMetric: 'rmse',
    higherIsBetter: false,
    baseline: 'stl',
    models,
  };
}
