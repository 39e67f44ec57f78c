import { describe, expect, it } from 'vitest';
import { lossProfile } from '../../analyze/sparkline.js';
import type { Series } from '../../runs/series.js';
import { smoothedEnds } from './render-text.js';

function series(values: number[]): Series {
  const n = values.length;
  return {
    tag: 'loss/current',
    length: n,
    steps: Float64Array.from(values, (_, i) => i + 1),
    wallTimes: new Float64Array(n),
    values: Float64Array.from(values),
  };
}

describe('smoothedEnds', () => {
  it('one wild first or last point does not make the ends: a falling run reads as falling', () => {
    // 4800 points falling from 0.1 to 0.05, the first a 0.003 (a low-noise timestep), the last a 0.14 spike.
    const values = Array.from({ length: 4800 }, (_, i) => 0.1 - (0.05 * i) / 4799);
    values[0] = 0.003;
    values[values.length - 1] = 0.14;
    const ends = smoothedEnds(lossProfile(series(values)))!;
    expect(ends.first).toBeGreaterThan(0.09);
    expect(ends.last).toBeLessThan(0.055);
    expect(ends.last).toBeLessThan(ends.first);
  });

  it('a constant loss ends where it starts; NaN buckets are passed over; no finite value: null', () => {
    expect(smoothedEnds(lossProfile(series(Array(100).fill(0.5))))).toEqual({ first: 0.5, last: 0.5 });
    const tail = smoothedEnds(lossProfile(series([...Array(90).fill(0.2), ...Array(10).fill(NaN)])))!;
    expect(tail.last).toBeCloseTo(0.2, 10);
    expect(smoothedEnds(lossProfile(series([NaN, NaN])))).toBeNull();
  });

  it('a series shorter than the buckets is smoothed point by point, as TensorBoard does (weight 0.6)', () => {
    const ends = smoothedEnds(lossProfile(series([1, 0])))!;
    // Debiased EMA: first = 1; then (0.6·0.4·1 + 0.4·0) / (1 − 0.36) = 0.375.
    expect(ends.first).toBe(1);
    expect(ends.last).toBeCloseTo(0.375, 12);
  });
});
