/**
 * What a run needs for the comparison's x-axes: samples per optimizer step (samples seen), optimizer
 * steps per epoch (epoch axis), and a step → time clock (relative and wall time).
 */
import { identityFromHParams } from '../../identity/hparams-identity.js';
import type { RunIdentity } from '../../identity/identity.js';
import { runRoles } from '../../runs/profiles/index.js';
import type { Series } from '../../runs/series.js';
import type { Run } from '../../runs/types.js';

/** Tags whose step is an epoch number (kohya `loss/epoch`, `loss/epoch_average`, validation per epoch, Keras `epoch_*`). */
export function isEpochIndexed(tag: string, series: Series): boolean {
  const t = tag.trim();
  const named = t === 'loss/epoch' || t === 'loss/epoch_average' || t.startsWith('loss/validation/epoch_') || /(^|\/)epoch_[^/]*$/.test(t);
  // Some sd3-branch builds logged the epoch tags at the global step; then they are ordinary step tags.
  return named && series.length > 0 && series.steps[series.length - 1] <= series.length + 1;
}

/** A run's axes; the page's runs carry them as they are (PageRun extends this). */
export interface RunAxes {
  /** Samples per optimizer step, and where it came from; null when unknown. */
  batch: number | null;
  batchSource: 'option' | 'metadata' | 'hparams' | null;
  /** Optimizer steps per epoch, and where it came from. */
  stepsPerEpoch: number | null;
  stepsPerEpochSource: 'metadata' | 'epoch-tag' | null;
  /** Unix seconds of the run's first point, null when the writer gave no wall times. */
  start: number | null;
  /** Step → seconds since `start`, as knots `[step, seconds, step, seconds, …]` (linear between them). */
  clock: number[];
}

function positive(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null;
}

function batchOf(run: Run, identity: RunIdentity | undefined, override: number | undefined): Pick<RunAxes, 'batch' | 'batchSource'> {
  if (override !== undefined) return { batch: override, batchSource: 'option' };
  const total = positive(identity?.totalBatchSize);
  if (total) return { batch: total, batchSource: 'metadata' };
  const perDevice = positive(identity?.batchSizePerDevice);
  // OneTrainer's step is a micro-batch: a step is one batch of samples whatever the accumulation.
  const accumulation = runRoles(run).profile.steps.unit === 'micro-batch' ? 1 : (positive(identity?.gradientAccumulationSteps) ?? 1);
  if (perDevice) return { batch: perDevice * accumulation, batchSource: 'metadata' };
  // kohya --log_config writes its arguments as hparams; read as identity, so a batch of 0, −1 or 1e-300 is refused there.
  const hp = identityFromHParams(run.hparams);
  if (hp.batchSizePerDevice) return { batch: hp.batchSizePerDevice * (hp.gradientAccumulationSteps ?? 1), batchSource: 'hparams' };
  return { batch: null, batchSource: null };
}

/** The step-indexed series with the most points: its wall times are the run's clock. */
export function clockSeries(run: Run): Series | undefined {
  let best: Series | undefined;
  for (const [tag, s] of run.scalars) {
    if (isEpochIndexed(tag, s)) continue;
    if (!best || s.length > best.length) best = s;
  }
  return best;
}

/**
 * Steps per epoch from an epoch-indexed tag: kohya writes epoch e's point right after that epoch's
 * last step, so the last step logged at or before its wall time, divided by e, is the epoch length.
 * The median over epochs resists a resumed run's odd first epoch.
 */
function stepsPerEpochFromTags(run: Run, clock: Series | undefined): number | null {
  if (!clock || clock.length === 0) return null;
  const ratios: number[] = [];
  for (const [tag, s] of run.scalars) {
    if (!isEpochIndexed(tag, s)) continue;
    for (let i = 0; i < s.length; i++) {
      const t = s.wallTimes[i];
      const epoch = s.steps[i];
      if (!Number.isFinite(t) || epoch <= 0) continue;
      const k = lastAtOrBefore(clock.wallTimes, t);
      if (k >= 0) ratios.push(clock.steps[k] / epoch);
    }
    if (ratios.length > 0) break;
  }
  if (ratios.length === 0) return null;
  ratios.sort((a, b) => a - b);
  const median = ratios[ratios.length >> 1];
  return median > 0 ? median : null;
}

function lastAtOrBefore(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Ramer–Douglas–Peucker on (step, time): a handful of knots reproduce a run's clock to within
 * `tolerance` seconds, including the jump where a resumed run starts again days later.
 */
export function simplifyClock(steps: Float64Array, seconds: Float64Array, tolerance: number, maxKnots: number): number[] {
  const n = steps.length;
  if (n === 0) return [];
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  let kept = n > 1 ? 2 : 1;
  const stack: [number, number][] = [[0, n - 1]];
  while (stack.length > 0 && kept < maxKnots) {
    const [a, b] = stack.pop()!;
    if (b - a < 2) continue;
    const slope = steps[b] === steps[a] ? 0 : (seconds[b] - seconds[a]) / (steps[b] - steps[a]);
    let worst = -1;
    let worstErr = tolerance;
    for (let i = a + 1; i < b; i++) {
      const err = Math.abs(seconds[a] + (steps[i] - steps[a]) * slope - seconds[i]);
      if (err > worstErr) {
        worstErr = err;
        worst = i;
      }
    }
    if (worst < 0) continue;
    keep[worst] = 1;
    kept++;
    stack.push([a, worst], [worst, b]);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(steps[i], Math.round(seconds[i] * 1000) / 1000);
  return out;
}

export function runAxes(run: Run, identity: RunIdentity | undefined, batchOverride: number | undefined): RunAxes {
  const clock = clockSeries(run);
  let earliest = Infinity;
  for (const s of run.scalars.values()) {
    const w = s.wallTimes;
    for (let i = 0; i < s.length; i++) {
      const t = w[i];
      if (t > 0 && t < earliest) earliest = t; // NaN compares false
    }
  }
  const start = earliest < Infinity ? earliest : null;
  let knots: number[] = [];
  if (clock && start !== null) {
    // Points without a wall time (NaN) are left out of the clock (plain loops: typed-array `from` with a map is slow).
    const steps = new Float64Array(clock.length);
    const seconds = new Float64Array(clock.length);
    let k = 0;
    for (let i = 0; i < clock.length; i++) {
      const t = clock.wallTimes[i];
      if (!Number.isFinite(t)) continue;
      steps[k] = clock.steps[i];
      seconds[k++] = t - start;
    }
    const duration = k > 0 ? seconds[k - 1] - seconds[0] : 0;
    knots = simplifyClock(steps.subarray(0, k), seconds.subarray(0, k), Math.max(duration / 4000, 1e-3), 2048);
  }
  const ga = positive(identity?.gradientAccumulationSteps) ?? 1;
  const perEpoch = positive(identity?.batchesPerEpoch);
  const fromTags = perEpoch ? null : stepsPerEpochFromTags(run, clock);
  return {
    ...batchOf(run, identity, batchOverride),
    stepsPerEpoch: perEpoch ? Math.ceil(perEpoch / ga) : fromTags,
    stepsPerEpochSource: perEpoch ? 'metadata' : fromTags ? 'epoch-tag' : null,
    start,
    clock: knots,
  };
}
