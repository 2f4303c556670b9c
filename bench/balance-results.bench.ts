// Results of the task-balancing methods (issue 12, "Tests and results"): Δm against single-task
// networks for EW, the loss weightings and the gradient aggregators, mean ± std over seeds 1, 2, 3,
// with the wall time per epoch, on two data sets:
//  (a) MultiFashion (two 10-class tasks, src/nn/data/multifashion.ts): HPS-LeNet (c1 = 10, c2 = 20,
//      fc 50, heads 50 → 10) vs two single-task LeNets; needs Debian's dataset-fashion-mnist;
//  (b) USPS one-vs-rest (10 binary tasks sharing X, ../shared/data/usps/usps.csv, 64 PCA features,
//      1 000 train / 500 test): HPS MLP 64 → 64 → 64 ReLU, linear heads, vs ten single-task MLPs.
// The trainer is driven directly (the estimator has no multiclass task kind yet). Metric: test
// accuracy per task; Δm (Maninis et al. 2019; LibMTL) = (1/T) Σ_t (M_t − M_stl,t) / M_stl,t × 100, for
// accuracy (higher is better) so positive Δm is better than STL. The STL reference M_stl,t is the
// mean over the three seeds; each method's Δm is computed per seed, then mean ± std over seeds.
// Validation: 10 % of the training rows (the test split is never used for selection), best epoch kept.
// Sizes (environment): BR_MF_TRAIN (1000), BR_MF_TEST (1000), BR_MF_EPOCHS (3), BR_MF_LR (3e-3), BR_USPS_EPOCHS (30),
// BR_METHODS (comma-separated labels to run, default all), BR_SETS (usps,multifashion).
// Run: nice node --import tsx bench/balance-results.bench.ts
import { existsSync, readFileSync } from 'node:fs';
import { trainerAggregator, trainerWeighting } from '../src/balance/nn-hooks.ts';
import type { GradMode } from '../src/balance/types.ts';
import { Random } from '../src/linalg/random.ts';
import { buildArchitecture, type ArchName, type ArchOptions } from '../src/nn/arch/index.ts';
import { hasFashionMnist, loadFashionMnist } from '../src/nn/data/fashion-mnist.ts';
import { makeMultiFashion } from '../src/nn/data/multifashion.ts';
import { adam } from '../src/nn/optim/adam.ts';
import { predictAll, train } from '../src/nn/train/trainer.ts';
import type { MultiOutputData, TaskSpec, TrainConfig } from '../src/nn/train/types.ts';

const SEEDS = [1, 2, 3];
const env = (k: string, d: number): number => (process.env[k] !== undefined ? Number(process.env[k]) : d);

interface Method { readonly label: string; readonly weighting?: string; readonly aggregator?: string; readonly mode?: GradMode }
/** EW, the loss weightings, then the aggregators (parameter gradients by one Jacobian backward). */
export const METHODS: readonly Method[] = [
  { label: 'EW' },
  { label: 'UW', weighting: 'uw' },
  { label: 'DWA', weighting: 'dwa' },
  { label: 'GLS', weighting: 'gls' },
  { label: 'RLW', weighting: 'rlw' },
  { label: 'IMTL-L', weighting: 'imtl-l' },
  { label: 'GradNorm', weighting: 'gradnorm', mode: 'jacobian' },
  { label: 'FAMO', weighting: 'famo' },
  { label: 'ExcessMTL', weighting: 'excess-mtl', mode: 'jacobian' },
  { label: 'MGDA', aggregator: 'mgda' },
  { label: 'PCGrad', aggregator: 'pcgrad' },
  { label: 'GradVac', aggregator: 'gradvac' },
  { label: 'CAGrad', aggregator: 'cagrad' },
  { label: 'Nash-MTL', aggregator: 'nash-mtl' },
  { label: 'IMTL-G', aggregator: 'imtl-g' },
  { label: 'Aligned-MTL', aggregator: 'aligned-mtl' },
  { label: 'UPGrad', aggregator: 'upgrad' },
  { label: 'DualProj', aggregator: 'dualproj' },
  { label: 'FairGrad', aggregator: 'fairgrad' },
  { label: 'ConFIG', aggregator: 'config' },
  { label: 'DB-MTL', aggregator: 'db-mtl' },
  { label: 'GradDrop', aggregator: 'graddrop', mode: 'rep' },
];

