// Runs the reliability corpus (corpus.ts) through the CLI in-process (`run(argv, io)`), one
// temporary directory per case: exit code, the one-line message naming what the user gave, no
// output file, no temporary file, inputs untouched — and never an internal error (exit 70).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cli, tempDir } from '../cli/helpers.ts';
import { parseModelFile, serializeModelFile } from '../../src/cli/model-file.ts';
import { CASES, longCsv, type Case } from './corpus.ts';

const root = tempDir('polytask-robust-');
process.on('exit', root.cleanup);

const DATA = longCsv();
let MODEL = '';

/** Model-file variants derived from the valid model text. */
function derived(marker: string): string {
  const env = JSON.parse(MODEL) as { formatVersion: number; sha256: string; payload: { model: string; state: Record<string, unknown> } };
  switch (marker) {
    case '=TRUNCATE':
      return MODEL.slice(0, Math.floor(MODEL.length * 0.6));
    case '=FLIP': {
      // Change one digit inside the payload (after the checksum line), keeping the JSON valid.
      const at = MODEL.indexOf('"payload"');
      const i = MODEL.slice(at).search(/[1-8]\d*[,\]]/) + at;
      return MODEL.slice(0, i) + String(Number(MODEL[i]) + 1) + MODEL.slice(i + 1);
    }
    case '=CHECKSUM':
      return JSON.stringify({ ...env, sha256: '0'.repeat(64) });
    case '=FUTURE':
      return JSON.stringify({ ...env, formatVersion: 99 });
    case '=MODEL':
      return serializeModelFile({ ...(env.payload as object), model: 'no-such-model' } as never);
    case '=BOM':
      return '\ufeff' + MODEL;
    default:
      throw new Error(`unknown marker ${marker}`);
  }
}

/** The valid model with every weight scaled to ~1e308 (still finite: the file is valid). */
function hugeModel(): string {
  const payload = parseModelFile(MODEL, 'model.json') as unknown as Record<string, unknown>;
  const scale = (v: unknown): unknown => (typeof v === 'number' ? (v === 0 ? 0 : Math.sign(v) * 1e308) : Array.isArray(v) ? v.map(scale) : v);
  const state = payload['state'] as Record<string, unknown>;
  const W = state['W'] as { data?: unknown } | number[][] | undefined;
  assert.ok(W, 'the linear model state has W');
  const newW = Array.isArray(W) ? scale(W) : { ...W, data: scale((W as { data: unknown }).data) };
  return serializeModelFile({ ...(JSON.parse(JSON.stringify(payload)) as object), state: { ...state, W: newW } } as never);
}

function setUp(c: Case, i: number): string {
  const dir = join(root.dir, `case-${String(i).padStart(3, '0')}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'data.csv'), DATA);
  writeFileSync(join(dir, 'model.json'), MODEL);
  writeFileSync(join(dir, 'huge.json'), hugeModel());
  for (const [name, content] of Object.entries(c.files ?? {})) {
    if (name.startsWith('@')) {
      symlinkSync(content as string, join(dir, name.slice(1)));
      continue;
    }
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, typeof content === 'string' && content.startsWith('=') ? derived(content) : content);
  }
  return dir;
}

function tempFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...tempFiles(join(dir, e.name)));
    else if (/\.tmp$/.test(e.name)) out.push(join(dir, e.name));
  }
  return out;
}

test('robustness corpus: every case gives its exit code, names what the user gave, leaves no file behind', async (t) => {
  const base = join(root.dir, 'base');
  mkdirSync(base);
  writeFileSync(join(base, 'data.csv'), DATA);
  const fit = await cli(['fit', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--model', 'l21', '--lambda', '0.1', '--out', 'model.json', '--quiet'], base);
  assert.equal(fit.code, 0, fit.stderr);
  MODEL = readFileSync(join(base, 'model.json'), 'utf8');
  assert.ok(CASES.length >= 100, `the corpus has ${CASES.length} cases`);
  const names = new Set<string>();
  let i = 0;
  for (const c of CASES) {
    assert.ok(!names.has(c.name), `duplicate case name ${c.name}`);
    names.add(c.name);
    const dir = setUp(c, i++);
    const before = new Map((c.unchanged ?? []).map((f) => [f, readFileSync(join(dir, f))]));
    await t.test(c.name, c.todo ? { todo: c.todo } : {}, async () => {
      const r = await cli(c.argv, dir);
      const line = r.stderr.trim();
      assert.notEqual(r.code, 70, `internal error: ${line}`);
      assert.equal(r.code, c.code, `exit ${r.code}, expected ${c.code}: ${line}`);
      if (c.code !== 0) {
        assert.match(line, /^polytask: /, 'one line starting "polytask: "');
        assert.ok(!/\n/.test(line.replace(/\n\s*\(Did you mean[^\n]*$/, '')), `one line: ${line}`);
        assert.ok(!/\.tmp\b|internal error|at .*\.ts:\d+/.test(line), `no temporary or internal names: ${line}`);
      }
      for (const s of c.says) {
        if (typeof s === 'string') assert.ok(line.includes(s), `the message names ${JSON.stringify(s)}: ${line}`);
        else assert.match(line, s);
      }
      for (const f of c.noFile ?? []) assert.ok(!existsSync(join(dir, f)), `${f} must not be written`);
      for (const [f, bytes] of before) assert.deepEqual(readFileSync(join(dir, f)), bytes, `${f} must be unchanged`);
      assert.deepEqual(tempFiles(dir), [], 'no temporary file left');
    });
  }
});
