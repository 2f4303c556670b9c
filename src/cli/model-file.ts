// The model file (docs/model-file.md): a versioned JSON envelope around the estimator's
// EstimatorJSON (src/estimator/contract.ts), for any registered engine.
//
//   { "format": "polytask-model", "formatVersion": 2, "polytaskVersion": "0.1.0",
//     "sha256": "<hex digest of the canonical payload JSON>",
//     "payload": { engine, model, options (with the defaults used), taskNames, taskKinds, featureNames, state } }
//
// Files of formatVersion 1 (the linear engine's ModelJSON, weights named lambda / lambda2) are still
// read: their payload is checked as before and converted (option names mapped to the papers' names).
//
// Why JSON: weights round-trip exactly (JavaScript prints the shortest decimal that parses back to
// the same float64), the file is readable and diffable, and no extra dependency is needed. The
// checksum is over a canonical serialisation (keys sorted, no whitespace) so that re-indenting the
// file does not invalidate it, while any changed number, name or option does. Writes are atomic
// (atomic.ts). Loading checks, in order: readable, complete JSON, the right format, a version this
// build can read, the checksum, then every field's type and every shape against the names.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ModelFileError } from '../errors.ts';
import type { EstimatorJSON } from '../estimator/contract.ts';
import { loadEstimator } from '../estimator/registry.ts';
import { estimatorJSONFromV1 } from '../linear/estimator.ts';
import { ALL_MODEL_NAMES } from '../linear/registry.ts';
import { VERSION } from '../version.ts';
import { writeFileAtomic, type AtomicFs } from './atomic.ts';

export const MODEL_FILE_FORMAT = 'polytask-model';
/** The envelope/payload layout version this build writes and the newest it reads. */
export const MODEL_FILE_VERSION = 2;

export interface ModelFileEnvelope {
  readonly format: typeof MODEL_FILE_FORMAT;
  readonly formatVersion: number;
  readonly polytaskVersion: string;
  readonly sha256: string;
  readonly payload: EstimatorJSON;
}

// ---------------------------------------------------------------------------------------------
// Canonical JSON and checksum

/** JSON with object keys sorted at every level and no whitespace: the bytes the checksum covers. */
export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    // undefined / functions have no JSON form; inside objects they are skipped (as JSON.stringify does).
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJSON(v === undefined ? null : v)).join(',')}]`;
  if (ArrayBuffer.isView(value)) return canonicalJSON(Array.from(value as unknown as ArrayLike<number>));
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(obj[k])}`).join(',')}}`;
}

export function payloadChecksum(payload: unknown): string {
  return createHash('sha256').update(canonicalJSON(payload), 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Writing

export function makeEnvelope(payload: EstimatorJSON): ModelFileEnvelope {
  // The payload is normalised through JSON first, so that what is checksummed is exactly what a
  // reader will parse (typed arrays become arrays, undefined fields disappear).
  const normal = JSON.parse(JSON.stringify(payload)) as EstimatorJSON;
  return {
    format: MODEL_FILE_FORMAT,
    formatVersion: MODEL_FILE_VERSION,
    polytaskVersion: VERSION,
    sha256: payloadChecksum(normal),
    payload: normal,
  };
}

/** Indented JSON, but arrays of numbers on one line (a W row per line stays readable). */
export function prettyJSON(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v) ?? 'null').join(', ')}]`;
    return `[\n${value.map((v) => inner + prettyJSON(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${prettyJSON(v, inner)}`).join(',\n')}\n${indent}}`;
}

export function serializeModelFile(payload: EstimatorJSON): string {
  return prettyJSON(makeEnvelope(payload)) + '\n';
}

/** Validates the payload (so that a bad model is never written), then writes it atomically. */
export function writeModelFile(path: string, payload: EstimatorJSON, fsOps?: AtomicFs): void {
  const text = serializeModelFile(payload);
  // Writing what we cannot read back is a bug; check before touching the disk.
  parseModelFile(text, path);
  writeFileAtomic(path, text, fsOps);
}

// ---------------------------------------------------------------------------------------------
// Reading and validation

export function readModelFile(path: string): EstimatorJSON {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`;
    throw new ModelFileError(path, why);
  }
  return parseModelFile(text, path);
}

type Obj = Record<string, unknown>;

/**
 * True when the text stops inside an unfinished JSON value: an open string, or more '{'/'[' than
 * closing brackets. That is what a cut-off write looks like, as opposed to a file that is complete
 * but wrong (which gets "not valid JSON").
 */
