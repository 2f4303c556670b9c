// Element-wise ops: add/sub/mul/div with numpy broadcasting, bias add, scalar ops, and the
// activations. Unary ops store the local derivative f'(x) in forward so that their backward is one
// shared loop (gx += g·f'(x)); the extra store is cheaper than recomputing tanh/exp in backward.
import { ShapeError } from '../../errors.ts';
import type { Tape } from '../tape.ts';
import type { Activation as KernelActivation } from '../../linalg/kernels/types.ts';
import type { Data, Tensor } from '../tensor.ts';
import { shapeStr } from '../tensor.ts';
import { broadcastMap, broadcastShape, sameKey, sameShape } from './util.ts';

const ADD = 0, SUB = 1, MUL = 2, DIV = 3;

/**
 * How an operand of shape `x` is read inside an output of shape `out` (x right-aligned):
 * 'outer' when x equals out on a leading block and is 1 on the trailing dims (x[⌊i/K⌋], K = the
 * trailing size: an [B, n, 1] gate over [B, n, H] experts); 'inner' when x is 1 on a leading block
 * and equals out on the rest (x[i mod S]: a bias row); null otherwise (index maps).
 * The result K (outer) or S (inner) is returned with the kind.
 */
function broadcastKind(x: readonly number[], out: readonly number[]): [number, number] | null {
  const r = out.length, off = r - x.length;
  const dim = (i: number): number => (i < off ? 1 : x[i - off]!);
  // outer: find the first trailing-ones position k such that dims [0,k) match and [k,r) are 1
  let k = r;
  while (k > 0 && dim(k - 1) === 1) k--;
  let ok = true;
  for (let i = 0; i < k; i++) if (dim(i) !== out[i]) { ok = false; break; }
  if (ok) { let K = 1; for (let i = k; i < r; i++) K *= out[i]!; return [1, K]; }
  let j = 0;
  while (j < r && dim(j) === 1) j++;
  ok = true;
  for (let i = j; i < r; i++) if (dim(i) !== out[i]) { ok = false; break; }
  if (ok) { let S = 1; for (let i = j; i < r; i++) S *= out[i]!; return [2, S]; }
  return null;
}

function binary(g: Tape, op: number, name: string, a: Tensor, b: Tensor): Tensor {
  if (sameShape(a.shape, b.shape)) {
    const o = g.out(a.shape, [a, b], binaryBackwardSame);
    o.aux.push(op);
    const x = a.data, y = b.data, z = o.data, n = o.size;
    if (op === ADD) for (let i = 0; i < n; i++) z[i] = x[i]! + y[i]!;
    else if (op === SUB) for (let i = 0; i < n; i++) z[i] = x[i]! - y[i]!;
    else if (op === MUL) for (let i = 0; i < n; i++) z[i] = x[i]! * y[i]!;
    else for (let i = 0; i < n; i++) z[i] = x[i]! / y[i]!;
    return o;
  }
  const shape = broadcastShape(name, a.shape, b.shape);
  // Fast path: a has the output's shape and b broadcasts as a leading block or a trailing row.
  if (sameShape(a.shape, shape)) {
    const kind = broadcastKind(b.shape, shape);
    if (kind !== null) {
      const o = g.out(shape, [a, b], binaryBackwardFast);
      o.aux.push(op, kind[0], kind[1]);
      const x = a.data, y = b.data, z = o.data, n = o.size;
      if (kind[0] === 1) {
        const K = kind[1], outer = K === 0 ? 0 : n / K;
        for (let q = 0; q < outer; q++) {
          const v = y[q]!, base = q * K;
          if (op === ADD) for (let j = 0; j < K; j++) z[base + j] = x[base + j]! + v;
          else if (op === SUB) for (let j = 0; j < K; j++) z[base + j] = x[base + j]! - v;
          else if (op === MUL) for (let j = 0; j < K; j++) z[base + j] = x[base + j]! * v;
          else for (let j = 0; j < K; j++) z[base + j] = x[base + j]! / v;
        }
      } else {
        const S = kind[1], outer = S === 0 ? 0 : n / S;
        for (let q = 0; q < outer; q++) {
          const base = q * S;
          if (op === ADD) for (let j = 0; j < S; j++) z[base + j] = x[base + j]! + y[j]!;
          else if (op === SUB) for (let j = 0; j < S; j++) z[base + j] = x[base + j]! - y[j]!;
          else if (op === MUL) for (let j = 0; j < S; j++) z[base + j] = x[base + j]! * y[j]!;
          else for (let j = 0; j < S; j++) z[base + j] = x[base + j]! / y[j]!;
        }
      }
      return o;
    }
  }
  if ((op === ADD || op === MUL) && sameShape(b.shape, shape) && broadcastKind(a.shape, shape) !== null) {
    // commutative: compute as b op a on the fast path
    return binary(g, op, name, b, a);
  }
  const o = g.out(shape, [a, b], binaryBackwardBroadcast);
  o.aux.push(op);
  const n = o.size;
  const ia = g.savedInt(o, 0, n), ib = g.savedInt(o, 1, n);
  if (!sameKey(g, o, 2, [-101, ...a.shape, -1, ...b.shape])) {
    broadcastMap(a.shape, shape, ia);
    broadcastMap(b.shape, shape, ib);
  }
  const x = a.data, y = b.data, z = o.data;
  if (op === ADD) for (let i = 0; i < n; i++) z[i] = x[ia[i]!]! + y[ib[i]!]!;
  else if (op === SUB) for (let i = 0; i < n; i++) z[i] = x[ia[i]!]! - y[ib[i]!]!;
  else if (op === MUL) for (let i = 0; i < n; i++) z[i] = x[ia[i]!]! * y[ib[i]!]!;
  else for (let i = 0; i < n; i++) z[i] = x[ia[i]!]! / y[ib[i]!]!;
  return o;
}

