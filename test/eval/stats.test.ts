import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctedResampledTTest, holm, incompleteBeta, incompleteGammaP, logGamma, normalCdf, pairedTTest, studentCdf, studentTwoSidedP, wilcoxonSignedRank } from '../../src/eval/stats.ts';

const close = (a: number, b: number, tol: number): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b} (tol ${tol})`);

test('log Γ against exact values', () => {
  close(logGamma(1), 0, 1e-14);
  close(logGamma(5), Math.log(24), 1e-13);
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-13);
  close(logGamma(101), 363.73937555556347, 1e-10); // ln(100!)
});

test('regularised incomplete beta against closed forms and known values', () => {
  close(incompleteBeta(0.3, 2, 3), 0.3483, 1e-13); // binomial tail Σ_{j≥2} C(4,j) .3^j .7^{4−j}
  for (const x of [0.01, 0.2, 0.5, 0.9, 0.999]) {
    close(incompleteBeta(x, 1, 1), x, 1e-14);
    close(incompleteBeta(x, 3.5, 1), x ** 3.5, 1e-13); // I_x(a, 1) = x^a
    close(incompleteBeta(x, 1, 4.2), 1 - (1 - x) ** 4.2, 1e-13); // I_x(1, b) = 1 − (1−x)^b
    close(incompleteBeta(x, 2.5, 7) + incompleteBeta(1 - x, 7, 2.5), 1, 1e-13); // symmetry
  }
  close(incompleteBeta(0.5, 50, 50), 0.5, 1e-12);
});

test('Student t: two-sided p-values against tables', () => {
  close(studentTwoSidedP(2.0, 5), 0.1019394788, 1e-9);
  close(studentTwoSidedP(1, 1), 0.5, 1e-13); // Cauchy: 1 − 2 atan(1)/π
  close(studentTwoSidedP(2.262157162740992, 9), 0.05, 1e-9); // t_{0.975, 9}
  close(studentTwoSidedP(12.706204736174707, 1), 0.05, 1e-9);
  close(studentCdf(-2.0, 5), 0.1019394788 / 2, 1e-9);
  close(studentTwoSidedP(0, 7), 1, 1e-14);
});

test('normal CDF through the incomplete gamma function', () => {
  close(normalCdf(1.959963984540054), 0.975, 1e-12);
  close(normalCdf(-1), 0.15865525393145707, 1e-12);
  close(normalCdf(0), 0.5, 1e-15);
  close(incompleteGammaP(1, 2), 1 - Math.exp(-2), 1e-14);
  close(incompleteGammaP(3, 10), 1 - Math.exp(-10) * (1 + 10 + 50), 1e-13);
});

test('paired t-test by hand; the corrected resampled t-test is more conservative', () => {
  const d = [1, 2, 3, 4, 5]; // mean 3, s² = 2.5
  const naive = pairedTTest(d);
  close(naive.statistic, 3 / Math.sqrt(2.5 / 5), 1e-12);
  assert.equal(naive.df, 4);
  const corrected = correctedResampledTTest(d, 1 / 3); // 25% test
  close(corrected.statistic, 3 / Math.sqrt((1 / 5 + 1 / 3) * 2.5), 1e-12);
  assert.ok(corrected.p > naive.p);
  assert.ok(Number.isNaN(pairedTTest([1]).p), 'one split: no test');
  assert.equal(pairedTTest([0, 0, 0]).p, 1);
  assert.equal(pairedTTest([2, 2, 2]).p, 0);
});

test('Wilcoxon signed-rank: exact small-sample and tied cases', () => {
  close(wilcoxonSignedRank([1, 2, 3, 4, 5, 6, 7, 8]).p, 2 / 256, 1e-15);
  // n = 5, W⁺ = 1 + 2 + 3 + 5 = 11 of 15, i.e. W⁻ = 4; subsets of {1..5} with sum ≤ 4:
  // {}, {1}, {2}, {3}, {4}, {1,2}, {1,3} → P = 7/32, two-sided 14/32.
  const r = wilcoxonSignedRank([1, 2, 3, -4, 5]);
  assert.equal(r.statistic, 11);
  close(r.p, 14 / 32, 1e-15);
  // Ties: normal approximation, still a valid probability, symmetric under sign flip.
  const a = wilcoxonSignedRank([1, 1, 2, 2, 3, -1]);
  const b = wilcoxonSignedRank([-1, -1, -2, -2, -3, 1]);
  close(a.p, b.p, 1e-15);
  assert.ok(a.p > 0 && a.p < 1);
});

test('Holm–Bonferroni on a textbook example', () => {
  // Holm (1979)-style example: p = (0.01, 0.04, 0.03, 0.005), m = 4.
  // sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → monotone 0.06.
  const adj = holm([0.01, 0.04, 0.03, 0.005]);
  [0.03, 0.06, 0.06, 0.02].forEach((v, i) => close(adj[i]!, v, 1e-15));
  const withNaN = holm([0.02, Number.NaN, 0.5]);
  close(withNaN[0]!, 0.04, 1e-15);
  assert.ok(Number.isNaN(withNaN[1]!));
  close(withNaN[2]!, 0.5, 1e-15);
});
