// Cluster assignments from a learned task structure, and the adjusted Rand index to score them.
//  - kmeans: Lloyd's algorithm with k-means++ seeding (Arthur & Vassilvitskii, 2007), several
//    restarts, every draw from a seeded Random; returns the restart with the smallest inertia.
//  - adjustedRandIndex: Hubert & Arabie (1985), the pair-counting index corrected for chance.
import { OptionError, ShapeError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { Random } from '../../linalg/random.ts';

export interface KMeansResult {
  readonly labels: Int32Array;
  readonly inertia: number;
}

function sqDist(X: Matrix, i: number, C: Float64Array, c: number): number {
  const p = X.cols;
  let s = 0;
  for (let j = 0; j < p; j++) s += (X.data[i * p + j]! - C[c * p + j]!) ** 2;
  return s;
}

function seedPlusPlus(X: Matrix, k: number, rng: Random): Float64Array {
  const n = X.rows;
  const p = X.cols;
  const C = new Float64Array(k * p);
  const first = rng.int(n);
  C.set(X.data.subarray(first * p, first * p + p), 0);
  const d2 = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      d2[i] = Math.min(d2[i]!, sqDist(X, i, C, c - 1));
      total += d2[i]!;
    }
    let pick = n - 1;
    if (total > 0) {
      let u = rng.uniform() * total;
      for (let i = 0; i < n; i++) {
        u -= d2[i]!;
        if (u < 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = rng.int(n); // all points coincide with the centres chosen so far
    }
    C.set(X.data.subarray(pick * p, pick * p + p), c * p);
  }
  return C;
}

function lloyd(X: Matrix, k: number, C: Float64Array, maxIter: number): KMeansResult {
  const n = X.rows;
  const p = X.cols;
  const labels = new Int32Array(n).fill(-1);
  let inertia = 0;
  for (let it = 0; it < maxIter; it++) {
    let changed = false;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        const dd = sqDist(X, i, C, c);
        if (dd < bd) {
          bd = dd;
          best = c;
        }
      }
      if (labels[i] !== best) changed = true;
      labels[i] = best;
      inertia += bd;
    }
    if (!changed) break;
    const counts = new Float64Array(k);
    const next = new Float64Array(k * p);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      counts[c]!++;
      for (let j = 0; j < p; j++) next[c * p + j]! += X.data[i * p + j]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c]! === 0) next.set(C.subarray(c * p, c * p + p), c * p); // keep an empty centre where it was
      else for (let j = 0; j < p; j++) next[c * p + j]! /= counts[c]!;
    }
    C = next;
  }
  return { labels, inertia };
}

/** k-means of the rows of X (n × p) into k clusters, best of `restarts` k-means++ starts. */
export function kmeans(X: Matrix, k: number, rng: Random, restarts = 10, maxIter = 100): KMeansResult {
  if (!Number.isInteger(k) || k < 1 || k > X.rows) throw new OptionError('clusters', `k-means needs 1 ≤ k ≤ ${X.rows} (rows), got ${k}`);
  let best: KMeansResult | null = null;
  for (let r = 0; r < restarts; r++) {
    const res = lloyd(X, k, seedPlusPlus(X, k, rng), maxIter);
    if (best === null || res.inertia < best.inertia) best = res;
  }
  return canonicalLabels(best!);
}

/** Relabel so that clusters are numbered in order of first appearance (stable output). */
function canonicalLabels(r: KMeansResult): KMeansResult {
  const map = new Map<number, number>();
  const labels = new Int32Array(r.labels.length);
  r.labels.forEach((l, i) => {
    if (!map.has(l)) map.set(l, map.size);
    labels[i] = map.get(l)!;
  });
  return { labels, inertia: r.inertia };
}

const choose2 = (n: number): number => (n * (n - 1)) / 2;

/** Adjusted Rand index of two labelings of the same items (1 = identical partitions, ≈ 0 = chance). */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new ShapeError(`adjustedRandIndex: labelings have ${a.length} and ${b.length} items`);
  const n = a.length;
  const table = new Map<string, number>();
  const ra = new Map<number, number>();
  const rb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    ra.set(a[i]!, (ra.get(a[i]!) ?? 0) + 1);
    rb.set(b[i]!, (rb.get(b[i]!) ?? 0) + 1);
  }
  let index = 0;
  for (const v of table.values()) index += choose2(v);
  let sa = 0;
  for (const v of ra.values()) sa += choose2(v);
  let sb = 0;
  for (const v of rb.values()) sb += choose2(v);
  const total = choose2(n);
  const expected = total > 0 ? (sa * sb) / total : 0;
  const max = 0.5 * (sa + sb);
  if (max === expected) return 1; // both partitions trivial (all singletons or one block): identical up to labels
  return (index - expected) / (max - expected);
}