function binaryBackwardFast(g: Tape, o: Tensor, lanes: number): void {
  const [a, b] = o.inputs as [Tensor, Tensor];
  const op = o.aux[0]!, kind = o.aux[1]!, L = o.aux[2]!;
  const go = o.grad!, n = o.size, x = a.data, y = b.data, nb = b.size;
  const ga = g.gradOf(a, lanes), gb = g.gradOf(b, lanes);
  const outer = L === 0 ? 0 : n / L;
  for (let l = 0; l < lanes; l++) {
    const off = l * n, ob = l * nb;
    for (let q = 0; q < outer; q++) {
      const base = q * L;
      if (kind === 1) {
        // b[q] over the block [base, base + L)
        const v = y[q]!;
        let acc = 0;
        if (op === ADD) { if (ga) for (let j = 0; j < L; j++) ga[off + base + j] += go[off + base + j]!; if (gb) for (let j = 0; j < L; j++) acc += go[off + base + j]!; }
        else if (op === SUB) { if (ga) for (let j = 0; j < L; j++) ga[off + base + j] += go[off + base + j]!; if (gb) for (let j = 0; j < L; j++) acc -= go[off + base + j]!; }
        else if (op === MUL) { if (ga) for (let j = 0; j < L; j++) ga[off + base + j] += go[off + base + j]! * v; if (gb) for (let j = 0; j < L; j++) acc += go[off + base + j]! * x[base + j]!; }
        else { if (ga) for (let j = 0; j < L; j++) ga[off + base + j] += go[off + base + j]! / v; if (gb) for (let j = 0; j < L; j++) acc -= go[off + base + j]! * x[base + j]! / (v * v); }
        if (gb) gb[ob + q] += acc;
      } else {
        // b[j] for j in [0, L) in every block
        if (op === ADD) { if (ga) for (let j = 0; j < L; j++) ga[off + base + j] += go[off + base + j]!; if (gb) for (let j = 0; j < L; j++) gb[ob + j] += go[off + base + j]!; }
        else if (op === SUB) { if (ga) for (let j = 0; j < L; j++) ga[off + base + j] += go[off + base + j]!; if (gb) for (let j = 0; j < L; j++) gb[ob + j] -= go[off + base + j]!; }
        else if (op === MUL) { if (ga) for (let j = 0; j < L; j++) ga[off + base + j] += go[off + base + j]! * y[j]!; if (gb) for (let j = 0; j < L; j++) gb[ob + j] += go[off + base + j]! * x[base + j]!; }
        else { if (ga) for (let j = 0; j < L; j++) ga[off + base + j] += go[off + base + j]! / y[j]!; if (gb) for (let j = 0; j < L; j++) { const yj = y[j]!; gb[ob + j] -= go[off + base + j]! * x[base + j]! / (yj * yj); } }
      }
    }
  }
}

