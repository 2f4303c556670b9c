import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../src/linalg/random.ts';
import { DSelectK, gateUtilisation } from '../../../src/nn/arch/index.ts';
import { smoothStep, smoothStepValue } from '../../../src/nn/arch/dselect-k.ts';
import { Tape } from '../../../src/nn/tape.ts';
import { fitPlain } from './helpers.ts';
import { gradcheck } from '../gradcheck.ts';

test('smooth-step (eq. 2): 0 and 1 exactly outside [−γ/2, γ/2], ½ at 0, C¹ at the joins; the op matches', () => {
  for (const gamma of [1, 0.3]) {
    assert.equal(smoothStepValue(-gamma / 2 - 1e-9, gamma), 0);
    assert.equal(smoothStepValue(gamma / 2 + 1e-9, gamma), 1);
    assert.equal(smoothStepValue(0, gamma), 0.5);
    assert.ok(Math.abs(smoothStepValue(gamma / 2, gamma) - 1) < 1e-12 && Math.abs(smoothStepValue(-gamma / 2, gamma)) < 1e-12);
    const h = 1e-7; // one-sided slopes at the join vanish (continuous derivative)
    assert.ok(Math.abs((smoothStepValue(gamma / 2, gamma) - smoothStepValue(gamma / 2 - h, gamma)) / h) < 1e-5);
    const ts = [-2, -gamma / 2, -0.1, 0, 0.05, gamma / 4, gamma / 2, 3];
    const g = new Tape('float64');
    const out = smoothStep(g, g.input(Float64Array.from(ts), [ts.length]), gamma);
    ts.forEach((t, i) => assert.ok(Math.abs(out.data[i]! - smoothStepValue(t, gamma)) < 1e-12));
  }
});

test('binary selectors: the static gate has at most k non-zeros, exactly k for distinct codes, summing to 1', () => {
  const rng = new Random(5);
  for (const [n, k] of [[8, 2], [8, 3], [5, 2], [4, 4]] as const) {
    const arch = new DSelectK({ taskNames: ['a'], outDims: [1], encoder: { kind: 'mlp', input: 3, hidden: [2] }, experts: n, k, gate: 'static', dtype: 'float64' }, rng);
    for (let rep = 0; rep < 20; rep++) {
      const z = arch.zStatic[0]!.data;
      // put every selector on a random valid expert: z_j = ±1 (|z| ≥ γ/2) spelling the code
      const chosen = Array.from({ length: k }, () => rng.int(n));
      for (let i = 0; i < k; i++) for (let j = 0; j < arch.m; j++) z[i * arch.m + j] = (chosen[i]! >> j) & 1 ? 1 : -1;
      const q = arch.staticGates()![0]!;
      const support = q.map((v, e) => (v !== 0 ? e : -1)).filter((e) => e >= 0);
      assert.deepEqual(new Set(support), new Set(chosen), `n=${n} k=${k}: support ${support} for selectors on ${chosen}`);
      assert.ok(support.length <= k);
      assert.ok(Math.abs(q.reduce((s, v) => s + v, 0) - 1) < 1e-12);
    }
  }
});

