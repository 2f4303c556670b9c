// One measured run of a built CLI (dist/, no tsx) in a fresh process, for bench/data-load.bench.ts
// (POLYTASK_BENCH_CLI=1): `inspect` or `fit --json` of the checkout at <root> (this one, or the
// POLYTASK_BENCH_BASE checkout with its own dist/), its output discarded (fit: its `seconds` kept).
// Prints one JSON line: wall and CPU seconds of the whole process, start and peak RSS (getrusage).
//   node bench/cli-child.mjs <root> <inspect|fit> <argv JSON>
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, which, argvJson] = process.argv.slice(2);
const MB = 1024 * 1024;
const base = process.memoryUsage().rss;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
// The entry bin/polytask.mjs would take: the bundle when at least as new as dist/cli/main.js.
const main = join(root, 'dist', 'cli', 'main.js');
const bundle = join(root, 'dist', 'bundle', 'main.js');
const entry = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(main).mtimeMs ? bundle : main;
// The fit's own CPU: the CLI's start-up probe (src/cli/trace.ts, read when its module loads) writes
// the process CPU at `fit-start` and `fit-end` on stderr; those lines are kept here, not printed.
process.env.POLYTASK_TRACE_STARTUP = '1';
const marks = {};
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = (s, ...rest) => {
  const m = /^polytask-trace: (\S+) cpu=([\d.]+)/.exec(String(s));
  if (m) { marks[m[1]] = Number(m[2]); return true; }
  return write(s, ...rest);
};
const { run } = await import(pathToFileURL(entry).href);
let out = '';
const io = { stdout: { write: (t) => ((out += which === 'fit' ? t : ''), true), isTTY: false }, stderr: { write: (s) => (process.stderr.write(s), true), isTTY: false }, cwd: process.cwd(), env: process.env };
const argv = JSON.parse(argvJson);
const code = await run([which, ...argv, ...(which === 'fit' ? ['--json'] : [])], io);
if (code !== 0) throw new Error(`${which} exited ${code}`);
const solverSeconds = which === 'fit' ? JSON.parse(out).seconds : undefined;
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const c = process.cpuUsage(cpu0);
const solverCpu = marks['fit-end'] !== undefined && marks['fit-start'] !== undefined ? marks['fit-end'] - marks['fit-start'] : undefined;
console.log(JSON.stringify({ which, rows: -1, solverSeconds, solverCpu, wall, cpu: (c.user + c.system) / 1e6, baseRssMB: base / MB, peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB }));
