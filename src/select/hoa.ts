// Higher-order approximation (HOA) of a group's gain from pairwise gains — Standley et al.,
// "Which tasks should be learned together in multi-task learning?" (ICML 2020), §3.3: the
// performance of task i in a group G is estimated by the average of its performance in the pairs
// {i, j}, j ∈ G \ {i}. Gains here are relative (%) over the task learned alone, so a singleton's
// gain is 0 by definition.

/** A T × T gain matrix: gain[i·T + j] = % improvement of task i's held-out error when learned
 * together with task j, over task i alone (diagonal ignored). */
export interface GainMatrix {
  readonly T: number;
  readonly gain: Float64Array;
}

/** HOA estimate of task i's gain in `group` (which must contain i). */
export function taskGainInGroup(g: GainMatrix, i: number, group: readonly number[]): number {
  if (group.length <= 1) return 0;
  let s = 0;
  for (const j of group) if (j !== i) s += g.gain[i * g.T + j]!;
  return s / (group.length - 1);
}

/** HOA estimate of the total gain of a group: Σ_{i ∈ G} of taskGainInGroup. */
export function groupGain(g: GainMatrix, group: readonly number[]): number {
  if (group.length <= 1) return 0;
  let s = 0;
  for (const i of group) for (const j of group) if (i !== j) s += g.gain[i * g.T + j]!;
  return s / (group.length - 1);
}
