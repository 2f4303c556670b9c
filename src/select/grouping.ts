// Choosing which tasks to learn together under a budget of K models, from estimated gains.
//
// The objective (Standley et al. 2020, §3.4): a selection S of at most K groups that together
// cover every task; each task is served by the chosen group where its estimated gain is highest;
// maximise the total estimated gain Σ_i max_{G ∈ S, i ∈ G} gain_i(G), with gain_i(G) the HOA
// estimate (hoa.ts) — 0 for a task learned alone.
//  - exact: branch and bound over every subset of tasks as a candidate group (Standley's exact
//    search); groups may overlap, as in the paper. 2^T candidates, so T ≤ 16.
//  - greedy: agglomerative merging of a partition, from singletons, always taking the merge that
//    raises the estimated total most (or lowers it least, once the budget forces merging), until
//    at most K groups remain and no merge helps. O(T³) with the cross-sum matrix; T = 1000 runs
//    in seconds.
//  - beam: the same merges keeping the B best partitions at each level (B = 1 is greedy).
// greedy and beam give disjoint groups.
import { OptionError } from '../errors.ts';
import { groupGain, taskGainInGroup, type GainMatrix } from './hoa.ts';

export type GroupingMethod = 'exact' | 'greedy' | 'beam';

export interface Grouping {
  /** Task indices of each chosen group, each sorted ascending; groups ordered by their first task. */
  readonly groups: readonly (readonly number[])[];
  /** For each task, the index in `groups` of the group that serves it. */
  readonly serve: readonly number[];
  /** The estimated total gain (sum over tasks, in % points). */
  readonly estimatedGain: number;
  /** Each task's estimated gain in its serving group. */
  readonly taskGains: readonly number[];
  readonly method: GroupingMethod;
  /** Candidate groups or partitions examined (the cost of the search). */
  readonly examined: number;
}

export interface GroupingOptions {
  /** At most this many groups (models to train); 1 ≤ budget ≤ T. */
  readonly budget: number;
  readonly method?: GroupingMethod;
  /** Beam width (beam only; default 4). */
  readonly beamWidth?: number;
}

/** Largest T the exact search accepts (2^T candidate groups). */
export const EXACT_MAX_TASKS = 16;

export function chooseGroups(g: GainMatrix, opts: GroupingOptions): Grouping {
  const T = g.T;
  if (!Number.isInteger(opts.budget) || opts.budget < 1) throw new OptionError('budget', `must be an integer ≥ 1 (got ${opts.budget})`);
  for (let k = 0; k < g.gain.length; k++) {
    if (k % (T + 1) !== 0 && !Number.isFinite(g.gain[k]!)) {
      throw new OptionError('affinity', `gain of task ${Math.floor(k / T)} with task ${k % T} is not finite (a failed fit?)`);
    }
  }
  const budget = Math.min(opts.budget, T);
  const method = opts.method ?? (T <= 12 ? 'exact' : 'greedy');
  if (method === 'exact') return exactGrouping(g, budget);
  if (method === 'greedy') return greedyGrouping(g, budget);
  if (method === 'beam') {
    // A beam can drop greedy's path (it keeps the B best partitions of a level, not of a path),
    // so the greedy result is kept as a floor: beam is never worse than greedy.
    const beam = beamGrouping(g, budget, opts.beamWidth ?? 4, 'beam');
    const greedy = beamGrouping(g, budget, 1, 'beam');
    const best = greedy.estimatedGain > beam.estimatedGain + 1e-12 ? greedy : beam;
    return { ...best, examined: beam.examined + greedy.examined };
  }
  throw new OptionError('method', `unknown grouping method "${String(method)}" (exact, greedy, beam)`);
}

/** Serving assignment and gains of a selection (each task to its best group). */
export function evaluateSelection(g: GainMatrix, groups: readonly (readonly number[])[]): { serve: number[]; taskGains: number[]; total: number } {
  const serve = new Array<number>(g.T).fill(-1);
  const taskGains = new Array<number>(g.T).fill(-Infinity);
  groups.forEach((G, k) => {
    for (const i of G) {
      const v = taskGainInGroup(g, i, G);
      if (v > taskGains[i]!) {
        taskGains[i] = v;
        serve[i] = k;
      }
    }
  });
  const missing = serve.findIndex((s) => s < 0);
  if (missing >= 0) throw new OptionError('groups', `task ${missing} is in no group`);
  return { serve, taskGains, total: taskGains.reduce((a, b) => a + b, 0) };
}

