/**
 * Display downsampling that never hides a spike or a NaN: per pixel column the first, lowest, highest
 * and last finite point are kept (M4), each run of non-finite points keeps a line break, and
 * non-finite points are reported separately as markers (one per column and kind). Statistics and
 * findings are computed on the full series, never on these.
 */

export interface Polyline {
  /** x and y in data units; a NaN y breaks the line. */
  x: Float64Array;
  y: Float64Array;
}

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

/**
 * M4 envelope of points sorted by x over [x0, x1] split into `columns` columns. The output has at
 * most 4 points per column plus one break per run of non-finite values.
 */
export function m4Envelope(xs: ArrayLike<number>, ys: ArrayLike<number>, x0: number, x1: number, columns: number): Polyline {
  const n = xs.length;
  const scale = x1 > x0 ? columns / (x1 - x0) : 0;
  const outX: number[] = [];
  const outY: number[] = [];
  let col = -1;
  let first = -1;
  let lo = -1;
  let hi = -1;
  let last = -1;
  const flush = () => {
    if (first < 0) return;
    const picks = [first, lo, hi, last].sort((a, b) => a - b);
    let prev = -1;
    for (const i of picks) {
      if (i === prev) continue;
      outX.push(xs[i]);
      outY.push(ys[i]);
      prev = i;
    }
    first = lo = hi = last = -1;
  };
  let broken = false;
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) {
      if (!broken) {
        flush();
        outX.push(xs[i]);
        outY.push(NaN);
        broken = true;
      }
      continue;
    }
    broken = false;
    const c = columnOf(xs[i], x0, scale, columns);
    if (c !== col) {
      flush();
      col = c;
    }
    if (first < 0) {
      first = lo = hi = last = i;
      continue;
    }
    if (y < ys[lo]) lo = i;
    if (y > ys[hi]) hi = i;
    last = i;
  }
  flush();
  return { x: Float64Array.from(outX), y: Float64Array.from(outY) };
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
