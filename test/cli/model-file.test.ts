import '../../src/engines.ts'; // model-file.ts leaves loading the engines to its caller (the CLI loads them lazily)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, type AtomicFs } from '../../src/cli/atomic.ts';
import {
  canonicalJSON,
  endsInsideValue,
  makeEnvelope,
  parseModelFile,
  payloadChecksum,
  prettyJSON,
  readModelFile,
  serializeModelFile,
  writeModelFile,
} from '../../src/cli/model-file.ts';
import { ModelFileError } from '../../src/errors.ts';
import { loadCsvSync } from '../../src/data/csv.ts';
import { MTLEstimator } from '../../src/linear/estimator.ts';
import type { EstimatorJSON } from '../../src/estimator/contract.ts';
import type { LinearState } from '../../src/linear/estimator.ts';
import { tempDir, writeLongCsv } from './helpers.ts';
import * as fs from 'node:fs';

function fitted(dir: string, model = 'l21', options: Record<string, number> = { lambda: 0.05 }): { est: MTLEstimator; json: EstimatorJSON; data: ReturnType<typeof loadCsvSync> } {
  const file = writeLongCsv(dir, 'train.csv', { T: 3, n: 25, d: 5, seed: 11 });
  const data = loadCsvSync(file, { taskCol: 'task', target: 'y' });
  const est = new MTLEstimator(model, { ...options, standardize: 'global' }).fit(data.dataset);
  return { est, json: est.toJSON(), data };
}

test('canonical JSON sorts keys at every level and ignores whitespace/ordering of the source', () => {
  assert.equal(canonicalJSON({ b: 1, a: { d: [1, 2], c: 'x' } }), '{"a":{"c":"x","d":[1,2]},"b":1}');
  assert.equal(payloadChecksum({ x: 1, y: [0.1, 2] }), payloadChecksum(JSON.parse('{ "y": [0.1, 2],\n "x": 1 }')));
  assert.notEqual(payloadChecksum({ x: 1 }), payloadChecksum({ x: 1.0000000000000002 }));
});

test('endsInsideValue tells a cut-off JSON text from a complete one', () => {
  assert.equal(endsInsideValue('{"a": [1, 2'), true);
  assert.equal(endsInsideValue('{"a": "x\\"y'), true, 'an escaped quote does not close the string');
  assert.equal(endsInsideValue('{"a": "]}"}'), false, 'brackets inside strings do not count');
  assert.equal(endsInsideValue('{"a": 1} x'), false);
});

test('prettyJSON is valid JSON equal to the value', () => {
  const v = { a: [1, -0.5, 1e-300], b: [[1, 2], [3, 4]], c: { d: 'e"f', g: [] }, h: null };
  assert.deepEqual(JSON.parse(prettyJSON(v)), v);
});

test('fit → save → load gives the same payload and bit-identical predictions', () => {
  const { dir, cleanup } = tempDir();
  try {
    const { est, json, data } = fitted(dir);
    const path = join(dir, 'model.json');
    writeModelFile(path, json);
    const loaded = readModelFile(path);
    assert.deepEqual(loaded, JSON.parse(JSON.stringify(json)));
    assert.ok((loaded.state as LinearState).standardizer, 'standardisation is stored with the weights');
    assert.equal(loaded.engine, 'linear');
    assert.deepEqual(loaded.taskKinds, ['regression', 'regression', 'regression']);
    assert.equal(loaded.options['tol'], 1e-6, 'the defaults used are stored');
    const again = MTLEstimator.fromJSON(loaded, path);
    for (const t of data.dataset.tasks) {
      const a = est.predict(t.X, t.name);
      const b = again.predict(t.X, t.name);
      assert.equal(a.length, b.length);
      // Bit-exact: compare the IEEE-754 bytes, not a tolerance.
      assert.deepEqual(Buffer.from(b.buffer, b.byteOffset, b.byteLength), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    }
    // The file names the format, version and checksum in its envelope.
    const env = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(env.format, 'polytask-model');
    assert.equal(env.formatVersion, 2);
    assert.equal(env.sha256, payloadChecksum(env.payload));
  } finally {
    cleanup();
  }
});

test('every float64 of W survives the text round trip exactly', () => {
  const { dir, cleanup } = tempDir();
  try {
    const { json } = fitted(dir);
    const back = parseModelFile(serializeModelFile(json), 'mem');
    const W = (json.state as LinearState).W;
    const W2 = (back.state as LinearState).W;
    W.forEach((row, i) => row.forEach((v, j) => assert.ok(Object.is(v, W2[i]![j]!) || (v === 0 && W2[i]![j] === 0))));
  } finally {
    cleanup();
  }
});

test('a model file with a UTF-8 byte order mark is accepted (issue 16)', () => {
  const { dir, cleanup } = tempDir();
  try {
    const { json } = fitted(dir);
    const back = parseModelFile('\ufeff' + serializeModelFile(json), 'bom.json');
    assert.deepEqual((back.state as LinearState).W, JSON.parse(JSON.stringify((json.state as LinearState).W)));
    // Only a leading BOM is skipped: one inside is still invalid JSON.
    assert.throws(() => parseModelFile(' \ufeff' + serializeModelFile(json), 'bom2.json'), ModelFileError);
  } finally {
    cleanup();
  }
});

function expectModelFileError(fn: () => unknown, re: RegExp, file: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ModelFileError, `expected ModelFileError, got ${String(e)}`);
    assert.match(e.message, re);
    assert.ok(e.message.startsWith(file), `message names the file: ${e.message}`);
    return true;
  });
}

