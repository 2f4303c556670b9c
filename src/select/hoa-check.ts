// Checking Standley's higher-order approximation against true group fits (issue 13). HOA
// (hoa.ts) estimates task i's gain in a group G by the mean of its pairwise gains gain[i][j],
// j ∈ G ∖ {i}. Here every group of the chosen sizes (or a seeded sample of them) is actually fitted
// on the same folds as the pairs, and its measured gain — the same gain function (gain.ts) of the
// same alone errors on the same folds — is set against the estimate:
//   measured_i(G) = mean over folds of g(e_i({i}), e_i(G)),   total(G) = Σ_{i ∈ G} measured_i(G).
// Reported: Spearman's rank correlation of estimated and measured group totals (does HOA order the
// groups right? — what the grouping search needs), the mean absolute error per task, the share of
// groups whose sign (helps or hurts against STL) HOA gets right, and the groups it misses most.
import { Random } from '../linalg/random.ts';
import { OptionError } from '../errors.ts';
import type { Affinity, FitJob, GroupFitCache } from './affinity.ts';
import { gainOf, pooledScale } from './gain.ts';
import { groupGain } from './hoa.ts';

export interface HoaGroupCheck {
  readonly tasks: readonly number[];
  /** HOA's estimate of the group's total gain (% points summed over its tasks). */
  readonly estimated: number;
  /** The measured total gain of the group's fits. */
  readonly measured: number;
}

export interface HoaCheckSummary {
  readonly size: number | 'all';
  readonly groups: number;
  readonly spearman: number;
  /** Mean over groups of |estimated − measured| / |G| (per task, % points). */
  readonly maePerTask: number;
  /** Share of groups where sign(estimated) = sign(measured). */
  readonly signAgreement: number;
}

export interface HoaCheck {
  readonly groups: readonly HoaGroupCheck[];
  readonly summaries: readonly HoaCheckSummary[];
  /** Group fits the check uses (groups × folds). */
  readonly fits: number;
}

/** Every group of each size, or a seeded sample of at most `perSize` of them per size. */
export function checkGroups(T: number, sizes: readonly number[], perSize: number, seed: number): number[][] {
  const rng = new Random(seed);
  const out: number[][] = [];
  for (const k of sizes) {
    if (!Number.isInteger(k) || k < 3 || k > T) throw new OptionError('--check-hoa', `group sizes must be integers from 3 to T = ${T} (got ${k})`);
    const all = binomial(T, k);
    if (all <= perSize) {
      combinations(T, k, (c) => out.push([...c]));
    } else {
      const seen = new Set<string>();
      while (seen.size < perSize) {
        const c = [...rng.choice([...Array(T).keys()], k)].sort((a, b) => a - b);
        const key = c.join(',');
        if (!seen.has(key)) {
          seen.add(key);
          out.push(c);
        }
      }
    }
  }
  return out;
}

/** The fits the check needs (each group on each fold). */
export function hoaCheckJobs(groups: readonly (readonly number[])[], folds: number): FitJob[] {
  return groups.flatMap((g) => Array.from({ length: folds }, (_, f) => ({ fold: f, tasks: g })));
}

/** Compares HOA on `aff` (a pairwise affinity) with the groups' fits held in `cache` (same folds). */
export function assessHoa(aff: Affinity, cache: GroupFitCache, groups: readonly (readonly number[])[]): HoaCheck {
  if (!aff.gainKind || aff.folds < 2) throw new OptionError('--check-hoa', 'the HOA check needs a fit-based pairwise affinity');
  const T = aff.T;
  const folds = aff.folds;
  const alone = Array.from({ length: folds }, (_, f) => Float64Array.from({ length: T }, (_, i) => cache.errors(f, [i])[0]!));
  const scale = alone.map((a) => pooledScale(a));
  const checks: HoaGroupCheck[] = groups.map((G) => {
    let measured = 0;
    for (let f = 0; f < folds; f++) {
      const e = cache.errors(f, G);
      G.forEach((i, k) => (measured += gainOf(aff.gainKind!, alone[f]![i]!, e[k]!, scale[f]!) / folds));
    }
    return { tasks: [...G], estimated: groupGain(aff, G), measured };
  });
  const sizes = [...new Set(groups.map((g) => g.length))].sort((a, b) => a - b);
  const summaries = [...sizes.map((k) => summarise(k, checks.filter((c) => c.tasks.length === k))), ...(sizes.length > 1 ? [summarise('all', checks)] : [])];
  return { groups: checks, summaries, fits: groups.length * folds };
}

function summarise(size: number | 'all', cs: readonly HoaGroupCheck[]): HoaCheckSummary {
  const ok = cs.filter((c) => Number.isFinite(c.estimated) && Number.isFinite(c.measured));
  return {
    size,
    groups: ok.length,
    spearman: spearman(ok.map((c) => c.estimated), ok.map((c) => c.measured)),
    maePerTask: ok.reduce((s, c) => s + Math.abs(c.estimated - c.measured) / c.tasks.length, 0) / ok.length,
    signAgreement: ok.filter((c) => Math.sign(c.estimated) === Math.sign(c.measured)).length / ok.length,
  };
}

/** Spearman's rank correlation (ties get their mean rank); NaN for fewer than 3 pairs or a constant side. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError('spearman: lengths differ');
  if (x.length < 3) return Number.NaN;
  const rx = ranks(x);
  const ry = ranks(y);
  const n = x.length;
  const mx = rx.reduce((a, b) => a + b, 0) / n;
  const my = ry.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

function ranks(v: readonly number[]): number[] {
  const idx = v.map((_, i) => i).sort((a, b) => v[a]! - v[b]!);
  const r = new Array<number>(v.length);
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && v[idx[e + 1]!] === v[idx[s]!]) e++;
    for (let k = s; k <= e; k++) r[idx[k]!] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return r;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

function combinations(n: number, k: number, visit: (c: readonly number[]) => void): void {
  const c: number[] = [];
  const rec = (start: number): void => {
    if (c.length === k) return visit(c);
    for (let i = start; i <= n - (k - c.length); i++) {
      c.push(i);
      rec(i + 1);
      c.pop();
    }
  };
  rec(0);
}
