// The package version, read once from package.json at run time so that it can never drift from
// the published one. The path is relative to this file: src/version.ts (tsx) and dist/version.js
// (compiled) are both one level below the package root.
import { readFileSync } from 'node:fs';

function readVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error(`package.json at ${url.pathname} has no "version" string`);
  return pkg.version;
}

export const VERSION: string = readVersion();
