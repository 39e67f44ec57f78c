import { displayLossTag } from '../profiles/role-tags.js';
import type { RunShape } from '../profiles/run-shape.js';
import type { SeriesBuilder, ValueColumn } from '../series.js';
import type { FollowedRun } from './follow-run.js';

/** Where a followed run stands, for the status line: all from the last points, O(window) to compute. */
export interface RunProgress {
  /** Latest step of the step-indexed loss (or of any scalar when there is no loss), or null. */
  step: number | null;
  /** Planned total steps when known (hparams `max_train_steps`, or a checkpoint's `ss_max_train_steps`). */
  maxSteps: number | null;
  /** The series the trend is read from: kohya's smoothed `loss/average` when logged, else the per-step loss. */
  lossTag: string | null;
  /** Mean of the last `window` finite values of it, and of the `window` before (null when too few). */
  lossRecent: number | null;
  lossBefore: number | null;
  /** Steps per second over the last points' wall times, or null. */
  stepsPerSecond: number | null;
  /** Seconds to maxSteps at that rate, or null. */
  etaSeconds: number | null;
  /** Finite values in the loss series stopped: the last point is NaN/Inf. */
  lossNonFinite: boolean;
}

/** Already a moving average: a short window shows its direction. */
const SMOOTHED_WINDOW = 100;
/** Per-step diffusion loss is mostly timestep noise: only long windows say anything. */
const RAW_WINDOW = 500;
/** Points of the newest stretch used for the step rate. */
const RATE_POINTS = 400;

/** What the writer's profile needs to see of a followed run: its tags' point counts and steps. */
function shapeOf(run: FollowedRun): RunShape {
  const scalars = new Map<string, SeriesBuilder>();
  for (const [tag, state] of run.assembly.tags) if (state.builder) scalars.set(tag, state.builder);
  return { scalars };
}

function builderOf(run: FollowedRun, tag: string | null): SeriesBuilder | undefined {
  const b = tag === null ? undefined : run.assembly.tags.get(tag)?.builder;
  return b && b.length > 0 ? b : undefined;
}

/** The step-indexed training loss (the writer's profile decides which tag); epoch-indexed ones never. */
export function lossBuilder(run: FollowedRun): SeriesBuilder | undefined {
  return builderOf(run, displayLossTag(shapeOf(run), 'raw'));
}

function anyBuilder(run: FollowedRun): SeriesBuilder | undefined {
  let best: SeriesBuilder | undefined;
  for (const state of run.assembly.tags.values()) {
    const b = state.builder;
    if (b && b.length > 0 && (!best || b.steps[b.length - 1] > best.steps[best.length - 1])) best = b;
  }
  return best;
}

function finiteMean(values: ValueColumn, from: number, to: number): number | null {
  let sum = 0;
  let n = 0;
  for (let i = Math.max(0, from); i < to; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : null;
}

export function runProgress(run: FollowedRun, maxSteps: number | null): RunProgress {
  const loss = lossBuilder(run);
  const series = loss ?? anyBuilder(run);
  // The writer's own moving average (kohya's loss/average, OneTrainer's smooth_loss) shows the direction best.
  const smoothed = builderOf(run, displayLossTag(shapeOf(run), 'smoothed'));
  const trend = smoothed ?? loss;
  const out: RunProgress = {
    step: null,
    maxSteps,
    lossTag: trend?.tag ?? null,
    lossRecent: null,
    lossBefore: null,
    stepsPerSecond: null,
    etaSeconds: null,
    lossNonFinite: false,
  };
  if (!series) return out;
  const n = series.length;
  out.step = series.steps[n - 1];
  if (trend) {
    const m = trend.length;
    const w = Math.min(trend === smoothed ? SMOOTHED_WINDOW : RAW_WINDOW, Math.floor(m / 2));
    if (w >= 5) {
      out.lossRecent = finiteMean(trend.values, m - w, m);
      out.lossBefore = finiteMean(trend.values, m - 2 * w, m - w);
    } else out.lossRecent = finiteMean(trend.values, 0, m);
  }
  if (loss) out.lossNonFinite = !Number.isFinite(loss.values[loss.length - 1]);
  // Rate from wall times of the last points: steps per second, robust to a pause long ago.
  const k = Math.max(0, n - 1 - RATE_POINTS);
  const dt = series.wallTimes[n - 1] - series.wallTimes[k];
  const ds = series.steps[n - 1] - series.steps[k];
  if (dt > 0 && ds > 0 && Number.isFinite(dt)) {
    out.stepsPerSecond = ds / dt;
    if (maxSteps !== null && maxSteps > out.step) out.etaSeconds = (maxSteps - out.step) / out.stepsPerSecond;
  }
  return out;
}

/** `max_train_steps` from the run's hparams (kohya `--log_config` through accelerate), when logged. */
export function hparamsMaxSteps(hparams: Record<string, unknown>): number | null {
  for (const key of ['max_train_steps', 'ss_max_train_steps', 'max_steps']) {
    const v = hparams[key];
    const x = typeof v === 'string' ? Number(v) : v;
    if (typeof x === 'number' && Number.isFinite(x) && x > 0) return x;
  }
  return null;
}
