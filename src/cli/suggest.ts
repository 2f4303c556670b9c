// "Did you mean …?" for names the user types (models, architectures): the closest known name by
// edit distance, as commander does for unknown flags. A dozen lines, so no dependency.

/** Edit distance with insertions, deletions, substitutions and swaps of adjacent letters ("mmeo" →
 * "mmoe" is one edit; the optimal-string-alignment distance), two rows of memory. */
export function editDistance(a: string, b: string): number {
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    [prev2, prev] = [prev, cur];
  }
  return prev[b.length]!;
}

/** " (did you mean "x"?)" for the closest known name within a third of its length (at least 1 edit,
 * at most 3), else "". Case is ignored: "L21" suggests "l21". */
export function didYouMean(name: string, known: readonly string[]): string {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  return best !== undefined && bestD <= limit ? ` (did you mean "${best}"?)` : '';
}