export function endsInsideValue(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return inString || depth > 0;
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Parses and validates a model file's text; `file` names it in every error. */
export function parseModelFile(text: string, file: string): EstimatorJSON {
  const fail = (msg: string): never => {
    throw new ModelFileError(file, msg);
  };
  // A UTF-8 byte order mark (editors on Windows add one) is not part of the JSON (issue 16).
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) fail('the file is empty (not a polytask model file)');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    fail(`${endsInsideValue(text) ? 'the file is truncated' : 'the file is not valid JSON'} (${(e as Error).message}; ${Buffer.byteLength(text)} bytes)`);
  }
  if (!isObj(raw)) return fail('not a polytask model file (expected a JSON object)');
  if (raw.format !== MODEL_FILE_FORMAT) {
    return fail(`not a polytask model file (format is ${JSON.stringify(raw.format) ?? 'missing'}, expected "${MODEL_FILE_FORMAT}")`);
  }
  const version = raw.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) fail(`invalid formatVersion ${JSON.stringify(version)}`);
  if ((version as number) > MODEL_FILE_VERSION) {
    fail(
      `written in model-file format version ${version} by polytask ${String(raw.polytaskVersion)}; ` +
        `this polytask (${VERSION}) reads format version ${MODEL_FILE_VERSION} only: upgrade polytask to load it`,
    );
  }
  if (typeof raw.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(raw.sha256)) fail('missing or malformed sha256 checksum');
  if (!isObj(raw.payload)) fail('missing payload');
  const actual = payloadChecksum(raw.payload);
  if (actual !== raw.sha256) fail(`checksum mismatch: the file is corrupted or was edited (expected sha256 ${raw.sha256 as string}, content has ${actual})`);
  let payload: EstimatorJSON;
  if (version === 1) {
    validateV1Payload(raw.payload as Obj, fail);
    payload = estimatorJSONFromV1(raw.payload);
  } else {
    validatePayload(raw.payload as Obj, version as number, fail);
    payload = raw.payload as unknown as EstimatorJSON;
  }
  // The engine checks its own state (shapes, values) by loading it; its errors name this file.
  try {
    loadEstimator(payload);
  } catch (e) {
    if (e instanceof ModelFileError) fail(e.message.replace(/^[^:]*: /, ''));
    fail(`cannot load the ${JSON.stringify(payload.engine)} model ${JSON.stringify(payload.model)}: ${(e as Error).message}`);
  }
  return payload;
}

/** The engine-neutral part of a formatVersion 2 payload (EstimatorJSON); the state is the engine's. */
function validatePayload(p: Obj, version: number, fail: (msg: string) => never): void {
  if (p.format !== MODEL_FILE_FORMAT || p.formatVersion !== version) fail('payload format/formatVersion do not match the envelope');
  if (typeof p.engine !== 'string') fail('payload.engine must name an engine');
  if (typeof p.model !== 'string') fail('payload.model must name a model');
  if (!isObj(p.options)) fail('payload.options must be an object');
  const tasks = stringList(p.taskNames, 'taskNames', fail);
  stringList(p.featureNames, 'featureNames', fail);
  if (tasks.length === 0) fail('payload.taskNames is empty');
  if (!Array.isArray(p.taskKinds) || p.taskKinds.length !== tasks.length || !p.taskKinds.every((k) => k === 'regression' || k === 'binary' || k === 'count' || k === 'multiclass')) {
    fail(`payload.taskKinds must list one of "regression", "binary", "count", "multiclass" per task (${tasks.length})`);
  }
  if (p.taskKinds.includes('multiclass')) {
    const cl = p.classes;
    if (!Array.isArray(cl) || cl.length !== tasks.length || !cl.every((c, t) => (p.taskKinds as unknown[])[t] === 'multiclass' ? Array.isArray(c) && c.length >= 2 && c.every((x) => typeof x === 'string') : c === null)) {
      fail('payload.classes must list, per task, the class labels of a multiclass task (at least two strings) and null for the other tasks');
    }
  }
  if (p.labelMap !== undefined && (!isObj(p.labelMap) || typeof p.labelMap.negative !== 'string' || typeof p.labelMap.positive !== 'string')) fail('payload.labelMap must be {negative, positive} strings');
  if (p.columns !== undefined) validateColumns(p.columns, fail);
  if (!isObj(p.state)) fail('payload.state must be an object');
}