function binaryBackwardSame(g: Tape, o: Tensor, lanes: number): void {
  const [a, b] = o.inputs as [Tensor, Tensor];
  const op = o.aux[0]!;
  const go = o.grad!, n = o.size, x = a.data, y = b.data;
  const ga = g.gradOf(a, lanes), gb = g.gradOf(b, lanes);
  for (let l = 0; l < lanes; l++) {
    const off = l * n;
    if (ga) {
      if (op === ADD || op === SUB) for (let i = 0; i < n; i++) ga[off + i] += go[off + i]!;
      else if (op === MUL) for (let i = 0; i < n; i++) ga[off + i] += go[off + i]! * y[i]!;
      else for (let i = 0; i < n; i++) ga[off + i] += go[off + i]! / y[i]!;
    }
    if (gb) {
      if (op === ADD) for (let i = 0; i < n; i++) gb[off + i] += go[off + i]!;
      else if (op === SUB) for (let i = 0; i < n; i++) gb[off + i] -= go[off + i]!;
      else if (op === MUL) for (let i = 0; i < n; i++) gb[off + i] += go[off + i]! * x[i]!;
      else for (let i = 0; i < n; i++) { const yi = y[i]!; gb[off + i] -= go[off + i]! * x[i]! / (yi * yi); }
    }
  }
}

function binaryBackwardBroadcast(g: Tape, o: Tensor, lanes: number): void {
  const [a, b] = o.inputs as [Tensor, Tensor];
  const op = o.aux[0]!;
  const go = o.grad!, n = o.size, x = a.data, y = b.data;
  const ia = o.saved[0] as Int32Array, ib = o.saved[1] as Int32Array;
  const ga = g.gradOf(a, lanes), gb = g.gradOf(b, lanes);
  const na = a.size, nb = b.size;
  for (let l = 0; l < lanes; l++) {
    const off = l * n, oa = l * na, ob = l * nb;
    if (ga) {
      if (op === ADD || op === SUB) for (let i = 0; i < n; i++) ga[oa + ia[i]!] += go[off + i]!;
      else if (op === MUL) for (let i = 0; i < n; i++) ga[oa + ia[i]!] += go[off + i]! * y[ib[i]!]!;
      else for (let i = 0; i < n; i++) ga[oa + ia[i]!] += go[off + i]! / y[ib[i]!]!;
    }
    if (gb) {
      if (op === ADD) for (let i = 0; i < n; i++) gb[ob + ib[i]!] += go[off + i]!;
      else if (op === SUB) for (let i = 0; i < n; i++) gb[ob + ib[i]!] -= go[off + i]!;
      else if (op === MUL) for (let i = 0; i < n; i++) gb[ob + ib[i]!] += go[off + i]! * x[ia[i]!]!;
      else for (let i = 0; i < n; i++) { const yi = y[ib[i]!]!; gb[ob + ib[i]!] -= go[off + i]! * x[ia[i]!]! / (yi * yi); }
    }
  }
}

/** a + b with numpy broadcasting. */
export function add(g: Tape, a: Tensor, b: Tensor): Tensor { return binary(g, ADD, 'add', a, b); }
/** a − b with numpy broadcasting. */
export function sub(g: Tape, a: Tensor, b: Tensor): Tensor { return binary(g, SUB, 'sub', a, b); }
/** a ⊙ b with numpy broadcasting. */
export function mul(g: Tape, a: Tensor, b: Tensor): Tensor { return binary(g, MUL, 'mul', a, b); }
/** a ⊘ b with numpy broadcasting. */
export function div(g: Tape, a: Tensor, b: Tensor): Tensor { return binary(g, DIV, 'div', a, b); }

/** x + b for x of shape [..., N] and a bias b of shape [N] (the fast path of a linear layer). */
export function addBias(g: Tape, x: Tensor, b: Tensor): Tensor {
  return biasAct(g, x, b, 'identity');
}

/**
 * act(x + b) for x of shape [..., N] and a bias b of shape [N] (or null: act(x)) as ONE op on the
 * backend's biasAct kernel (a linear layer's bias and activation in one pass over the data, forward
 * and backward), instead of a bias op and an activation op each writing and re-reading [rows, N].
 * The kernel also writes act′(x + b), which the backward multiplies by (biasActGrad: gx += go ⊙ d,
 * gb += Σ_rows go ⊙ d). `slope` is leakyRelu's negative slope.
 */
export function biasAct(g: Tape, x: Tensor, b: Tensor | null, act: KernelActivation, slope = 0.01): Tensor {
  const N = b ? b.size : x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1]!;
  if (b && (b.shape.length !== 1 || x.shape.length < 1 || x.shape[x.shape.length - 1] !== N)) {
    throw new ShapeError(`addBias: bias ${shapeStr(b.shape)} does not match the last axis of ${shapeStr(x.shape)}`);
  }
  const o = g.out(x.shape, b ? [x, b] : [x], biasActBackward);
  const rows = N === 0 ? 0 : x.size / N;
  // the derivative buffer is only needed when a gradient will flow into x (identity: d = 1, none kept)
  const d = act !== 'identity' && x.requiresGrad ? g.savedData(o, 0, x.size) : null;
  o.aux.push(d ? 1 : 0);
  g.k.nn.biasAct(act, rows, N, x.data, b ? b.data : null, slope, o.data, d);
  return o;
}

function biasActBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!, b = o.inputs.length > 1 ? o.inputs[1]! : null;
  const go = o.grad!, n = o.size, N = b ? b.size : o.shape.length === 0 ? 1 : o.shape[o.shape.length - 1]!, rows = N === 0 ? 0 : n / N;
  const d = o.aux[0] === 1 ? o.saved[0] as Data : null;
  const gx = g.gradOf(x, lanes), gb = b ? g.gradOf(b, lanes) : null;
  if (!gx && !gb) return;
  if (lanes === 1) { g.k.nn.biasActGrad(rows, N, go, d, gx, gb); return; }
  for (let l = 0; l < lanes; l++) {
    g.k.nn.biasActGrad(rows, N, go.subarray(l * n, (l + 1) * n), d,
      gx ? gx.subarray(l * n, (l + 1) * n) : null, gb ? gb.subarray(l * N, (l + 1) * N) : null);
  }
}

// ---- unary ops -------------------------------------------------------------------------------

const EXP = 5, LOG = 6, SCALE = 7, ADDS = 8, SQUARE = 9, SQRT = 10;

function unary(g: Tape, x: Tensor, kind: number, c = 0): Tensor {
  const o = g.out(x.shape, [x], unaryBackward);
  const n = x.size, xd = x.data, y = o.data;
  // the derivative buffer is only needed when a gradient will flow
  const d = x.requiresGrad ? g.savedData(o, 0, n) : null;
  switch (kind) {
    case EXP:
      for (let i = 0; i < n; i++) { const e = Math.exp(xd[i]!); y[i] = e; if (d) d[i] = e; }
      break;
    case LOG:
      for (let i = 0; i < n; i++) { const v = xd[i]!; y[i] = Math.log(v); if (d) d[i] = 1 / v; }
      break;
    case SCALE:
      for (let i = 0; i < n; i++) y[i] = c * xd[i]!;
      if (d) d.fill(c);
      break;
    case ADDS:
      for (let i = 0; i < n; i++) y[i] = xd[i]! + c;
      if (d) d.fill(1);
      break;
    case SQUARE:
      for (let i = 0; i < n; i++) { const v = xd[i]!; y[i] = v * v; if (d) d[i] = 2 * v; }
      break;
    case SQRT:
      for (let i = 0; i < n; i++) { const s = Math.sqrt(xd[i]!); y[i] = s; if (d) d[i] = 0.5 / s; }
      break;
    default:
      throw new Error(`internal: unknown unary op ${kind}`);
  }
  return o;
}

function unaryBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const go = o.grad!, d = o.saved[0] as Data, n = o.size;
  if (lanes === 1) g.k.nn.mulAcc(n, go, d, gx);
  else for (let l = 0; l < lanes; l++) g.k.nn.mulAcc(n, go.subarray(l * n, (l + 1) * n), d, gx.subarray(l * n, (l + 1) * n));
}

// The activations run on the backend's biasAct kernel (no bias); unary() keeps the other maps.
/** max(x, 0). */
export function relu(g: Tape, x: Tensor): Tensor { return biasAct(g, x, null, 'relu'); }
/** x for x > 0, slope·x otherwise (default slope 0.01 as in PyTorch). */
export function leakyRelu(g: Tape, x: Tensor, slope = 0.01): Tensor { return biasAct(g, x, null, 'leakyRelu', slope); }
/** GELU, tanh approximation (Hendrycks & Gimpel 2016). */
export function gelu(g: Tape, x: Tensor): Tensor { return biasAct(g, x, null, 'gelu'); }
export function tanh(g: Tape, x: Tensor): Tensor { return biasAct(g, x, null, 'tanh'); }
/** Logistic sigmoid, computed without overflow in either tail. */
export function sigmoid(g: Tape, x: Tensor): Tensor { return biasAct(g, x, null, 'sigmoid'); }
export function exp(g: Tape, x: Tensor): Tensor { return unary(g, x, EXP); }
/** Natural log (x ≤ 0 gives −∞/NaN as in IEEE arithmetic; losses use stable fused forms). */
export function log(g: Tape, x: Tensor): Tensor { return unary(g, x, LOG); }
/** c·x. */
export function scale(g: Tape, x: Tensor, c: number): Tensor { return unary(g, x, SCALE, c); }
/** x + c. */
export function addScalar(g: Tape, x: Tensor, c: number): Tensor { return unary(g, x, ADDS, c); }
export function square(g: Tape, x: Tensor): Tensor { return unary(g, x, SQUARE); }
export function sqrt(g: Tape, x: Tensor): Tensor { return unary(g, x, SQRT); }
