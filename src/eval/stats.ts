// Statistical tests for comparing two models over repeated train/test splits (docs/evaluation.md).
//
// The honest caveat first: the R splits of a repeated random (or given) split protocol share most
// of their training rows, so the per-split differences are positively correlated and the naive
// paired t-test underestimates their variance — it is too optimistic (Dietterich 1998; Nadeau &
// Bengio 2003). The default for repeated splits is therefore the corrected resampled t-test of
// Nadeau & Bengio (2003, eq. 11 of the journal version), which inflates the variance term from
// 1/J to (1/J + n_test/n_train). With few splits (J = 10) every test here has little power; a
// non-significant difference is "not shown", never "no difference".
import { DataError, OptionError } from '../errors.ts';

// ---------------------------------------------------------------------------------------------
// Special functions

// Lanczos approximation (g = 7, 9 coefficients; Lanczos 1964, the coefficient set popularised by
// Numerical Recipes 3rd ed. §6.1 and Godfrey's note); relative error below 1e-14 for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be > 0, got ${x}`);
  if (x < 0.5) {
    // Reflection Γ(x)Γ(1−x) = π / sin(πx) keeps the series in its accurate range.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for I_x(a, b) by the modified Lentz method (Numerical Recipes 3rd ed. §6.4,
 * eq. 6.4.5 with the even/odd coefficients d_{2m}, d_{2m+1}; Lentz 1976). Converges fast for
 * x < (a + 1)/(a + b + 2); the caller uses the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) otherwise. */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const EPS = 1e-15;
  const MAX_ITER = 10000;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITER; m++) {
    const m2 = 2 * m;
    // Even step: d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m)).
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // Odd step: d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)).
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  throw new Error(`betaContinuedFraction: no convergence for x=${x}, a=${a}, b=${b}`);
}

/** The regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), 0 ≤ x ≤ 1, a, b > 0. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`incompleteBeta: a and b must be > 0, got a=${a}, b=${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`incompleteBeta: x must be in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  // Prefactor x^a (1−x)^b / (a B(a,b)), in logs for large a, b (NR eq. 6.4.5).
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Two-sided p-value P(|T| ≥ |t|) of Student's t with `df` degrees of freedom:
 * p = I_{df/(df+t²)}(df/2, 1/2) (Abramowitz & Stegun 26.7.1 with 26.5.27). */
export function studentTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTwoSidedP: df must be > 0, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** CDF of Student's t: P(T ≤ t). */
export function studentCdf(t: number, df: number): number {
  const tail = studentTwoSidedP(t, df) / 2;
  return t >= 0 ? 1 - tail : tail;
}

/** The regularised lower incomplete gamma function P(a, x) (Numerical Recipes 3rd ed. §6.2: the
 * series 6.2.5 for x < a + 1, else the continued fraction 6.2.7 evaluated by modified Lentz). */
export function incompleteGammaP(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`incompleteGammaP: a must be > 0, got ${a}`);
  if (!(x >= 0)) throw new RangeError(`incompleteGammaP: x must be >= 0, got ${x}`);
  if (x === 0) return 0;
  const lnFront = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return sum * Math.exp(lnFront);
  }
  const TINY = 1e-300;
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return 1 - Math.exp(lnFront) * h;
}

/** Standard normal CDF Φ(z) = ½(1 + sign(z) P(½, z²/2)), since erf(x) = P(½, x²). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (!Number.isFinite(z)) return z > 0 ? 1 : 0;
  const half = 0.5 * incompleteGammaP(0.5, (z * z) / 2);
  return z >= 0 ? 0.5 + half : 0.5 - half;
}

// ---------------------------------------------------------------------------------------------
// Paired tests on per-split differences

export interface TestResult {
  readonly test: 'paired-t' | 'corrected-t' | 'wilcoxon';
  /** The statistic (t, or for Wilcoxon W⁺ = sum of positive ranks). */
  readonly statistic: number;
  readonly df?: number;
  /** Two-sided p-value; NaN when it cannot be computed (fewer than 2 splits, zero variance with zero mean). */
  readonly p: number;
  readonly meanDifference: number;
  readonly n: number;
}

function meanVar(d: readonly number[]): { mean: number; variance: number } {
  const n = d.length;
  const m = d.reduce((s, v) => s + v, 0) / n;
  const v = n > 1 ? d.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1) : Number.NaN;
  return { mean: m, variance: v };
}

function checkDiffs(d: readonly number[], what: string): void {
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) throw new DataError(`${what}: difference ${i + 1} is not finite (${d[i]})`);
  }
}

function tFromMeanVar(mean: number, varianceOfMean: number): number {
  if (varianceOfMean > 0) return mean / Math.sqrt(varianceOfMean);
  // Identical differences: the test is degenerate. No difference at all → t = 0 (p = 1); a
  // constant non-zero difference → |t| = ∞ (p = 0), the limit of a vanishing variance.
  return mean === 0 ? 0 : Math.sign(mean) * Number.POSITIVE_INFINITY;
}

/** Paired t-test on differences d_j = a_j − b_j (j = 1..J): t = d̄ / √(s²/J), df = J − 1.
 * Optimistic for overlapping training sets (see the top of this file). */
export function pairedTTest(d: readonly number[]): TestResult {
  checkDiffs(d, 'pairedTTest');
  const J = d.length;
  if (J < 2) return { test: 'paired-t', statistic: Number.NaN, p: Number.NaN, meanDifference: J === 1 ? d[0]! : Number.NaN, n: J };
  const { mean, variance } = meanVar(d);
  const t = tFromMeanVar(mean, variance / J);
  return { test: 'paired-t', statistic: t, df: J - 1, p: studentTwoSidedP(t, J - 1), meanDifference: mean, n: J };
}

