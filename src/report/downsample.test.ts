import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { bucketSummary, envelopePath, nonFiniteMarkers } from './downsample.js';

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

describe('envelopePath', () => {
  /** Pixels per data unit so that the 100 000 points fill 500 columns; y in pixels = 100·value. */
  const tx = { a: 500 / 100_000, b: 0 };
  const ty = { a: 100, b: 0 };
  const points = (d: string) => [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

  it('keeps a one-point spike and stays within 2 points per column', () => {
    const { x, y } = longSeries();
    const p = points(envelopePath(x, y, tx, ty));
    expect(Math.max(...p.map((q) => q[1]))).toBe(500); // the spike of 5
    expect(p.length).toBeLessThanOrEqual(2 * 501);
    for (let i = 1; i < p.length; i++) expect(p[i][0]).toBeGreaterThanOrEqual(p[i - 1][0]);
  });

  it('breaks the line at each run of non-finite points', () => {
    const { x, y } = longSeries();
    expect(envelopePath(x, y, tx, ty).match(/M/g)?.length).toBe(3);
  });

  it('draws a flat column as one point and an isolated point as a dot', () => {
    expect(envelopePath([0, 0.1, 0.2], [1, 1, 1], { a: 1, b: 0 }, ty)).toBe('M0,100');
    expect(envelopePath([0, 5, 10], [1, NaN, 2], { a: 1, b: 0 }, ty)).toBe('M0,100l0,0M10,200l0,0');
  });

  it('leaves out values a log axis cannot show', () => {
    expect(envelopePath([0, 10, 20], [1, 0, Math.E], { a: 1, b: 0 }, { a: 10, b: 0, log: true })).toBe('M0,0l0,0M20,10l0,0');
  });

  it('gives the same path as the browser copy in html/chart.js', () => {
    const context: Record<string, unknown> = {};
    runInNewContext(readFileSync(new URL('./html/chart.js', import.meta.url), 'utf8'), context);
    const pixelPath = context.pixelPath as (xs: ArrayLike<number>, ys: ArrayLike<number>, tx: object, ty: object) => string;
    const { x, y } = longSeries();
    expect(pixelPath(x, y, tx, { ...ty, log: false })).toBe(envelopePath(x, y, tx, ty));
    const lr = Array.from({ length: 3000 }, (_, i) => 1e-4 * Math.cos((i / 3000) * 1.5) ** 4);
    const steps = lr.map((_, i) => i + 1);
    const logY = { a: -20, b: 0, log: true };
    expect(pixelPath(steps, lr, { a: 0.15, b: 3 }, logY)).toBe(envelopePath(steps, lr, { a: 0.15, b: 3 }, logY));
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
