// The JavaScript libraries the report inlines, read from node_modules at run time so that the
// HTML needs no network: Chart.js v4 (UMD build) and chartjs-chart-matrix (heatmaps). Resolved
// through the packages' own entry points (their `exports` maps hide dist/ sub-paths), then the UMD
// file beside them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Asset {
  readonly name: string;
  readonly version: string;
  readonly code: string;
}

const require = createRequire(import.meta.url);

function packageVersion(entry: string): string {
  // Walk up from the entry file to the package.json that names the package.
  let dir = dirname(entry);
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string; name?: string };
      if (pkg.version && pkg.name) return pkg.version;
    } catch {
      /* keep walking */
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

function load(pkg: string, umdFile: string): Asset {
  const entry = require.resolve(pkg);
  const path = join(dirname(entry), umdFile);
  return { name: pkg, version: packageVersion(entry), code: readFileSync(path, 'utf8') };
}

let cache: Asset[] | null = null;

/** Chart.js first (the matrix plugin registers itself on the global Chart). */
export function reportAssets(): readonly Asset[] {
  cache ??= [load('chart.js', 'chart.umd.min.js'), load('chartjs-chart-matrix', 'chartjs-chart-matrix.min.js')];
  return cache;
}
