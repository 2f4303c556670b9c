// Results of the neural architectures (issue 11, "Data and results"), printed as tables:
//
// 1. MultiFashion (two Fashion-MNIST items per image, src/nn/data/multifashion.ts): per-task test
//    accuracy, mean ± std over 3 training seeds, for two single-task LeNets (stl), HPS-LeNet, MMoE
//    (LeNet experts) and cross-stitch (one LeNet column per task). Small on purpose so it runs in
//    minutes on 2 shared cores; the sizes are printed and can be raised through the environment:
//    NN_MF_TRAIN (default 2500 composites, from the first 20 000 training items), NN_MF_TEST (2000,
//    from the test split), NN_MF_EPOCHS (5), NN_MF_SIZE (28: the 36 × 36 canvas resized to 28 × 28 by area
//    averaging, as Sener & Koltun). The data are fixed (seeds 1 and 2); the 3 seeds vary initialisation, shuffling and the
//    10 % validation split, whose best epoch is kept (the test split is never used for selection).
//    Skipped with a message when Debian's dataset-fashion-mnist is absent.
// 2. The synthetic benchmark of Ma et al. (KDD 2018, §4; src/data/synthetic/mmoe.ts): as the task
//    correlation p falls from 1 to 0.5, final training and test MSE of shared-bottom vs MMoE trained
//    on the same data set per seed (the paper's protocol, at a CPU size; see synthetic() below).
//    Defaults = the run in docs/nn/results.md: NN_MMOE_TRAIN 40000 fresh rows, NN_MMOE_EPOCHS 3
//    (939 steps), NN_MMOE_BATCH 128, NN_MMOE_LR 3e-3, NN_MMOE_SEEDS 5, NN_MMOE_P 1,0.9,0.7,0.5; sizes
//    NN_SB_HIDDEN 113, NN_MMOE_EXPERTS 8 × NN_MMOE_EXPERT_HIDDEN 16 (the paper's), NN_MMOE_C 1.
//    About 67 s of CPU for the 40 runs (9 min wall at load 19 on 2 cores). NN_MMOE_AB_SEED fixes α, β.
//    NN_MMOE_LRS=1e-4,1e-3,1e-2 runs the paper's lr grid instead (syntheticGrid(): best lr per model on
//    validation, final-window training loss, medians with bootstrap intervals, per-seed trend in p;
//    defaults there: NN_MMOE_TRAIN 20000, NN_MMOE_EPOCHS 12 = 1884 steps, NN_MMOE_WINDOW 1 epoch).
//
// Run: npm run bench -- nn-results   (or: node --import tsx bench/nn-results.bench.ts)
import { readFileSync } from 'node:fs';
import { makeMmoeTasks } from '../src/data/synthetic/mmoe.ts';
import { Random } from '../src/linalg/random.ts';
import { buildArchitecture, type ArchName } from '../src/nn/arch/index.ts';
import { hasFashionMnist, loadFashionMnist } from '../src/nn/data/fashion-mnist.ts';
import { makeMultiFashion } from '../src/nn/data/multifashion.ts';
import { adam } from '../src/nn/optim/adam.ts';
import { predictAll, train } from '../src/nn/train/trainer.ts';

const SEEDS = [1, 2, 3];
const env = (k: string, d: number): number => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const meanStd = (xs: number[]): [number, number] => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1);
  return [m, Math.sqrt(v)];
};
const pm = (xs: number[], digits = 1, scale = 100): string => {
  const [m, s] = meanStd(xs);
  return `${(m * scale).toFixed(digits)} ± ${(s * scale).toFixed(digits)}`;
};

