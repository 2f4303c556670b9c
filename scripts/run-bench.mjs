// Runs the benchmarks in bench/ (all, or those whose file name contains an argument), one after another
// so that they do not compete for the two cores.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const filter = process.argv.slice(2);
let files = readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).sort();
if (filter.length > 0) files = files.filter((f) => filter.some((s) => f.includes(s)));
let failed = 0;
for (const f of files) {
  console.log(`\n## ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
