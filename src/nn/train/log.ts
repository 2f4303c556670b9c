// The per-epoch JSON-lines log: one EpochRecord per line, appended and flushed as each epoch ends,
// so a crashed or aborted run keeps every finished epoch. NaN (a task without validation labels)
// is written as null, as JSON has no NaN.
import { appendFileSync, writeFileSync } from 'node:fs';
import type { EpochRecord } from './types.ts';

/** An onEpoch callback writing JSON lines to `path` (truncated first unless `append`, e.g. on resume). */
export function jsonLinesLogger(path: string, append = false): (r: EpochRecord) => void {
  if (!append) writeFileSync(path, '');
  return (r) => appendFileSync(path, JSON.stringify(r) + '\n');
}
