#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm install` through the `prepare` script).
// dist/bundle/main.js (scripts/build-bundle.mjs: the same code in a few chunks, ~60 ms less start-up
// CPU) is used when present and at least as new as dist/cli/main.js; a dist/ rebuilt by tsc alone
// leaves an older bundle, which is then ignored.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const bundle = fileURLToPath(new URL('../dist/bundle/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('polytask: the compiled CLI is missing (dist/cli/main.js); run `npm run build` first.\n');
  process.exit(2);
}
const useBundle = process.env.POLYTASK_NO_BUNDLE !== '1' && existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(main).mtimeMs;
const { run } = await import(useBundle ? bundle : main);
process.exitCode = await run(process.argv.slice(2));
