/** 100 000 points of low noise with one spike, one NaN and a NaN tail, at known places (display downsampling tests). */
export function longSeries() {
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
