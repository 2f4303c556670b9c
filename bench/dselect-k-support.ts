// DSelect-k support after training (docs/nn/architectures.md, "Exactly k"): on the planted problem of
// test/nn/arch/dselect-k.test.ts (two tasks reading disjoint pairs of 8 Gaussian inputs; 8 experts),
// per-example gates, the share of training rows whose gate has exactly k non-zero weights (exact
// zeros of the smooth-step, no threshold), per task, over seeds. Ablation of the two additions to the
// paper's gate: the distinct-selector penalty μ and the anneal of γ to γ_end. Not a speed bench.
// Usage: node --import tsx bench/dselect-k-support.ts [epochs=60] [seeds=8] [k=2]
// (MUS=5,20 adds rows for other μ with the anneal; ONLY=1 runs only those rows)
import { Random } from '../src/linalg/random.ts';
import { DSelectK } from '../src/nn/arch/index.ts';
import { Tape } from '../src/nn/tape.ts';
import { fitPlain } from '../test/nn/arch/helpers.ts';

const n = 400, D = 8, nExp = 8;
const epochs = Number(process.argv[2] ?? 60), seeds = Number(process.argv[3] ?? 8), k = Number(process.argv[4] ?? 2);
const all: { label: string; distinctReg: number; gammaEnd?: number }[] = [
  { label: 'paper gate (μ = 0, fixed γ = 1)', distinctReg: 0, gammaEnd: 1 },
  { label: 'distinct penalty only (μ = 5, fixed γ)', distinctReg: 5, gammaEnd: 1 },
  { label: 'γ anneal only (μ = 0, γ → 0.001)', distinctReg: 0 },
  { label: 'distinct μ = 1, γ → 0.001', distinctReg: 1 },
  { label: 'defaults (μ = 5, γ → 0.001)', distinctReg: 5 },
  ...(process.env.MUS ?? '').split(',').filter(Boolean).map((m) => ({ label: `μ = ${m}, γ → 0.001`, distinctReg: Number(m) })),
];
console.log(`planted problem n=${n}, D=${D}, ${nExp} experts, k=${k}, per-example gates, λ = 0.1, ${epochs} epochs, batch 50, Adam lr 0.05, seeds 1..${seeds}`);
console.log('| configuration | rows with exactly k (mean over seeds × tasks) | worst seed/task | rows < k | rows > k | final train loss |');
console.log('|---|---|---|---|---|---|');
const configs = process.env.ONLY ? all.slice(5) : all;
for (const c of configs) {
  const shares: number[] = [];
  let below = 0, above = 0, loss = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const rng = new Random(seed);
    const X = new Float32Array(n * D), Y1 = new Float32Array(n), Y2 = new Float32Array(n);
    const relu = (v: number) => Math.max(0, v);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < D; j++) X[i * D + j] = rng.normal();
      Y1[i] = relu(X[i * D]!) + relu(X[i * D + 1]!);
      Y2[i] = relu(X[i * D + 2]!) + relu(X[i * D + 3]!);
    }
    const arch = new DSelectK({ taskNames: ['t1', 't2'], outDims: [1, 1], encoder: { kind: 'mlp', input: D, hidden: [2] }, experts: nExp, k, gate: 'per-example', distinctReg: c.distinctReg, gammaEnd: c.gammaEnd }, new Random(seed + 100));
    const h = fitPlain(arch, X, n, [{ kind: 'regression', y: Y1 }, { kind: 'regression', y: Y2 }], { epochs, batchSize: 50, lr: 0.05, seed });
    loss += h.at(-1)! / seeds;
    const g = new Tape('float32');
    g.training = false;
    const out = arch.forward(g, g.input(X, [n, D]));
    for (const r of out.gates) {
      let exact = 0;
      for (let i = 0; i < n; i++) {
        let c2 = 0;
        for (let e = 0; e < nExp; e++) if (r.weights.data[i * nExp + e] !== 0) c2++;
        if (c2 === k) exact++; else if (c2 < k) below++; else above++;
      }
      shares.push(exact / n);
    }
  }
  const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
  const tot = n * shares.length;
  console.log(`| ${c.label} | ${(100 * mean).toFixed(2)} % | ${(100 * Math.min(...shares)).toFixed(2)} % | ${(100 * below / tot).toFixed(2)} % | ${(100 * above / tot).toFixed(2)} % | ${loss.toFixed(3)} |`);
}
