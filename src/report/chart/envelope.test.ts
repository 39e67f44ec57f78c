import { describe, expect, it } from 'vitest';
import { envelopePath, plotBounds, PLOT_MARGIN } from './envelope.js';
import { longSeries } from '../../../test/support/long-series.js';

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

  it('clamps coordinates of extreme finite values to the bounds, so the line keeps drawing', () => {
    const big = 3.4e38;
    const d = envelopePath([0, 1, 2, 3], [0.5, big, -big, 0.5], { a: 100, b: 0 }, { a: -200, b: 200 }, plotBounds(300, 200));
    const p = points(d);
    expect(p.length).toBe(4);
    expect(d).not.toMatch(/e[+-]|NaN|Infinity/);
    expect(Math.min(...p.map((q) => q[1]))).toBe(-PLOT_MARGIN * 200);
    expect(Math.max(...p.map((q) => q[1]))).toBe((PLOT_MARGIN + 1) * 200);
  });
});
