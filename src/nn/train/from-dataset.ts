// MultiTaskDataset (src/data) → the trainer's data layouts. Per-task data become the multi-input
// layout (one data set per task, LibMTL multi_input); multi-output data keep their shared rows with
// NaN for missing labels. Binary labels (stored −1/+1) become 0/1 for the BCE-with-logits loss;
// multiclass labels are class indices already (softmax cross-entropy over K logits).
import { classCount, taskKind, type MultiTaskDataset } from '../../data/dataset.ts';
import type { MultiInputData, MultiOutputData, TaskSpec, TrainData } from './types.ts';

export function taskSpecs(ds: MultiTaskDataset): TaskSpec[] {
  return ds.tasks.map((t, i) => {
    const kind = taskKind(ds, i);
    if (kind === 'multiclass') return { name: t.name, kind, classes: classCount(ds, i) };
    return { name: t.name, kind: kind === 'binary' ? 'binary' : 'regression' };
  });
}

function label(kind: MultiTaskDataset['kind'], v: number): number {
  if (Number.isNaN(v)) return NaN;
  return kind === 'binary' ? (v > 0 ? 1 : 0) : v;
}

/** `multiOutput` true keeps a multi-output data set's shared rows (default); false gives one set per task. */
export function toTrainData(ds: MultiTaskDataset, multiOutput = true): TrainData {
  const d = ds.featureNames.length;
  if (ds.layout === 'multi-output' && ds.shared && multiOutput) {
    const { X, Y } = ds.shared;
    const n = X.rows, T = ds.tasks.length;
    const Xf = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Xf[i * d + j] = X.data[i * X.cols + j]!;
    const targets = Array.from({ length: T }, (_, t) => Float32Array.from({ length: n }, (_, i) => label(ds.kind, Y.data[i * Y.cols + t]!)));
    // per-sample weights live per task (on that task's rows); scatter them back onto shared rows
    const weights = ds.tasks.map((task) => {
      if (!task.weights) return null;
      const w = new Float32Array(n).fill(1);
      task.rows.forEach((r, k) => { w[r] = task.weights![k]!; });
      return w;
    });
    const out: MultiOutputData = { layout: 'multi-output', X: Xf, n, d, targets, weights };
    return out;
  }
  const out: MultiInputData = {
    layout: 'multi-input',
    d,
    tasks: ds.tasks.map((task) => {
      const n = task.y.length, X = task.X;
      const Xf = new Float32Array(n * d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Xf[i * d + j] = X.data[i * X.cols + j]!;
      return { X: Xf, n, y: Float32Array.from(task.y, (v) => label(ds.kind, v)), weights: task.weights ? Float32Array.from(task.weights) : null };
    }),
  };
  return out;
}
