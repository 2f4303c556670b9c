// Weighted task graph (generalises the chain):  Ω(W) = λ Σ_{(s,t) ∈ E} a_st ‖w_s − w_t‖²  (+ ρ‖W‖²_F)
// over the user's edge list (options.graph: { from, to, weight = 1 } by task name or 0-based index;
// each listed edge counts once). Equivalent to λ tr(W L Wᵀ) with the graph Laplacian L
// (Evgeniou, Micchelli & Pontil, JMLR 2005, §3.1.2).
import { OptionError } from '../../errors.ts';
import { graphPenalty, type TaskEdge } from '../penalty/laplacian.ts';
import type { ModelOptions, Problem } from '../types.ts';
import { fitSmooth, linearModel, result, ridgeTerms, SMOOTH_SOLVER_HELP, SMOOTH_SOLVERS, weight, weightParam } from './common.ts';

/** Task names and their indices, built once per edge list (issue 15: looking each edge's names up in a
 * fresh list of T names made a chain-shaped graph of T = 10 000 tasks cost O(T²), 4 s of a 10 s fit). */
interface TaskIndex {
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

function taskIndex(problem: Problem): TaskIndex {
  const names = problem.tasks.map((t) => t.name);
  const index = new Map<string, number>();
  names.forEach((n, i) => {
    if (!index.has(n)) index.set(n, i); // the first task of a name, as indexOf found it
  });
  return { names, index };
}

function resolveTask({ names, index }: TaskIndex, ref: string | number, k: number, end: 'from' | 'to'): number {
  if (typeof ref === 'string') {
    const i = index.get(ref) ?? -1;
    if (i < 0) throw new OptionError('graph', `edge ${k + 1}: unknown task "${ref}" in "${end}" (tasks: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`);
    return i;
  }
  if (!Number.isInteger(ref) || ref < 0 || ref >= names.length) {
    throw new OptionError('graph', `edge ${k + 1}: task index ${ref} in "${end}" is outside 0..${names.length - 1}`);
  }
  return ref;
}

export function graphEdges(problem: Problem, graph: ModelOptions['graph']): TaskEdge[] {
  if (!graph || graph.length === 0) throw new OptionError('graph', 'the graph model needs a task graph (an edge list: --graph FILE or options.graph)');
  const tasks = taskIndex(problem);
  return graph.map((e, k) => {
    const s = resolveTask(tasks, e.from, k, 'from');
    const t = resolveTask(tasks, e.to, k, 'to');
    const w = e.weight ?? 1;
    if (!(w >= 0) || !Number.isFinite(w)) throw new OptionError('graph', `edge ${k + 1} (${e.from} → ${e.to}): weight must be finite and ≥ 0, got ${w}`);
    if (s === t) throw new OptionError('graph', `edge ${k + 1}: a self-loop on task "${problem.tasks[s]!.name}" has no effect; remove it`);
    return { s, t, weight: w };
  });
}

export const graphSpec = linearModel({
  name: 'graph',
  summary: 'task graph: λ Σ_(s,t) a_st ‖w_s − w_t‖² over a user-given weighted edge list',
  params: [
    weightParam('lambda', 'λ, the weight of Σ_(s,t) a_st ‖w_s − w_t‖²', 0.1),
    { name: 'graph', flag: '--graph', type: 'json', help: 'task edges [{ from, to, weight? }] by task name or 0-based index (CLI: a CSV file from,to[,weight])' },
  ],
  solvers: SMOOTH_SOLVERS,
  solverHelp: SMOOTH_SOLVER_HELP,
  fit(problem, o, warm, hooks) {
    const T = problem.tasks.length;
    const pen = [graphPenalty(weight(o, 'lambda'), graphEdges(problem, o.graph), T), ...ridgeTerms(o)];
    return result(fitSmooth(problem, pen, o, warm, hooks));
  },
});
