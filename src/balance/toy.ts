// The two-task toy problem of CAGrad (Liu et al., NeurIPS 2021, §5.1 / Fig. 1) as modified by
// Nash-MTL (Navon et al., ICML 2022, §6.1 and their experiments/toy/problem.py): x ∈ R²,
//     a₁ = ½(−x₁ − 7) − tanh(−x₂),   f₁ = log max(|a₁|, 5e-6) + 6
//     a₂ = ½(−x₁ + 3) + tanh(−x₂) + 2, f₂ = log max(|a₂|, 5e-6) + 6
//     c₁ = max(tanh(x₂/2), 0),  c₂ = max(tanh(−x₂/2), 0)
//     q₁ = ((x₁ − 7)² + 0.1(x₂ + 8)²)/10 − 20,  q₂ = ((x₁ + 7)² + 0.1(x₂ + 8)²)/10 − 20
//     L₁ = s·(c₁f₁ + c₂q₁),  L₂ = c₁f₂ + c₂q₂     (s = 0.1 in Nash-MTL's version, 1 in CAGrad's)
// with the gradients written out by hand (the clamps follow torch's gradient convention). Every method
// runs from the papers' five starting points with Adam (lr 1e-3) on x, as the reference trainer does.
import { Matrix } from '../linalg/matrix.ts';
import { adamInit, adamStep, directionOf, gramianOf } from './core.ts';
import { minNormPoint } from './solvers/min-norm.ts';
import type { Aggregator, Weighting } from './types.ts';

const LOWER = 0.000005;

export const TOY_STARTS: readonly (readonly [number, number])[] = [
  [-8.5, 7.5],
  [0, 0],
  [9, 9],
  [-7.5, -0.5],
  [9, -1],
];

// torch.clamp(v, min) passes the gradient where v ≥ min (also at the boundary): so at x₂ = 0 both
// c₁ and c₂ have slope ±½ although both are 0, and (0, 0) is not a dead start.
function logAbs(a: number): { v: number; d: number } {
  const m = Math.abs(a);
  if (m < LOWER) return { v: Math.log(LOWER) + 6, d: 0 };
  return { v: Math.log(m) + 6, d: 1 / a };
}

/** Losses [L₁, L₂] and their gradients (rows of the 2 × 2 Jacobian). */
export function toyLosses(x1: number, x2: number, scale = 0.1): { losses: Float64Array; jacobian: Matrix } {
  const th = Math.tanh(x2);
  const sech2 = 1 - th * th;
  const a1 = 0.5 * (-x1 - 7) + th; // −tanh(−x₂) = tanh(x₂)
  const a2 = 0.5 * (-x1 + 3) - th + 2;
  const f1 = logAbs(a1);
  const f2 = logAbs(a2);
  // ∂f₁ = (∂a₁)/a₁ with ∂a₁/∂x₁ = −½, ∂a₁/∂x₂ = sech²x₂; ∂a₂/∂x₁ = −½, ∂a₂/∂x₂ = −sech²x₂.
  const f1x = -0.5 * f1.d;
  const f1y = sech2 * f1.d;
  const f2x = -0.5 * f2.d;
  const f2y = -sech2 * f2.d;
  const t1 = Math.tanh(x2 / 2);
  const c1 = Math.max(t1, 0);
  const c1y = t1 >= 0 ? 0.5 * (1 - t1 * t1) : 0;
  const c2 = Math.max(-t1, 0);
  const c2y = -t1 >= 0 ? -0.5 * (1 - t1 * t1) : 0;
  const q1 = ((x1 - 7) ** 2 + 0.1 * (x2 + 8) ** 2) / 10 - 20;
  const q2 = ((x1 + 7) ** 2 + 0.1 * (x2 + 8) ** 2) / 10 - 20;
  const q1x = (2 * (x1 - 7)) / 10;
  const q2x = (2 * (x1 + 7)) / 10;
  const qy = (0.2 * (x2 + 8)) / 10;
  const L1 = scale * (c1 * f1.v + c2 * q1);
  const L2 = c1 * f2.v + c2 * q2;
  const g1x = scale * (c1 * f1x + c2 * q1x);
  const g1y = scale * (c1y * f1.v + c1 * f1y + c2y * q1 + c2 * qy);
  const g2x = c1 * f2x + c2 * q2x;
  const g2y = c1y * f2.v + c1 * f2y + c2y * q2 + c2 * qy;
  return { losses: Float64Array.from([L1, L2]), jacobian: Matrix.from([[g1x, g1y], [g2x, g2y]]) };
}