function finish(g: GainMatrix, groups: number[][], method: GroupingMethod, examined: number): Grouping {
  const sorted = groups.map((G) => [...G].sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);
  const { serve, taskGains, total } = evaluateSelection(g, sorted);
  return { groups: sorted, serve, taskGains, estimatedGain: total, method, examined };
}

/** Standley's exact search: branch and bound over all 2^T − 1 candidate groups, at most K chosen.
 * Three things keep it fast on noisy gains, where many selections come close (measured in
 * bench/select.bench.ts against the search without them, bench/baseline/exact-grouping-v0.ts):
 *  - the incumbent starts at the beam search's partition (a feasible selection), so the bound
 *    prunes from the first node instead of after the first full cover is found;
 *  - the bound knows the budget: with r groups still to choose, the total can rise by at most the
 *    r largest improvements single remaining candidates bring on their own (an uncovered task
 *    counted from 0, the gain of learning it alone);
 *  - with one group left, only candidates covering every uncovered task are tried (a mask test),
 *    and they are evaluated in place as leaves. */
function exactGrouping(g: GainMatrix, K: number): Grouping {
  const T = g.T;
  if (T > EXACT_MAX_TASKS) throw new OptionError('method', `exact search takes at most ${EXACT_MAX_TASKS} tasks (2^T candidate groups); ${T} tasks: use greedy or beam`);
  // Candidates: every non-empty subset, with each member's HOA gain; sorted by total gain so that
  // good selections are found early and prune the rest.
  const cands: { mask: number; members: number[]; gains: Float64Array; total: number }[] = [];
  for (let mask = 1; mask < 1 << T; mask++) {
    const members: number[] = [];
    for (let i = 0; i < T; i++) if (mask & (1 << i)) members.push(i);
    const gains = new Float64Array(T).fill(-Infinity);
    for (const i of members) gains[i] = taskGainInGroup(g, i, members);
    cands.push({ mask, members, gains, total: groupGain(g, members) });
  }
  cands.sort((a, b) => b.total - a.total || a.mask - b.mask);
  const C = cands.length;
  // suffixBest[c·T + i]: the best gain task i can get from candidates c … C−1 (the bound).
  const suffixBest = new Float64Array((C + 1) * T).fill(-Infinity);
  for (let c = C - 1; c >= 0; c--) {
    for (let i = 0; i < T; i++) suffixBest[c * T + i] = Math.max(suffixBest[(c + 1) * T + i]!, cands[c]!.gains[i]!);
  }
  const full = (1 << T) - 1;
  // Incumbent: the beam's partition (disjoint groups within the budget, so feasible here).
  const start = beamGrouping(g, K, 4, 'beam');
  let bestTotal = start.estimatedGain;
  let bestGroups: number[][] = start.groups.map((G) => [...G]);
  let examined = start.examined;
  const pick: number[] = [];
  const cur = new Float64Array(T).fill(-Infinity);
  const search = (from: number, covered: number): void => {
    let here = 0;
    if (covered === full) {
      for (let i = 0; i < T; i++) here += cur[i]!;
      if (here > bestTotal + 1e-12) {
        bestTotal = here;
        bestGroups = pick.map((c) => cands[c]!.members);
      }
    }
    const left = K - pick.length;
    if (left === 0) return;
    const uncovered = full & ~covered;
    if (left === 1) {
      // The last group: its children are leaves, evaluated in place (no recursion, no copies);
      // it must cover every task not yet covered.
      for (let c = from; c < C; c++) {
        const cand = cands[c]!;
        if ((cand.mask & uncovered) !== uncovered) continue;
        examined++;
        let total = 0;
        for (let i = 0; i < T; i++) total += Math.max(cur[i]!, cand.gains[i]!);
        if (total > bestTotal + 1e-12) {
          bestTotal = total;
          bestGroups = [...pick, c].map((k) => cands[k]!.members);
        }
      }
      return;
    }
    // Budget bound: with base_i = cur_i for a covered task and 0 for an uncovered one, a task's
    // final gain is at most base_i + Σ over the groups still to choose of (its gain there − base_i)⁺,
    // so the total is at most Σ base + the sum of the `left` largest such improvements of single
    // remaining candidates (distinct candidates, each counted once).
    {
      const top = new Float64Array(left); // descending
      for (let c = from; c < C; c++) {
        const cand = cands[c]!;
        let up = 0;
        for (const i of cand.members) {
          const base = cur[i]! === -Infinity ? 0 : cur[i]!;
          if (cand.gains[i]! > base) up += cand.gains[i]! - base;
        }
        if (up > top[left - 1]!) {
          let k = left - 1;
          while (k > 0 && top[k - 1]! < up) {
            top[k] = top[k - 1]!;
            k--;
          }
          top[k] = up;
        }
      }
      let bound = 0;
      for (let i = 0; i < T; i++) if (cur[i]! !== -Infinity) bound += cur[i]!;
      for (let k = 0; k < left; k++) bound += top[k]!;
      if (bound <= bestTotal + 1e-12) return;
    }
    for (let c = from; c < C; c++) {
      // Bound: every task at the best it could still reach from candidates c …; uncovered tasks
      // must still be coverable.
      let bound = 0;
      for (let i = 0; i < T; i++) {
        const reach = Math.max(cur[i]!, suffixBest[c * T + i]!);
        if (reach === -Infinity) return; // task i can no longer be covered
        bound += reach;
      }
      if (bound <= bestTotal + 1e-12) return;
      const cand = cands[c]!;
      // A group covering nothing new and improving no task cannot help.
      let helps = false;
      for (const i of cand.members) if (cand.gains[i]! > cur[i]!) helps = true;
      if (!helps) continue;
      examined++;
      const saved = Float64Array.from(cur);
      for (const i of cand.members) if (cand.gains[i]! > cur[i]!) cur[i] = cand.gains[i]!;
      pick.push(c);
      search(c + 1, covered | cand.mask);
      pick.pop();
      cur.set(saved);
    }
  };
  search(0, 0);
  return finish(g, bestGroups, 'exact', examined);
}

