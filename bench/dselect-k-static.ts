// DSelect-k static gates after training (docs/nn/architectures.md, "Exactly k"): for 8 seeds of the
// planted problem of test/nn/arch/dselect-k.test.ts, the number of experts with non-zero weight in each
// task's gate (static: per task; per-example: 10·min + max over the rows; per-example gates are measured
// in detail by bench/dselect-k-support.ts). Not a speed bench.
// Usage: node --import tsx bench/dselect-k-static.ts <μ> <static|per-example> [experts=8] [k=2] [λ=0.01] [epochs=20]
import { Random } from '../src/linalg/random.ts';
import { DSelectK, gateUtilisation } from '../src/nn/arch/index.ts';
import { Tape } from '../src/nn/tape.ts';
import { fitPlain } from '../test/nn/arch/helpers.ts';
const n = 400, D = 8;
const mu = Number(process.argv[2]); const gate = process.argv[3] as 'static' | 'per-example'; const nExp = Number(process.argv[4] ?? 8); const k = Number(process.argv[5] ?? 2);
const res: number[][] = [];
for (let seed = 1; seed <= 8; seed++) {
  const rng = new Random(seed);
  const X = new Float32Array(n * D), Y1 = new Float32Array(n), Y2 = new Float32Array(n);
  const relu = (v: number) => Math.max(0, v);
  for (let i = 0; i < n; i++) { for (let j = 0; j < D; j++) X[i * D + j] = rng.normal(); Y1[i] = relu(X[i * D]!) + relu(X[i * D + 1]!); Y2[i] = relu(X[i * D + 2]!) + relu(X[i * D + 3]!); }
  const arch = new DSelectK({ taskNames: ['t1', 't2'], outDims: [1, 1], encoder: { kind: 'mlp', input: D, hidden: [2] }, experts: nExp, k, gate, entropyReg: Number(process.argv[6] ?? 0.01), distinctReg: mu }, new Random(seed + 100));
  fitPlain(arch, X, n, [{ kind: 'regression', y: Y1 }, { kind: 'regression', y: Y2 }], { epochs: Number(process.argv[7] ?? 20), batchSize: 50, lr: 0.05, seed });
  if (gate === 'static') res.push(arch.staticGates()!.map((q) => q.filter((v) => v !== 0).length));
  else {
    // per example: number of non-zero gate weights per row, min and max over rows
    const g = new Tape('float32'); g.training = false;
    const out = arch.forward(g, g.input(X, [n, D]));
    res.push(out.gates.map((r) => { let mn = 99, mx = 0; for (let i = 0; i < n; i++) { let c = 0; for (let e = 0; e < nExp; e++) if (r.weights.data[i * nExp + e] !== 0) c++; mn = Math.min(mn, c); mx = Math.max(mx, c); } return mn * 10 + mx; }));
  }
}
console.log(`mu=${mu} gate=${gate} n=${nExp} k=${k}:`, JSON.stringify(res));