function multiFashion(): void {
  console.log('\n### MultiFashion: per-task test accuracy (%), mean ± std over seeds 1, 2, 3');
  if (!hasFashionMnist('train') || !hasFashionMnist('test')) {
    console.log('skipped: needs Debian dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or POLYTASK_FASHION_MNIST');
    return;
  }
  const nTrain = env('NN_MF_TRAIN', 2500), nTest = env('NN_MF_TEST', 2000), epochs = env('NN_MF_EPOCHS', 5), size = env('NN_MF_SIZE', 28);
  const tr = makeMultiFashion(loadFashionMnist('train', { limit: 20000 }), { n: nTrain, seed: 1, size });
  const te = makeMultiFashion(loadFashionMnist('test'), { n: nTest, seed: 2, size });
  const d = tr.height * tr.width;
  console.log(`train ${nTrain} composites (first 20000 training items), test ${nTest} (test split), ${tr.height}×${tr.width}, ` +
    `${epochs} epochs, batch 64, Adam lr 1e-3, 10% validation (best epoch kept); LeNet c1=10 c2=20 fc=50, heads 50 → 10`);
  const models: { label: string; arch: ArchName; experts?: number }[] = [
    { label: 'stl (2 LeNets)', arch: 'stl' },
    { label: 'hps-lenet', arch: 'hps' },
    { label: 'mmoe (3 LeNet experts)', arch: 'mmoe', experts: 3 },
    { label: 'cross-stitch', arch: 'cross-stitch' },
  ];
  console.log('| model | left | right | mean | s/run (median) |');
  console.log('|---|---|---|---|---|');
  for (const m of models) {
    const accs: number[][] = [[], []];
    const secs: number[] = [];
    for (const seed of SEEDS) {
      const net = buildArchitecture(m.arch, {
        taskNames: ['left', 'right'], outDims: [10, 10], headHidden: [50], experts: m.experts,
        encoder: { kind: 'lenet', channels: 1, height: tr.height, width: tr.width },
      }, new Random(seed));
      const t0 = performance.now();
      train(net, { layout: 'multi-output', X: tr.images, n: tr.n, d, targets: [Float32Array.from(tr.left), Float32Array.from(tr.right)] }, {
        tasks: [{ name: 'left', kind: 'multiclass', classes: 10 }, { name: 'right', kind: 'multiclass', classes: 10 }],
        epochs, batchSize: 64, seed, optimizer: adam({ lr: 1e-3 }), valRatio: 0.1,
      });
      secs.push((performance.now() - t0) / 1000);
      const out = predictAll(net, te.images, te.n, d);
      [te.left, te.right].forEach((lab, t) => {
        let c = 0;
        for (let i = 0; i < te.n; i++) {
          let b = 0;
          for (let k = 1; k < 10; k++) if (out[t]![i * 10 + k]! > out[t]![i * 10 + b]!) b = k;
          if (b === lab[i]) c++;
        }
        accs[t]!.push(c / te.n);
      });
    }
    const both = accs[0]!.map((a, i) => (a + accs[1]![i]!) / 2);
    const med = [...secs].sort((a, b) => a - b)[1]!;
    console.log(`| ${m.label} | ${pm(accs[0]!)} | ${pm(accs[1]!)} | ${pm(both)} | ${med.toFixed(1)} |`);
  }
}

