// The multi-output variant: one shared X (n × d, N(0, 1) entries) and a target column per task,
// y_it = x_iᵀw_t + b_t + ε_it (or ±1 draws for the logistic loss), where each label is then hidden
// independently with probability `missing` (NaN in Y, as a file with empty target cells would give).
// W comes from one of the per-task structures (low-rank by default), so the same truths apply.
import { getLoss } from '../../linear/loss/registry.ts';
import { OptionError } from '../../errors.ts';
import { Random } from '../../linalg/random.ts';
import { Matrix } from '../../linalg/matrix.ts';
import type { MultiTaskDataset, TaskData, TaskKind } from '../dataset.ts';
import { drawClusterWeights, readClusterOptions } from './clusters.ts';
import { describe, drawIntercepts, drawLabel, featureNames, gaussianMatrix, inRange, positiveInt, resolveCommon, type Resolved } from './common.ts';
import { drawEqualWeights } from './equal.ts';
import { drawLowRankWeights } from './lowrank.ts';
import { drawSparseWeights } from './sparse.ts';
import type { SyntheticOptions, SyntheticProblem, SyntheticTruth } from './types.ts';

export interface MultiOutputOptions extends Omit<SyntheticOptions, 'n'> {
  /** Number of shared rows (default 100). */
  n?: number;
  /** Probability that a label is missing, in [0, 1) (default 0.2). */
  missing?: number;
  /** How W is drawn (default 'lowrank'), with that structure's parameter below. */
  structure?: 'lowrank' | 'sparse' | 'clusters' | 'equal';
  rank?: number;
  s?: number;
  k?: number;
  withinSd?: number;
}

/**
 * The dataset of a shared X and targets Y (n × T, NaN = missing): task t keeps the rows it labels,
 * with `rows` pointing into the shared X.
 */
export function buildMultiOutput(X: Matrix, Y: Matrix, names: readonly string[], kind: TaskKind, source: string): MultiTaskDataset {
  const T = Y.cols;
  const tasks: TaskData[] = [];
  for (let t = 0; t < T; t++) {
    const idx: number[] = [];
    for (let i = 0; i < Y.rows; i++) if (!Number.isNaN(Y.data[i * T + t]!)) idx.push(i);
    const rows = Int32Array.from(idx);
    tasks.push({ name: names[t]!, X: X.selectRows(rows), y: Float64Array.from(idx, (i) => Y.data[i * T + t]!), rows });
  }
  return {
    layout: 'multi-output',
    kind,
    featureNames: featureNames(X.cols),
    tasks,
    shared: { X, Y },
    ...(kind === 'binary' ? { labelMap: { negative: '-1', positive: '1' } } : {}),
    source,
  };
}

/**
 * Hides each entry of Y with probability `missing`. A task left with no label at all gets one
 * random label back, so that every task stays usable (this nudges the fraction down by at most 1/n per task).
 */
export function maskLabels(rng: Random, Y: Matrix, missing: number): void {
  const { rows: n, cols: T } = Y;
  const full = Y.clone();
  for (let i = 0; i < n * T; i++) if (rng.uniform() < missing) Y.data[i] = NaN;
  for (let t = 0; t < T; t++) {
    let any = false;
    for (let i = 0; i < n && !any; i++) any = !Number.isNaN(Y.data[i * T + t]!);
    if (!any) {
      const i = rng.int(n);
      Y.data[i * T + t] = full.data[i * T + t]!;
    }
  }
}

function drawStructure(rng: Random, r: Resolved, o: MultiOutputOptions): { W: Matrix; extra: Partial<SyntheticTruth>; params: Record<string, string | number> } {
  const structure = o.structure ?? 'lowrank';
  switch (structure) {
    case 'lowrank': {
      const rank = positiveInt('rank', o.rank, Math.min(2, r.d, r.T));
      return { W: drawLowRankWeights(rng, r, rank), extra: { rank }, params: { structure, rank } };
    }
    case 'sparse': {
      const s = positiveInt('s', o.s, Math.min(3, r.d));
      const { W, support } = drawSparseWeights(rng, r, s);
      return { W, extra: { support }, params: { structure, s } };
    }
    case 'clusters': {
      const { k, centreSd, withinSd } = readClusterOptions({ k: o.k ?? Math.min(3, r.T), withinSd: o.withinSd });
      const { W, centres, clusters } = drawClusterWeights(rng, r, k, centreSd, withinSd);
      return { W, extra: { centres, clusters }, params: { structure, k, withinSd } };
    }
    case 'equal':
      return { W: drawEqualWeights(rng, r), extra: { rank: 1 }, params: { structure } };
    default:
      throw new OptionError('structure', `must be 'lowrank', 'sparse', 'clusters' or 'equal', got ${String(structure)}`);
  }
}

export function makeMultiOutput(opts: MultiOutputOptions = {}): SyntheticProblem {
  const n = positiveInt('n', opts.n, 100);
  const r = resolveCommon({ ...opts, n });
  const missing = inRange('missing', opts.missing, 0.2, 0, 1, true);
  const rng = new Random(r.seed);
  const { W, extra, params } = drawStructure(rng, r, opts);
  const intercepts = drawIntercepts(rng, r);
  const X = gaussianMatrix(rng, n, r.d);
  const Y = Matrix.zeros(n, r.T);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < r.T; t++) {
      let eta = intercepts[t]!;
      for (let j = 0; j < r.d; j++) eta += X.data[i * r.d + j]! * W.data[j * r.T + t]!;
      Y.data[i * r.T + t] = drawLabel(rng, eta, r.loss, r.noise);
    }
  }
  maskLabels(rng, Y, missing);
  const description = describe('multi-output', r, { n, missing, ...params });
  const kind: TaskKind = getLoss(r.loss).labelKind;
  return { dataset: buildMultiOutput(X, Y, r.taskNames, kind, description), truth: { W, intercepts, ...extra, description } };
}