test('paper\'s gate (μ = 0): training with the entropy regulariser makes every selector binary: exact zeros outside ≤ k experts, which alone drive the output', () => {
  const seed = 1, n = 600, D = 8;
  const rng = new Random(seed);
  const X = new Float32Array(n * D), Y1 = new Float32Array(n), Y2 = new Float32Array(n);
  const relu = (v: number) => Math.max(0, v);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) X[i * D + j] = rng.normal();
    Y1[i] = relu(X[i * D]!) + relu(X[i * D + 1]!);
    Y2[i] = relu(X[i * D + 2]!) + relu(X[i * D + 3]!);
  }
  for (const gate of ['static'] as const) {
    const arch = new DSelectK({ taskNames: ['t1', 't2'], outDims: [1, 1], encoder: { kind: 'mlp', input: D, hidden: [2] }, experts: 8, k: 2, gate, entropyReg: 0.01, distinctReg: 0 }, new Random(seed + 100));
    const q0 = gateUtilisation(arch, new Tape('float32'), X, n);
    for (const r of q0) assert.ok(r.mean.every((v) => v > 0), 'at initialisation every expert has weight (z ≈ 0: soft selectors)');
    const hist = fitPlain(arch, X, n, [{ kind: 'regression', y: Y1 }, { kind: 'regression', y: Y2 }], { epochs: 20, batchSize: 50, lr: 0.05, seed });
    assert.ok(hist.at(-1)! < hist[0]!, `${gate}: loss decreases ${hist}`);
    const util = gateUtilisation(arch, new Tape('float32'), X, n);
    for (const r of util) {
      const support = r.mean.filter((v) => v > 0).length;
      assert.ok(support >= 1 && support <= 2, `${gate} ${r.task}: ${support} experts carry weight (${r.mean})`);
    }
    if (gate === 'static') {
      for (const z of arch.zStatic) assert.ok(Array.from(z.data).every((v) => Math.abs(v) >= arch.gamma / 2), `selectors binary: ${Array.from(z.data)}`);
      // an expert outside a task's support has no effect on that task's output
      const q = arch.staticGates()!;
      const unused = q[0]!.findIndex((v) => v === 0);
      const g = new Tape('float32');
      g.training = false;
      const before = Array.from(arch.forward(g, g.input(X.subarray(0, 10 * D), [10, D])).outputs[0]!.data.subarray(0, 10));
      for (const p of arch.experts[unused]!.flatMap((s) => s.parameters())) p.data.fill(3);
      g.reset();
      const after = Array.from(arch.forward(g, g.input(X.subarray(0, 10 * D), [10, D])).outputs[0]!.data.subarray(0, 10));
      assert.deepEqual(after, before);
    }
  }
});

/** The planted problem of the tests above: two tasks reading disjoint pairs of inputs. */
function planted(seed: number, n = 400, D = 8): { X: Float32Array; Y1: Float32Array; Y2: Float32Array } {
  const rng = new Random(seed);
  const X = new Float32Array(n * D), Y1 = new Float32Array(n), Y2 = new Float32Array(n);
  const relu = (v: number) => Math.max(0, v);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) X[i * D + j] = rng.normal();
    Y1[i] = relu(X[i * D]!) + relu(X[i * D + 1]!);
    Y2[i] = relu(X[i * D + 2]!) + relu(X[i * D + 3]!);
  }
  return { X, Y1, Y2 };
}

