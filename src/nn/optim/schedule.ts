// Learning-rate schedules as pure functions of the 0-based step count.
import { OptionError } from '../../errors.ts';
import type { Schedule } from './transform.ts';

export function constantSchedule(lr: number): Schedule {
  return () => lr;
}

/** lr·gamma^⌊step/every⌋ (PyTorch StepLR counted in steps). */
export function stepSchedule(lr: number, every: number, gamma: number): Schedule {
  if (!(Number.isInteger(every) && every >= 1)) throw new OptionError('lr-step', `the step interval must be a positive integer, got ${every}`);
  return (s) => lr * Math.pow(gamma, Math.floor(s / every));
}

/**
 * Cosine decay (Loshchilov & Hutter 2017, SGDR eq. 5 without restarts):
 * lr·(α + (1−α)·½(1 + cos(π·min(step, T)/T))), ending at α·lr.
 */
export function cosineSchedule(lr: number, totalSteps: number, alpha = 0): Schedule {
  if (!(totalSteps >= 1)) throw new OptionError('lr-schedule', `cosine decay needs a positive number of steps, got ${totalSteps}`);
  return (s) => lr * (alpha + (1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * Math.min(s, totalSteps)) / totalSteps)));
}

/** Linear warm-up from lr(0)·(1/warmup) to the wrapped schedule over `warmup` steps, then the schedule. */
export function warmupSchedule(inner: Schedule, warmup: number): Schedule {
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new OptionError('warmup', `warm-up steps must be a non-negative integer, got ${warmup}`);
  return (s) => (s < warmup ? inner(s) * ((s + 1) / warmup) : inner(s));
}
