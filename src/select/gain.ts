// How an affinity turns two held-out errors into a gain: task i's error with a reference training
// set (alone, or all tasks but j) against its error with a larger one (the pair, or all tasks).
//
//  - relative (Standley et al. 2020, §3): 100 · (e_ref − e) / e_ref. Intuitive (% of the task's own
//    error) but unbounded below and heavy-tailed: when e_ref is tiny (School's small schools fitted
//    alone can score far below their joint fit on one fold), one pair's −5 000 % swamps the rest.
//  - log-ratio: 100 · ln(e_ref / e). Equal to relative to first order for small changes, symmetric
//    (doubling and halving the error are ±69), and grows only logarithmically as e_ref → 0.
//  - pooled: 100 · (e_ref − e) / s, with s the mean reference error of all tasks on the fold: an
//    absolute error change in one unit shared by every task, so a task with a tiny error cannot
//    produce a large gain or loss (sum of gains = change of the total error, up to the scale).
// The choice was made by measurement (docs/selection.md, "Which gain"): see DEFAULT_GAIN.
import { OptionError } from '../errors.ts';

export const GAIN_KINDS = ['relative', 'log-ratio', 'pooled'] as const;
export type GainKind = (typeof GAIN_KINDS)[number];

/** The default gain of the fit-based affinities, chosen by the measurements of docs/selection.md. */
export const DEFAULT_GAIN: GainKind = 'pooled';

export function checkGainKind(kind: string): GainKind {
  if (!(GAIN_KINDS as readonly string[]).includes(kind)) throw new OptionError('--gain', `unknown gain "${kind}" (${GAIN_KINDS.join(', ')})`);
  return kind as GainKind;
}

/**
 * Gain (in % points) of one task on one fold: `ref` its held-out error with the reference training
 * set, `together` with the larger one, `scale` the fold's pooled error scale (used by 'pooled').
 * NaN when an error is missing (a failed fit) or the ratio is undefined.
 */
export function gainOf(kind: GainKind, ref: number, together: number, scale: number): number {
  if (!Number.isFinite(ref) || !Number.isFinite(together) || together < 0 || ref < 0) return Number.NaN;
  switch (kind) {
    case 'relative':
      return ref > 0 ? (100 * (ref - together)) / ref : Number.NaN;
    case 'log-ratio':
      return ref > 0 && together > 0 ? 100 * Math.log(ref / together) : Number.NaN;
    case 'pooled':
      return scale > 0 && Number.isFinite(scale) ? (100 * (ref - together)) / scale : Number.NaN;
  }
}

/** The pooled scale of a fold: the mean of the finite, positive reference errors of all tasks. */
export function pooledScale(refs: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < refs.length; i++) {
    const v = refs[i]!;
    if (Number.isFinite(v) && v > 0) {
      s += v;
      n++;
    }
  }
  return n > 0 ? s / n : Number.NaN;
}

/** Words for the measure string of an affinity. */
export function describeGain(kind: GainKind): string {
  switch (kind) {
    case 'relative':
      return "% change of each task's held-out error";
    case 'log-ratio':
      return "100 · ln(error before / error after) of each task's held-out error (≈ % change)";
    case 'pooled':
      return "change of each task's held-out error in % of the mean error of all tasks";
  }
}
