/**
 * A chart's series as numbers: what both the page (after decoding its embedded columns) and the SVG
 * renderer draw. `points` series hold every point; `buckets` series hold equal-count bucket
 * summaries (each bucket's mean, finite count and two extremes in order) of a series too long to embed.
 */
import type { PageSeries } from '../compare/compare-model.js';
import { decodeColumn } from './column.js';
import { smoothBuckets, smoothTensorBoard } from './smoothing.js';

export interface Line {
  steps: Float64Array;
  values: Float64Array;
}

export interface Buckets {
  /** Finite points per bucket. */
  finite: Float64Array;
  mean: Float64Array;
  stepA: Float64Array;
  valueA: Float64Array;
  stepB: Float64Array;
  valueB: Float64Array;
  /** `[bucket, kind (0 NaN, 1 +Inf, 2 −Inf), count, first step]` for buckets holding non-finite points. */
  nonFinite: [number, number, number, number][];
}

export interface ChartSeries {
  /** Index into the runs. */
  run: number;
  n: number;
  nonFinite: number;
  constant: boolean;
  /** points: each point's step; buckets: the step of each bucket's last point. */
  steps: Float64Array;
  /** points: the values. */
  values?: Float64Array;
  buckets?: Buckets;
  /** Epoch-indexed tags: each point's seconds since the run's start. */
  seconds?: Float64Array;
}

export function decodeSeries(s: PageSeries): ChartSeries {
  const out: ChartSeries = { run: s.run, n: s.n, nonFinite: s.nonFinite, constant: s.constant, steps: decodeColumn(s.steps) };
  if (s.seconds) out.seconds = decodeColumn(s.seconds);
  if (s.kind === 'points') out.values = decodeColumn(s.values!);
  else {
    out.buckets = {
      finite: decodeColumn(s.finite!),
      mean: decodeColumn(s.mean!),
      stepA: decodeColumn(s.stepA!),
      valueA: decodeColumn(s.valueA!),
      stepB: decodeColumn(s.stepB!),
      valueB: decodeColumn(s.valueB!),
      nonFinite: s.nonFiniteBuckets ?? [],
    };
  }
  return out;
}

/** The faint line: every point, or each bucket's two extremes in the order they occurred (NaN for an empty bucket). */
export function rawLine(s: ChartSeries): Line {
  const b = s.buckets;
  if (!b) return { steps: s.steps, values: s.values! };
  const steps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < s.steps.length; i++) {
    if (!(b.finite[i] > 0)) {
      steps.push(s.steps[i]);
      values.push(NaN);
    } else {
      steps.push(b.stepA[i], b.stepB[i]);
      values.push(b.valueA[i], b.valueB[i]);
    }
  }
  return { steps: Float64Array.from(steps), values: Float64Array.from(values) };
}

/** The strong line at smoothing weight w, TensorBoard's (over bucket means for a summarised series). */
export function smoothedLine(s: ChartSeries, weight: number): Line {
  const b = s.buckets;
  if (!b) return { steps: s.steps, values: smoothTensorBoard(s.values!, weight) };
  return { steps: s.steps, values: smoothBuckets(b.mean, b.finite, weight, s.constant) };
}

export type NonFiniteKind = 'nan' | 'inf' | '-inf';

export interface Marker {
  step: number;
  /** Point index (points), or -1 (buckets: the marker sits at `step`). */
  index: number;
  kind: NonFiniteKind;
  count: number;
  /** The smoothed line's previous finite value, where TensorBoard puts a NaN's triangle. */
  y: number;
}

const KINDS: readonly NonFiniteKind[] = ['nan', 'inf', '-inf'];

/** Every NaN/±Inf point (a bucket's count for summarised series), at the smoothed line's previous finite value. */
export function nonFiniteMarkers(s: ChartSeries, smoothed: Float64Array): Marker[] {
  if (s.nonFinite === 0) return [];
  const out: Marker[] = [];
  if (!s.buckets) {
    const v = s.values!;
    let prev = NaN;
    for (let i = 0; i < v.length; i++) {
      if (Number.isFinite(v[i])) {
        prev = smoothed[i];
        continue;
      }
      out.push({ step: s.steps[i], index: i, kind: v[i] === Infinity ? 'inf' : v[i] === -Infinity ? '-inf' : 'nan', count: 1, y: prev });
    }
    return out;
  }
  for (const [b, code, count, step] of s.buckets.nonFinite) {
    let prev = smoothed[b];
    for (let j = b - 1; j >= 0; j--) {
      if (Number.isFinite(smoothed[j])) {
        prev = smoothed[j];
        break;
      }
    }
    out.push({ step, index: -1, kind: KINDS[code], count, y: prev });
  }
  return out;
}

/** Index of the nearest value in an ascending array (-1 when empty). */
export function nearestIndex(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  if (hi < 0) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[hi] - x) < Math.abs(xs[lo] - x) ? hi : lo;
}
