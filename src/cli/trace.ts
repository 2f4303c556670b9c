// Start-up probe (issue 10: "CLI start-up to the first solver iteration ≤ 0.3 s CPU"). With
// POLYTASK_TRACE_STARTUP=1 the CLI writes one line per mark on stderr:
//   polytask-trace: <mark> cpu=<user+sys seconds of this process so far>
// `fit-start` is written just before the estimator's fit() is called (Node bootstrap, CLI modules,
// data load and checks, engine import all done; the solver's set-up and first iteration not yet),
// `fit-end` when fit() has returned; `cv-start` / `cv-end` around the cross-validation of `cv`. bench/startup.bench.ts reads them. Off by default: one env read.
const ON = process.env['POLYTASK_TRACE_STARTUP'] === '1';

export function traceStartup(mark: string): void {
  if (!ON) return;
  const u = process.cpuUsage();
  process.stderr.write(`polytask-trace: ${mark} cpu=${((u.user + u.system) / 1e6).toFixed(6)}\n`);
}