/** Pearson correlation of two columns. */
function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]! / n; mb += b[i]! / n; }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { const x = a[i]! - ma, y = b[i]! - mb; sab += x * y; saa += x * x; sbb += y * y; }
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Ma et al. (2018) §4–5 as the paper runs it, at a CPU size: for each task correlation p and seed,
 * ONE data set (d = 100, m = 10 sines, c = 1, noise sd 0.01; α, β ~ N(0, 1) from the seed) on which
 * both networks train from the seed's initialisation: shared-bottom = one hidden layer of
 * NN_SB_HIDDEN (113, the paper's size) + towers of 8; MMoE = 8 experts of one hidden layer of 16 +
 * towers of 8 (the paper's sizes); Adam, a fixed number of steps, no early stopping, raw labels and MSE
 * as in the paper. Reported: final training MSE (what the paper's loss curves show) and test MSE,
 * mean ± std over the seeds, the paired gap, and the measured Pearson correlation of the labels.
 */
function synthetic(): void {
  const nTrain = env('NN_MMOE_TRAIN', 40000), nTest = 2000, epochs = env('NN_MMOE_EPOCHS', 3), lr = env('NN_MMOE_LR', 3e-3), batch = env('NN_MMOE_BATCH', 128);
  const ps = (process.env.NN_MMOE_P ?? '1,0.9,0.7,0.5').split(',').map(Number);
  const seeds = Array.from({ length: env('NN_MMOE_SEEDS', 5) }, (_, i) => i + 1);
  const E = env('NN_MMOE_EXPERTS', 8), eh = env('NN_MMOE_EXPERT_HIDDEN', 16), sb = env('NN_SB_HIDDEN', 113), c = env('NN_MMOE_C', 1);
  const steps = epochs * Math.ceil(nTrain / batch);
  // NN_MMOE_AB_SEED: one α, β (N(0, 1), drawn from this seed) for every run — reading the paper's
  // "given parameters" as fixed — so that seeds vary only u, x, ε and the initialisation
  const abSeed = process.env.NN_MMOE_AB_SEED;
  const ab = abSeed === undefined ? null : (() => { const r = new Random(Number(abSeed)); return { alphas: Array.from(r.normals(10)), betas: Array.from(r.normals(10)) }; })();
  console.log(`\n### Synthetic MMoE benchmark (Ma et al. 2018 §4): MSE (mean of the two tasks), mean ± std over seeds ${seeds.join(', ')}`);
  console.log(`d=100, m=10 sine terms, c=${c}, noise sd 0.01; train ${nTrain}, test ${nTest}; shared-bottom: 1 × ${sb} ReLU, towers 8; ` +
    `mmoe: ${E} experts of 1 × ${eh} ReLU, towers 8; Adam lr ${lr}, batch ${batch}, ${epochs} epochs (${steps} steps), no validation split; ` +
    `per seed one data set for both networks${ab ? `; α, β fixed (drawn once from seed ${abSeed})` : '; α, β drawn per seed'}`);
  console.log('| p | label corr. | shared-bottom train | mmoe train | gap train (sb − mmoe) | shared-bottom test | mmoe test | gap test | median gap test | mmoe better (test) | s/run |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y), h = a.length >> 1; return a.length % 2 ? a[h]! : (a[h - 1]! + a[h]!) / 2; };
  const perSeed: string[] = [];
  const mse = (pred: Float32Array[], Y: Float64Array, n: number) => {
    let s = 0;
    for (let t = 0; t < 2; t++) for (let i = 0; i < n; i++) s += (pred[t]![i]! - Y[i * 2 + t]!) ** 2 / (2 * n);
    return s;
  };
  for (const p of ps) {
    const res = { hps: { train: [] as number[], test: [] as number[] }, mmoe: { train: [] as number[], test: [] as number[] } };
    const corr: number[] = [];
    const secs: number[] = [];
    for (const seed of seeds) {
      const full = makeMmoeTasks({ d: 100, n: nTrain + nTest, p, c, seed, ...(ab ?? {}) }).dataset;
      const X = Float32Array.from(full.shared!.X.data), Y = full.shared!.Y.data as Float64Array;
      const Xtr = X.subarray(0, nTrain * 100), Xte = X.subarray(nTrain * 100), Ytr = Y.subarray(0, nTrain * 2), Yte = Y.subarray(nTrain * 2);
      corr.push(pearson(Array.from({ length: nTrain }, (_, i) => Ytr[2 * i]!), Array.from({ length: nTrain }, (_, i) => Ytr[2 * i + 1]!)));
      const targets = [0, 1].map((t) => Float32Array.from({ length: nTrain }, (_, i) => Ytr[2 * i + t]!));
      for (const name of ['hps', 'mmoe'] as const) {
        const net = buildArchitecture(name, {
          taskNames: ['t1', 't2'], outDims: [1, 1], headHidden: [8], experts: name === 'mmoe' ? E : undefined,
          encoder: { kind: 'mlp', input: 100, hidden: [name === 'hps' ? sb : eh] },
        }, new Random(seed));
        const t0 = performance.now();
        train(net, { layout: 'multi-output', X: Xtr, n: nTrain, d: 100, targets }, {
          tasks: [{ name: 't1', kind: 'regression' }, { name: 't2', kind: 'regression' }],
          epochs, batchSize: batch, seed, optimizer: adam({ lr }), valRatio: 0,
        });
        secs.push((performance.now() - t0) / 1000);
        res[name].train.push(mse(predictAll(net, Xtr, nTrain, 100), Ytr, nTrain));
        res[name].test.push(mse(predictAll(net, Xte, nTest, 100), Yte, nTest));
      }
    }
    const gapTr = res.hps.train.map((v, i) => v - res.mmoe.train[i]!), gapTe = res.hps.test.map((v, i) => v - res.mmoe.test[i]!);
    const med = [...secs].sort((a, b) => a - b)[secs.length >> 1]!;
    console.log(`| ${p} | ${pm(corr, 2, 1)} | ${pm(res.hps.train, 3, 1)} | ${pm(res.mmoe.train, 3, 1)} | ${pm(gapTr, 3, 1)} | ${pm(res.hps.test, 3, 1)} | ${pm(res.mmoe.test, 3, 1)} | ${pm(gapTe, 3, 1)} | ${median(gapTe).toFixed(3)} | ${gapTe.filter((g) => g > 0).length}/${seeds.length} | ${med.toFixed(1)} |`);
    perSeed.push(`p=${p} test MSE per seed, shared-bottom / mmoe: ${res.hps.test.map((v, i) => `${v.toFixed(3)}/${res.mmoe.test[i]!.toFixed(3)}`).join(' ')}`);
  }
  for (const line of perSeed) console.log(line);
}

const median = (xs: number[]): number => { const a = [...xs].sort((x, y) => x - y), h = a.length >> 1; return a.length % 2 ? a[h]! : (a[h - 1]! + a[h]!) / 2; };
/** Median with a 95 % percentile-bootstrap interval over the seeds (2000 resamples, seeded): robust to
 * the few badly trained runs that dominate the means of the synthetic benchmark. */
function medianCi(xs: number[], seed = 12345): string {
  const rng = new Random(seed), B = 2000, meds: number[] = [];
  for (let b = 0; b < B; b++) meds.push(median(Array.from(xs, () => xs[rng.int(xs.length)]!)));
  meds.sort((x, y) => x - y);
  return `${median(xs).toFixed(3)} [${meds[Math.floor(0.025 * B)]!.toFixed(3)}, ${meds[Math.ceil(0.975 * B) - 1]!.toFixed(3)}]`;
}

/**
 * The synthetic benchmark with the paper's learning-rate grid (Ma et al. 2018 §5: lr in {1e-4, 1e-3,
 * 1e-2}, the best per model), run when NN_MMOE_LRS is set. For each p, model and lr every seed
 * trains; the best lr per (p, model) is the one with the lowest median MSE on a VALIDATION set (2000
 * more rows of the same generator; the test rows are never used to choose). Reported at the chosen
 * lr: the final-window training loss — the trainer's running mean of the mini-batch MSE over the
 * last NN_MMOE_WINDOW epochs, what the paper's loss curves show at their end — and test MSE, as
 * medians over seeds with 95 % bootstrap intervals, and the paired gap (shared-bottom − MMoE).
 * Because the same seed gives the same α, β, u₁, u₂ and x for every p (only w₂ moves with p), the
 * trend is tested per seed: gap(p_min) − gap(p_max), whose median is > 0 iff the gap grows as p falls.
 * Each p also prints a `json` line of per-seed values; NN_MMOE_TREND_FROM=file,file… recomputes the
 * trend from the saved output of runs split by p.
 */
interface GridRow { p: number; lr: { hps: number; mmoe: number }; win: { hps: number[]; mmoe: number[] }; test: { hps: number[]; mmoe: number[] } }
function trend(rows: GridRow[]): void {
  if (rows.length < 2) return;
  const hi = rows.reduce((a, b) => (b.p > a.p ? b : a)), lo = rows.reduce((a, b) => (b.p < a.p ? b : a));
  const gap = (r: GridRow, k: 'win' | 'test') => r[k].hps.map((v, i) => v - r[k].mmoe[i]!);
  for (const k of ['win', 'test'] as const) {
    const d = gap(lo, k).map((g, i) => g - gap(hi, k)[i]!);
    console.log(`trend (${k === 'win' ? 'final-window train' : 'test'}): per-seed gap(p=${lo.p}) − gap(p=${hi.p}), median [95 % bootstrap] ${medianCi(d)}; > 0 on ${d.filter((x) => x > 0).length}/${d.length} seeds`);
  }
}
function syntheticGrid(): void {
  const from = process.env.NN_MMOE_TREND_FROM;
  if (from !== undefined) {
    const rows = from.split(',').flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.startsWith('json ')).map((l) => JSON.parse(l.slice(5)) as GridRow));
    trend(rows);
    return;
  }
  const nTrain = env('NN_MMOE_TRAIN', 20000), nVal = 2000, nTest = 2000, epochs = env('NN_MMOE_EPOCHS', 12), batch = env('NN_MMOE_BATCH', 128);
  const lrs = process.env.NN_MMOE_LRS!.split(',').map(Number), window = env('NN_MMOE_WINDOW', 1);
  const ps = (process.env.NN_MMOE_P ?? '1,0.9,0.7,0.5').split(',').map(Number);
  const seeds = Array.from({ length: env('NN_MMOE_SEEDS', 5) }, (_, i) => i + 1);
  const E = env('NN_MMOE_EXPERTS', 8), eh = env('NN_MMOE_EXPERT_HIDDEN', 16), sb = env('NN_SB_HIDDEN', 113);
  const steps = epochs * Math.ceil(nTrain / batch);
  console.log(`\n### Synthetic MMoE benchmark, lr grid ${lrs.join('/')} (best per model and p on validation MSE), medians [95 % bootstrap] over seeds ${seeds.join(', ')}`);
  console.log(`d=100, m=10, c=1, noise sd 0.01, α, β per seed; train ${nTrain}, val ${nVal}, test ${nTest}; shared-bottom 1 × ${sb}, mmoe ${E} × ${eh}, towers 8; ` +
    `Adam, batch ${batch}, ${epochs} epochs (${steps} steps); final window = last ${window} epoch(s) (${window * Math.ceil(nTrain / batch)} steps)`);
  console.log('| p | lr sb / mmoe | sb final-window train | mmoe final-window train | gap final-window | sb test | mmoe test | gap test | mmoe better (test) | s/run |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const mse = (pred: Float32Array[], Y: Float64Array, n: number) => {
    let s = 0;
    for (let t = 0; t < 2; t++) for (let i = 0; i < n; i++) s += (pred[t]![i]! - Y[i * 2 + t]!) ** 2 / (2 * n);
    return s;
  };
  const rows: GridRow[] = [];
  for (const p of ps) {
    // r[name][lr index] = per-seed { win, val, test }
    const r = { hps: lrs.map(() => ({ win: [] as number[], val: [] as number[], test: [] as number[] })), mmoe: lrs.map(() => ({ win: [] as number[], val: [] as number[], test: [] as number[] })) };
    const secs: number[] = [];
    for (const seed of seeds) {
      const full = makeMmoeTasks({ d: 100, n: nTrain + nVal + nTest, p, c: 1, seed }).dataset;
      const X = Float32Array.from(full.shared!.X.data), Y = full.shared!.Y.data as Float64Array;
      const Xtr = X.subarray(0, nTrain * 100), Xva = X.subarray(nTrain * 100, (nTrain + nVal) * 100), Xte = X.subarray((nTrain + nVal) * 100);
      const Ytr = Y.subarray(0, nTrain * 2), Yva = Y.subarray(nTrain * 2, (nTrain + nVal) * 2), Yte = Y.subarray((nTrain + nVal) * 2);
      const targets = [0, 1].map((t) => Float32Array.from({ length: nTrain }, (_, i) => Ytr[2 * i + t]!));
      for (const name of ['hps', 'mmoe'] as const) {
        lrs.forEach((lr, li) => {
          const net = buildArchitecture(name, {
            taskNames: ['t1', 't2'], outDims: [1, 1], headHidden: [8], experts: name === 'mmoe' ? E : undefined,
            encoder: { kind: 'mlp', input: 100, hidden: [name === 'hps' ? sb : eh] },
          }, new Random(seed));
          const t0 = performance.now();
          const h = train(net, { layout: 'multi-output', X: Xtr, n: nTrain, d: 100, targets }, {
            tasks: [{ name: 't1', kind: 'regression' }, { name: 't2', kind: 'regression' }],
            epochs, batchSize: batch, seed, optimizer: adam({ lr }), valRatio: 0,
          }).history;
          secs.push((performance.now() - t0) / 1000);
          const last = h.slice(-window);
          r[name][li]!.win.push(last.reduce((a, e) => a + (e.train.loss[0]! + e.train.loss[1]!) / 2, 0) / last.length);
          r[name][li]!.val.push(mse(predictAll(net, Xva, nVal, 100), Yva, nVal));
          r[name][li]!.test.push(mse(predictAll(net, Xte, nTest, 100), Yte, nTest));
        });
      }
    }
    const best = (name: 'hps' | 'mmoe') => r[name].reduce((bi, x, i) => (median(x.val) < median(r[name][bi]!.val) ? i : bi), 0);
    const bh = best('hps'), bm = best('mmoe'), H = r.hps[bh]!, M = r.mmoe[bm]!;
    const row: GridRow = { p, lr: { hps: lrs[bh]!, mmoe: lrs[bm]! }, win: { hps: H.win, mmoe: M.win }, test: { hps: H.test, mmoe: M.test } };
    rows.push(row);
    const gw = H.win.map((v, i) => v - M.win[i]!), gt = H.test.map((v, i) => v - M.test[i]!);
    console.log(`| ${p} | ${lrs[bh]} / ${lrs[bm]} | ${medianCi(H.win)} | ${medianCi(M.win)} | ${medianCi(gw)} | ${medianCi(H.test)} | ${medianCi(M.test)} | ${medianCi(gt)} | ${gt.filter((g) => g > 0).length}/${seeds.length} | ${median(secs).toFixed(1)} |`);
    for (const name of ['hps', 'mmoe'] as const) console.log(`  p=${p} ${name} median val MSE per lr: ${lrs.map((lr, i) => `${lr}: ${median(r[name][i]!.val).toFixed(3)}`).join(', ')}`);
    console.log(`json ${JSON.stringify(row)}`);
  }
  trend(rows);
}

const which = process.env.NN_RESULTS ?? 'all';
if (which === 'all' || which === 'multifashion') multiFashion();
if ((which === 'all' || which === 'mmoe') && process.env.NN_MMOE_LRS === undefined && process.env.NN_MMOE_TREND_FROM === undefined) synthetic();
if (which === 'mmoe' && (process.env.NN_MMOE_LRS !== undefined || process.env.NN_MMOE_TREND_FROM !== undefined)) syntheticGrid();
