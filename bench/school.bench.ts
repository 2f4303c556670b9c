// The standard School protocol (issue 5; docs/evaluation.md "The School benchmark"):
//  - data: ../shared/data/school (139 schools, 15 362 pupils), features as given: 27 columns +
//    the constant column x28;
//  - the 10 given 75 %/25 % per-task splits (school_splits.csv, Argyriou, Evgeniou & Pontil 2008);
//  - hyper-parameters by 5-fold CV on the training part only (compare() → crossValidate), rule 'min';
//  - metrics: per-task RMSE averaged over tasks (rmse_task_avg) and explained variance
//    (1 − pooled test MSE / pooled test variance), mean ± std over the 10 splits;
//  - model options: standardize 'global' (fitted on each fit's own training rows), scale 'mean',
//    per-task unpenalised intercepts (see docs/evaluation.md for why).
// Each model is compared with STL separately (compare() always includes STL; its result is
// deterministic, so the STL row is the same in every run) and the table is reprinted after each.
//
// Run: node --import tsx bench/school.bench.ts [--models stl,pooled,mean,...] [--splits 10]
//      [--stl-lambda global|task] [--points 10] [--decades 3] [--points2d 4x3] [--standardize global|none|task] [--intercept true|false] [--out DIR]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCsvSync } from '../src/data/csv.ts';
import { givenSplits } from '../src/data/split.ts';
import { compare, DEFAULT_MODELS, type ModelPlan } from '../src/eval/compare.ts';
import { registryPlan } from '../src/eval/plans.ts';
import type { ModelComparison } from '../src/eval/types.ts';
import type { ModelOptions } from '../src/linear/types.ts';

const DATA = fileURLToPath(new URL('../../shared/data/school/', import.meta.url));

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const REFERENCES: readonly [string, string][] = [
  ['pooled least squares (reference, these splits)', '10.20 ± 0.08'],
  ['STL ridge, λ by CV (reference, these splits)', '10.17 ± 0.11'],
  ['clustered MTL (published)', '10.02'],
  ['GO-MTL (published)', '10.19'],
  ['VSTG-MTL (Jeong & Jun, KDD 2018)', '9.89'],
];

const fmt = (m: { mean: number; std: number } | undefined, digits = 3): string => (m ? `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}` : '—');

function row(m: ModelComparison): string {
  const neg = m.tasks.filter((t) => t.negative_transfer).length;
  const pos = m.tasks.filter((t) => t.positive_transfer).length;
  const better = m.tasks.filter((t) => t.gain_over_stl > 0).length;
  const lam = m.chosen.map((c) => c['lambda']).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  const lamText = lam.length > 0 ? lam[Math.floor(lam.length / 2)]!.toPrecision(3) : m.chosenPerTask ? 'per task' : '—';
  const p = m.vs_stl?.p_value;
  return `| ${m.name.padEnd(8)} | ${fmt(m.metrics['rmse_task_avg'])} | ${fmt(m.metrics['explained_variance'])} | ${(m.delta_m ?? 0).toFixed(2).padStart(6)} | ${p === null || p === undefined ? '—' : p.toExponential(1)} | ${String(better).padStart(3)} / ${pos} / ${neg} | ${lamText} | ${m.seconds.toFixed(0)} |`;
}

function printTable(rows: ModelComparison[], splits: number, o: ModelOptions): void {
  console.log(`\nSchool, ${splits} given splits, 5-fold CV on the training part, standardize ${o.standardize}, scale ${o.scale}, intercept ${o.intercept}`);
  console.log('| model    | RMSE (task avg)   | explained var.  | Δm % vs STL | p (RMSE vs STL, corrected t) | tasks better / sig. better / sig. worse (of 139, Holm) | median λ | seconds |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const m of rows) console.log(row(m));
  for (const [name, v] of REFERENCES) console.log(`| ${name} | ${v} | | | | | | |`);
}

function main(): void {
  if (!existsSync(DATA + 'school.csv')) {
    console.log('school bench: needs ../shared/data/school; skipped');
    return;
  }
  const { dataset } = loadCsvSync(DATA + 'school.csv', { taskCol: 'task', target: 'y' });
  const all = givenSplits(dataset, DATA + 'school_splits.csv');
  const nSplits = Number(arg('splits', '10'));
  const splits = all.slice(0, nSplits);
  const models = arg('models', DEFAULT_MODELS.join(',')).split(',').filter((m) => m !== 'stl');
  const points = Number(arg('points', '10'));
  const decades = Number(arg('decades', '3'));
  const [p1, p2] = arg('points2d', '4x3').split('x').map(Number) as [number, number];
  const out = arg('out', '');
  // --stl-lambda global (default): one λ for all tasks by CV; task: λ chosen per task.
  const perTaskLambda = arg('stl-lambda', 'global') === 'task';
  const plans = (name: string): ModelPlan => registryPlan(name, { perTaskLambda });
  if (out) mkdirSync(out, { recursive: true });
  // --standardize none --intercept false is the literature's setting (x28 as a penalised shared
  // bias column; how the reference points were measured); the default is ours (see the header).
  const standardize = arg('standardize', 'global') as 'none' | 'global' | 'task';
  const intercept = arg('intercept', 'true') === 'true';
  const modelOptions: ModelOptions = { standardize, scale: 'mean', intercept };
  const rows: ModelComparison[] = [];
  for (const m of models.length > 0 ? models : ['pooled']) {
    try {
      registryPlan(m);
    } catch (e) {
      console.log(`${m}: skipped (${(e as Error).message})`);
      continue;
    }
    const t0 = performance.now();
    const r = compare(dataset, {
      plans,
      models: [m],
      splits,
      cvFolds: 5,
      rule: 'min',
      modelOptions,
      cv: { points, decades, points2D: [p1, p2] },
      onProgress: (p) => process.stderr.write(`  ${m}: split ${p.split}/${p.splits} ${p.model} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`),
    });
    if (rows.length === 0) rows.push(r.models[0]!); // STL
    rows.push(r.models[1]!);
    if (out) writeFileSync(`${out}/${m}.json`, JSON.stringify(r));
    printTable(rows, splits.length, modelOptions);
  }
}

main();
