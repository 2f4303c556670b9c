// A display order of tasks that puts mutually helpful tasks next to each other (for heatmaps):
// greedy nearest-neighbour chaining on the symmetrised gain, starting from the task with the
// largest total gain. It is an ordering for the eye, not a clustering, and is described as such.
import type { GainMatrix } from './hoa.ts';

export function affinityOrder(g: GainMatrix): number[] {
  const T = g.T;
  const sym = (i: number, j: number): number => {
    const v = (g.gain[i * T + j]! + g.gain[j * T + i]!) / 2;
    return Number.isFinite(v) ? v : -Infinity;
  };
  let start = 0;
  let bestRow = -Infinity;
  for (let i = 0; i < T; i++) {
    let s = 0;
    for (let j = 0; j < T; j++) if (j !== i && Number.isFinite(sym(i, j))) s += sym(i, j);
    if (s > bestRow) [bestRow, start] = [s, i];
  }
  const order = [start];
  const used = new Uint8Array(T);
  used[start] = 1;
  while (order.length < T) {
    const last = order[order.length - 1]!;
    let next = -1;
    let best = -Infinity;
    for (let j = 0; j < T; j++) if (!used[j] && (next < 0 || sym(last, j) > best)) [best, next] = [sym(last, j), j];
    used[next] = 1;
    order.push(next);
  }
  return order;
}
