// The CLI registers engines by their declarations and imports an implementation on first use
// (src/engine-descriptors.ts, src/estimator/registry.ts): the declarations must be exactly what the
// loaded engine declares, a model is built only after its engine is loaded, and a linear `fit`
// leaves the neural engine unloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NN_DESCRIPTOR } from '../src/engine-descriptors.ts';
import type { EngineDescriptor, EngineSpec, ModelDecl } from '../src/estimator/contract.ts';
import { allModels, getModel, loadAllEngines, loadModels, modelInfo, registerEngine, registerEngineDescriptor, registeredEngines } from '../src/estimator/registry.ts';
import { TRAINER_AGGREGATORS, TRAINER_WEIGHTINGS } from '../src/balance/nn-hooks.ts';
import { ACTIVATIONS } from '../src/nn/module.ts';
import { NN_ACTIVATIONS, NN_AGGREGATORS, NN_WEIGHTINGS } from '../src/nn/params.ts';
import { tempDir, writeLongCsv } from './cli/helpers.ts';

test('the neural descriptor declares exactly the loaded engine\'s models and parameters', async () => {
  const spec = await NN_DESCRIPTOR.load();
  const strip = (m: { engine: string; name: string; summary: string; baseline: string; params: unknown }) =>
    JSON.parse(JSON.stringify({ engine: m.engine, name: m.name, summary: m.summary, baseline: m.baseline, params: m.params })) as unknown;
  assert.deepEqual(NN_DESCRIPTOR.models.map(strip), spec.models.map(strip));
  // The choice lists spelled in the declarations are the ones the trainer accepts.
  assert.deepEqual([...NN_WEIGHTINGS], [...TRAINER_WEIGHTINGS]);
  assert.deepEqual([...NN_AGGREGATORS], [...TRAINER_AGGREGATORS]);
  assert.deepEqual([...NN_ACTIVATIONS], ACTIVATIONS.filter((a) => a !== 'none'));
});

test('a described engine is listed and validated before it loads, built only after, and loaded once', async () => {
  let loads = 0;
  const info = { engine: 'lazy-toy', name: 'lazy-toy-model', summary: 'toy', baseline: 'stl', params: [{ name: 'k', flag: '--k-toy', type: 'integer' as const, help: 'k', default: 1 }] };
  const decl: ModelDecl = { ...info, make: () => { throw new Error('not needed'); } };
  const spec: EngineSpec = { name: 'lazy-toy', models: [decl], load: () => { throw new Error('not needed'); } };
  const desc: EngineDescriptor = { name: 'lazy-toy', models: [info], load: async () => { loads++; return spec; } };
  registerEngineDescriptor(desc);
  assert.ok(allModels().some((m) => m.name === 'lazy-toy-model'));
  assert.equal(modelInfo('lazy-toy-model').params[0]!.flag, '--k-toy');
  assert.throws(() => getModel('lazy-toy-model'), /registered by its descriptor only: await loadModels\(\["lazy-toy-model"\]\)/);
  assert.ok(!registeredEngines().some((e) => e.name === 'lazy-toy'));
  await Promise.all([loadModels(['lazy-toy-model']), loadModels(['lazy-toy-model']), loadAllEngines()]);
  assert.equal(loads, 1);
  assert.equal(getModel('lazy-toy-model'), decl);
  assert.throws(() => modelInfo('no-such-model'), /unknown model "no-such-model"/);
  await assert.rejects(loadModels(['no-such-model']), /unknown model/);
  // A descriptor whose implementation declares other models is refused when loaded.
  registerEngineDescriptor({ name: 'liar', models: [{ ...info, engine: 'liar', name: 'liar-a' }], load: async () => ({ name: 'liar', models: [{ ...decl, engine: 'liar', name: 'liar-b' }], load: spec.load }) });
  await assert.rejects(loadModels(['liar-a']), /descriptor declares models liar-a but the implementation has liar-b/);
  // Registering the loaded engine after its descriptor replaces it (idempotent).
  registerEngine(spec);
  assert.equal(getModel('lazy-toy-model'), decl);
});

test('a linear `fit` through the CLI loads the linear engine only', { timeout: 60_000 }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const csv = writeLongCsv(dir);
    const script = join(dir, 'probe.mts');
    const root = join(import.meta.dirname, '..', 'src');
    writeFileSync(script, [
      `import { run } from ${JSON.stringify(join(root, 'cli', 'main.ts'))};`,
      `import { registeredEngines, engineNames } from ${JSON.stringify(join(root, 'estimator', 'registry.ts'))};`,
      `const code = await run(['fit', '--data', ${JSON.stringify(csv)}, '--task-col', 'task', '--target', 'y', '--model', 'l21', '--quiet', '--json']);`,
      `process.stderr.write(JSON.stringify({ code, loaded: registeredEngines().map((e) => e.name), known: engineNames() }) + '\\n');`,
    ].join('\n'));
    const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script], { encoding: 'utf8', cwd: dir });
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    const got = JSON.parse(last) as { code: number; loaded: string[]; known: string[] };
    assert.equal(got.code, 0, r.stderr);
    assert.deepEqual(got.loaded, ['linear']);
    assert.deepEqual([...got.known].sort(), ['linear', 'nn']);
  } finally {
    cleanup();
  }
});

test('the CLI runs a neural model after loading its engine on demand (fit --model hps)', { skip: !existsSync(join(import.meta.dirname, '..', 'src', 'nn', 'estimator.ts')) && 'no neural engine' }, async () => {
  const { cli } = await import('./cli/helpers.ts');
  const { dir, cleanup } = tempDir();
  try {
    const csv = writeLongCsv(dir);
    const r = await cli(['fit', '--data', csv, '--task-col', 'task', '--target', 'y', '--model', 'hps', '--epochs', '2', '--hidden', '4', '--quiet'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hps/);
  } finally {
    cleanup();
  }
});
