// Aligned-MTL: the aligned gradients BG are orthogonal with equal squared norms σ² (B K B = σ² I on
// the range of K), and the weights are B p.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { alignedMtl } from '../../../src/balance/aggregator/aligned-mtl.ts';
import { eigh } from '../../../src/linalg/decomp/eigh.ts';
import { arbIndependent, kv } from '../helpers.ts';

test('aligned-mtl: weights = B·(1/T) with B K B = λ_min I (fast-check, full rank)', () => {
  fc.assert(
    fc.property(arbIndependent(7, 12), (c) => {
      const T = c.T;
      const out = alignedMtl().aggregate({ mode: 'jacobian', jacobian: c.G }, null);
      if (out.kind !== 'weights') return;
      // Recover B column by column from unit preferences: B e_i = T · weights(pref = e_i / … ) — use pref = e_i.
      const B: Float64Array[] = [];
      for (let i = 0; i < T; i++) {
        const pref = Array.from({ length: T }, (_, k) => (k === i ? 1 : 0));
        const o = alignedMtl({ pref }).aggregate({ mode: 'jacobian', jacobian: c.G }, null);
        if (o.kind === 'weights') B.push(o.weights);
      }
      const lmin = eigh(c.K).values[0]!;
      for (let i = 0; i < T; i++) {
        const KBi = kv(c.K, B[i]!);
        for (let j = 0; j < T; j++) {
          const v = B[j]!.reduce((s, x, k) => s + x * KBi[k]!, 0);
          assert.ok(Math.abs(v - (i === j ? lmin : 0)) <= 1e-7 * Math.max(1, lmin) * T, `(BKB)_${i}${j} = ${v}, λ_min = ${lmin}`);
        }
      }
      // weights = B p with p = 1/T
      out.weights.forEach((w, k) => assert.ok(Math.abs(w - B.reduce((s, col) => s + col[k]! / T, 0)) < 1e-9 * (1 + Math.abs(w))));
    }),
    { numRuns: 60 },
  );
});
