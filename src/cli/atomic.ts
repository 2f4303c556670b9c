// Atomic file writes: the data go to a temporary file in the destination's directory (same file
// system, so rename is atomic on POSIX), are flushed to disk with fsync, and only then renamed over
// the destination. A crash or error at any point leaves either the old file or the new one, never
// a half-written one; on error the temporary file is removed. Used for model files and reports.
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The file-system calls the writer makes, injectable so that tests can simulate failures. */
export interface AtomicFs {
  openSync(path: string, flags: string, mode?: number): number;
  /** Writes some prefix of `data`; returns how many bytes were written. */
  writeSync(fd: number, data: Uint8Array): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

const realFs: AtomicFs = {
  openSync: (p, f, m) => fs.openSync(p, f, m),
  writeSync: (fd, d) => fs.writeSync(fd, d),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
  unlinkSync: (p) => fs.unlinkSync(p),
};

let counter = 0;

/** A temporary name beside the destination; unique per process and call (no randomness needed). */
export function tempPathFor(dest: string): string {
  counter += 1;
  return join(dirname(dest), `.${basename(dest)}.${process.pid}.${counter}.tmp`);
}

/** Whether process `pid` exists: signal 0 checks without sending anything. ESRCH means it is gone;
 * EPERM means it exists but belongs to someone else (alive). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code !== 'ESRCH';
  }
}

/**
 * Removes the temporary files that earlier writes to `dest` left behind when their process was
 * killed (kill -9, power loss before rename): `.NAME.PID.N.tmp` beside `dest` whose PID is not a
 * live process. Files of live processes (a concurrent write) and of this process are left alone;
 * a recycled PID only makes us keep a stale file, never remove a live one. Returns the names removed.
 * Best effort: a file that cannot be listed or removed is not an error of this write.
 */
export function removeStaleTemps(dest: string, alive: (pid: number) => boolean = processAlive): string[] {
  const dir = dirname(dest);
  const prefix = `.${basename(dest)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.(\d+)\.tmp$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || !(pid > 0) || alive(pid)) continue;
    try {
      fs.unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      /* gone already, or not ours to remove */
    }
  }
  return removed;
}

/** Writes `data` (UTF-8) to `dest` atomically. Throws the underlying error after cleaning up.
 * First removes stale temporary files of dead processes left beside `dest` (removeStaleTemps). */
export function writeFileAtomic(dest: string, data: string, fsOps: AtomicFs = realFs): void {
  removeStaleTemps(dest);
  const tmp = tempPathFor(dest);
  let fd: number | null = null;
  try {
    // 'wx': fail rather than clobber if the temporary name somehow exists.
    fd = fsOps.openSync(tmp, 'wx', 0o644);
    // writeSync may write fewer bytes than asked; loop until all are written.
    let buf: Uint8Array = Buffer.from(data, 'utf8');
    while (buf.length > 0) {
      const n = fsOps.writeSync(fd, buf);
      if (n <= 0) throw new Error(`write to ${tmp} made no progress`);
      buf = buf.subarray(n);
    }
    fsOps.fsyncSync(fd);
    fsOps.closeSync(fd);
    fd = null;
    fsOps.renameSync(tmp, dest);
  } catch (e) {
    if (fd !== null) {
      try {
        fsOps.closeSync(fd);
      } catch {
        /* already failing; the original error is the one to report */
      }
    }
    try {
      fsOps.unlinkSync(tmp);
    } catch {
      /* the temporary file may never have been created */
    }
    throw blameDestination(e, tmp, dest);
  }
}

/** A file-system error about the temporary file is reported as one about the destination the
 * user named (the temporary name means nothing to them), marked as a write (`writing`). */
function blameDestination(e: unknown, tmp: string, dest: string): unknown {
  if (e instanceof Error) {
    const fe = e as Error & { path?: string; dest?: string; writing?: boolean };
    if (fe.path === tmp) fe.path = dest;
    if (fe.dest === tmp) fe.dest = dest;
    fe.message = fe.message.split(tmp).join(dest);
    fe.writing = true;
  }
  return e;
}