interface Partition {
  groups: number[][];
  /** W[k]: Σ over ordered pairs (i, j), i ≠ j, within group k of gain[i][j]. */
  W: number[];
  /** X[a·n + b]: Σ_{i ∈ a, j ∈ b} gain[i][j] + gain[j][i] (symmetric). */
  X: Float64Array;
  total: number;
}

const value = (W: number, size: number): number => (size <= 1 ? 0 : W / (size - 1));

function singletons(g: GainMatrix): Partition {
  const T = g.T;
  const X = new Float64Array(T * T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) if (i !== j) X[i * T + j] = g.gain[i * T + j]! + g.gain[j * T + i]!;
  return { groups: Array.from({ length: T }, (_, i) => [i]), W: new Array<number>(T).fill(0), X, total: 0 };
}

/** Change of the estimated total when groups a and b of p merge. */
function mergeDelta(p: Partition, a: number, b: number): number {
  const n = p.groups.length;
  const sa = p.groups[a]!.length;
  const sb = p.groups[b]!.length;
  return value(p.W[a]! + p.W[b]! + p.X[a * n + b]!, sa + sb) - value(p.W[a]!, sa) - value(p.W[b]!, sb);
}

function merged(p: Partition, a: number, b: number): Partition {
  const n = p.groups.length;
  const keep = p.groups.map((_, k) => k).filter((k) => k !== a && k !== b);
  const m = n - 1;
  const groups = [...keep.map((k) => p.groups[k]!), [...p.groups[a]!, ...p.groups[b]!]];
  const W = [...keep.map((k) => p.W[k]!), p.W[a]! + p.W[b]! + p.X[a * n + b]!];
  const X = new Float64Array(m * m);
  for (let u = 0; u < keep.length; u++) {
    for (let v = 0; v < keep.length; v++) X[u * m + v] = p.X[keep[u]! * n + keep[v]!]!;
    const x = p.X[keep[u]! * n + a]! + p.X[keep[u]! * n + b]!;
    X[u * m + m - 1] = x;
    X[(m - 1) * m + u] = x;
  }
  return { groups, W, X, total: p.total + mergeDelta(p, a, b) };
}

