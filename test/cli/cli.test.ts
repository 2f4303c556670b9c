// The CLI end to end, in-process: every error path of issue 6 with its message and exit code, the
// --json shapes of fit and compare, and fit → predict through the files a user would use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { reportError, EXIT_INTERNAL } from '../../src/cli/exit.ts';
import { payloadChecksum } from '../../src/cli/model-file.ts';
import { loadCsvSync } from '../../src/data/csv.ts';
import { MTLEstimator } from '../../src/linear/estimator.ts';
import { VERSION } from '../../src/version.ts';
import { cli, tempDir, writeLongCsv, type RunResult } from './helpers.ts';

const { dir, cleanup } = tempDir();
test.after(cleanup);
const data = writeLongCsv(dir, 'data.csv', { T: 3, n: 24, d: 4, seed: 5 });
const LONG = ['--data', data, '--task-col', 'task', '--target', 'y'];

/** Exactly one line on stderr, starting "polytask: ", no stack trace. */
function oneLineError(r: RunResult, code: number, re: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `one stderr line, got: ${r.stderr}`);
  assert.match(lines[0]!, /^polytask: /);
  assert.match(lines[0]!, re);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('--version prints the version and the kernel backend', async () => {
  const r = await cli(['--version'], dir);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^polytask ${VERSION.replace(/\./g, '\\.')} \\(kernel backend: (native|wasm|ts)`));
  // src/version.ts reads package.json at run time, so the two cannot drift.
  assert.equal(VERSION, JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
});

test('--help of every sub-command exits 0 and shows examples', async () => {
  for (const c of ['demo', 'inspect', 'fit', 'predict', 'cv', 'compare', 'report']) {
    const r = await cli([c, '--help'], dir);
    assert.equal(r.code, 0, c);
    // Shared flags' help is cut to its first clause: never inside parentheses ("direct (Cholesky/CG (16 models)").
    assert.equal((r.stdout.match(/\(/g) ?? []).length, (r.stdout.match(/\)/g) ?? []).length, `${c} --help: unbalanced parentheses`);
    assert.match(r.stdout, /Examples:/, `${c} --help has examples`);
    assert.match(r.stdout, new RegExp(`Usage: polytask ${c}`));
  }
});

test('usage errors: unknown command, unknown flag, missing --data, bad --lambda, unknown model → exit 2', async () => {
  oneLineError(await cli(['frobnicate'], dir), 2, /unknown command 'frobnicate'/);
  oneLineError(await cli(['inspect', ...LONG, '--bogus'], dir), 2, /unknown option '--bogus'/);
  oneLineError(await cli(['fit', '--model', 'l21'], dir), 2, /required option '--data <file>' not specified/);
  oneLineError(await cli(['inspect', ...LONG, 'stray.csv'], dir), 2, /too many arguments for 'inspect'/);
  oneLineError(await cli(['fit', ...LONG, '--model', 'l21', '--lamda', '1'], dir), 2, /unknown option '--lamda' \(Did you mean --lambda\?\)/);
  oneLineError(await cli(['fit', ...LONG, '--model', 'l21', '--lambda', 'abc'], dir), 2, /'--lambda <x>' argument 'abc' is invalid.*expected a number/);
  oneLineError(await cli(['fit', ...LONG, '--model', 'l21', '--lambda=-1'], dir), 2, /--lambda.*≥ 0/);
  oneLineError(await cli(['fit', ...LONG, '--model', 'nope'], dir), 2, /--model: unknown model "nope"/);
  oneLineError(await cli(['fit', ...LONG, '--model', 'tracee'], dir), 2, /--model: unknown model "tracee" \(did you mean "trace"\?\); models: stl,/);
  oneLineError(await cli(['fit', ...LONG, '--model', 'L21'], dir), 2, /did you mean "l21"\?/);
  // A flag the model does not use is named as the flag, not as the library option.
  oneLineError(await cli(['fit', ...LONG, '--model', 'l21', '--clusters', '3'], dir), 2, /^polytask: --clusters: model "l21" has no such option \(its own: --lambda/);
  oneLineError(await cli(['fit', ...LONG, '--model', 'l21', '--loss', 'hinge'], dir), 2, /--loss.*'hinge' is invalid/);
  oneLineError(await cli(['fit', '--data', data, '--model', 'l21'], dir), 2, /--task-col NAME and --target NAME/);
  oneLineError(await cli(['inspect', '--data', join(dir, 'x.xlsx')], dir), 2, /cannot tell the format/);
  // No sub-command: help on stderr, usage exit code.
  const none = await cli([], dir);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: polytask/);
});

test('data errors: unreadable file, bad CSV cell (file:line:column) → exit 1', async () => {
  oneLineError(await cli(['inspect', '--data', 'missing.csv', '--task-col', 'task', '--target', 'y'], dir), 1, /missing\.csv: no such file/);
  oneLineError(await cli(['inspect', '--data', '.', '--format', 'csv', '--task-col', 'task', '--target', 'y'], dir), 1, /is a directory/);
  const lines = readFileSync(data, 'utf8').split('\n');
  // Line 4 of the file (3rd data row), column x2 (the 4th column).
  const cells = lines[3]!.split(',');
  cells[3] = '12abc';
  lines[3] = cells.join(',');
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, lines.join('\n'));
  const r = await cli(['inspect', '--data', bad, '--task-col', 'task', '--target', 'y'], dir);
  oneLineError(r, 1, /bad\.csv:4:4/);
  assert.match(r.stderr, /x2/);
  assert.match(r.stderr, /12abc/);
});

test('--verbose adds the stack trace to a user error', async () => {
  const r = await cli(['inspect', '--data', 'missing.csv', '--task-col', 'task', '--target', 'y', '--verbose'], dir);
  assert.equal(r.code, 1);
  // The first line says which kernels run (and why, e.g. when the native addon is missing).
  assert.match(r.stderr, /^polytask: kernel backend: (native|wasm|ts); .+\npolytask: .*missing\.csv/);
  assert.match(r.stderr, /\n\s+at /);
});

test('an unexpected internal error is one line with a hint, exit 70', () => {
  let err = '';
  const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, cwd: dir, env: {} };
  const code = reportError(io, new TypeError("Cannot read properties of undefined (reading 'x')"), false);
  assert.equal(code, EXIT_INTERNAL);
  assert.equal(err.split('\n').filter(Boolean).length, 1);
  assert.match(err, /^polytask: internal error: TypeError: .*rerun with --verbose/);
});

test('inspect prints task sizes and feature statistics; --json is one object', async () => {
  const r = await cli(['inspect', ...LONG], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /3 tasks, 4 features, 72 labelled samples/);
  assert.match(r.stdout, /target mean/);
  const j = JSON.parse((await cli(['inspect', ...LONG, '--json'], dir)).stdout);
  assert.deepEqual(j.tasks.map((t: { task: string; n: number }) => [t.task, t.n]), [['a', 24], ['b', 24], ['c', 24]]);
  assert.equal(j.features.length, 4);
  assert.ok(j.features.every((f: { sd: number }) => f.sd > 0));
});

test('fit --json has the fields of issue 4 with W as d × T', async () => {
  const r = await cli(['fit', ...LONG, '--model', 'l21', '--lambda', '0.05', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'nothing on stderr with --json');
  const j = JSON.parse(r.stdout);
  for (const k of ['model', 'objective', 'iterations', 'converged', 'optimality', 'seconds', 'W', 'intercepts']) assert.ok(k in j, `has ${k}`);
  assert.equal(j.model, 'l21');
  assert.equal(j.W.length, 4);
  assert.ok(j.W.every((row: number[]) => row.length === 3));
  assert.equal(j.intercepts.length, 3);
  assert.equal(j.converged, true);
  assert.ok(Number.isFinite(j.objective) && j.objective > 0);
  // The same fit through the library gives the same weights (the CLI adds nothing).
  const ds = loadCsvSync(data, { taskCol: 'task', target: 'y' }).dataset;
  const est = new MTLEstimator('l21', { lambda: 0.05 }).fit(ds);
  assert.deepEqual(j.W, est.W.toArray());
});

test('fit --out then predict: predictions equal the fitted model, bit for bit; CSV row,task,prediction', async () => {
  const model = join(dir, 'mean.model.json');
  const fit = await cli(['fit', ...LONG, '--model', 'mean', '--lambda', '0.3', '--standardize', 'task', '--out', model], dir);
  assert.equal(fit.code, 0, fit.stderr);
  assert.ok(existsSync(model));
  const newRows = join(dir, 'new.csv');
  // New rows: the training file without its target, columns reordered (matching is by name).
  const lines = readFileSync(data, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const order = ['x3', 'task', 'x1', 'x4', 'x2'].map((h) => header.indexOf(h));
  writeFileSync(newRows, lines.map((l) => order.map((j) => l.split(',')[j]).join(',')).join('\n') + '\n');
  const out = join(dir, 'pred.csv');
  const r = await cli(['predict', '--model', model, '--data', newRows, '--task-col', 'task', '--out', out], dir);
  assert.equal(r.code, 0, r.stderr);
  const pred = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(pred[0], 'row,task,prediction');
  assert.equal(pred.length, 1 + 72);
  const ds = loadCsvSync(data, { taskCol: 'task', target: 'y' }).dataset;
  const est = new MTLEstimator('mean', { lambda: 0.3, standardize: 'task' }).fit(ds);
  for (const t of ds.tasks) {
    const expected = est.predict(t.X, t.name);
    t.rows.forEach((row, i) => {
      const [r0, task, value] = pred[1 + row]!.split(',');
      assert.equal(Number(r0), row);
      assert.equal(task, t.name);
      assert.ok(Object.is(Number(value), expected[i]), `row ${row}: ${value} vs ${expected[i]}`);
    });
  }
});

test('predict reads a file of the training layout without flags: task column and label from the model file; flags win', async () => {
  const model = join(dir, 'layout.model.json');
  assert.equal((await cli(['fit', ...LONG, '--model', 'l21', '--lambda', '0.05', '--out', model, '--quiet'], dir)).code, 0);
  const env = JSON.parse(readFileSync(model, 'utf8'));
  assert.deepEqual(env.payload.columns, { taskCol: 'task', targets: ['y'] });
  const explicit = await cli(['predict', '--model', model, '--data', data, '--task-col', 'task', '--target', 'y'], dir);
  assert.equal(explicit.code, 0, explicit.stderr);
  // The training file itself, no flags: the same predictions, and a note saying what was assumed.
  const plain = await cli(['predict', '--model', model, '--data', data], dir);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, explicit.stdout);
  assert.match(plain.stderr, /the training layout from .*layout\.model\.json: task column "task"; ignoring "y"/);
  // A file without the label column: only the task column is taken from the model file.
  const lines = readFileSync(data, 'utf8').trim().split('\n');
  const yAt = lines[0]!.split(',').indexOf('y');
  const unlabelled = join(dir, 'unlabelled.csv');
  writeFileSync(unlabelled, lines.map((l) => l.split(',').filter((_, j) => j !== yAt).join(',')).join('\n') + '\n');
  const nolabel = await cli(['predict', '--model', model, '--data', unlabelled], dir);
  assert.equal(nolabel.code, 0, nolabel.stderr);
  assert.equal(nolabel.stdout, explicit.stdout);
  // --task-col on the command line wins: a column of the same values under another name.
  const renamed = join(dir, 'renamed.csv');
  writeFileSync(renamed, ['site', ...lines[0]!.split(',').slice(1)].join(',') + '\n' + lines.slice(1).join('\n') + '\n');
  assert.equal(lines[0]!.split(',')[0], 'task');
  const flagged = await cli(['predict', '--model', model, '--data', renamed, '--task-col', 'site'], dir);
  assert.equal(flagged.code, 0, flagged.stderr);
  assert.equal(flagged.stdout, explicit.stdout);
  // A model file without the layout (written before it was stored) keeps the old rule: flags needed.
  delete env.payload.columns;
  env.sha256 = payloadChecksum(env.payload);
  const old = join(dir, 'old.model.json');
  writeFileSync(old, JSON.stringify(env));
  oneLineError(await cli(['predict', '--model', old, '--data', data], dir), 1, /columns "task", "y" are not among the model's features/);
  // A malformed layout is a model-file error naming the field.
  env.payload.columns = { taskCol: 3 };
  env.sha256 = payloadChecksum(env.payload);
  const bad = join(dir, 'badcols.model.json');
  writeFileSync(bad, JSON.stringify(env));
  oneLineError(await cli(['predict', '--model', bad, '--data', data], dir), 1, /badcols\.model\.json: .*columns\.taskCol must be a string/);
});

test('predict refuses unknown tasks, missing and unexpected feature columns, and bad model files', async () => {
  const model = join(dir, 'l21.model.json');
  assert.equal((await cli(['fit', ...LONG, '--model', 'l21', '--lambda', '0.05', '--out', model, '--quiet'], dir)).code, 0);
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const unk = write('unk.csv', 'task,x1,x2,x3,x4\na,1,2,3,4\nzz,1,2,3,4\n');
  oneLineError(await cli(['predict', '--model', model, '--data', unk, '--task-col', 'task'], dir), 1, /unk\.csv:3: unknown task "zz"; the model knows: a, b, c/);
  const miss = write('miss.csv', 'task,x1,x3,x4\na,1,3,4\n');
  oneLineError(await cli(['predict', '--model', model, '--data', miss, '--task-col', 'task'], dir), 1, /missing feature column "x2"/);
  const extra = write('extra.csv', 'task,x1,x2,x3,x4,x5\na,1,2,3,4,5\n');
  oneLineError(await cli(['predict', '--model', model, '--data', extra, '--task-col', 'task'], dir), 1, /column "x5" is not among the model's features/);
  // ...unless the extra column is named in --skip.
  const skipped = await cli(['predict', '--model', model, '--data', extra, '--task-col', 'task', '--skip', 'x5'], dir);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.equal(skipped.stdout.trim().split('\n').length, 2);
  const cell = write('cell.csv', 'task,x1,x2,x3,x4\na,1,2,oops,4\n');
  oneLineError(await cli(['predict', '--model', model, '--data', cell, '--task-col', 'task'], dir), 1, /cell\.csv:2:4.*x3/);

  const text = readFileSync(model, 'utf8');
  const trunc = write('trunc.model.json', text.slice(0, text.length - 40));
  oneLineError(await cli(['predict', '--model', trunc, '--data', unk, '--task-col', 'task'], dir), 1, /trunc\.model\.json: the file is truncated/);
  const env = JSON.parse(text);
  env.payload.state.intercepts[0] += 1;
  const corrupt = write('corrupt.model.json', JSON.stringify(env));
  oneLineError(await cli(['predict', '--model', corrupt, '--data', unk, '--task-col', 'task'], dir), 1, /corrupt\.model\.json: checksum mismatch/);
  const fut = JSON.parse(text);
  fut.formatVersion = 3;
  const future = write('future.model.json', JSON.stringify(fut));
  oneLineError(await cli(['predict', '--model', future, '--data', unk, '--task-col', 'task'], dir), 1, /future\.model\.json: written in model-file format version 3.*upgrade/);
  const mism = JSON.parse(text);
  mism.payload.featureNames = ['x1', 'x2', 'x3'];
  mism.sha256 = payloadChecksum(mism.payload);
  const mismatched = write('mismatch.model.json', JSON.stringify(mism));
  oneLineError(await cli(['predict', '--model', mismatched, '--data', unk, '--task-col', 'task'], dir), 1, /mismatch\.model\.json: "W" must have 3 rows/);
});

test('binary data: predict writes the original labels and probabilities', async () => {
  const bin = writeLongCsv(dir, 'bin.csv', { T: 2, n: 40, d: 3, seed: 9, binary: true });
  const model = join(dir, 'bin.model.json');
  const fit = await cli(['fit', '--data', bin, '--task-col', 'task', '--target', 'y', '--model', 'l21', '--lambda', '0.01', '--out', model, '--quiet'], dir);
  assert.equal(fit.code, 0, fit.stderr);
  const r = await cli(['predict', '--model', model, '--data', bin, '--task-col', 'task', '--target', 'y'], dir);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n');
  assert.equal(rows[0], 'row,task,prediction,probability');
  const truth = readFileSync(bin, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[1]);
  let correct = 0;
  for (const line of rows.slice(1)) {
    const [row, , label, p] = line.split(',');
    assert.ok(label === '0' || label === '1');
    const prob = Number(p);
    assert.ok(prob >= 0 && prob <= 1);
    assert.equal(label, prob >= 0.5 ? '1' : '0');
    if (label === truth[Number(row)]) correct++;
  }
  assert.ok(correct / (rows.length - 1) > 0.8, `training accuracy ${correct}/${rows.length - 1}`);
});

test('compare --json has the shape of issue 5; --report and --out write files; report --from rebuilds it', async () => {
  const report = join(dir, 'cmp.html');
  const saved = join(dir, 'cmp.json');
  const r = await cli(['compare', ...LONG, '--models', 'pooled,l21', '--splits', '2', '--folds', '2', '--grid-points', '3', '--seed', '4', '--json', '--report', report, '--out', saved], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.models.map((m: { name: string }) => m.name), ['stl', 'pooled', 'l21']);
  for (const m of j.models) {
    assert.equal(typeof m.metrics.rmse_task_avg.mean, 'number');
    assert.equal(typeof m.metrics.rmse_task_avg.std, 'number');
    assert.equal(m.tasks.length, 3);
    for (const t of m.tasks) {
      assert.equal(typeof t.task, 'string');
      assert.equal(typeof t.rmse, 'number');
      assert.equal(typeof t.gain_over_stl, 'number');
      assert.equal(typeof t.negative_transfer, 'boolean');
    }
  }
  assert.deepEqual(JSON.parse(readFileSync(saved, 'utf8')), j);
  const html = readFileSync(report, 'utf8');
  assert.match(html, /<canvas id="chart-per-task-gains"/);
  const again = join(dir, 'again.html');
  const rep = await cli(['report', '--from', saved, '--out', again, '--quiet'], dir);
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(readFileSync(again, 'utf8'), /polytask comparison report/);
  // Human output: the table and the verdict.
  const human = await cli(['compare', ...LONG, '--models', 'l21', '--splits', '2', '--folds', '2', '--grid-points', '3', '--quiet'], dir);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /RMSE task avg \(↓\)/);
  assert.match(human.stdout, /^Best: /m);
});

test('compare and report reject bad input with clear errors', async () => {
  oneLineError(await cli(['compare', ...LONG, '--models', 'l21,bogus'], dir), 2, /--models: unknown model "bogus"/);
  oneLineError(await cli(['compare', ...LONG, '--models', 'l21,mmeo:pcgrad'], dir), 2, /--models: unknown model "mmeo:pcgrad" \(did you mean "mmoe"\?\)/);
  oneLineError(await cli(['compare', ...LONG, '--test-ratio', '1.5'], dir), 2, /--test-ratio.*between 0 and 1/);
  const notResult = join(dir, 'not-result.json');
  writeFileSync(notResult, JSON.stringify({ models: [] }));
  oneLineError(await cli(['report', '--from', notResult], dir), 1, /not-result\.json: not a polytask comparison result/);
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '{ "models": [');
  oneLineError(await cli(['report', '--from', notJson], dir), 1, /not\.json: not valid JSON/);
  oneLineError(await cli(['report', '--from', join(dir, 'absent.json')], dir), 1, /absent\.json: no such file/);
});

test('cv prints the curve and the choice; --json has the curve', async () => {
  const r = await cli(['cv', ...LONG, '--model', 'l21', '--folds', '3', '--grid-points', '4', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.model, 'l21');
  // 4 points asked for; CV may extend a data-scaled grid past an edge where the minimum lies.
  assert.ok(j.curve.grid.length >= 4 && j.curve.grid.length <= 10, `grid of ${j.curve.grid.length}`);
  assert.equal(j.curve.mean.length, j.curve.grid.length);
  assert.equal(typeof j.chosen.lambda, 'number');
  assert.ok(j.curve.grid.includes(j.chosen.lambda));
  const h = await cli(['cv', ...LONG, '--model', 'l21', '--folds', '3', '--grid', '1,0.1,0.01'], dir);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /← chosen/);
  assert.match(h.stdout, /chosen \(min rule\): lambda = /);
});

test('cv --nested gives one held-out error per outer fold and their mean; --nested 1 is a usage error', async () => {
  const r = await cli(['cv', ...LONG, '--model', 'l21', '--folds', '3', '--grid-points', '4', '--nested', '3', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const n = JSON.parse(r.stdout).nested;
  assert.equal(n.outer.length, 3);
  const mean = n.outer.reduce((s: number, o: { error: number }) => s + o.error, 0) / 3;
  assert.ok(Math.abs(n.mean - mean) <= 1e-12 * Math.abs(mean), `mean ${n.mean} vs ${mean}`);
  for (const o of n.outer) assert.equal(typeof o.chosen.lambda, 'number');
  oneLineError(await cli(['cv', ...LONG, '--model', 'l21', '--nested', '1'], dir), 2, /nested: needs at least 2 outer folds/);
});

test('fit --graph reads a task edge list, naming file and line on errors', async () => {
  const g = join(dir, 'edges.csv');
  writeFileSync(g, 'from,to,weight\na,b,1\nb,c,0.5\n');
  const ok = await cli(['fit', ...LONG, '--model', 'graph', '--lambda', '0.5', '--graph', g, '--json'], dir);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).options.graph, [{ from: 'a', to: 'b', weight: 1 }, { from: 'b', to: 'c', weight: 0.5 }]);
  writeFileSync(g, 'from,to,weight\na,b,1\nb,zz,1\n');
  oneLineError(await cli(['fit', ...LONG, '--model', 'graph', '--lambda', '0.5', '--graph', g], dir), 1, /edges\.csv:3:2: "zz" is not a task/);
});

test('per-model flags come from the declarations: papers\' names, range errors name the flag, fit --model X --help lists X\'s own', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = writeLongCsv(dir, 'd.csv', { T: 4, n: 25, d: 3, seed: 5 });
    const base = ['fit', '--data', data, '--task-col', 'task', '--target', 'y', '--json'];
    const c = await cli([...base, '--model', 'cmtl', '--rho1', '1', '--rho2', '0.1', '--clusters', '2'], dir);
    assert.equal(c.code, 0, c.stderr);
    const j = JSON.parse(c.stdout);
    assert.deepEqual([j.options.rho1, j.options.rho2, j.options.clusters], [1, 0.1, 2]);
    assert.equal(j.engine, 'linear');
    assert.ok(Array.isArray(j.learned.clusters));
    const d = await cli([...base, '--model', 'dirty', '--lambda-p', '0.05', '--lambda-q', '0.02'], dir);
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual([JSON.parse(d.stdout).options.lambdaP, JSON.parse(d.stdout).options.lambdaQ], [0.05, 0.02]);
    const m = await cli([...base, '--model', 'mtrl', '--lambda1', '0.1', '--lambda2', '2'], dir);
    assert.equal(m.code, 0, m.stderr);
    const bad = await cli([...base, '--model', 'cmtl', '--rho1', '-1'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--rho1: must be > 0/);
    const solver = await cli([...base, '--model', 'l21', '--solver', 'direct'], dir);
    assert.equal(solver.code, 2);
    assert.match(solver.stderr, /--solver: must be one of "bcd", "newton", "fista", "gd", got "direct"/);
    const wrong = await cli([...base, '--model', 'l21', '--rho1', '1'], dir);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--rho1: model "l21" has no such option/);
    const help = await cli(['fit', '--model', 'cmtl', '--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Model cmtl \(linear\)/);
    for (const flag of ['--rho1', '--rho2', '--clusters']) assert.match(help.stdout, new RegExp(`^  ${flag} .*\\[tuned by CV\\]|^  ${flag} `, 'm'));
  } finally {
    cleanup();
  }
});

test('a silent fall back to the TypeScript kernels is said on stderr; asking for them is not a fallback', async () => {
  const { slowFallback } = await import('../../src/cli/main.ts');
  const { setBackend, availableBackends, backendName } = await import('../../src/linalg/backend.ts');
  const before = backendName();
  try {
    setBackend('ts');
    assert.equal(slowFallback({}), true);
    assert.equal(slowFallback({ POLYTASK_BACKEND: 'ts' }), false);
    const other = availableBackends().find((b) => b !== 'ts');
    if (other) {
      setBackend(other);
      assert.equal(slowFallback({}), false);
    }
  } finally {
    setBackend(before);
  }
});
