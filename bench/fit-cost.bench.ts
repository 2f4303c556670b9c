// Seconds per fit of every linear model, for compare's `workers: 'auto'` cost model
// (ModelDecl.estimateSeconds, src/linear/engine.ts). Run:
//   node --import tsx bench/fit-cost.bench.ts            print the table
//   node --import tsx bench/fit-cost.bench.ts --write    also rewrite src/linear/fit-cost.ts
// How it measures: clustered synthetic regression tasks (src/data/synthetic, 3 clusters) at three
// sizes (T × n × d = 8 × 40 × 10, 13 × 60 × 20, 20 × 120 × 30); for each model, the fits of one CV
// fold: warm-started paths over its declared product grid (10 points over 3 decades for one weight,
// 6 × 5 over 4 decades for two, from the tops ModelDecl.paramMax gives; no edge extensions), timed; the median seconds per fit of up to 3 repeats (after a
// warm-up, within ~10 s per model and size) per size; models whose path takes over a minute at one
// size (relation, cmtl) are not measured at the larger sizes. Then least squares of seconds = base + perValue·(Σ_t n_t·d) over the three sizes,
// clamped at ≥ 0. The constants are a scale for the auto decision (is the work worth 2 workers?),
// not a prediction: iterative solvers vary by ×10 with the grid point.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '../src/engines.ts';
import { getModel } from '../src/estimator/registry.ts';
import { makeClusteredTasks } from '../src/data/synthetic/clusters.ts';
import { logGrid } from '../src/eval/grid.ts';
import { backendName } from '../src/linalg/backend.ts';
import { ALL_MODEL_NAMES } from '../src/linear/registry.ts';
import type { MultiTaskDataset } from '../src/data/dataset.ts';

const SIZES = [
  { T: 8, n: 40, d: 10 },
  { T: 13, n: 60, d: 20 },
  { T: 20, n: 120, d: 30 },
];
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

function product(axes: number[][]): number[][] {
  let out: number[][] = [[]];
  for (const a of axes) out = out.flatMap((c) => a.map((v) => [...c, v]));
  return out;
}

/** Median seconds per fit of one model on one data set, over its CV-like grid. */
function secondsPerFit(name: string, ds: MultiTaskDataset): number {
  const decl = getModel(name);
  const tuned = decl.params.filter((p) => p.tune);
  const options = name === 'graph' ? { graph: ds.tasks.slice(1).map((_, t) => ({ from: t, to: t + 1 })) } : {};
  // The declared grid of every tuned parameter (as CV builds it, without edge extensions).
  const axes = tuned.map((p) => {
    const rule = p.tune!.grid;
    return rule.kind === 'fixed' ? [...rule.values] : logGrid(decl.paramMax?.(p.name, ds, options) ?? 1, rule.points, rule.decades);
  });
  const points = product(axes);
  const run = (): number => {
    const t0 = performance.now();
    let warm: unknown;
    for (const p of points) {
      const o: Record<string, unknown> = { ...options };
      tuned.forEach((q, i) => (o[q.name] = p[i]));
      const est = decl.make(o as never).fit(ds, warm !== undefined ? { warm } : {});
      warm = est.warmStart;
    }
    return (performance.now() - t0) / 1000 / Math.max(points.length, 1);
  };
  // Warm-up, then up to REPEATS timed runs within a budget of ~10 s per model and size (the
  // alternating models take seconds per fit: a slow first run counts as the measurement).
  const first = run();
  if (first * points.length > 5) return first;
  const times: number[] = [];
  const t0 = performance.now();
  for (let r = 0; r < REPEATS && (r === 0 || performance.now() - t0 < 10_000); r++) times.push(run());
  return median(times);
}

const data = SIZES.map((s) => makeClusteredTasks({ T: s.T, n: s.n, d: s.d, k: 3, noise: 1, seed: 5 }).dataset);
const values = SIZES.map((s) => s.T * s.n * s.d);
console.log(`seconds per fit (median of ${REPEATS}), backend ${backendName()}; sizes Σn·d = ${values.join(', ')}`);
const table: Record<string, { base: number; perValue: number }> = {};
for (const name of ALL_MODEL_NAMES) {
  // Slow models (relation, cmtl: seconds per fit at the top of their grids) stop at the size where
  // one size's path took more than 60 s; the fit then uses the sizes measured.
  const secs: number[] = [];
  for (const ds of data) {
    const t0 = performance.now();
    secs.push(secondsPerFit(name, ds));
    if (performance.now() - t0 > 60_000) break;
  }
  // Least squares of secs = base + perValue·values (one size only: proportional, base 0).
  const xs = values.slice(0, secs.length);
  const m = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / m;
  const my = secs.reduce((a, b) => a + b, 0) / m;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (secs[i]! - my);
    sxx += (x - mx) ** 2;
  });
  const perValue = m === 1 ? my / mx : Math.max(0, sxy / sxx);
  const base = m === 1 ? 0 : Math.max(0, my - perValue * mx);
  table[name] = { base: Number(base.toPrecision(3)), perValue: Number(perValue.toPrecision(3)) };
  console.log(`${name.padEnd(15)} ${secs.map((s) => s.toExponential(2).padStart(10)).join(' ')}   base ${table[name]!.base.toExponential(2)} s + ${table[name]!.perValue.toExponential(2)} s per value`);
}

if (process.argv.includes('--write')) {
  const file = fileURLToPath(new URL('../src/linear/fit-cost.ts', import.meta.url));
  const rows = Object.entries(table).map(([k, v]) => `  ${/^[a-z0-9]+$/.test(k) ? k : `'${k}'`}: { base: ${v.base}, perValue: ${v.perValue} },`);
  writeFileSync(
    file,
    `// Seconds per fit of each linear model: base + perValue·(Σ_t n_t·d), the cost model of compare's
// \`workers: 'auto'\` (ModelDecl.estimateSeconds). GENERATED by \`node --import tsx bench/fit-cost.bench.ts --write\`
// (${new Date().toISOString().slice(0, 10)}, backend ${backendName()}, medians of ${REPEATS} runs on clustered synthetic tasks
// of Σn·d = ${values.join(', ')}, each run the warm-started paths of one CV fold over the model's declared grid;
// the method is described in the bench's header). A scale for the auto decision, not a prediction.
export const FIT_COST: Readonly<Record<string, { readonly base: number; readonly perValue: number }>> = {
${rows.join('\n')}
};

/** For models without a measurement (none at the time of writing). */
export const FIT_COST_DEFAULT = { base: 0.005, perValue: 1.2e-7 } as const;
`,
  );
  console.log(`wrote ${file}`);
}
