import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/linalg/random.ts';

// Statistical tolerances are 5 standard errors of the statistic at the sample size used, so a correct
// generator fails a given check with probability below 1e-6 (and every check is deterministic anyway,
// because the seeds are fixed).

test('golden values: the stream of seed 42 never changes (results of seeded runs depend on it)', () => {
  // Written once from this implementation (xoshiro128** seeded through splitmix32).
  const r = new Random(42);
  assert.deepEqual([r.nextUint32(), r.nextUint32(), r.nextUint32(), r.nextUint32()], [2837322924, 544945897, 479756282, 3500138142]);
  const u = new Random(42);
  assert.deepEqual([u.uniform(), u.uniform()], [0.6606157208001621, 0.1117019639532224]);
  const n = new Random(42);
  assert.deepEqual([n.normal(), n.normal(), n.normal()], [0.31875784963858494, -0.7706160167419408, 0.15178267621950975]);
  const i = new Random(42);
  assert.deepEqual([i.int(10), i.int(10), i.int(1000)], [4, 7, 282]);
});

test('same seed → same stream; different seeds (also beyond 2³²) → different streams', () => {
  const a = new Random(7);
  const b = new Random(7);
  for (let k = 0; k < 1000; k++) assert.equal(a.nextUint32(), b.nextUint32());
  const first = (seed: number): number[] => {
    const r = new Random(seed);
    return Array.from({ length: 4 }, () => r.nextUint32());
  };
  assert.notDeepEqual(first(7), first(8));
  assert.notDeepEqual(first(5), first(2 ** 32 + 5));
  assert.notDeepEqual(first(0), first(-1));
  assert.throws(() => new Random(NaN), RangeError);
  assert.throws(() => new Random(1.5), RangeError); // would otherwise alias seed 1
});

test('uniform: in [0, 1), mean 1/2 and variance 1/12', () => {
  const r = new Random(1);
  const N = 200_000;
  let s = 0;
  let s2 = 0;
  for (let k = 0; k < N; k++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
  }
  const mean = s / N;
  const variance = s2 / N - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / N), `mean ${mean}`);
  // Var of the sample variance of U(0,1): (μ₄ − σ⁴)/N with μ₄ = 1/80, σ⁴ = 1/144.
  assert.ok(Math.abs(variance - 1 / 12) < 5 * Math.sqrt((1 / 80 - 1 / 144) / N), `variance ${variance}`);
  const lo = r.uniformIn(-3, -2);
  assert.ok(lo >= -3 && lo < -2);
});

test('normal: mean, variance, skewness and excess kurtosis of N(0, 1); location and scale arguments', () => {
  const r = new Random(2);
  const N = 200_000;
  const x = r.normals(N);
  const mean = x.reduce((a, v) => a + v, 0) / N;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const v of x) {
    const d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= N;
  m3 /= N;
  m4 /= N;
  const skew = m3 / m2 ** 1.5;
  const kurt = m4 / (m2 * m2) - 3;
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(N), `mean ${mean}`);
  assert.ok(Math.abs(m2 - 1) < 5 * Math.sqrt(2 / N), `variance ${m2}`);
  assert.ok(Math.abs(skew) < 5 * Math.sqrt(6 / N), `skewness ${skew}`);
  assert.ok(Math.abs(kurt) < 5 * Math.sqrt(24 / N), `excess kurtosis ${kurt}`);
  // Tail: P(|Z| > 3) = 0.0026998; binomial sd √(p(1−p)/N).
  const tail = x.filter((v) => Math.abs(v) > 3).length / N;
  assert.ok(Math.abs(tail - 0.0026998) < 5 * Math.sqrt(0.0027 / N), `tail ${tail}`);

  const y = new Random(3).normals(50_000, 3, 2);
  const my = y.reduce((a, v) => a + v, 0) / y.length;
  const vy = y.reduce((a, v) => a + (v - my) ** 2, 0) / y.length;
  assert.ok(Math.abs(my - 3) < 5 * 2 / Math.sqrt(y.length), `mean ${my}`);
  assert.ok(Math.abs(vy - 4) < 5 * 4 * Math.sqrt(2 / y.length), `variance ${vy}`);
});

