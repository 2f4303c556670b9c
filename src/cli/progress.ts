// Progress reporting on stderr for long work (CV, compare, large loads).
//  - terminal (stderr.isTTY): a cli-progress bar with ETA, shown only once the work has run for
//    about a second, so quick commands never flash a bar;
//  - pipe or file: a plain line now and then (at most every few seconds) and a final line;
//  - --quiet or --json: nothing at all.
// The clock is injectable so that tests can drive the timing without sleeping.
import cliProgress from 'cli-progress';
import type { CliIO, OutputFlags } from './io.ts';

export interface Progress {
  /** Work of `total` units labelled `label` begins (may be called again for the next phase). */
  start(total: number, label: string): void;
  /** `done` units of the current phase are finished (absolute count). */
  update(done: number, detail?: string): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Delay before anything is shown (ms). */
  readonly delayMs?: number;
  /** Minimum gap between plain lines when not a terminal (ms). */
  readonly lineEveryMs?: number;
  readonly now?: () => number;
}

const silent: Progress = { start() {}, update() {}, stop() {} };

export function makeProgress(io: CliIO, flags: OutputFlags, opts: ProgressOptions = {}): Progress {
  if (flags.quiet || flags.json) return silent;
  const delay = opts.delayMs ?? 1000;
  const now = opts.now ?? (() => Date.now());
  return io.stderr.isTTY ? new BarProgress(io, delay, now) : new LineProgress(io, delay, opts.lineEveryMs ?? 5000, now);
}

class LineProgress implements Progress {
  private total = 0;
  private label = '';
  private t0 = 0;
  private lastLine = -Infinity;
  private done = 0;
  private printed = false;

  constructor(private readonly io: CliIO, private readonly delay: number, private readonly every: number, private readonly now: () => number) {}

  start(total: number, label: string): void {
    this.finishLine();
    this.total = total;
    this.label = label;
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
    this.io.stderr.write(`${this.label}: ${done}/${this.total}${detail ? ` (${detail})` : ''}, ${((t - this.t0) / 1000).toFixed(0)} s\n`);
  }

  private finishLine(): void {
    // Only work that was long enough to have shown a line gets a closing line.
    if (this.printed) this.io.stderr.write(`${this.label}: ${this.done}/${this.total} done in ${((this.now() - this.t0) / 1000).toFixed(1)} s\n`);
    this.printed = false;
  }

  stop(): void {
    this.finishLine();
  }
}

class BarProgress implements Progress {
  private bar: cliProgress.SingleBar | null = null;
  private total = 0;
  private label = '';
  private t0 = 0;
  private done = 0;

  constructor(private readonly io: CliIO, private readonly delay: number, private readonly now: () => number) {}

  start(total: number, label: string): void {
    this.stop();
    this.total = total;
    this.label = label;
    this.t0 = this.now();
    this.done = 0;
  }

  update(done: number, detail?: string): void {
    this.done = done;
    if (!this.bar) {
      if (this.now() - this.t0 < this.delay) return;
      this.bar = new cliProgress.SingleBar(
        {
          // cli-progress only needs write/isTTY/columns/cursorTo-like calls on a real TTY stream.
          stream: this.io.stderr as unknown as NodeJS.WritableStream,
          format: `${this.label} [{bar}] {value}/{total} | ETA {eta_formatted} | {detail}`,
          hideCursor: true,
          // Remove the bar when done, so that the tables printed next start on a clean line.
          clearOnComplete: true,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.total, 0, { detail: '' });
    }
    this.bar.update(done, { detail: detail ?? '' });
  }

  stop(): void {
    if (this.bar) {
      this.bar.update(this.done);
      this.bar.stop();
      this.bar = null;
    }
  }
}
