import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/engines.ts';
import { parseModelSpec, specOptions } from '../../src/estimator/spec.ts';
import { registryPlan } from '../../src/eval/plans.ts';
import { OptionError } from '../../src/errors.ts';
import { cli, tempDir, writeLongCsv } from '../cli/helpers.ts';

test('model specs: a balancing method after the colon is a weighting or an aggregator the model declares', () => {
  assert.deepEqual(parseModelSpec('hps').options, {});
  assert.deepEqual(parseModelSpec('hps:pcgrad').options, { aggregator: 'pcgrad' });
  assert.deepEqual(parseModelSpec('hps:upgrad').options, { aggregator: 'upgrad' });
  assert.deepEqual(parseModelSpec('hps:ew').options, { weighting: 'ew' });
  assert.deepEqual(parseModelSpec('hps:uw').options, { weighting: 'uw' });
  assert.deepEqual(parseModelSpec('mmoe:nash').options, { aggregator: 'nash-mtl' }, 'the short name of the issue');
  const s = parseModelSpec('mmoe:cagrad');
  assert.equal(s.model, 'mmoe');
  assert.equal(s.spec, 'mmoe:cagrad');
  assert.deepEqual(specOptions(s, { aggregator: 'upgrad', epochs: 3 }), { aggregator: 'cagrad', epochs: 3 }, 'the spec wins over a global flag');
});

test('model specs: invalid combinations are refused with the spec named', () => {
  const bad: [string, RegExp][] = [
    ['l21:pcgrad', /"l21:pcgrad".*takes no task-balancing method/],
    ['hps:nosuch', /"hps:nosuch".*unknown balancing method "nosuch".*gradient aggregators: .*pcgrad/],
    ['nosuch:pcgrad', /"nosuch:pcgrad".*unknown model "nosuch"/],
    ['hps:pcgrad:ew', /"hps:pcgrad:ew".*one balancing method/],
    ['hps:', /"hps:"/],
  ];
  for (const [spec, re] of bad) {
    assert.throws(() => parseModelSpec(spec), (e: unknown) => e instanceof OptionError && re.test(e.message), spec);
  }
});

test('registryPlan of a spec: named by the spec, builds the model with the method fixed, family baseline', () => {
  const p = registryPlan('hps:pcgrad');
  assert.equal(p.name, 'hps:pcgrad');
  assert.equal(p.baseline, 'stl-mlp');
  const est = p.make({ epochs: 2 });
  assert.equal(est.model, 'hps');
  assert.equal(est.options!['aggregator'], 'pcgrad');
  assert.equal(est.options!['epochs'], 2);
  assert.equal(registryPlan('hps:uw').make({}).options!['weighting'], 'uw');
});

test('compare --models hps:ew,hps:pcgrad,mmoe:nash end to end: rows named by the spec, each trained with its method; errors name the spec', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = writeLongCsv(dir, 'small.csv', { T: 2, n: 40, d: 3 });
    const r = await cli(['compare', '--data', data, '--task-col', 'task', '--target', 'y', '--models', 'hps:ew,hps:pcgrad,mmoe:nash', '--splits', '2', '--folds', '2', '--epochs', '2', '--hidden', '4', '--experts', '2', '--workers', '1', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { models: { name: string; baseline: string; delta_m: number | null; tasks: { p_value: number | null }[] }[] };
    assert.deepEqual(res.models.map((m) => m.name), ['stl-mlp', 'hps:ew', 'hps:pcgrad', 'mmoe:nash']);
    for (const m of res.models.slice(1)) {
      assert.equal(m.baseline, 'stl-mlp');
      assert.ok(m.delta_m !== null && Number.isFinite(m.delta_m), `${m.name}: Δm ${m.delta_m}`);
      assert.ok(m.tasks.every((t) => t.p_value !== null), `${m.name}: paired tests over the 2 splits`);
    }
    // the text table names the row by its spec
    const text = await cli(['compare', '--data', data, '--task-col', 'task', '--target', 'y', '--models', 'hps:pcgrad', '--splits', '2', '--folds', '2', '--epochs', '2', '--hidden', '4', '--workers', '1'], dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /hps:pcgrad/);
    const bad = await cli(['compare', '--data', data, '--task-col', 'task', '--target', 'y', '--models', 'hps,l21:pcgrad', '--splits', '2'], dir);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /"l21:pcgrad".*takes no task-balancing method/);
    const bad2 = await cli(['compare', '--data', data, '--task-col', 'task', '--target', 'y', '--models', 'hps:famous', '--splits', '2'], dir);
    assert.notEqual(bad2.code, 0);
    assert.match(bad2.stderr, /"hps:famous": unknown balancing method/);
  } finally {
    cleanup();
  }
});