export interface ToyRun {
  readonly start: readonly [number, number];
  /** Every `every`-th iterate, then the last one. */
  readonly path: [number, number][];
  readonly end: [number, number];
  readonly losses: [number, number];
  /** ‖min-norm point of conv{∇L₁, ∇L₂}‖ / max_t ‖∇L_t‖ at the end (0 on the Pareto-stationary set). */
  readonly stationarity: number;
}

export type ToyMethod = { readonly aggregator: Aggregator } | { readonly weighting: Weighting };

/** Runs one method from one start: Adam (lr) on x along the method's direction, `steps` iterations. */
export function runToy(method: ToyMethod, start: readonly [number, number], opts: { steps?: number; lr?: number; scale?: number; every?: number } = {}): ToyRun {
  const { steps = 35000, lr = 1e-3, scale = 0.1, every = 250 } = opts;
  let x: Float64Array = Float64Array.from(start);
  let adam = adamInit(2);
  const path: [number, number][] = [];
  let aggState = 'aggregator' in method ? method.aggregator.init(2) : null;
  let wState = 'weighting' in method ? method.weighting.init(2) : null;
  for (let k = 0; k < steps; k++) {
    if (k % every === 0) path.push([x[0]!, x[1]!]);
    const { losses, jacobian } = toyLosses(x[0]!, x[1]!, scale);
    let d: Float64Array;
    if ('aggregator' in method) {
      const out = method.aggregator.aggregate({ mode: 'jacobian', jacobian, losses }, aggState);
      aggState = out.state;
      d = directionOf(out, jacobian);
    } else {
      const out = method.weighting.weigh({ mode: 'jacobian', losses, epoch: Math.floor(k / 1000), jacobian }, wState);
      wState = out.state;
      d = Float64Array.from([out.weights[0]! * jacobian.get(0, 0) + out.weights[1]! * jacobian.get(1, 0), out.weights[0]! * jacobian.get(0, 1) + out.weights[1]! * jacobian.get(1, 1)]);
      if (method.weighting.afterStep) {
        const u = adamStep(x, d, adam, lr);
        const after = toyLosses(u.x[0]!, u.x[1]!, scale).losses;
        wState = method.weighting.afterStep(after, wState);
        x = u.x;
        adam = u.state;
        continue;
      }
    }
    const u = adamStep(x, d, adam, lr);
    x = u.x;
    adam = u.state;
  }
  path.push([x[0]!, x[1]!]);
  const { losses, jacobian } = toyLosses(x[0]!, x[1]!, scale);
  return { start, path, end: [x[0]!, x[1]!], losses: [losses[0]!, losses[1]!], stationarity: toyStationarity(jacobian) };
}

export function toyStationarity(jacobian: Matrix): number {
  const K = gramianOf(jacobian);
  const top = Math.sqrt(Math.max(K.get(0, 0), K.get(1, 1)));
  if (!(top > 0)) return 0;
  return Math.sqrt(minNormPoint(K).normSq) / top;
}

/** Non-dominated points of the toy's losses over a grid of x (the Pareto front, numerically). */
export function toyParetoGrid(opts: { n?: number; lo?: number; hi?: number; scale?: number } = {}): { x: [number, number]; f: [number, number] }[] {
  const { n = 400, lo = -10, hi = 10, scale = 0.1 } = opts;
  const pts: { x: [number, number]; f: [number, number] }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x1 = lo + ((hi - lo) * i) / (n - 1);
      const x2 = lo + ((hi - lo) * j) / (n - 1);
      const { losses } = toyLosses(x1, x2, scale);
      pts.push({ x: [x1, x2], f: [losses[0]!, losses[1]!] });
    }
  }
  pts.sort((a, b) => a.f[0] - b.f[0] || a.f[1] - b.f[1]);
  const front: typeof pts = [];
  let best = Infinity;
  for (const p of pts) {
    if (p.f[1] < best) {
      front.push(p);
      best = p.f[1];
    }
  }
  return front;
}

/** How far some front point dominates f (max over the front of min(f₁ − p₁, f₂ − p₂)); ≤ 0 means not dominated. */
export function dominationGap(f: readonly [number, number], front: readonly { f: [number, number] }[]): number {
  let g = -Infinity;
  for (const p of front) g = Math.max(g, Math.min(f[0] - p.f[0], f[1] - p.f[1]));
  return g;
}
