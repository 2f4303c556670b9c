// GradDrop: at each feature the tasks that pass have summed sign-corrected gradients of one sign;
// leak 1 gives the plain sum; the mask is shared over the batch; seeded; parameter modes refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { graddrop } from '../../../src/balance/aggregator/graddrop.ts';
import { Random } from '../../../src/linalg/random.ts';
import { Matrix } from '../../../src/linalg/matrix.ts';
import '../helpers.ts'; // fixed fast-check seed

test('graddrop: sign consistency per feature; leak 1 = sum; determinism by seed (fast-check)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1e9 }), (T, B, D, seed) => {
      const r = new Random(seed);
      const N = B * D;
      const G = new Matrix(T, N, r.normals(T * N));
      const A = r.normals(N);
      const out = graddrop({ seed }).aggregate({ mode: 'rep', jacobian: G, representation: A, batch: B }, { seed, calls: 0 });
      assert.equal(out.kind, 'direction');
      if (out.kind !== 'direction') return;
      for (let f = 0; f < D; f++) {
        const S = Array.from({ length: T }, (_, t) => {
          let s = 0;
          for (let b = 0; b < B; b++) s += Math.sign(A[b * D + f]!) * G.get(t, b * D + f);
          return s;
        });
        // The output at (b, f) is Σ_{t kept} G[t, b, f]; find a kept set consistent with all b.
        const kept = [S.filter((v) => v > 0).map((_, i) => i), S.filter((v) => v < 0).map((_, i) => i)];
        const pos = S.map((v, t) => (v > 0 ? t : -1)).filter((t) => t >= 0);
        const neg = S.map((v, t) => (v < 0 ? t : -1)).filter((t) => t >= 0);
        const ok = [pos, neg, []].some((set) => {
          for (let b = 0; b < B; b++) {
            const v = set.reduce((s, t) => s + G.get(t, b * D + f), 0);
            if (Math.abs(v - out.direction[b * D + f]!) > 1e-12) return false;
          }
          return true;
        });
        assert.ok(ok || kept.length === 0, `feature ${f}: output is not the sum over one sign class`);
      }
      const again = graddrop({ seed }).aggregate({ mode: 'rep', jacobian: G, representation: A, batch: B }, { seed, calls: 0 });
      if (again.kind === 'direction') assert.deepEqual(Array.from(again.direction), Array.from(out.direction));
      const all = graddrop({ leak: 1 }).aggregate({ mode: 'rep', jacobian: G, representation: A, batch: B }, { seed, calls: 0 });
      if (all.kind === 'direction') for (let k = 0; k < N; k++) assert.ok(Math.abs(all.direction[k]! - [...Array(T).keys()].reduce((s, t) => s + G.get(t, k), 0)) < 1e-12);
    }),
    { numRuns: 150 },
  );
});

test('graddrop: parameter gradients and a missing representation are refused', () => {
  const G = Matrix.from([[1, -1], [2, 1]]);
  assert.throws(() => graddrop().aggregate({ mode: 'backward', jacobian: G }, { seed: 0, calls: 0 }), /--grad-mode backward/);
  assert.throws(() => graddrop().aggregate({ mode: 'rep', jacobian: G }, { seed: 0, calls: 0 }), /representation/);
});
