// No command ever writes to a path it reads from (issue 16: `fit --data d.csv --out d.csv` used to
// replace the data with the model file). Paths are compared as the file system resolves them:
// symbolic links, `./x` against `x`, `a/../x` against `x`, absolute against relative.
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OptionError } from '../errors.ts';

/** A flag and the path the user gave it (undefined when the flag was not given). */
export type FlagPath = readonly [flag: string, path: string | undefined];

/** The canonical form of `path`: realpath of the file, or (when it does not exist yet) of the
 * nearest existing ancestor joined with the rest, so that a new output through a symlinked
 * directory still compares equal to an input read through it. */
export function canonicalPath(cwd: string, path: string): string {
  const abs = resolve(cwd, path);
  const rest: string[] = [];
  let p = abs;
  for (;;) {
    try {
      return join(realpathSync(p), ...rest.reverse());
    } catch {
      const up = dirname(p);
      if (up === p) return abs;
      rest.push(basename(p));
      p = up;
    }
  }
}

/**
 * Refuses (OptionError, exit 2: the command line asks for something impossible) any output path
 * that is the same file as an input path or as another output, naming both flags and the path.
 */
export function checkOutputsAreNotInputs(cwd: string, inputs: readonly FlagPath[], outputs: readonly FlagPath[]): void {
  const seen: { flag: string; path: string; canon: string; input: boolean }[] = [];
  for (const [flag, path] of inputs) if (path !== undefined) seen.push({ flag, path, canon: canonicalPath(cwd, path), input: true });
  for (const [flag, path] of outputs) {
    if (path === undefined) continue;
    const canon = canonicalPath(cwd, path);
    const clash = seen.find((s) => s.canon === canon);
    if (clash) {
      const same = clash.path === path ? `${path}` : `${path} (the same file as ${clash.path})`;
      throw new OptionError(flag, clash.input ? `would overwrite ${same}, which ${clash.flag} reads; choose another output file` : `${same} is also written by ${clash.flag}; choose two different files`);
    }
    seen.push({ flag, path, canon, input: false });
  }
}
