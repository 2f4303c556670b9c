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
// white). Those papers then resize the canvas to 28 × 28; we keep 36 × 36 (the form) and
// offer an integer `downsample` by block averaging for quick runs. Both items of a sample come from
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
  /** Integer block-average factor dividing 36 (1, 2, 3, 4, 6, ...); default 1 (36 × 36). */
  downsample?: number;
}

export function makeMultiFashion(items: ImageSet, opts: MultiFashionOptions): MultiImageSet {
  const { n } = opts;
  const seed = opts.seed ?? 1;
  const ds = opts.downsample ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new DataError(`MultiFashion: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(seed)) throw new DataError(`MultiFashion: seed must be an integer, got ${seed}`);
  if (!Number.isInteger(ds) || ds < 1 || MULTI_SIZE % ds !== 0) throw new DataError(`MultiFashion: downsample must be an integer dividing ${MULTI_SIZE}, got ${ds}`);
  if (items.height !== 28 || items.width !== 28) throw new DataError(`MultiFashion needs 28 × 28 items, ${items.source} has ${items.height} × ${items.width}`);
  if (items.n < 1) throw new DataError(`MultiFashion: ${items.source} holds no images`);
  const rng = new Random(seed);
  const S = MULTI_SIZE;
  const side = S / ds;
  const images = new Float32Array(n * side * side);
  const left = new Int32Array(n);
  const right = new Int32Array(n);
  const srcL = new Int32Array(n);
  const srcR = new Int32Array(n);
  const canvas = new Uint8Array(S * S);
  const scale = 1 / (255 * ds * ds);
  for (let s = 0; s < n; s++) {
    const a = rng.int(items.n);
    const b = rng.int(items.n);
    srcL[s] = a;
    srcR[s] = b;
    left[s] = items.labels[a]!;
    right[s] = items.labels[b]!;
    composeInto(canvas, items.pixels, a, b);
    const out = s * side * side;
    for (let i = 0; i < side; i++) {
      for (let j = 0; j < side; j++) {
        let acc = 0;
        for (let u = 0; u < ds; u++) for (let v = 0; v < ds; v++) acc += canvas[(i * ds + u) * S + j * ds + v]!;
        images[out + i * side + j] = acc * scale;
      }
    }
  }
  return {
    n, channels: 1, height: side, width: side, images, left, right, sourceLeft: srcL, sourceRight: srcR,
    taskNames: ['left', 'right'],
    description: `MultiFashion(n=${n}, seed=${seed}, ${side}×${side}) from ${items.source}`,
  };
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
