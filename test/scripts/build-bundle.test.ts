// scripts/build-bundle.mjs: the bundled CLI behaves as the unbundled dist/ — every rewritten
// import.meta.url names an existing dist/ file, and `--version` (kernel backend found through the
// addon / wasm paths) and a small `fit --json` print the same on both. Needs a built dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

function runCli(entry: string, args: readonly string[]): { status: number | null; stdout: string } {
  const code = `const { run } = await import(${JSON.stringify(pathToFileURL(entry).href)}); process.exitCode = await run(${JSON.stringify(args)});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

test('the bundle resolves its files as dist/ does and runs the CLI identically', { skip: !existsSync(MAIN) && 'needs a built dist/ (npm run build:ts)' }, () => {
  const out = join(ROOT, 'dist', `bundle-test-${process.pid}`);
  const tmp = mkdtempSync(join(tmpdir(), 'polytask-bundle-'));
  try {
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-bundle.mjs'), '--out', out], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    let rewritten = 0;
    for (const f of readdirSync(out)) {
      const src = readFileSync(join(out, f), 'utf8');
      const bare = src.split('import.meta.url').length - 1;
      const urls = [...src.matchAll(/new URL\("([^"]+)", import\.meta\.url\)\.href/g)];
      assert.equal(urls.length, bare, `${f}: an import.meta.url left unrewritten`);
      for (const [, rel] of urls) {
        assert.ok(existsSync(join(out, rel!)), `${f}: ${rel} does not exist`);
        rewritten++;
      }
    }
    assert.ok(rewritten >= 5, `only ${rewritten} import.meta.url rewritten (wasm, addon, version, workers expected)`);
    const version = runCli(join(out, 'main.js'), ['--version']);
    assert.equal(version.status, 0);
    assert.equal(version.stdout, runCli(MAIN, ['--version']).stdout);
    assert.match(version.stdout, /backend: (wasm|native)/);
    const csv = join(tmp, 'd.csv');
    writeFileSync(csv, 'task,y,a,b\n' + Array.from({ length: 40 }, (_, i) => `t${i % 2},${(i * 7) % 5 > 2 ? 1 : 0},${(i % 7) / 3},${(i % 5) - 1.25}`).join('\n') + '\n');
    const args = ['fit', '--data', csv, '--task-col', 'task', '--target', 'y', '--model', 'l21', '--json'];
    const fb = runCli(join(out, 'main.js'), args);
    assert.equal(fb.status, 0);
    const fd = runCli(MAIN, args);
    const strip = (s: string): unknown => { const j = JSON.parse(s) as Record<string, unknown>; delete j['seconds']; delete j['timing']; return j; };
    assert.deepEqual(strip(fb.stdout), strip(fd.stdout));
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
});
