// Per-task quantities shared by many fits of overlapping task sets (issue 13: the leave-one-out
// affinity fits T + 1 task sets per fold that all hold the same task objects). A caller that owns
// task objects it will never change declares them shared (shareTaskPreparation); the loss and the
// direct solver then keep what they derive from one task alone — its centred rows, its Gram block,
// the factor of its diagonal block — on the task object, keyed by everything else it depends on,
// instead of recomputing it for every fit. Tasks not declared shared are never cached (a data set
// may be changed in place between fits), so nothing changes for any other caller.
const shared = new WeakSet<object>();
const caches = new WeakMap<object, Map<string, unknown>>();

/** Declares task objects immutable: their derived per-task quantities may be reused across fits. */
export function shareTaskPreparation(tasks: readonly object[]): void {
  for (const t of tasks) shared.add(t);
}

/** make() for a task not declared shared; for a shared one, its value cached under `key`. */
export function perTask<V>(task: object, key: string, make: () => V): V {
  if (!shared.has(task)) return make();
  let m = caches.get(task);
  if (!m) caches.set(task, (m = new Map()));
  if (m.has(key)) return m.get(key) as V;
  const v = make();
  m.set(key, v);
  return v;
}
