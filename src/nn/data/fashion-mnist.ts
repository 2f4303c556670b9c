// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 70 000 28 × 28 grey-scale images of 10 clothing
// classes, 60 000 for training and 10 000 for testing, in the IDX format of MNIST. polytask does not
// ship the files; Debian's package `dataset-fashion-mnist` installs them (gzip-compressed) under
// /usr/share/datasets/fashion-mnist. Another directory can be given explicitly or through the
// environment variable POLYTASK_FASHION_MNIST.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../errors.ts';
import { readIdx } from './idx.ts';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export type FashionSplit = 'train' | 'test';

export interface ImageSet {
  /** Number of images. */
  readonly n: number;
  readonly height: number;
  readonly width: number;
  /** n × height × width pixels, row-major, 0..255. */
  readonly pixels: Uint8Array;
  /** n class labels in 0..9. */
  readonly labels: Uint8Array;
  readonly source: string;
}

const FILES: Readonly<Record<FashionSplit, readonly [string, string]>> = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
};

/** The directory to read from: the argument, else $POLYTASK_FASHION_MNIST, else Debian's. */
export function fashionMnistDir(dir?: string): string {
  return dir ?? process.env.POLYTASK_FASHION_MNIST ?? DEBIAN_FASHION_MNIST_DIR;
}

function locate(dir: string, base: string): string | undefined {
  for (const name of [base, `${base}.gz`]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** True when both files of the split are present (tests and benches use it to skip). */
export function hasFashionMnist(split: FashionSplit = 'train', dir?: string): boolean {
  const d = fashionMnistDir(dir);
  return FILES[split].every((b) => locate(d, b) !== undefined);
}

/** Loads one split; `limit` keeps the first `limit` images (the files' own order). */
export function loadFashionMnist(split: FashionSplit, opts: { dir?: string; limit?: number } = {}): ImageSet {
  const dir = fashionMnistDir(opts.dir);
  const [imgBase, lblBase] = FILES[split];
  const imgFile = locate(dir, imgBase);
  const lblFile = locate(dir, lblBase);
  if (!imgFile || !lblFile) {
    throw new DataError(`Fashion-MNIST ${split} files not found in ${dir} (looked for ${imgBase}[.gz] and ${lblBase}[.gz]); on Debian: apt-get install dataset-fashion-mnist, or set POLYTASK_FASHION_MNIST`);
  }
  const img = readIdx(imgFile);
  const lbl = readIdx(lblFile);
  if (img.shape.length !== 3 || !(img.data instanceof Uint8Array)) throw new DataError(`${imgFile}: expected a 3-D uint8 IDX array (n × 28 × 28), got shape [${img.shape.join(', ')}]`);
  if (lbl.shape.length !== 1 || !(lbl.data instanceof Uint8Array)) throw new DataError(`${lblFile}: expected a 1-D uint8 IDX array of labels, got shape [${lbl.shape.join(', ')}]`);
  const [nImg, h, w] = img.shape as [number, number, number];
  if (lbl.shape[0] !== nImg) throw new DataError(`${imgFile} holds ${nImg} images but ${lblFile} holds ${lbl.shape[0]} labels`);
  let n = nImg;
  if (opts.limit !== undefined) {
    if (!Number.isInteger(opts.limit) || opts.limit < 1) throw new DataError(`Fashion-MNIST limit must be a positive integer, got ${opts.limit}`);
    n = Math.min(n, opts.limit);
  }
  const labels = lbl.data.subarray(0, n);
  for (let i = 0; i < n; i++) if (labels[i]! > 9) throw new DataError(`${lblFile}: label ${labels[i]} of item ${i} is outside 0..9`);
  return { n, height: h, width: w, pixels: img.data.subarray(0, n * h * w), labels, source: imgFile };
}