interface Problem {
  readonly name: string;
  readonly tasks: readonly TaskSpec[];
  readonly train: MultiOutputData;
  readonly testX: Float32Array;
  readonly testN: number;
  readonly testY: readonly Float32Array[];
  readonly arch: (kind: ArchName, seed: number) => ReturnType<typeof buildArchitecture>;
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly describe: string;
}

function accuracy(p: Problem, out: Float32Array[]): number[] {
  return p.tasks.map((task, t) => {
    const y = p.testY[t]!, o = out[t]!;
    let c = 0;
    if (task.kind === 'multiclass') {
      const C = task.classes!;
      for (let i = 0; i < p.testN; i++) {
        let b = 0;
        for (let k = 1; k < C; k++) if (o[i * C + k]! > o[i * C + b]!) b = k;
        if (b === y[i]) c++;
      }
    } else for (let i = 0; i < p.testN; i++) if ((o[i]! > 0 ? 1 : 0) === y[i]) c++;
    return c / p.testN;
  });
}

function runOne(p: Problem, kind: ArchName, m: Method, seed: number): { acc: number[]; secPerEpoch: number; mode: string } {
  const net = p.arch(kind, seed);
  const T = p.tasks.length;
  const mode: GradMode = m.mode ?? 'jacobian';
  const weighting = trainerWeighting(m.weighting ?? 'ew', { seed }, mode);
  const cfg: TrainConfig = {
    tasks: p.tasks, epochs: p.epochs, batchSize: p.batch, seed, optimizer: adam({ lr: p.lr }), valRatio: 0.1,
    weighting, logConflictEvery: 0,
    ...(m.aggregator ? { aggregator: trainerAggregator(m.aggregator, { seed }), gradMode: mode } : m.mode ? { gradMode: mode } : {}),
  };
  const r = train(net, p.train, cfg);
  const secs = r.history.reduce((a, h) => a + h.seconds, 0) / r.history.length;
  void T;
  return { acc: accuracy(p, predictAll(net, p.testX, p.testN, p.train.d)), secPerEpoch: secs, mode: m.aggregator || m.mode ? mode : 'loss only' };
}

const meanStd = (xs: number[]): [number, number] => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1);
  return [m, Math.sqrt(v)];
};
const pm = (xs: number[], d = 2, signed = false): string => {
  const [m, s] = meanStd(xs);
  return `${signed && m >= 0 ? '+' : ''}${m.toFixed(d)} ± ${s.toFixed(d)}`;
};

function table(p: Problem, methods: readonly Method[]): void {
  console.log(`\n### ${p.name}: Δm (%) vs single-task networks (positive = better), mean ± std over seeds ${SEEDS.join(', ')}`);
  console.log(p.describe);
  const T = p.tasks.length;
  const stl = SEEDS.map((s) => runOne(p, 'stl', { label: 'STL' }, s));
  const ref = Array.from({ length: T }, (_, t) => stl.reduce((a, r) => a + r.acc[t]!, 0) / stl.length);
  const meanAcc = (r: { acc: number[] }): number => (100 * r.acc.reduce((a, b) => a + b, 0)) / T;
  console.log('| method | grad mode | Δm (%) | mean test accuracy (%) | s / epoch |\n|---|---|---|---|---|');
  const sec = (rs: { secPerEpoch: number }[]): string => meanStd(rs.map((r) => r.secPerEpoch))[0].toFixed(2);
  console.log(`| STL (${T} networks) | — | 0 (reference) | ${pm(stl.map(meanAcc))} | ${sec(stl)} |`);
  for (const m of methods) {
    let rs: ReturnType<typeof runOne>[];
    try {
      rs = SEEDS.map((s) => runOne(p, 'hps', m, s));
    } catch (e) {
      console.log(`| ${m.label} | — | not run: ${(e as Error).message.replace(/\|/g, '/')} | | |`);
      continue;
    }
    const dm = rs.map((r) => (100 / T) * r.acc.reduce((a, v, t) => a + (v - ref[t]!) / ref[t]!, 0));
    console.log(`| ${m.label} | ${rs[0]!.mode} | ${pm(dm, 2, true)} | ${pm(rs.map(meanAcc))} | ${sec(rs)} |`);
  }
}