/**
 * Corrected resampled t-test (Nadeau & Bengio 2003, Machine Learning 52, eq. 11 / §4):
 * t = d̄ / √((1/J + n₂/n₁) s²), df = J − 1, with n₁ training and n₂ test rows per split. The
 * term n₂/n₁ accounts for the correlation between splits that share training data.
 */
export function correctedResampledTTest(d: readonly number[], testOverTrain: number): TestResult {
  checkDiffs(d, 'correctedResampledTTest');
  if (!(testOverTrain >= 0) || !Number.isFinite(testOverTrain)) throw new OptionError('testOverTrain', `must be a finite number ≥ 0, got ${testOverTrain}`);
  const J = d.length;
  if (J < 2) return { test: 'corrected-t', statistic: Number.NaN, p: Number.NaN, meanDifference: J === 1 ? d[0]! : Number.NaN, n: J };
  const { mean, variance } = meanVar(d);
  const t = tFromMeanVar(mean, (1 / J + testOverTrain) * variance);
  return { test: 'corrected-t', statistic: t, df: J - 1, p: studentTwoSidedP(t, J - 1), meanDifference: mean, n: J };
}

/** Ranks 1..n of |values| with midranks for ties. */
function midranks(values: readonly number[]): number[] {
  const idx = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const r = new Array<number>(values.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && values[idx[j + 1]!] === values[idx[i]!]) j++;
    for (let k = i; k <= j; k++) r[idx[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Exact two-sided p-value of W⁺ for n untied ranks 1..n: counts of the 2ⁿ sign patterns by sum. */
function wilcoxonExactP(wPlus: number, n: number): number {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let r = 1; r <= n; r++) for (let s = max; s >= r; s--) counts[s]! += counts[s - r]!;
  const total = 2 ** n;
  const w = Math.min(wPlus, max - wPlus); // the distribution is symmetric about max/2
  let tail = 0;
  for (let s = 0; s <= Math.floor(w + 1e-9); s++) tail += counts[s]!;
  return Math.min(1, (2 * tail) / total);
}

/**
 * Wilcoxon signed-rank test on paired differences (Wilcoxon 1945): zero differences are dropped
 * (Wilcoxon's convention), |d| ranked with midranks. Exact null distribution when n ≤ 25 and there
 * are no ties; otherwise the normal approximation with tie-corrected variance
 * n(n+1)(2n+1)/24 − Σ(t³ − t)/48 and a continuity correction of ½. Makes no normality assumption,
 * but shares the overlapping-training-set optimism of the naive t-test.
 */
export function wilcoxonSignedRank(d: readonly number[]): TestResult {
  checkDiffs(d, 'wilcoxonSignedRank');
  const nz = d.filter((v) => v !== 0);
  const meanDifference = d.length > 0 ? d.reduce((s, v) => s + v, 0) / d.length : Number.NaN;
  const n = nz.length;
  if (n === 0) return { test: 'wilcoxon', statistic: 0, p: d.length > 0 ? 1 : Number.NaN, meanDifference, n: d.length };
  const ranks = midranks(nz.map(Math.abs));
  let wPlus = 0;
  for (let i = 0; i < n; i++) if (nz[i]! > 0) wPlus += ranks[i]!;
  const hasTies = new Set(ranks).size < n;
  if (n <= 25 && !hasTies) return { test: 'wilcoxon', statistic: wPlus, p: wilcoxonExactP(wPlus, n), meanDifference, n: d.length };
  const counts = new Map<number, number>();
  for (const r of ranks) counts.set(r, (counts.get(r) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of counts.values()) tieTerm += t ** 3 - t;
  const mu = (n * (n + 1)) / 4;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const z = sigma > 0 ? Math.max(0, Math.abs(wPlus - mu) - 0.5) / sigma : 0;
  return { test: 'wilcoxon', statistic: wPlus, p: Math.min(1, 2 * (1 - normalCdf(z))), meanDifference, n: d.length };
}

/**
 * Holm–Bonferroni step-down adjustment (Holm 1979): with p-values sorted ascending
 * p_(1) ≤ … ≤ p_(m), p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)). Controls the family-wise error
 * rate at α under any dependence. Non-finite entries (no test possible) stay NaN and do not count
 * towards m.
 */
export function holm(p: readonly number[]): number[] {
  const idx = p.map((_, i) => i).filter((i) => Number.isFinite(p[i]!));
  idx.sort((a, b) => p[a]! - p[b]!);
  const m = idx.length;
  const out = p.map(() => Number.NaN);
  let running = 0;
  for (let j = 0; j < m; j++) {
    const adj = Math.min(1, (m - j) * p[idx[j]!]!);
    running = Math.max(running, adj);
    out[idx[j]!] = running;
  }
  return out;
}

export type PairedTestName = 'corrected-t' | 'paired-t' | 'wilcoxon';

/** Runs the named paired test; `testOverTrain` is needed by the corrected t-test only. */
export function pairedTest(name: PairedTestName, d: readonly number[], testOverTrain = 0): TestResult {
  switch (name) {
    case 'corrected-t':
      return correctedResampledTTest(d, testOverTrain);
    case 'paired-t':
      return pairedTTest(d);
    case 'wilcoxon':
      return wilcoxonSignedRank(d);
    default:
      throw new OptionError('test', `unknown test "${String(name)}" (available: corrected-t, paired-t, wilcoxon)`);
  }
}
