/**
 * Display downsampling that never hides a spike or a NaN: per pixel column the lowest and highest
 * point are kept (in their order), each run of non-finite points breaks the line, and non-finite
 * points are reported separately as markers (one per column and kind). Long series are embedded as
 * equal-count bucket summaries that keep each bucket's extremes. Statistics and findings are
 * computed on the full series, never on these.
 */

export type NonFiniteKind = 'nan' | 'inf' | '-inf';

export interface NonFiniteMarker {
  /** Index of the first such point in its column. */
  index: number;
  x: number;
  kind: NonFiniteKind;
  /** Points of this kind in this column. */
  count: number;
}

export function nonFiniteKind(v: number): NonFiniteKind {
  return v === Infinity ? 'inf' : v === -Infinity ? '-inf' : 'nan';
}

function columnOf(x: number, x0: number, scale: number, columns: number): number {
  const c = Math.floor((x - x0) * scale);
  return c < 0 ? 0 : c >= columns ? columns - 1 : c;
}

/** Every non-finite point, merged per column and kind so a long NaN tail stays a handful of markers. */
export function nonFiniteMarkers(xs: ArrayLike<number>, ys: ArrayLike<number>, x0: number, x1: number, columns: number): NonFiniteMarker[] {
  const scale = x1 > x0 ? columns / (x1 - x0) : 0;
  const out: NonFiniteMarker[] = [];
  const open = new Map<string, NonFiniteMarker>();
  let col = -1;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (Number.isFinite(y)) continue;
    const c = columnOf(xs[i], x0, scale, columns);
    if (c !== col) {
      open.clear();
      col = c;
    }
    const kind = nonFiniteKind(y);
    const m = open.get(kind);
    if (m) m.count++;
    else {
      const marker = { index: i, x: xs[i], kind, count: 1 };
      open.set(kind, marker);
      out.push(marker);
    }
  }
  return out;
}

/** Equal-count buckets of a long series: what the page embeds instead of every point. */
export interface BucketSummary {
  /** Points per bucket (all kinds). */
  count: Uint32Array;
  /** Finite points per bucket. */
  finite: Uint32Array;
  /** Mean of the finite values (NaN when none). */
  mean: Float64Array;
  /** The bucket's extreme finite points in the order they occurred: (stepA, valueA) then (stepB, valueB). */
  stepA: Float64Array;
  valueA: Float64Array;
  stepB: Float64Array;
  valueB: Float64Array;
  /** Step of the bucket's last point (where the smoothed value is drawn). */
  lastStep: Float64Array;
}

export function bucketSummary(steps: ArrayLike<number>, values: ArrayLike<number>, buckets: number): BucketSummary {
  const n = values.length;
  const k = Math.max(0, Math.min(buckets, n));
  const s: BucketSummary = {
    count: new Uint32Array(k),
    finite: new Uint32Array(k),
    mean: new Float64Array(k),
    stepA: new Float64Array(k),
    valueA: new Float64Array(k),
    stepB: new Float64Array(k),
    valueB: new Float64Array(k),
    lastStep: new Float64Array(k),
  };
  for (let b = 0; b < k; b++) {
    const from = Math.floor((b * n) / k);
    const to = Math.floor(((b + 1) * n) / k);
    let sum = 0;
    let finite = 0;
    let lo = -1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      sum += v;
      finite++;
      if (lo < 0 || v < values[lo]) lo = i;
      if (hi < 0 || v > values[hi]) hi = i;
    }
    s.count[b] = to - from;
    s.finite[b] = finite;
    s.mean[b] = finite > 0 ? sum / finite : NaN;
    s.lastStep[b] = steps[to - 1];
    const a = Math.min(lo, hi);
    const z = Math.max(lo, hi);
    s.stepA[b] = a < 0 ? NaN : steps[a];
    s.valueA[b] = a < 0 ? NaN : values[a];
    s.stepB[b] = z < 0 ? NaN : steps[z];
    s.valueB[b] = z < 0 ? NaN : values[z];
  }
  return s;
}