function multiFashion(): Problem | null {
  if (!hasFashionMnist('train') || !hasFashionMnist('test')) {
    console.log('\n### MultiFashion: skipped (needs Debian dataset-fashion-mnist or POLYTASK_FASHION_MNIST)');
    return null;
  }
  const nTrain = env('BR_MF_TRAIN', 1000), nTest = env('BR_MF_TEST', 1000), epochs = env('BR_MF_EPOCHS', 3), lr = env('BR_MF_LR', 3e-3);
  const tr = makeMultiFashion(loadFashionMnist('train', { limit: 20000 }), { n: nTrain, seed: 1, size: 28 });
  const te = makeMultiFashion(loadFashionMnist('test'), { n: nTest, seed: 2, size: 28 });
  const d = tr.height * tr.width;
  return {
    name: 'MultiFashion (2 tasks, 10 classes each)',
    tasks: [{ name: 'left', kind: 'multiclass', classes: 10 }, { name: 'right', kind: 'multiclass', classes: 10 }],
    train: { layout: 'multi-output', X: tr.images, n: tr.n, d, targets: [Float32Array.from(tr.left), Float32Array.from(tr.right)] },
    testX: te.images, testN: te.n, testY: [Float32Array.from(te.left), Float32Array.from(te.right)],
    arch: (kind, seed) => buildArchitecture(kind, { taskNames: ['left', 'right'], outDims: [10, 10], headHidden: [50], encoder: { kind: 'lenet', channels: 1, height: tr.height, width: tr.width } } as ArchOptions, new Random(seed)),
    epochs, batch: 64, lr,
    describe: `train ${nTrain} composites (from the first 20 000 training items), test ${nTest} (test split), 28 × 28, ${epochs} epochs, batch 64, Adam lr ${lr}; HPS-LeNet c1=10 c2=20 fc=50, heads 50 → 10; STL = two LeNets`,
  };
}

function usps(): Problem | null {
  const file = new URL('../../shared/data/usps/usps.csv', import.meta.url);
  if (!existsSync(file)) {
    console.log('\n### USPS: skipped (needs ../shared/data/usps/usps.csv)');
    return null;
  }
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(','));
  const d = rows[0]!.length - 2;
  const pick = (sets: string[]) => rows.filter((r) => sets.includes(r[0]!));
  const trRows = pick(['train']), teRows = pick(['test']);
  const mu = new Float64Array(d), sd = new Float64Array(d);
  for (const r of trRows) for (let j = 0; j < d; j++) mu[j]! += Number(r[j + 2]) / trRows.length;
  for (const r of trRows) for (let j = 0; j < d; j++) sd[j]! += (Number(r[j + 2]) - mu[j]!) ** 2 / trRows.length;
  const X = (rs: string[][]) => Float32Array.from({ length: rs.length * d }, (_, k) => (Number(rs[Math.floor(k / d)]![(k % d) + 2]) - mu[k % d]!) / (Math.sqrt(sd[k % d]!) || 1));
  const Y = (rs: string[][]) => Array.from({ length: 10 }, (_, c) => Float32Array.from(rs, (r) => (Number(r[1]) === c ? 1 : 0)));
  const names = Array.from({ length: 10 }, (_, c) => `digit${c}`);
  const epochs = env('BR_USPS_EPOCHS', 30);
  return {
    name: 'USPS one-vs-rest (10 binary tasks)',
    tasks: names.map((name) => ({ name, kind: 'binary' as const })),
    train: { layout: 'multi-output', X: X(trRows), n: trRows.length, d, targets: Y(trRows) },
    testX: X(teRows), testN: teRows.length, testY: Y(teRows),
    arch: (kind, seed) => buildArchitecture(kind, { taskNames: names, outDims: new Array<number>(10).fill(1), encoder: { kind: 'mlp', input: d, hidden: [64, 64] } } as ArchOptions, new Random(seed)),
    epochs, batch: 32, lr: 1e-3,
    describe: `train ${trRows.length} rows (split 1), test ${teRows.length}, ${d} PCA features standardised on train, ${epochs} epochs, batch 32, Adam lr 1e-3; HPS MLP ${d} → 64 → 64 ReLU, linear heads; STL = ten MLPs`,
  };
}

const wanted = process.env.BR_METHODS?.split(',');
const methods = wanted ? METHODS.filter((m) => wanted.includes(m.label)) : METHODS;
const sets = (process.env.BR_SETS ?? 'usps,multifashion').split(',');
console.log(`load average at start: ${(await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ')}`);
for (const s of sets) {
  const p = s === 'multifashion' ? multiFashion() : s === 'usps' ? usps() : null;
  if (p) table(p, methods);
}
console.log(`load average at end: ${(await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ')}`);
