import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadCsvText } from '../../src/data/csv.ts';
import { datasetFromJSON, datasetToJSON, datasetToJSONText, loadDatasetJson, saveDatasetJson } from '../../src/data/json.ts';
import { DatasetFileError } from '../../src/data/errors.ts';

const roundTrip = (text: string) => datasetFromJSON(JSON.parse(text) as unknown);

test('per-task dataset with weights and label map: exact round trip through a file', () => {
  const { dataset } = loadCsvText('task,y,w,a,b\nB,yes,1,0.1,-0\nA,no,2,1e-300,3\nB,no,0.5,2,5\nA,yes,1,7,1.7976931348623157e308\n', { taskCol: 'task', target: 'y', weightCol: 'w' }, 'x.csv');
  const dir = mkdtempSync(join(tmpdir(), 'polytask-json-'));
  try {
    const f = join(dir, 'd.json');
    saveDatasetJson(dataset, f);
    assert.deepEqual(readdirSync(dir), ['d.json']); // no temporary file left behind
    const back = loadDatasetJson(f);
    assert.deepEqual(back, dataset);
    assert.ok(Object.is(back.tasks[0]!.X.get(0, 1), -0));
    writeFileSync(f, '{"format": "polytask-dataset", ');
    assert.throws(() => loadDatasetJson(f), (e: unknown) => e instanceof DatasetFileError && /not valid JSON/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('multi-output dataset: shared X and Y with missing labels round-trip', () => {
  const { dataset } = loadCsvText('a,t1,t2\n1,0.5,\n2,,1.5\n3,2.5,3.5\n', { targets: ['t1', 't2'] });
  const back = roundTrip(datasetToJSONText(dataset));
  assert.deepEqual(back, dataset);
  assert.ok(Number.isNaN(back.shared!.Y.get(0, 1)));
});

test('property: random regression datasets round-trip bit for bit', () => {
  const num = fc.double({ noNaN: true, noDefaultInfinity: true });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), num, num, num), { minLength: 1, maxLength: 20 }), (rows) => {
      const fmt = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));
      const text = 'task,y,a,b\n' + rows.map((r) => [r[0], ...r.slice(1).map((v) => fmt(v as number))].join(',')).join('\n');
      const { dataset } = loadCsvText(text, { taskCol: 'task', target: 'y', kind: 'regression' });
      assert.deepEqual(roundTrip(datasetToJSONText(dataset)), dataset);
    }),
    { numRuns: 100, seed: 1 },
  );
});

test('validation errors name the JSON path', () => {
  const { dataset } = loadCsvText('task,y,a\n0,1,2\n0,3,4\n1,5,6\n', { taskCol: 'task', target: 'y', kind: 'regression' });
  const good = datasetToJSON(dataset) as Record<string, any>;
  const mutate = (f: (o: any) => void): unknown => {
    const o = JSON.parse(JSON.stringify(good));
    f(o);
    return o;
  };
  const cases: [unknown, RegExp][] = [
    [mutate((o) => (o.format = 'other')), /\$\.format/],
    [mutate((o) => (o.version = 2)), /version 2/],
    [mutate((o) => (o.tasks[1].X = [1, 2])), /\$\.tasks\[1\]\.X.*expected 1 entries/],
    [mutate((o) => (o.tasks[0].y[1] = 'x')), /\$\.tasks\[0\]\.y\[1\]/],
    [mutate((o) => (o.tasks[1].name = '0')), /duplicate task name/],
    [mutate((o) => (o.kind = 'binary')), /\$\.tasks\[0\]\.y\[1\].*−1\/\+1/],
    [mutate((o) => (o.tasks[0].rows = [0, -1])), /\$\.tasks\[0\]\.rows\[1\]/],
  ];
  for (const [value, re] of cases) {
    assert.throws(() => datasetFromJSON(value, 'd.json'), (e: unknown) => e instanceof DatasetFileError && re.test(e.message) && /d\.json/.test(e.message), String(re));
  }
});
