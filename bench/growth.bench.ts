// Growth in T across the linear models (issue 15, "a fit's cost grows linearly in T"): every model of
// the registry on the planted many-small-tasks problem (T × 20 rows, d = 50, 5 of 50 features carry a
// per-task signal; the generator of bench/linear.bench.ts's manytasks part, seed 7) at T = 1 000 and
// T = 10 000, with the model's default solver, default tolerance (1e-6) and default weights (the CLI's
// `fit <model>` without flags; graph gets the chain over the task order, cmtl its default k = 2).
// Per case: solver CPU (process user + system around spec.fit: set-up such as Gram blocks included,
// data generation not), iterations (outer iterations for the alternating schemes), CPU per iteration,
// and growth per task = (CPU at T = 10 000 / 10) ÷ CPU at T = 1 000 — for the whole fit and per
// iteration (the number of iterations may change with T at a fixed weight).
//
// Each (model, T) runs in a child process with a wall-clock limit (BENCH_GROWTH_TIMEOUT, default 120 s)
// and an iteration cap (BENCH_GROWTH_MAX_ITER, default 2 000, printed), so that one case cannot run for
// minutes; a capped fit is marked '*', a killed one 'timeout'. Medians of BENCH_REPEATS (default 3) fits
// at T = 1 000 and of BENCH_GROWTH_BIG_REPEATS (default 1) at T = 10 000, each on a freshly generated
// problem (the same seed) after a warm-up fit at T = 100 (so that no timed fit pays the JIT).
// Run: BENCH_PART=growth node --import tsx bench/growth.bench.ts  (BENCH_GROWTH_MODELS=l21,tgl to
// choose models, BENCH_GROWTH_TASKS=1000,10000 to choose T; BENCH_BASE=/path/to/old/tree runs every
// case also with that tree's src/ — e.g. `git archive <commit> | tar -x -C /tmp/base` with node_modules
// and build/ linked in — alternating old and new case by case).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { backendName } from '../src/linalg/backend.ts';
import { availableModels } from '../src/linear/registry.ts';
import type { ModelOptions } from '../src/linear/types.ts';
import { fmt, median, plantedProblem } from './common.ts';

const D = 50;
const N_T = 20;


interface CaseResult {
  readonly cpu: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly objective: number;
  readonly solver: string;
}

function optionsFor(model: string, T: number, maxIter: number): ModelOptions {
  const o: Record<string, unknown> = { maxIter };
  if (model === 'graph') o['graph'] = Array.from({ length: T - 1 }, (_, t) => ({ from: t, to: t + 1 }));
  return o as ModelOptions;
}

/** Child: fit `model` at T `reps` times with the registry of the tree `root`, print one JSON line. */
async function child(model: string, T: number, reps: number, maxIter: number, root: string): Promise<void> {
  const { getModelSpec } = (await import(`${root}/src/linear/registry.ts`)) as typeof import('../src/linear/registry.ts');
  const spec = getModelSpec(model);
  const opts = optionsFor(model, T, maxIter);
  // Warm-up on a small problem (T = 100, 5 iterations) so that no timed fit pays the JIT: otherwise a
  // single fit at T = 10 000 carries ~0.3 s of compilation the median of three at T = 1 000 does not.
  spec.fit(plantedProblem(100, D, N_T, 8), optionsFor(model, 100, 5), undefined, undefined);
  const runs: CaseResult[] = [];
  for (let k = 0; k < reps; k++) {
    // A fresh problem per fit (as the CLI fits once per process): a second fit of the same problem
    // reuses its loss's prepared data and would flatter the repeated (small-T) cases.
    const problem = plantedProblem(T, D, N_T, 7);
    const c = process.cpuUsage();
    const r = spec.fit(problem, opts, undefined, undefined);
    const u = process.cpuUsage(c);
    runs.push({ cpu: (u.user + u.system) / 1e6, iterations: r.info.iterations, converged: r.info.converged, objective: r.info.objective, solver: r.info.solver });
  }
  const m = median(runs.map((x) => x.cpu));
  const pick = runs.find((x) => x.cpu === m) ?? runs[0]!;
  process.stdout.write(`${JSON.stringify({ ...pick, cpu: m })}\n`);
}