/** payload.columns (DataColumns): the training file's task, label and skipped columns. */
function validateColumns(c: unknown, fail: (msg: string) => never): void {
  if (!isObj(c)) return fail('payload.columns must be an object');
  if (c.taskCol !== undefined && typeof c.taskCol !== 'string') fail('payload.columns.taskCol must be a string');
  if (c.targets !== undefined) stringList(c.targets, 'columns.targets', fail);
  if (c.skip !== undefined) stringList(c.skip, 'columns.skip', fail);
  if (c.featuresListed !== undefined && typeof c.featuresListed !== 'boolean') fail('payload.columns.featuresListed must be true or false');
}

/** A formatVersion 1 payload (the linear engine's ModelJSON). */
function validateV1Payload(p: Obj, fail: (msg: string) => never): void {
  if (p.format !== MODEL_FILE_FORMAT || p.formatVersion !== 1) fail('payload format/formatVersion do not match the envelope');
  if (typeof p.model !== 'string' || !(ALL_MODEL_NAMES as readonly string[]).includes(p.model)) fail(`unknown model name ${JSON.stringify(p.model)}`);
  if (!isObj(p.options)) fail('payload.options must be an object');
  if (p.kind !== 'regression' && p.kind !== 'binary') fail(`payload.kind must be "regression" or "binary", got ${JSON.stringify(p.kind)}`);
  if (p.labelMap !== undefined) {
    const lm = p.labelMap;
    if (!isObj(lm) || typeof lm.negative !== 'string' || typeof lm.positive !== 'string') fail('payload.labelMap must be {negative, positive} strings');
  }
  const tasks = stringList(p.taskNames, 'taskNames', fail);
  const features = stringList(p.featureNames, 'featureNames', fail);
  const T = tasks.length;
  const d = features.length;
  if (T === 0) fail('payload.taskNames is empty');
  if (d === 0) fail('payload.featureNames is empty');
  numberMatrix(p.W, d, T, `W (expected ${d} rows = features × ${T} columns = tasks)`, fail);
  numberVector(p.intercepts, T, `intercepts (expected one per task, ${T})`, fail);
  if (p.standardizer !== undefined) {
    const s = p.standardizer;
    if (!isObj(s) || (s.mode !== 'global' && s.mode !== 'task')) return fail('payload.standardizer.mode must be "global" or "task"');
    const rows = s.mode === 'global' ? 1 : T;
    numberMatrix(s.mean, rows, d, `standardizer.mean (expected ${rows} × ${d})`, fail);
    numberMatrix(s.scale, rows, d, `standardizer.scale (expected ${rows} × ${d})`, fail);
    for (const row of s.scale as number[][]) if (row.some((v) => !(v > 0))) fail('standardizer.scale has a non-positive entry');
  }
  if (!isObj(p.info)) fail('payload.info must be an object');
  const info = p.info as Obj;
  if (typeof info.iterations !== 'number' || typeof info.converged !== 'boolean') fail('payload.info must carry iterations and converged');
  if (!isObj(p.learned)) fail('payload.learned must be an object');
}

function stringList(v: unknown, what: string, fail: (m: string) => never): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) return fail(`payload.${what} must be an array of strings`);
  const seen = new Set<string>();
  for (const s of v as string[]) {
    if (seen.has(s)) fail(`payload.${what} has a duplicate "${s}"`);
    seen.add(s);
  }
  return v as string[];
}

function numberVector(v: unknown, n: number, what: string, fail: (m: string) => never): void {
  if (!Array.isArray(v)) return fail(`${what}: not an array`);
  if (v.length !== n) fail(`${what}: has ${v.length} entries`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) fail(`${what}: entry ${i} is ${JSON.stringify(v[i])}, not a finite number`);
  }
}

function numberMatrix(v: unknown, rows: number, cols: number, what: string, fail: (m: string) => never): void {
  if (!Array.isArray(v)) return fail(`${what}: not an array`);
  if (v.length !== rows) fail(`${what}: has ${v.length} rows`);
  for (let i = 0; i < rows; i++) {
    const r = v[i] as unknown;
    if (!Array.isArray(r)) return fail(`${what}: row ${i} is not an array`);
    if (r.length !== cols) fail(`${what}: row ${i} has ${r.length} columns`);
    for (let j = 0; j < cols; j++) {
      if (typeof r[j] !== 'number' || !Number.isFinite(r[j])) fail(`${what}: entry (${i}, ${j}) is ${JSON.stringify(r[j])}, not a finite number`);
    }
  }
}
