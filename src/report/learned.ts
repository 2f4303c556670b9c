// Reading the learned structures of ModelComparison.fit.learned (an open record) into plain
// matrices, and ordering tasks so that related ones sit together in a heatmap. Pure functions.
//
// Accepted matrix forms (compare.ts may pass Matrix objects or their JSON): number[][];
// { rows, cols, data } with data a number array, a typed array, or the object a Float64Array
// becomes under JSON.stringify ({"0": .., "1": ..}).

export type Grid = number[][];

function numbersOf(data: unknown, n: number): number[] | null {
  if (Array.isArray(data)) return data.length === n && data.every((v) => typeof v === 'number') ? (data as number[]) : null;
  if (ArrayBuffer.isView(data)) {
    const a = Array.from(data as unknown as ArrayLike<number>);
    return a.length === n ? a : null;
  }
  if (data !== null && typeof data === 'object') {
    const rec = data as Record<string, unknown>;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = rec[String(i)];
      if (typeof v !== 'number') return null;
      out.push(v);
    }
    return out;
  }
  return null;
}

/** A rows × cols grid from any accepted form, or null when `v` is not a matrix. */
export function toGrid(v: unknown): Grid | null {
  if (Array.isArray(v)) {
    if (v.length === 0) return [];
    if (!v.every((r) => Array.isArray(r))) return null;
    const cols = (v[0] as unknown[]).length;
    const ok = (v as unknown[][]).every((r) => r.length === cols && r.every((x) => typeof x === 'number'));
    return ok ? (v as number[][]).map((r) => [...r]) : null;
  }
  if (v !== null && typeof v === 'object') {
    const m = v as { rows?: unknown; cols?: unknown; data?: unknown };
    if (typeof m.rows !== 'number' || typeof m.cols !== 'number') return null;
    const flat = numbersOf(m.data, m.rows * m.cols);
    if (!flat) return null;
    const g: Grid = [];
    for (let i = 0; i < m.rows; i++) g.push(flat.slice(i * m.cols, (i + 1) * m.cols));
    return g;
  }
  return null;
}

/** A list of integers (cluster labels) from an array, typed array or JSON'd typed array. */
export function toLabels(v: unknown, n: number): number[] | null {
  const a = numbersOf(v, n);
  return a && a.every((x) => Number.isInteger(x)) ? a : null;
}

/**
 * Leaf order of average-linkage agglomerative clustering (UPGMA) on distances D (symmetric,
 * zero diagonal). Merging always appends the later cluster's leaves after the earlier's, so the
 * result is deterministic. O(T³), fine for the task counts a heatmap can show.
 */
export function averageLinkageOrder(D: Grid): number[] {
  const n = D.length;
  let clusters: { members: number[] }[] = Array.from({ length: n }, (_, i) => ({ members: [i] }));
  const dist = (a: number[], b: number[]): number => {
    let s = 0;
    for (const i of a) for (const j of b) s += D[i]![j]!;
    return s / (a.length * b.length);
  };
  while (clusters.length > 1) {
    let best = [0, 1];
    let bestD = Infinity;
    for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        const d = dist(clusters[a]!.members, clusters[b]!.members);
        if (d < bestD) {
          bestD = d;
          best = [a, b];
        }
      }
    }
    const [a, b] = best as [number, number];
    const merged = { members: [...clusters[a]!.members, ...clusters[b]!.members] };
    clusters = clusters.filter((_, i) => i !== a && i !== b);
    clusters.splice(a, 0, merged);
  }
  return clusters[0]?.members ?? [];
}

/** Task order for a T × T relationship matrix: by cluster label when given, else by UPGMA on 1 − similarity. */
export function taskOrder(M: Grid, labels?: readonly number[] | null): number[] {
  const T = M.length;
  if (labels && labels.length === T) {
    return Array.from({ length: T }, (_, i) => i).sort((i, j) => labels[i]! - labels[j]! || i - j);
  }
  // Similarity → distance; symmetrised so that an asymmetric R (relation model) still orders sensibly.
  let maxAbs = 0;
  for (const r of M) for (const v of r) maxAbs = Math.max(maxAbs, Math.abs(v));
  const s = maxAbs > 0 ? maxAbs : 1;
  const D = M.map((r, i) => r.map((_, j) => (i === j ? 0 : 1 - (M[i]![j]! + M[j]![i]!) / (2 * s))));
  return averageLinkageOrder(D);
}

/** Rows and columns of a square grid permuted by `order`. */
export function permute(M: Grid, order: readonly number[]): Grid {
  return order.map((i) => order.map((j) => M[i]![j]!));
}
