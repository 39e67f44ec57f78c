import { describe, expect, it } from 'vitest';
import { longSeries } from '../../../test/support/long-series.js';
import { bucketSummary, nonFiniteMarkers } from './downsample.js';

describe('nonFiniteMarkers', () => {
  it('reports the isolated NaN, the -Inf and the tail merged per column', () => {
    const { x, y, n } = longSeries();
    const markers = nonFiniteMarkers(x, y, 1, n, 500);
    expect(markers.find((m) => m.index === 55_555)?.kind).toBe('nan');
    expect(markers.find((m) => m.index === 77_777)?.kind).toBe('-inf');
    const tail = markers.filter((m) => m.index >= 99_000);
    expect(tail.reduce((a, m) => a + m.count, 0)).toBe(1000);
    expect(tail.length).toBeLessThanOrEqual(6);
  });
});

describe('bucketSummary', () => {
  it('keeps extremes and finite counts; a bucket of NaN has no mean', () => {
    const { x, y, n } = longSeries();
    const b = bucketSummary(x, y, 1000);
    expect(b.count.reduce((a, c) => a + c, 0)).toBe(n);
    expect(b.finite.reduce((a, c) => a + c, 0)).toBe(n - 1000 - 2);
    const spike = 412; // bucket of index 41 234 with 100 points per bucket
    expect(Math.max(b.valueA[spike], b.valueB[spike])).toBe(5);
    expect(b.mean[999]).toBeNaN();
    expect(b.lastStep[999]).toBe(n);
  });
});
