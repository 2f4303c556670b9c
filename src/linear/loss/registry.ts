// Losses as objects, and the registry that names them. A loss is everything the rest of polytask
// needs to know about ℓ(y, z), z = xᵀw + b the linear predictor of one sample:
//  - name, the link that turns z into a response (identity, sigmoid, exp), the label kind it fits
//    (regression, binary, count) and its default CV metric;
//  - value and derivative per sample (SGD and the generic pointwise loss use them);
//  - a curvature bound sup_z ℓ''(y, z) (Infinity when there is none: the solvers backtrack);
//  - the vectorised data loss over all tasks that the full-gradient solvers use (create).
// Adding a loss: one file (its LossSpec and, if needed, a DataLoss; loss/pointwise.ts serves any
// loss with explicit intercepts), one line in builtIn below, and its test.
import { OptionError } from '../../errors.ts';
import type { TaskKind } from '../../estimator/contract.ts';
import type { Problem } from '../types.ts';
import type { DataLoss, LossOptions } from './types.ts';
import { squaredLoss } from './squared.ts';
import { logisticLoss } from './logistic.ts';
import { poissonLoss } from './poisson.ts';

export type Link = 'identity' | 'sigmoid' | 'exp';

export interface LossSpec {
  readonly name: string;
  readonly link: Link;
  /** The task kind whose labels this loss fits (and whose default loss it is). */
  readonly labelKind: TaskKind;
  /** The metric CV minimises for this loss's tasks (src/eval/metrics.ts). */
  readonly defaultMetric: 'mse' | 'logloss' | 'poisson_deviance';
  /** A quadratic loss (the intercepts can be eliminated and 'direct' can solve it exactly). */
  readonly quadratic: boolean;
  /** sup_z ℓ''(y, z) over labels y of this kind; Infinity when unbounded (Poisson). */
  readonly curvatureBound: number;
  /** ℓ(y, z) for one sample. */
  value(y: number, z: number): number;
  /** ∂ℓ/∂z for one sample. */
  derivative(y: number, z: number): number;
  /** The inverse link: the response (mean, probability, rate) at linear predictor z. */
  response(z: number): number;
  /** null when y is a valid label for this loss, else what is wrong. */
  checkLabel(y: number): string | null;
  /** The vectorised data loss over all tasks of a problem (src/linear/loss/types.ts). */
  create(problem: Problem, opts: LossOptions): DataLoss;
}

/** The built-in losses (a function: the loss modules import problem.ts, which imports this registry,
 * so the list is read at first use, after every module has initialised). */
const builtIn = (): readonly LossSpec[] => [squaredLoss, logisticLoss, poissonLoss];

const registered = new Map<string, LossSpec>();

function table(): Map<string, LossSpec> {
  if (registered.size === 0) for (const l of builtIn()) registered.set(l.name, l);
  return registered;
}

/** Adds a loss (library users may add their own). */
export function registerLoss(spec: LossSpec): void {
  const losses = table();
  if (losses.has(spec.name) && losses.get(spec.name) !== spec) throw new OptionError('loss', `a loss named "${spec.name}" is already registered`);
  losses.set(spec.name, spec);
}

export function lossNames(): string[] {
  return [...table().keys()];
}

export function getLoss(name: string): LossSpec {
  const l = table().get(name);
  if (!l) throw new OptionError('loss', `unknown loss "${name}" (available: ${lossNames().join(', ')})`);
  return l;
}

/** The default loss of a task kind (the first registered loss for that label kind). */
export function lossForKind(kind: TaskKind): LossSpec {
  for (const l of table().values()) if (l.labelKind === kind) return l;
  throw new OptionError('loss', `no loss is registered for ${kind} tasks`);
}
