// Task subsets of a data set: the unit of work of task selection (a pair, a group, one task).
import type { MultiTaskDataset } from '../data/dataset.ts';
import { OptionError } from '../errors.ts';

/** The data set restricted to the tasks at `indices` (in that order). A multi-output data set's
 * shared X is dropped: every task already holds its own rows, which is all a fit needs. */
export function selectTasks(ds: MultiTaskDataset, indices: readonly number[]): MultiTaskDataset {
  const seen = new Set<number>();
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= ds.tasks.length) throw new OptionError('tasks', `task index ${i} is out of range for ${ds.tasks.length} tasks`);
    if (seen.has(i)) throw new OptionError('tasks', `task "${ds.tasks[i]!.name}" is listed twice`);
    seen.add(i);
  }
  const { shared: _shared, ...rest } = ds;
  return { ...rest, tasks: indices.map((i) => ds.tasks[i]!) };
}

/** Indices of the named tasks; an unknown name is an OptionError naming it and the known ones. */
export function taskIndices(ds: MultiTaskDataset, names: readonly string[]): number[] {
  const index = new Map(ds.tasks.map((t, i) => [t.name, i] as const));
  return names.map((n) => {
    const i = index.get(n);
    if (i === undefined) {
      const known = ds.tasks.slice(0, 8).map((t) => t.name).join(', ');
      throw new OptionError('groups', `unknown task "${n}" (tasks: ${known}${ds.tasks.length > 8 ? ', …' : ''})`);
    }
    return i;
  });
}