test('int: integers in [0, n), uniform counts (χ² test), large n, bad n rejected', () => {
  const r = new Random(4);
  const n = 7;
  const N = 70_000;
  const counts = new Array<number>(n).fill(0);
  for (let k = 0; k < N; k++) {
    const v = r.int(n);
    assert.ok(Number.isInteger(v) && v >= 0 && v < n);
    counts[v]!++;
  }
  const e = N / n;
  const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
  // χ²(6): P(χ² > 33) ≈ 1e-5.
  assert.ok(chi2 < 33, `χ² = ${chi2}, counts ${counts}`);
  for (let k = 0; k < 100; k++) assert.equal(r.int(1), 0);
  // n = 3·2³⁰ is not a power of two: modulo without rejection would favour the low third.
  const big = 3 * 2 ** 30;
  let low = 0;
  for (let k = 0; k < 30_000; k++) {
    const v = r.int(big);
    assert.ok(v >= 0 && v < big && Number.isInteger(v));
    if (v < 2 ** 30) low++;
  }
  assert.ok(Math.abs(low / 30_000 - 1 / 3) < 5 * Math.sqrt((2 / 9) / 30_000), `low third ${low / 30_000}`);
  const huge = r.int(2 ** 40);
  assert.ok(huge >= 0 && huge < 2 ** 40 && Number.isInteger(huge));
  assert.throws(() => r.int(0), RangeError);
  assert.throws(() => r.int(2.5), RangeError);
});

test('shuffle and permutation: a permutation, all orders equally likely', () => {
  const r = new Random(5);
  const a = Array.from({ length: 50 }, (_, i) => i * 3);
  const s = r.shuffle([...a]);
  assert.deepEqual([...s].sort((x, y) => x - y), a);
  assert.notDeepEqual(s, a);
  const p = r.permutation(100);
  assert.deepEqual(Array.from(p).sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  const counts = new Map<string, number>();
  const N = 60_000;
  for (let k = 0; k < N; k++) {
    const key = r.shuffle([0, 1, 2]).join('');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, 6);
  const e = N / 6;
  const chi2 = [...counts.values()].reduce((t, c) => t + (c - e) ** 2 / e, 0);
  assert.ok(chi2 < 30, `χ²(5) = ${chi2}`); // P(χ²(5) > 30) ≈ 1.5e-5
  assert.equal(r.permutation(0).length, 0);
});

test('choice: without replacement distinct, with replacement may repeat, too many is an error', () => {
  const r = new Random(6);
  const items = Array.from({ length: 20 }, (_, i) => `i${i}`);
  for (let k = 0; k < 200; k++) {
    const c = r.choice(items, 8);
    assert.equal(c.length, 8);
    assert.equal(new Set(c).size, 8);
    for (const x of c) assert.ok(items.includes(x));
  }
  assert.equal(new Set(r.choice(items, 20)).size, 20);
  const rep = r.choice(['a', 'b'], 50, true);
  assert.equal(rep.length, 50);
  assert.ok(rep.includes('a') && rep.includes('b'));
  assert.throws(() => r.choice(items, 21), RangeError);
});

test('fork: deterministic, differs from the parent and from sibling forks, uncorrelated with them', () => {
  const make = (): Random => new Random(9);
  const p1 = make();
  const p2 = make();
  const c1 = p1.fork();
  const c2 = p2.fork();
  for (let k = 0; k < 100; k++) assert.equal(c1.nextUint32(), c2.nextUint32());
  const parent = new Random(10);
  const a = parent.fork();
  const b = parent.fork();
  const N = 50_000;
  const xa = a.normals(N);
  const xb = b.normals(N);
  const xp = parent.normals(N);
  const corr = (x: Float64Array, y: Float64Array): number => {
    let s = 0;
    for (let k = 0; k < N; k++) s += x[k]! * y[k]!;
    return s / N;
  };
  // For independent N(0,1) streams the sample correlation has sd 1/√N.
  for (const [x, y, label] of [[xa, xb, 'siblings'], [xa, xp, 'child/parent'], [xb, xp, 'child/parent']] as const) {
    assert.ok(Math.abs(corr(x, y)) < 5 / Math.sqrt(N), `${label}: ${corr(x, y)}`);
    assert.notDeepEqual(x.subarray(0, 4), y.subarray(0, 4));
  }
});
