// Frank-Wolfe for the same min-norm problem, min_{w∈Δ} wᵀKw, as MGDA's authors and LibMTL solve it
// (Sener & Koltun 2018, Alg. 2: start from the best pair, then move towards the vertex e_t with the
// smallest (Kw)_t by exact line search). Only a baseline for the exact active-set solver
// (min-norm.ts): its error decreases as O(1/k), so it stops on a step-size criterion, not on the KKT
// conditions.
import { ShapeError } from '../../errors.ts';
import type { Matrix } from '../../linalg/matrix.ts';
import { minNormKktGap } from './min-norm.ts';

export interface FrankWolfeResult {
  readonly weights: Float64Array;
  readonly normSq: number;
  readonly kktGap: number;
  readonly iterations: number;
}

/** The minimiser γ ∈ [0, 1] of ‖(1−γ)x + γy‖² from xx = ‖x‖², xy = x·y, yy = ‖y‖². */
function lineSearch(xx: number, xy: number, yy: number): number {
  const den = xx - 2 * xy + yy;
  if (!(den > 0)) return xy < xx ? 1 : 0;
  return Math.min(1, Math.max(0, (xx - xy) / den));
}

export function frankWolfeMinNorm(K: Matrix, opts: { maxIter?: number; stop?: number } = {}): FrankWolfeResult {
  const n = K.rows;
  if (K.cols !== n || n === 0) throw new ShapeError(`frankWolfeMinNorm: need a non-empty square Gramian, got ${K.rows}×${K.cols}`);
  const { maxIter = 250, stop = 1e-5 } = opts;
  const k = (i: number, j: number): number => K.data[i * n + j]!;
  const w = new Float64Array(n);
  // Best pair (or the single shortest vector).
  let best = Infinity;
  let bi = 0;
  let bj = 0;
  let bg = 1;
  for (let i = 0; i < n; i++) {
    if (k(i, i) < best) {
      best = k(i, i);
      bi = bj = i;
      bg = 1;
    }
    for (let j = i + 1; j < n; j++) {
      // point = (1−γ) g_j + γ g_i
      const g = lineSearch(k(j, j), k(i, j), k(i, i));
      const v = (1 - g) * (1 - g) * k(j, j) + 2 * g * (1 - g) * k(i, j) + g * g * k(i, i);
      if (v < best) {
        best = v;
        bi = i;
        bj = j;
        bg = g;
      }
    }
  }
  w[bi] += bg;
  w[bj] += 1 - bg;
  const Kw = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += k(i, j) * w[j]!;
    Kw[i] = s;
  }
  let it = 0;
  for (; it < maxIter; it++) {
    let t = 0;
    for (let j = 1; j < n; j++) if (Kw[j]! < Kw[t]!) t = j;
    let xx = 0;
    for (let j = 0; j < n; j++) xx += w[j]! * Kw[j]!;
    const g = lineSearch(xx, Kw[t]!, k(t, t));
    let change = 0;
    for (let j = 0; j < n; j++) {
      const nw = (1 - g) * w[j]! + (j === t ? g : 0);
      change += Math.abs(nw - w[j]!);
      w[j] = nw;
      Kw[j] = (1 - g) * Kw[j]! + g * k(j, t);
    }
    if (change < stop) {
      it++;
      break;
    }
  }
  let normSq = 0;
  for (let j = 0; j < n; j++) normSq += w[j]! * Kw[j]!;
  return { weights: w, normSq, kktGap: minNormKktGap(K, w), iterations: it };
}
