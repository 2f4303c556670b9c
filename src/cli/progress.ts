// Progress reporting on stderr for long work (fit, cv, compare).
//  - terminal (stderr.isTTY): a cli-progress bar with ETA, shown only once the work has run for
//    about a second, so quick commands never flash a bar;
//  - pipe or file: a plain line at most every few seconds while updates come, and a final line;
//  - --quiet or --json: nothing at all.
// The clock is injectable so that tests can drive the timing without sleeping.
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import { seconds } from './format.ts';
import type { CliIO, OutputFlags } from './io.ts';

export interface Progress {
  /** Work of `total` units labelled `label` begins (may be called again for the next phase).
   * `unit`: what is counted ('units', 'fits'), or '%' for a percentage. */
  start(total: number, label: string, unit?: string): void;
  /** `done` units of the current phase are finished (absolute count); `detail` says what runs now. */
  update(done: number, detail?: string): void;
  /** The total of the current phase changed (e.g. a CV grid was extended). */
  retotal(total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Delay before anything is shown (ms). */
  readonly delayMs?: number;
  /** Minimum gap between plain lines when not a terminal (ms). */
  readonly lineEveryMs?: number;
  readonly now?: () => number;
}

const silent: Progress = { start() {}, update() {}, retotal() {}, stop() {} };

/** Default gap between plain lines: docs/cli.md promises a line every few seconds. */
export const LINE_EVERY_MS = 3000;

/** POLYTASK_PROGRESS_MS="delay,every" overrides the timing (tests drive a real process through a
 * pipe with short gaps instead of waiting seconds). */
function envTiming(io: CliIO): { delayMs?: number; lineEveryMs?: number } {
  const raw = io.env['POLYTASK_PROGRESS_MS'];
  const m = raw ? /^(\d+),(\d+)$/.exec(raw.trim()) : null;
  return m ? { delayMs: Number(m[1]), lineEveryMs: Number(m[2]) } : {};
}

export function makeProgress(io: CliIO, flags: OutputFlags, given: ProgressOptions = {}): Progress {
  if (flags.quiet || flags.json) return silent;
  const opts = { ...envTiming(io), ...given };
  const delay = opts.delayMs ?? 1000;
  const now = opts.now ?? (() => Date.now());
  return io.stderr.isTTY ? new BarProgress(io, delay, now) : new LineProgress(io, delay, opts.lineEveryMs ?? LINE_EVERY_MS, now);
}

/** "12/30 units" or "37 %". */
function count(done: number, total: number, unit: string): string {
  return unit === '%' ? `${Math.round(done)} %` : `${done}/${total}${unit ? ` ${unit}` : ''}`;
}

/** Linear extrapolation of the time left, or '' before anything is done. */
function eta(elapsedMs: number, done: number, total: number): string {
  if (!(done > 0) || !(total > done)) return '';
  return `, about ${seconds(((elapsedMs / done) * (total - done)) / 1000)} left`;
}

class LineProgress implements Progress {
  private total = 0;
  private label = '';
  private unit = '';
  private t0 = 0;
  private lastLine = -Infinity;
  private done = 0;
  private printed = false;

  constructor(private readonly io: CliIO, private readonly delay: number, private readonly every: number, private readonly now: () => number) {}

  start(total: number, label: string, unit = ''): void {
    this.finishLine();
    this.total = total;
    this.label = label;
    this.unit = unit;
    this.t0 = this.now();
    this.lastLine = -Infinity;
    this.done = 0;
    this.printed = false;
  }

  update(done: number, detail?: string): void {
    this.done = done;
    const t = this.now();
    if (t - this.t0 < this.delay || t - this.lastLine < this.every) return;
    this.lastLine = t;
    this.printed = true;
    const el = t - this.t0;
    this.io.stderr.write(`${this.label}: ${count(done, this.total, this.unit)}${detail ? `; ${detail}` : ''} (${seconds(el / 1000)}${eta(el, done, this.total)})\n`);
  }

  retotal(total: number): void {
    this.total = total;
  }

  private finishLine(): void {
    // Only work that was long enough to have shown a line gets a closing line.
    if (this.printed) this.io.stderr.write(`${this.label}: done in ${seconds((this.now() - this.t0) / 1000)}\n`);
    this.printed = false;
  }

  stop(): void {
    this.finishLine();
  }
}

// cli-progress (CommonJS) is required when a bar is first drawn, not at start-up: pipes, --quiet and
// --json never load it (issue 10, start-up time).
let barLib: typeof cliProgressModule | undefined;
function cliProgress(): typeof cliProgressModule {
  return (barLib ??= createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule);
}

class BarProgress implements Progress {
  private bar: cliProgressModule.SingleBar | null = null;
  private total = 0;
  private label = '';
  private unit = '';
  private t0 = 0;
  private done = 0;

  constructor(private readonly io: CliIO, private readonly delay: number, private readonly now: () => number) {}

  start(total: number, label: string, unit = ''): void {
    this.stop();
    this.total = total;
    this.label = label;
    this.unit = unit;
    this.t0 = this.now();
    this.done = 0;
  }

  update(done: number, detail?: string): void {
    this.done = done;
    if (!this.bar) {
      if (this.now() - this.t0 < this.delay) return;
      const counter = this.unit === '%' ? '{percentage} %' : `{value}/{total}${this.unit ? ` ${this.unit}` : ''}`;
      const lib = cliProgress();
      this.bar = new lib.SingleBar(
        {
          // cli-progress only needs write/isTTY/columns/cursorTo-like calls on a real TTY stream.
          stream: this.io.stderr as unknown as NodeJS.WritableStream,
          format: `${this.label} [{bar}] ${counter} | ETA {eta_formatted} | {detail}`,
          hideCursor: true,
          // Remove the bar when done, so that the tables printed next start on a clean line.
          clearOnComplete: true,
          etaBuffer: 20,
          // A long detail must not wrap the line (a wrapped bar repaints as a scroll of lines).
          linewrap: false,
        },
        lib.Presets.shades_classic,
      );
      this.bar.start(this.total, 0, { detail: '' });
    }
    this.bar.update(Math.round(done), { detail: detail ?? '' });
  }

  retotal(total: number): void {
    this.total = total;
    this.bar?.setTotal(total);
  }

  stop(): void {
    if (this.bar) {
      this.bar.update(Math.round(this.done));
      this.bar.stop();
      this.bar = null;
    }
  }
}
