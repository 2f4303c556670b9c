// `polytask make-data multifashion|esmm`: writes the MultiFashion benchmark (src/nn/data/multifashion.ts:
// two Fashion-MNIST items per image, tasks "left" and "right", 10 classes each) as a wide CSV that
// every data command reads with `--targets left,right --classes 10` — the way MultiFashion reaches
// `compare`, `cv` and `train` (issue 11) without a special data source in each of them. Built
// deterministically from --seed; Fashion-MNIST is read from Debian's dataset-fashion-mnist
// (/usr/share/datasets/fashion-mnist) or $POLYTASK_FASHION_MNIST.
// `esmm` writes a synthetic click / purchase data set of the ESMM setting (Ma et al., SIGIR 2018):
// x ~ N(0, I_d), click ~ Bernoulli(σ(1.5 x₁ − 0.5)), and a purchase only after a click,
// buy = click ∧ Bernoulli(σ(2 x₂ + x₁)) — the planted pCVR of test/nn/arch/esmm.test.ts — so that
// `train --arch esmm --ctr-task click` has CTR and CTCVR labels over the entire space.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DataError, OptionError } from '../errors.ts';
import { Random } from '../linalg/random.ts';
import { fashionMnistDir, hasFashionMnist, loadFashionMnist, type FashionSplit } from '../nn/data/fashion-mnist.ts';
import { makeMultiFashion, MULTI_SIZE } from '../nn/data/multifashion.ts';
import { writeFileAtomic } from './atomic.ts';
import { info, type CliIO } from './io.ts';
import { parsePositiveInt, parseSeed, type CommonFlags } from './options.ts';

interface MakeDataFlags extends CommonFlags {
  n?: number;
  features?: number;
  size?: number;
  seed?: number;
  split?: string;
  out?: string;
}

/** Pixel values in [0, 1] to 4 decimals (the inputs are bytes / 255, averaged over areas when
 * downsampled: 4 decimals keep them to 5e-5, far below one grey level, 1/255 ≈ 0.0039). */
function cell(v: number): string {
  return v === 0 ? '0' : v === 1 ? '1' : String(Math.round(v * 1e4) / 1e4);
}

/** The MultiFashion CSV: columns left,right,p0..p{s²−1}, one image per row. */
export function multiFashionCsv(opts: { n: number; size: number; seed: number; split: FashionSplit }): string {
  const items = loadFashionMnist(opts.split);
  const mf = makeMultiFashion(items, { n: opts.n, seed: opts.seed, size: opts.size });
  const P = mf.height * mf.width;
  const lines: string[] = [['left', 'right', ...Array.from({ length: P }, (_, k) => `p${k}`)].join(',')];
  for (let i = 0; i < mf.n; i++) {
    const px = mf.images.subarray(i * P, (i + 1) * P);
    lines.push(`${mf.left[i]},${mf.right[i]},${Array.from(px, cell).join(',')}`);
  }
  return lines.join('\n') + '\n';
}

/** The synthetic ESMM CSV: columns click,buy,x1..x{d}; buy = 1 only on clicked rows. */
export function esmmCsv(opts: { n: number; d: number; seed: number }): string {
  const rng = new Random(opts.seed);
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  const lines = [['click', 'buy', ...Array.from({ length: opts.d }, (_, j) => `x${j + 1}`)].join(',')];
  for (let i = 0; i < opts.n; i++) {
    const x = Array.from({ length: opts.d }, () => rng.normal());
    const click = rng.uniform() < sig(1.5 * x[0]! - 0.5) ? 1 : 0;
    const buy = click && rng.uniform() < sig(2 * (x[1] ?? 0) + x[0]!) ? 1 : 0;
    lines.push(`${click},${buy},${x.map((v) => String(Math.round(v * 1e6) / 1e6)).join(',')}`);
  }
  return lines.join('\n') + '\n';
}

export function registerMakeData(program: Command, io: CliIO): void {
  const cmd = program
    .command('make-data')
    .description('write a built-in benchmark data set as CSV (multifashion: two 10-class tasks, left and right item of a Fashion-MNIST pair; esmm: synthetic click and purchase labels)')
    .argument('<name>', 'the data set: multifashion or esmm')
    .option('--features <d>', 'esmm: number of features (default 4)', parsePositiveInt)
    .option('--n <n>', 'number of rows: images (multifashion, default 2000) or impressions (esmm, default 5000)', parsePositiveInt)
    .option('--size <s>', `image side after area-averaged downsampling, 1..${MULTI_SIZE} (default 18; ${MULTI_SIZE} = full size, ${MULTI_SIZE * MULTI_SIZE} features)`, parsePositiveInt)
    .option('--split <split>', 'Fashion-MNIST split the items come from: train or test (default train)')
    .option('--seed <n>', 'seed of the pairing (default 1): the same seed gives the same file', parseSeed)
    .requiredOption('--out <file>', 'the CSV to write')
    .option('--quiet', 'no informational messages');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ polytask make-data multifashion --n 2000 --size 18 --seed 1 --split test --out multifashion.csv
  $ polytask compare --data multifashion.csv --targets left,right --classes 10 --models stl-mlp,hps,mmoe --hidden 64 --epochs 10 --splits 3
  $ polytask make-data esmm --n 5000 --seed 1 --out esmm.csv
  $ polytask train --data esmm.csv --targets click,buy --arch esmm --ctr-task click --embedding 8 --tower-hidden 8 --epochs 10
  (Needs Fashion-MNIST: Debian's dataset-fashion-mnist, or $POLYTASK_FASHION_MNIST naming a directory with its IDX files.)`,
  );
  cmd.action((name: string, flags: MakeDataFlags) => {
    if (name !== 'multifashion' && name !== 'esmm') throw new OptionError('make-data', `unknown data set "${name}" (available: multifashion, esmm)`);
    if (name === 'esmm') {
      const n = flags.n ?? 5000, d = flags.features ?? 4;
      if (d < 2) throw new OptionError('--features', `esmm needs at least 2 features, got ${d}`);
      writeFileAtomic(resolve(io.cwd, flags.out!), esmmCsv({ n, d, seed: flags.seed ?? 1 }));
      if (!flags.quiet) info(io, flags, `ESMM: ${n} impressions with click and buy labels, ${d} features (seed ${flags.seed ?? 1}) written to ${flags.out}; read it with --targets click,buy`);
      return;
    }
    const split = flags.split ?? 'train';
    if (split !== 'train' && split !== 'test') throw new OptionError('--split', `must be train or test, got "${split}"`);
    const size = flags.size ?? 18;
    if (size > MULTI_SIZE) throw new OptionError('--size', `must be at most ${MULTI_SIZE}, got ${size}`);
    if (!hasFashionMnist(split)) throw new DataError(`Fashion-MNIST (${split}) not found in ${fashionMnistDir()}: install Debian's dataset-fashion-mnist or set POLYTASK_FASHION_MNIST to a directory with its IDX files`);
    const n = flags.n ?? 2000;
    const csv = multiFashionCsv({ n, size, seed: flags.seed ?? 1, split });
    writeFileAtomic(resolve(io.cwd, flags.out!), csv);
    if (!flags.quiet) info(io, flags, `MultiFashion: ${n} images of ${size} × ${size} (${split} items, seed ${flags.seed ?? 1}) written to ${flags.out}; read it with --targets left,right --classes 10`);
  });
}