test('loading rejects truncated, corrupted, future-version, wrong-format and mismatched files by name', () => {
  const { dir, cleanup } = tempDir();
  try {
    const { json } = fitted(dir);
    const text = serializeModelFile(json);
    // Cut anywhere (inside a number, a string, between elements): always reported as truncated.
    for (const f of [0.1, 0.37, 0.5, 0.81, 0.999]) {
      expectModelFileError(() => parseModelFile(text.slice(0, Math.floor(text.length * f)), 'half.json'), /the file is truncated/, 'half.json');
    }
    expectModelFileError(() => parseModelFile(text.replace('"payload"', '"payload" "x"'), 'junk.json'), /not valid JSON/, 'junk.json');
    expectModelFileError(() => parseModelFile('', 'empty.json'), /empty/, 'empty.json');
    // Corrupted: one digit of one weight changed, checksum left as it was.
    const env = JSON.parse(text);
    env.payload.state.W[0][0] = env.payload.state.W[0][0] + 1e-9;
    expectModelFileError(() => parseModelFile(JSON.stringify(env), 'bad.json'), /checksum mismatch/, 'bad.json');
    // Future version.
    const future = { ...JSON.parse(text), formatVersion: 3, polytaskVersion: '9.0.0' };
    expectModelFileError(() => parseModelFile(JSON.stringify(future), 'new.json'), /format version 3 .*upgrade polytask/, 'new.json');
    // Wrong format.
    expectModelFileError(() => parseModelFile(JSON.stringify({ format: 'polytask-dataset', version: 1 }), 'ds.json'), /not a polytask model file/, 'ds.json');
    // Mismatched shapes with a valid checksum (as if written by a buggy writer).
    const mism = JSON.parse(text);
    mism.payload.state.W = mism.payload.state.W.slice(1);
    mism.sha256 = payloadChecksum(mism.payload);
    expectModelFileError(() => parseModelFile(JSON.stringify(mism), 'shape.json'), /"W" must have 5 rows/, 'shape.json');
    const mism2 = JSON.parse(text);
    mism2.payload.state.intercepts.push(0);
    mism2.sha256 = payloadChecksum(mism2.payload);
    expectModelFileError(() => parseModelFile(JSON.stringify(mism2), 'b.json'), /intercepts/, 'b.json');
    const mism3 = JSON.parse(text);
    mism3.payload.taskNames = ['a', 'a', 'c'];
    mism3.sha256 = payloadChecksum(mism3.payload);
    expectModelFileError(() => parseModelFile(JSON.stringify(mism3), 'dup.json'), /duplicate "a"/, 'dup.json');
    expectModelFileError(() => readModelFile(join(dir, 'nope.json')), /no such file/, join(dir, 'nope.json'));
  } finally {
    cleanup();
  }
});

test('makeEnvelope checksums exactly what a reader parses', () => {
  const { dir, cleanup } = tempDir();
  try {
    const { json } = fitted(dir);
    const env = makeEnvelope(json);
    assert.equal(env.sha256, payloadChecksum(JSON.parse(JSON.stringify(env.payload))));
  } finally {
    cleanup();
  }
});