/**
 * Greedy agglomerative merging in place (the beam with B = 1 without copying the cross-sum matrix
 * at every merge: O(T³/3) merge evaluations and O(T²) memory in all; T = 1000 in seconds). Merges
 * while more than K groups remain or a merge raises the estimate; ties go to the first pair in the
 * order of the groups' first tasks.
 */
function greedyGrouping(g: GainMatrix, K: number): Grouping {
  const T = g.T;
  const X = new Float64Array(T * T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) if (i !== j) X[i * T + j] = g.gain[i * T + j]! + g.gain[j * T + i]!;
  const W = new Float64Array(T);
  const size = new Int32Array(T).fill(1);
  const members: number[][] = Array.from({ length: T }, (_, i) => [i]);
  const alive: number[] = [...Array(T).keys()]; // slot ids, ascending by first task (slot a holds task a first)
  let examined = 0;
  while (alive.length > 1) {
    let bestD = -Infinity;
    let ba = -1;
    let bb = -1;
    for (let x = 0; x < alive.length; x++) {
      const a = alive[x]!;
      const va = value(W[a]!, size[a]!);
      for (let y = x + 1; y < alive.length; y++) {
        const b = alive[y]!;
        examined++;
        const d = value(W[a]! + W[b]! + X[a * T + b]!, size[a]! + size[b]!) - va - value(W[b]!, size[b]!);
        if (d > bestD) [bestD, ba, bb] = [d, a, b];
      }
    }
    if (alive.length <= K && !(bestD > 1e-12)) break;
    // merge bb into ba (ba < bb: the merged group keeps the smaller first task's slot)
    W[ba] = W[ba]! + W[bb]! + X[ba * T + bb]!;
    size[ba] = size[ba]! + size[bb]!;
    members[ba]!.push(...members[bb]!);
    for (const c of alive) {
      if (c === ba || c === bb) continue;
      const v = X[ba * T + c]! + X[bb * T + c]!;
      X[ba * T + c] = v;
      X[c * T + ba] = v;
    }
    alive.splice(alive.indexOf(bb), 1);
  }
  return finish(g, alive.map((a) => members[a]!), 'greedy', examined);
}

/** Agglomerative merging with a beam of B partitions (B = 1: greedy). */
function beamGrouping(g: GainMatrix, K: number, B: number, method: 'greedy' | 'beam'): Grouping {
  if (!Number.isInteger(B) || B < 1) throw new OptionError('beam-width', `must be an integer ≥ 1 (got ${B})`);
  let beam: Partition[] = [singletons(g)];
  let best = beam[0]!;
  let examined = 0;
  for (;;) {
    const next: { p: Partition; a: number; b: number; total: number }[] = [];
    for (const p of beam) {
      const n = p.groups.length;
      if (n <= 1) continue;
      // The B best merges of this partition.
      const top: { a: number; b: number; d: number }[] = [];
      for (let a = 0; a < n; a++) {
        for (let b = a + 1; b < n; b++) {
          examined++;
          const d = mergeDelta(p, a, b);
          if (top.length < B || d > top[top.length - 1]!.d) {
            top.push({ a, b, d });
            top.sort((x, y) => y.d - x.d);
            if (top.length > B) top.pop();
          }
        }
      }
      for (const t of top) next.push({ p, a: t.a, b: t.b, total: p.total + t.d });
    }
    if (next.length === 0) break;
    next.sort((x, y) => y.total - x.total);
    const cur = beam[0]!.groups.length;
    // Past the budget, merging is only worth it while it raises the estimate.
    if (cur <= K && next[0]!.total <= best.total + 1e-12) break;
    beam = next.slice(0, B).map((m) => merged(m.p, m.a, m.b));
    for (const p of beam) if (p.groups.length <= K && (best.groups.length > K || p.total > best.total)) best = p;
  }
  if (best.groups.length > K) throw new Error('grouping: internal error, no partition within the budget');
  return finish(g, best.groups, method, examined);
}
