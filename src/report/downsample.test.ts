import { describe, expect, it } from 'vitest';
import { bucketSummary, m4Envelope, nonFiniteMarkers } from './downsample.js';

/** 100 000 points of low noise with one spike, one NaN and a NaN tail, at known places. */
function longSeries() {
  const n = 100_000;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i + 1;
    y[i] = 0.1 + 0.01 * Math.sin(i * 0.37);
  }
  y[41_234] = 5; // one-point spike
  y[55_555] = NaN; // isolated NaN
  y[77_777] = -Infinity;
  for (let i = 99_000; i < n; i++) y[i] = NaN; // NaN tail
  return { x, y, n };
}

describe('m4Envelope', () => {
  it('keeps a one-point spike and stays within 4 points per column', () => {
    const { x, y, n } = longSeries();
    const line = m4Envelope(x, y, 1, n, 500);
    expect(Math.max(...Array.from(line.y).filter(Number.isFinite))).toBe(5);
    expect(line.x.length).toBeLessThanOrEqual(4 * 500 + 3);
    expect(Array.from(line.x)).toContain(41_235);
  });

  it('breaks the line once per run of non-finite points', () => {
    const { x, y, n } = longSeries();
    const line = m4Envelope(x, y, 1, n, 500);
    const breaks = Array.from(line.y).filter((v) => Number.isNaN(v)).length;
    expect(breaks).toBe(3);
  });

  it('keeps points in x order', () => {
    const { x, y, n } = longSeries();
    const line = m4Envelope(x, y, 1, n, 300);
    for (let i = 1; i < line.x.length; i++) expect(line.x[i]).toBeGreaterThanOrEqual(line.x[i - 1]);
  });
});

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
