// eigh and svd: our Float64Array implementations against the ml-matrix routines they replaced,
// measured side by side in the same process on the same matrices. Prints median ms of repeated runs
// after a warm-up, and the speed-up ratio (ml-matrix median / ours).
// Run: node --import tsx bench/decomp.bench.ts
import { Matrix } from '../src/linalg/matrix.ts';
import { Random } from '../src/linalg/random.ts';
import { eigh } from '../src/linalg/decomp/eigh.ts';
import { svd } from '../src/linalg/decomp/svd.ts';
import { eighML, svdML } from '../src/linalg/decomp/mlmatrix.ts';
import { median } from './common.ts';

/** Median wall time of `reps` runs after `warm` untimed ones; runs of the two contenders alternate. */
function timePair(f: () => unknown, g: () => unknown, reps: number, warm = 2): [number, number] {
  for (let k = 0; k < warm; k++) {
    f();
    g();
  }
  const tf: number[] = [];
  const tg: number[] = [];
  for (let k = 0; k < reps; k++) {
    let t = performance.now();
    f();
    tf.push(performance.now() - t);
    t = performance.now();
    g();
    tg.push(performance.now() - t);
  }
  return [median(tf), median(tg)];
}

function symmetric(rng: Random, n: number): Matrix {
  const a = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      a.data[i * n + j] = v;
      a.data[j * n + i] = v;
    }
  }
  return a;
}

const reps = (n: number): number => (n <= 50 ? 21 : n <= 100 ? 11 : n <= 200 ? 7 : 5);
const rng = new Random(123);
const fmt = (x: number): string => x.toFixed(2).padStart(9);

console.log('eigh (symmetric n×n, N(0,1) entries)');
console.log('     n   ours ms  ml-matrix ms  speed-up');
for (const n of [50, 100, 200, 400]) {
  const a = symmetric(rng, n);
  const [ours, ml] = timePair(() => eigh(a), () => eighML(a), reps(n));
  console.log(`${String(n).padStart(6)} ${fmt(ours)} ${fmt(ml)}     ${(ml / ours).toFixed(2)}×`);
}

console.log('\nsvd (thin; m×n, N(0,1) entries; the trace-norm prox decomposes d×T)');
console.log('     m×n     ours ms  ml-matrix ms  speed-up');
for (const [m, n] of [[50, 50], [100, 100], [200, 200], [400, 400], [400, 50], [200, 100]] as const) {
  const a = new Matrix(m, n, rng.normals(m * n));
  const [ours, ml] = timePair(() => svd(a), () => svdML(a), reps(Math.max(m, n)));
  console.log(`${`${m}×${n}`.padStart(9)} ${fmt(ours)} ${fmt(ml)}     ${(ml / ours).toFixed(2)}×`);
}
