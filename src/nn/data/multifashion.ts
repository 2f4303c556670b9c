// MultiFashion: two Fashion-MNIST items per image, one in the top-left and one in the bottom-right
// corner, overlapping in the middle. This is the MultiMNIST construction of Sabour, Frosst & Hinton
// ("Dynamic Routing Between Capsules", NeurIPS 2017, section 6: each digit shifted by up to 4 pixels
// inside a 36 × 36 canvas, the two overlaid) in the fixed-corner form used as a two-task benchmark
// by Sener & Koltun ("Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018, section
// 7.2) and Lin et al. ("Pareto Multi-Task Learning", NeurIPS 2019), who apply it to Fashion-MNIST.
// Task "left" is the class of the top-left item, task "right" the class of the bottom-right one.
//
// Placement: the 28 × 28 item A at offset (0, 0) and item B at offset (8, 8) of a 36 × 36 canvas,
// i.e. shifted by 4 pixels up-left and down-right of centre, the extreme of Sabour et al.'s shifts;
// overlapping pixels take the maximum of the two (ink on a black background adds up to at most
// white). Those papers then resize the canvas to 28 × 28; we keep 36 × 36 by default (the issue's
// form) and offer `size` < 36, resampled by area averaging (each output pixel is the mean of the input
// area it covers, fractional pixels weighted by their overlap: exact block means for 18 or 12). Both items of a sample come from
// the same split, drawn uniformly with replacement by `Random(seed)`, so a (split, n, seed) triple
// always builds the same data set.
import { DataError } from '../../errors.ts';
import { Random } from '../../linalg/random.ts';
import type { ImageSet } from './fashion-mnist.ts';

export const MULTI_SIZE = 36;
const OFFSET_B = 8;

export interface MultiImageSet {
  readonly n: number;
  /** Channels (always 1), height and width of each image after downsampling. */
  readonly channels: 1;
  readonly height: number;
  readonly width: number;
  /** n × 1 × height × width, pixel values scaled to [0, 1]. */
  readonly images: Float32Array;
  /** Class of the top-left item per image. */
  readonly left: Int32Array;
  /** Class of the bottom-right item per image. */
  readonly right: Int32Array;
  /** Source indices of the two items (for tests and provenance). */
  readonly sourceLeft: Int32Array;
  readonly sourceRight: Int32Array;
  readonly taskNames: readonly ['left', 'right'];
  readonly description: string;
}

export interface MultiFashionOptions {
  /** Number of composite images to build. */
  n: number;
  seed?: number;
  /** Output side length, 1..36 (default 36; 28 as Sener & Koltun), resampled by area averaging. */
  size?: number;
}

export function makeMultiFashion(items: ImageSet, opts: MultiFashionOptions): MultiImageSet {
  const { n } = opts;
  const seed = opts.seed ?? 1;
  const side = opts.size ?? MULTI_SIZE;
  if (!Number.isInteger(n) || n < 1) throw new DataError(`MultiFashion: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(seed)) throw new DataError(`MultiFashion: seed must be an integer, got ${seed}`);
  if (!Number.isInteger(side) || side < 1 || side > MULTI_SIZE) throw new DataError(`MultiFashion: size must be an integer in 1..${MULTI_SIZE}, got ${side}`);
  if (items.height !== 28 || items.width !== 28) throw new DataError(`MultiFashion needs 28 × 28 items, ${items.source} has ${items.height} × ${items.width}`);
  if (items.n < 1) throw new DataError(`MultiFashion: ${items.source} holds no images`);
  const rng = new Random(seed);
  const S = MULTI_SIZE;
  const W = areaWeights(S, side);
  const tmp = new Float64Array(side * S);
  const images = new Float32Array(n * side * side);
  const left = new Int32Array(n);
  const right = new Int32Array(n);
  const srcL = new Int32Array(n);
  const srcR = new Int32Array(n);
  const canvas = new Uint8Array(S * S);
  for (let s = 0; s < n; s++) {
    const a = rng.int(items.n);
    const b = rng.int(items.n);
    srcL[s] = a;
    srcR[s] = b;
    left[s] = items.labels[a]!;
    right[s] = items.labels[b]!;
    composeInto(canvas, items.pixels, a, b);
    const out = s * side * side;
    if (side === S) {
      for (let k = 0; k < S * S; k++) images[out + k] = canvas[k]! / 255;
      continue;
    }
    // out = W · canvas · Wᵀ / 255, W the (side × 36) area-overlap weights (rows sum to 1)
    tmp.fill(0);
    for (let i = 0; i < side; i++) for (let u = 0; u < S; u++) { const w = W[i * S + u]!; if (w !== 0) for (let v = 0; v < S; v++) tmp[i * S + v] += w * canvas[u * S + v]!; }
    for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) {
      let acc = 0;
      for (let v = 0; v < S; v++) acc += tmp[i * S + v]! * W[j * S + v]!;
      images[out + i * side + j] = acc / 255;
    }
  }
  return {
    n, channels: 1, height: side, width: side, images, left, right, sourceLeft: srcL, sourceRight: srcR,
    taskNames: ['left', 'right'],
    description: `MultiFashion(n=${n}, seed=${seed}, ${side}×${side}) from ${items.source}`,
  };
}

/** Area-averaging weights: W[i][u] = overlap of output pixel i ([i·S/s, (i+1)·S/s)) with input pixel u, over its width S/s. */
export function areaWeights(S: number, s: number): Float64Array {
  const W = new Float64Array(s * S);
  const f = S / s;
  for (let i = 0; i < s; i++) {
    const lo = i * f, hi = (i + 1) * f;
    for (let u = Math.floor(lo); u < Math.min(S, Math.ceil(hi)); u++) W[i * S + u] = (Math.min(hi, u + 1) - Math.max(lo, u)) / f;
  }
  return W;
}

/** Overlays item a at (0, 0) and item b at (8, 8) of the 36 × 36 canvas, pixel-wise maximum. */
export function composeInto(canvas: Uint8Array, pixels: Uint8Array, a: number, b: number): void {
  const S = MULTI_SIZE;
  canvas.fill(0);
  for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) canvas[i * S + j] = pixels[a * 784 + i * 28 + j]!;
  for (let i = 0; i < 28; i++) {
    for (let j = 0; j < 28; j++) {
      const k = (i + OFFSET_B) * S + j + OFFSET_B;
      const v = pixels[b * 784 + i * 28 + j]!;
      if (v > canvas[k]!) canvas[k] = v;
    }
  }
}
