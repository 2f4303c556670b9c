// src/cli/trace.ts: POLYTASK_TRACE_STARTUP=1 prints one "polytask-trace: <mark> cpu=<s>" line per
// mark on stderr (bench/startup.bench.ts parses it); without it, nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TRACE = pathToFileURL(fileURLToPath(new URL('../../src/cli/trace.ts', import.meta.url))).href;

function stderrOf(env: Record<string, string>): string {
  const code = `const { traceStartup } = await import(${JSON.stringify(TRACE)}); let x = 0; for (let i = 0; i < 3e6; i++) x += i; traceStartup('a'); for (let i = 0; i < 3e6; i++) x += i; traceStartup('b'); if (x < 0) console.log(x);`;
  const { POLYTASK_TRACE_STARTUP: _, ...rest } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env: { ...rest, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

test('POLYTASK_TRACE_STARTUP=1: one line per mark with the process CPU so far; unset: silent', () => {
  const lines = stderrOf({ POLYTASK_TRACE_STARTUP: '1' }).trim().split('\n');
  assert.equal(lines.length, 2, lines.join('\n'));
  const cpu = lines.map((l, i) => {
    const m = /^polytask-trace: (\w+) cpu=(\d+\.\d{6})$/.exec(l);
    assert.ok(m, `bad line ${l}`);
    assert.equal(m[1], ['a', 'b'][i]);
    return Number(m[2]);
  });
  assert.ok(cpu[0]! > 0 && cpu[1]! >= cpu[0]!, `CPU must be positive and grow: ${cpu.join(', ')}`);
  assert.equal(stderrOf({}), '');
});