test('exactly k: with the distinct-selector penalty (defaults λ = 0.1, μ = 1) every task\'s static gate has exactly k non-zero weights after training (n = 8, k = 2 and 3; 2 seeds)', () => {
  const n = 400, D = 8;
  for (const k of [2, 3]) {
    for (const seed of [1, 2]) {
      const { X, Y1, Y2 } = planted(seed, n, D);
      const arch = new DSelectK({ taskNames: ['t1', 't2'], outDims: [1, 1], encoder: { kind: 'mlp', input: D, hidden: [2] }, experts: 8, k, gate: 'static' }, new Random(seed + 100));
      assert.equal(arch.entropyReg, 0.1);
      assert.equal(arch.distinctReg, 1);
      fitPlain(arch, X, n, [{ kind: 'regression', y: Y1 }, { kind: 'regression', y: Y2 }], { epochs: 30, batchSize: 50, lr: 0.05, seed });
      for (const [t, q] of arch.staticGates()!.entries()) {
        const support = q.filter((v) => v !== 0).length;
        assert.equal(support, k, `k=${k} seed ${seed} task ${t}: ${support} experts carry weight (${q.map((v) => v.toFixed(3))})`);
        assert.ok(Math.abs(q.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      }
      // binary selectors on k distinct codes: every |z| ≥ γ/2
      for (const z of arch.zStatic) assert.ok(Array.from(z.data).every((v) => Math.abs(v) >= arch.gamma / 2));
    }
  }
});

test('distinct-selector penalty: μ·Σ_{i<j}⟨r_i, r_j⟩ — 1 per pair on one expert, 0 on distinct experts; gradient of the regulariser matches central differences', () => {
  const mk = (mu: number) => new DSelectK({ taskNames: ['a'], outDims: [1], encoder: { kind: 'mlp', input: 3, hidden: [2] }, experts: 4, k: 2, gate: 'static', entropyReg: 0, distinctReg: mu, dtype: 'float64' }, new Random(7));
  const X = Float64Array.from({ length: 2 * 3 }, (_, i) => Math.sin(i));
  const aux = (arch: DSelectK, g: Tape) => { g.reset(); return arch.forward(g, g.input(X, [2, 3])).aux![0]!; };
  const arch = mk(0.5);
  const z = arch.zStatic[0]!.data;
  const g = new Tape('float64');
  z.set([1, 1, 1, 1]); // both selectors on expert 3 (binary): overlap 1
  assert.ok(Math.abs(aux(arch, g)!.data[0]! - 0.5) < 1e-12);
  z.set([1, 1, -1, 1]); // experts 3 and 2: overlap 0
  assert.equal(aux(arch, g)!.data[0], 0);
  assert.equal(aux(mk(0), g), null, 'μ = 0, λ = 0, n a power of two: no regulariser (the paper\'s gate without entropy)');
  // soft selectors: the analytic gradient of λ·entropy + μ·overlap w.r.t. z and α
  const soft = new DSelectK({ taskNames: ['a'], outDims: [1], encoder: { kind: 'mlp', input: 3, hidden: [2] }, experts: 4, k: 3, gate: 'static', entropyReg: 0.3, distinctReg: 0.7, dtype: 'float64' }, new Random(8));
  soft.zStatic[0]!.data.set([0.1, -0.2, 0.05, 0.3, -0.15, 0.2]);
  gradcheck('dselect-k regulariser', [soft.zStatic[0]!, soft.aStatic[0]!], (t) => soft.forward(t, t.input(X, [2, 3])).aux![0]!, { tol: 1e-6 });
});

test('smooth-step in u = clamp(t/γ + ½): the cubic of eq. 2 inside the band, and EXACT 0 / 1 outside it in float32 for every γ', () => {
  const cubic = (t: number, gamma: number) => (-2 / gamma ** 3) * t ** 3 + (3 / (2 * gamma)) * t + 0.5;
  for (const gamma of [1, 0.3, 0.02, 1e-3]) {
    for (const s of [-0.49, -0.3, -0.1, 0, 0.2, 0.45]) assert.ok(Math.abs(smoothStepValue(s * gamma, gamma) - cubic(s * gamma, gamma)) < 1e-12);
    const ts = [-5, -gamma / 2, -gamma * 0.5000001, gamma * 0.5000001, gamma / 2, 7, 1e6, -1e6];
    const g = new Tape('float32');
    const out = smoothStep(g, g.input(Float32Array.from(ts), [ts.length]), gamma);
    ts.forEach((t, i) => assert.equal(out.data[i], t < 0 ? 0 : 1, `γ=${gamma} t=${t}: ${out.data[i]}`));
  }
});

test('γ anneal (our addition): γ → γ_end geometrically over the first 80 % of training, γ_end after; default γ/1000 per-example, none for static; the trainer leaves it at γ_end', () => {
  const mk = (gate: 'static' | 'per-example', gammaEnd?: number) => new DSelectK({ taskNames: ['a'], outDims: [1], encoder: { kind: 'mlp', input: 3, hidden: [2] }, experts: 4, k: 2, gate, gamma: 2, gammaEnd }, new Random(3));
  const pe = mk('per-example');
  assert.equal(pe.gammaEnd, 2e-3);
  assert.equal(pe.distinctReg, 5);
  assert.equal(pe.currentGamma(), 2, 'built, untrained (progress 0): γ');
  pe.setProgress(1);
  assert.equal(pe.currentGamma(), 2e-3, 'after training (progress 1): γ_end');
  pe.setProgress(0);
  assert.equal(pe.currentGamma(), 2);
  pe.setProgress(0.4);
  assert.ok(Math.abs(pe.currentGamma() - Math.sqrt(2 * 2e-3)) < 1e-12);
  pe.setProgress(0.9);
  assert.equal(pe.currentGamma(), 2e-3);
  const st = mk('static');
  st.setProgress(0.3);
  assert.equal(st.currentGamma(), 2, 'static default: the paper\'s fixed γ');
  assert.equal(st.distinctReg, 1);
  assert.throws(() => mk('per-example', 3), /gammaEnd/);
  const X = Float32Array.from({ length: 40 * 3 }, (_, i) => Math.sin(i * 1.3));
  const y = Float32Array.from({ length: 40 }, (_, i) => Math.cos(i));
  const arch = new DSelectK({ taskNames: ['a'], outDims: [1], encoder: { kind: 'mlp', input: 3, hidden: [2] }, experts: 4, k: 2 }, new Random(4));
  arch.setProgress(0);
  fitPlain(arch, X, 40, [{ kind: 'regression', y }], { epochs: 2, batchSize: 10, lr: 0.01, seed: 1 });
  assert.equal(arch.currentGamma(), arch.gammaEnd);
});

test('per-example gates, paper form (μ = 0, λ = 0, γ_end = γ): q(x) = Σ_i softmax(α(x))_i r(z^(i)(x)) of eqs. 3–4 with z = W_z x, α = W_α x', () => {
  const D = 3, n = 6, k = 2;
  const arch = new DSelectK({ taskNames: ['a'], outDims: [1], encoder: { kind: 'mlp', input: D, hidden: [2] }, experts: n, k, gate: 'per-example', entropyReg: 0, distinctReg: 0, gammaEnd: 1, dtype: 'float64' }, new Random(9));
  const rng = new Random(10);
  for (const p of [...arch.zLin[0]!.parameters(), ...arch.aLin[0]!.parameters()]) for (let i = 0; i < p.data.length; i++) p.data[i] = rng.normal(0, 0.6);
  const X = Float64Array.from({ length: 5 * D }, () => rng.normal());
  const g = new Tape('float64');
  g.training = false;
  const q = arch.forward(g, g.input(X, [5, D])).gates[0]!.weights.data;
  const [Wz, bz] = arch.zLin[0]!.parameters().map((p) => p.data), [Wa, ba] = arch.aLin[0]!.parameters().map((p) => p.data);
  for (let row = 0; row < 5; row++) {
    const lin = (W: ArrayLike<number>, b: ArrayLike<number>, o: number, out: number) => { let s = b[o]!; for (let j = 0; j < D; j++) s += X[row * D + j]! * W[j * out + o]!; return s; };
    const a = Array.from({ length: k }, (_, i) => lin(Wa!, ba!, i, k));
    const ea = a.map((v) => Math.exp(v)), es = ea.reduce((s, v) => s + v, 0);
    for (let e = 0; e < n; e++) {
      let want = 0;
      for (let i = 0; i < k; i++) {
        let r = 1;
        for (let j = 0; j < arch.m; j++) { const s = smoothStepValue(lin(Wz!, bz!, i * arch.m + j, k * arch.m), 1); r *= (e >> j) & 1 ? s : 1 - s; }
        want += (ea[i]! / es) * r;
      }
      assert.ok(Math.abs(q[row * n + e]! - want) < 1e-12, `row ${row} expert ${e}: ${q[row * n + e]} vs ${want}`);
    }
  }
});

test('exactly k per example: per-example gates with the defaults (μ = 5, γ → γ/1000) leave ≥ 99 % of the rows with exactly k non-zero weights per task (planted problem, 8 experts, k = 2, 60 epochs)', () => {
  const n = 400, D = 8;
  const { X, Y1, Y2 } = planted(1, n, D);
  const share = (arch: DSelectK) => {
    const g = new Tape('float32');
    g.training = false;
    return arch.forward(g, g.input(X, [n, D])).gates.map((r) => {
      let exact = 0;
      for (let i = 0; i < n; i++) {
        let c = 0;
        for (let e = 0; e < 8; e++) if (r.weights.data[i * 8 + e] !== 0) c++;
        if (c === 2) exact++;
      }
      return exact / n;
    });
  };
  const fit = (o: { distinctReg?: number; gammaEnd?: number }) => {
    const arch = new DSelectK({ taskNames: ['t1', 't2'], outDims: [1, 1], encoder: { kind: 'mlp', input: D, hidden: [2] }, experts: 8, k: 2, gate: 'per-example', ...o }, new Random(101));
    fitPlain(arch, X, n, [{ kind: 'regression', y: Y1 }, { kind: 'regression', y: Y2 }], { epochs: 60, batchSize: 50, lr: 0.05, seed: 1 });
    return share(arch);
  };
  // (the paper's gate, μ = 0 and fixed γ, leaves 30–80 % of the rows at exactly k: bench/dselect-k-support.ts)
  for (const [t, s] of fit({}).entries()) assert.ok(s >= 0.99, `defaults, task ${t}: ${(100 * s).toFixed(2)} % rows with exactly 2 experts`);
});
