// A grouping as a model: one base model fitted per group of tasks; each task predicted by the
// group that serves it. This is how a chosen grouping is tested honestly — by compare, on the
// same splits, with the same CV, against all-in-one (the base model on every task) and STL.
import type { MultiTaskDataset } from '../data/dataset.ts';
import type { FitContext, FitDiagnostics, Options } from '../estimator/contract.ts';
import { OptionError, UnknownTaskError } from '../errors.ts';
import type { Fittable } from '../eval/cv.ts';
import type { ModelPlan } from '../eval/compare.ts';
import { registryPlan } from '../eval/plans.ts';
import type { Matrix } from '../linalg/matrix.ts';
import { selectTasks, taskIndices } from './tasks.ts';

export interface GroupSpec {
  /** Task names of each group (groups may overlap). */
  readonly groups: readonly (readonly string[])[];
  /** Task name → index of the group that predicts it (default: the first group listing it). */
  readonly serve?: Readonly<Record<string, number>>;
}

/** The serving group of each task name; every task must be in some group. */
export function servingMap(spec: GroupSpec): Map<string, number> {
  const m = new Map<string, number>();
  spec.groups.forEach((g, k) => {
    if (g.length === 0) throw new OptionError('groups', `group ${k + 1} is empty`);
    for (const t of g) if (!m.has(t)) m.set(t, k);
  });
  for (const [t, k] of Object.entries(spec.serve ?? {})) {
    if (!Number.isInteger(k) || k < 0 || k >= spec.groups.length || !spec.groups[k]!.includes(t)) {
      throw new OptionError('groups', `task "${t}" is served by group ${k + 1}, which does not contain it`);
    }
    m.set(t, k);
  }
  return m;
}

export class GroupedEstimator implements Fittable {
  readonly model: string;
  private readonly serve: Map<string, number>;
  private members: Fittable[] | null = null;

  constructor(
    private readonly base: ModelPlan,
    private readonly spec: GroupSpec,
    readonly options: Options = {},
  ) {
    this.model = `grouped:${base.name}`;
    this.serve = servingMap(spec);
  }

  clone(patch: Options = {}): GroupedEstimator {
    return new GroupedEstimator(this.base, this.spec, { ...this.options, ...patch });
  }

  /** Fits the base model on each group's tasks; every task of ds must be in some group. */
  fit(ds: MultiTaskDataset, ctx: FitContext = {}): GroupedEstimator {
    for (const t of ds.tasks) if (!this.serve.has(t.name)) throw new OptionError('groups', `task "${t.name}" is in no group`);
    const warm = Array.isArray(ctx.warm) ? (ctx.warm as unknown[]) : [];
    const out = new GroupedEstimator(this.base, this.spec, this.options);
    out.members = this.spec.groups.map((g, k) => {
      const sub = selectTasks(ds, taskIndices(ds, g));
      return this.base.make(this.options).fit(sub, { ...ctx, warm: warm[k] });
    });
    return out;
  }

  private member(task: string): Fittable {
    if (!this.members) throw new OptionError('model', `${this.model}: predict before fit`);
    const k = this.serve.get(task);
    if (k === undefined) throw new UnknownTaskError(task, [...this.serve.keys()]);
    return this.members[k]!;
  }

  predict(X: Matrix, task: string): Float64Array {
    return this.member(task).predict(X, task);
  }

  predictResponse(X: Matrix, task: string): Float64Array {
    const m = this.member(task);
    return m.predictResponse ? m.predictResponse(X, task) : m.predict(X, task);
  }

  get warmStart(): unknown {
    return this.members?.map((m) => m.warmStart);
  }

  /** The groups' diagnostics combined: converged only if every group's fit converged. */
  get diagnostics(): FitDiagnostics | undefined {
    const ds = this.members?.map((m) => m.diagnostics).filter((d): d is FitDiagnostics => d !== undefined);
    if (!ds || ds.length === 0) return undefined;
    const bad = ds.filter((d) => !d.converged).length;
    return {
      converged: bad === 0,
      optimality: Math.max(...ds.map((d) => d.optimality ?? 0)),
      iterations: ds.reduce((s, d) => s + d.iterations, 0),
      seconds: ds.reduce((s, d) => s + d.seconds, 0),
      backend: ds[0]!.backend,
      ...(bad > 0 ? { message: `${bad} of ${ds.length} group fits did not converge` } : {}),
    };
  }
}

/** A compare plan for a grouping of a registered base model: tuned like the base (one setting for
 * all groups), named `name`. */
export function groupedPlan(name: string, baseModel: string, spec: GroupSpec): ModelPlan {
  const base = registryPlan(baseModel);
  return {
    name,
    ...(base.engine !== undefined && { engine: base.engine }),
    baseline: base.baseline ?? 'stl',
    // compare's worker threads rebuild this plan by calling this function again (parallel.ts).
    rebuild: { module: import.meta.url, export: 'groupedPlan', args: [name, baseModel, spec] },
    make: (options: Options) => new GroupedEstimator(base, spec, options),
    ...(base.params !== undefined && { params: base.params }),
    ...(base.tops !== undefined && { tops: base.tops.bind(base) }),
  };
}
