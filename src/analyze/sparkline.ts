import type { Series } from '../runs/series.js';
import { displayLossTag } from '../runs/profiles/role-tags.js';

/**
 * The shape of a run's loss in a few dozen numbers: equal-count buckets of the raw points, each
 * holding the mean of its finite values. Kept in the report so every renderer draws the same curve
 * without the series.
 */
export interface LossProfile {
  tag: string;
  points: number;
  /** NaN / ±Inf points (drawn as `×`, never averaged away). */
  nonFinite: number;
  firstStep: number;
  lastStep: number;
  /** Over finite points; null when there are none. */
  first: number | null;
  last: number | null;
  min: number | null;
  max: number | null;
  /** Bucket means; null where a bucket holds no finite value. */
  means: (number | null)[];
  /** Indices of buckets holding at least one non-finite point. */
  nonFiniteBuckets: number[];
  /** Finite points per bucket: what smoothing the bucket means needs to weigh them as the raw points (`smoothBuckets`). */
  finiteCounts: number[];
}

/** The run's per-step training loss (its writer's profile decides which tag); epoch-indexed tags never qualify. */
export function lossTag(scalars: Map<string, Series>): string | null {
  return displayLossTag({ scalars }, 'raw');
}

export function lossProfile(series: Series, buckets = 48): LossProfile {
  const n = series.length;
  const k = Math.min(buckets, n);
  const means: (number | null)[] = [];
  const nonFiniteBuckets: number[] = [];
  const finiteCounts: number[] = [];
  let nonFinite = 0;
  let first: number | null = null;
  let last: number | null = null;
  let min = Infinity;
  let max = -Infinity;
  for (let b = 0; b < k; b++) {
    const lo = Math.floor((b * n) / k);
    const hi = Math.floor(((b + 1) * n) / k);
    let sum = 0;
    let count = 0;
    let bad = false;
    for (let i = lo; i < hi; i++) {
      const v = series.values[i];
      if (!Number.isFinite(v)) {
        bad = true;
        nonFinite++;
        continue;
      }
      if (first === null) first = v;
      last = v;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      count++;
    }
    means.push(count > 0 ? sum / count : null);
    finiteCounts.push(count);
    if (bad) nonFiniteBuckets.push(b);
  }
  return {
    tag: series.tag,
    points: n,
    nonFinite,
    firstStep: n > 0 ? series.steps[0] : NaN,
    lastStep: n > 0 ? series.steps[n - 1] : NaN,
    first,
    last,
    min: first === null ? null : min,
    max: first === null ? null : max,
    means,
    nonFiniteBuckets,
    finiteCounts,
  };
}

const BARS = '▁▂▃▄▅▆▇█';

/** One character per bucket: eight bar heights between the lowest and highest bucket mean, `×` where a bucket held NaN/Inf. */
export function sparkline(profile: Pick<LossProfile, 'means' | 'nonFiniteBuckets'>): string {
  const finite = profile.means.filter((m): m is number => m !== null);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const bad = new Set(profile.nonFiniteBuckets);
  let out = '';
  profile.means.forEach((m, i) => {
    if (bad.has(i)) out += '×';
    else if (m === null) out += ' ';
    else if (!(hi > lo)) out += BARS[0];
    else out += BARS[Math.min(BARS.length - 1, Math.floor(((m - lo) / (hi - lo)) * BARS.length))];
  });
  return out;
}
