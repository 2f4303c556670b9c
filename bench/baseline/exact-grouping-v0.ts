// The exact grouping search as it was before its budget-aware bound and incumbent (session 4,
// issue 13), kept only so that bench/select.bench.ts can time old against new side by side in one run.
import { groupGain, taskGainInGroup, type GainMatrix } from '../../src/select/hoa.ts';

/** Standley's exact search: branch and bound over all 2^T − 1 candidate groups, at most K chosen. */
export function exactGroupingV0(g: GainMatrix, K: number): { estimatedGain: number; examined: number } {
  const T = g.T;
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
  let bestTotal = -Infinity;
  let bestPick: number[] = [];
  let examined = 0;
  const pick: number[] = [];
  const cur = new Float64Array(T).fill(-Infinity);
  const search = (start: number, covered: number): void => {
    if (covered === full) {
      let total = 0;
      for (let i = 0; i < T; i++) total += cur[i]!;
      if (total > bestTotal + 1e-12) {
        bestTotal = total;
        bestPick = [...pick];
      }
    }
    if (pick.length === K) return;
    for (let c = start; c < C; c++) {
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
  void bestPick;
  return { estimatedGain: bestTotal, examined };
}