/** A file system that fails on the n-th write call, to simulate a crash mid-write. */
function failingFs(failOnWrite: number): AtomicFs {
  let writes = 0;
  return {
    openSync: (p, f, m) => fs.openSync(p, f, m),
    writeSync: (fd, data) => {
      writes++;
      if (writes >= failOnWrite) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      // Write only part of the data, so that the loop continues and the failure is mid-file.
      return fs.writeSync(fd, data.subarray(0, Math.max(1, Math.floor(data.length / 3))));
    },
    fsyncSync: (fd) => fs.fsyncSync(fd),
    closeSync: (fd) => fs.closeSync(fd),
    renameSync: (a, b) => fs.renameSync(a, b),
    unlinkSync: (p) => fs.unlinkSync(p),
  };
}

test('an atomic write that fails mid-way leaves no file and no temporary behind', () => {
  const { dir, cleanup } = tempDir();
  try {
    const dest = join(dir, 'model.json');
    assert.throws(() => writeFileAtomic(dest, 'x'.repeat(10_000), failingFs(2)), /ENOSPC/);
    assert.equal(existsSync(dest), false);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    cleanup();
  }
});

test('a failed atomic write keeps the previous file intact', () => {
  const { dir, cleanup } = tempDir();
  try {
    const dest = join(dir, 'report.html');
    writeFileSync(dest, 'old contents');
    assert.throws(() => writeFileAtomic(dest, 'new '.repeat(5000), failingFs(3)));
    assert.equal(readFileSync(dest, 'utf8'), 'old contents');
    assert.deepEqual(readdirSync(dir), ['report.html']);
    // And a successful write replaces it completely.
    writeFileAtomic(dest, 'new contents');
    assert.equal(readFileSync(dest, 'utf8'), 'new contents');
    assert.deepEqual(readdirSync(dir), ['report.html']);
  } finally {
    cleanup();
  }
});

test('writeModelFile refuses to write a payload it could not read back', () => {
  const { dir, cleanup } = tempDir();
  try {
    const { json } = fitted(dir);
    const st = json.state as LinearState;
    const broken: EstimatorJSON = { ...json, state: { ...st, intercepts: [...st.intercepts, 1] } };
    const dest = join(dir, 'broken.json');
    assert.throws(() => writeModelFile(dest, broken), ModelFileError);
    assert.equal(existsSync(dest), false);
  } finally {
    cleanup();
  }
});

test('model files of formatVersion 1 (lambda / lambda2) still load, under the papers\' names, with identical predictions', () => {
  const { dir, cleanup } = tempDir();
  try {
    const { est, json, data } = fitted(dir, 'cmtl', { rho1: 0.5, rho2: 0.2, clusters: 2, tol: 1e-4 });
    const st = json.state as LinearState;
    // The same fit as polytask 0.1 wrote it: formatVersion 1, ModelJSON payload, cmtl's ρ1/ρ2 as lambda/lambda2.
    const { rho1, rho2, ...rest } = json.options as Record<string, unknown>;
    const v1 = {
      format: 'polytask-model', formatVersion: 1, polytaskVersion: '0.1.0', model: 'cmtl', options: { ...rest, lambda: rho1, lambda2: rho2 }, kind: 'regression',
      taskNames: json.taskNames, featureNames: json.featureNames, standardizer: st.standardizer, W: st.W, intercepts: st.intercepts, info: st.info, learned: st.learned,
    };
    const text = JSON.stringify({ format: 'polytask-model', formatVersion: 1, polytaskVersion: '0.1.0', sha256: payloadChecksum(v1), payload: v1 });
    const path = join(dir, 'old.model.json');
    writeFileSync(path, text);
    const loaded = readModelFile(path);
    assert.equal(loaded.formatVersion, 2);
    assert.equal(loaded.options['rho1'], 0.5);
    assert.equal(loaded.options['rho2'], 0.2);
    assert.equal(loaded.options['lambda'], undefined);
    const back = MTLEstimator.fromJSON(loaded, path);
    for (const t of data.dataset.tasks) assert.deepEqual(back.predict(t.X, t.name), est.predict(t.X, t.name));
    // A tampered v1 payload is still caught by its checksum.
    writeFileSync(path, text.replace('"lambda2":0.2', '"lambda2":0.3'));
    expectModelFileError(() => readModelFile(path), /checksum mismatch/, path);
  } finally {
    cleanup();
  }
});