function runCase(model: string, T: number, reps: number, maxIter: number, timeout: number, root: string): CaseResult | 'timeout' | string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_GROWTH_CHILD: `${model},${T},${reps},${maxIter}`, BENCH_GROWTH_ROOT: root },
    encoding: 'utf8',
    timeout: timeout * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 24,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return 'timeout';
  if (r.signal === 'SIGKILL') return 'timeout';
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as CaseResult;
  } catch {
    const m = /(\w+Error): ([^\n]*)/.exec(r.stderr);
    return m ? `${m[1]}: ${m[2]!.slice(0, 60)}…` : `failed: ${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 80)}`;
  }
}

function main(): void {
  const models = (process.env.BENCH_GROWTH_MODELS ?? availableModels().join(',')).split(',');
  const Ts = (process.env.BENCH_GROWTH_TASKS ?? '1000,10000').split(',').map(Number);
  const reps = Number(process.env.BENCH_REPEATS ?? 3);
  const bigReps = Number(process.env.BENCH_GROWTH_BIG_REPEATS ?? 1);
  const maxIter = Number(process.env.BENCH_GROWTH_MAX_ITER ?? 2000);
  const timeout = Number(process.env.BENCH_GROWTH_TIMEOUT ?? 120);
  console.log(`\nGrowth in T (issue 15): every linear model, planted problem T × ${N_T} rows, d = ${D}, default solver, tol and weights;`);
  console.log(`solver CPU s (spec.fit, process user + system), median of ${reps} at T ≤ 1 000 and of ${bigReps} above; iterations capped at ${maxIter} ('*'), each case killed after ${timeout} s wall ('timeout'); backend ${backendName()}`);
  const here = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
  const base = process.env.BENCH_BASE;
  if (base) console.log(`each model twice, old then new: 'old' = the tree at ${base} (BENCH_BASE), 'new' = this tree`);
  console.log(`model           tree solver            ${Ts.map((T) => `T=${T}: CPU / iters / per iter`.padEnd(40)).join('')}growth/task (fit, per iter)`);
  for (const model of models) for (const [tree, root] of base ? [['old', base], ['new', here]] : [['', here]]) {
    const out: (CaseResult | string)[] = [];
    for (const T of Ts) out.push(runCase(model, T, T <= 1000 ? reps : bigReps, maxIter, timeout, root!));
    const first = out.find((x): x is CaseResult => typeof x !== 'string');
    const cells = out.map((x) => (typeof x === 'string' ? x.padEnd(40) : `${fmt(x.cpu)} / ${x.iterations}${x.converged ? '' : '*'} / ${fmt(x.cpu / Math.max(1, x.iterations))}`.padEnd(40)));
    let growth = '';
    const [a, b] = [out[0], out[out.length - 1]];
    if (Ts.length >= 2 && typeof a !== 'string' && typeof b !== 'string' && a && b) {
      const k = Ts[Ts.length - 1]! / Ts[0]!;
      const g = b.cpu / k / a.cpu;
      const gi = b.cpu / Math.max(1, b.iterations) / k / (a.cpu / Math.max(1, a.iterations));
      growth = `${g.toFixed(2)}×, ${gi.toFixed(2)}×`;
    }
    console.log(`${model.padEnd(15)} ${tree!.padEnd(4)} ${(first?.solver ?? '').slice(0, 17).padEnd(17)} ${cells.join('')}${growth}`);
  }
  console.log('(growth per task = (CPU at the largest T ÷ its ratio to the smallest) ÷ CPU at the smallest; 1.00× is linear in T)');
}

const childSpec = process.env.BENCH_GROWTH_CHILD;
if (childSpec) {
  const [model, T, reps, maxIter] = childSpec.split(',');
  await child(model!, Number(T), Number(reps), Number(maxIter), process.env.BENCH_GROWTH_ROOT ?? fileURLToPath(new URL('..', import.meta.url)));
} else if ((process.env.BENCH_PART ?? 'growth') === 'growth' || process.env.BENCH_PART === 'all') {
  main();
}
