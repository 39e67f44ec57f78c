/**
 * Server-side twin of html/series.js: decoded series, raw and smoothed lines, and a step's place on
 * each x-axis. The SVG renderer uses it; the page does the same in the browser.
 */
import { decodeColumn } from './compare-encode.js';
import type { PageChart, PageRun, PageSeries, XAxis } from './compare-model.js';
import { smoothBuckets, smoothTensorBoard } from './smoothing.js';

export interface Line {
  steps: Float64Array;
  values: Float64Array;
}

export interface DecodedSeries {
  source: PageSeries;
  steps: Float64Array;
  raw: Line;
  /** Values at `steps` (points) or at each bucket's last step (buckets). */
  means?: Float64Array;
  finite?: Float64Array;
  seconds?: Float64Array;
}

export function decodeSeries(s: PageSeries): DecodedSeries {
  const steps = decodeColumn(s.steps);
  const seconds = s.seconds ? decodeColumn(s.seconds) : undefined;
  if (s.kind === 'points') return { source: s, steps, raw: { steps, values: decodeColumn(s.values!) }, seconds };
  const finite = decodeColumn(s.finite!);
  const stepA = decodeColumn(s.stepA!);
  const valueA = decodeColumn(s.valueA!);
  const stepB = decodeColumn(s.stepB!);
  const valueB = decodeColumn(s.valueB!);
  const rs: number[] = [];
  const rv: number[] = [];
  for (let b = 0; b < steps.length; b++) {
    if (!(finite[b] > 0)) {
      rs.push(steps[b]);
      rv.push(NaN);
    } else rs.push(stepA[b], stepB[b]), rv.push(valueA[b], valueB[b]);
  }
  return { source: s, steps, raw: { steps: Float64Array.from(rs), values: Float64Array.from(rv) }, means: decodeColumn(s.mean!), finite, seconds };
}

export function smoothedLine(d: DecodedSeries, weight: number): Line {
  if (d.source.kind === 'points') return { steps: d.steps, values: smoothTensorBoard(d.raw.values, weight) };
  return { steps: d.steps, values: smoothBuckets(d.means!, d.finite!, weight, d.source.constant) };
}

/** Linear through the clock knots `[step, seconds, …]`, extended along the end segments. */
export function clockAt(knots: number[], step: number): number {
  const n = knots.length / 2;
  if (n === 0) return NaN;
  if (n === 1) return knots[1];
  let lo = 0;
  let hi = n - 1;
  if (step <= knots[0]) hi = 1;
  else if (step >= knots[2 * (n - 1)]) lo = n - 2;
  else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (knots[2 * mid] <= step) lo = mid;
      else hi = mid;
    }
  }
  const s0 = knots[2 * lo];
  const s1 = knots[2 * hi];
  const t0 = knots[2 * lo + 1];
  const t1 = knots[2 * hi + 1];
  return s1 === s0 ? t0 : t0 + ((step - s0) * (t1 - t0)) / (s1 - s0);
}

export type StepMap = (step: number, index: number) => number;

export interface AxisMapping {
  label: string;
  /** x values are epoch milliseconds (wall time). */
  time: boolean;
  note: string;
  mapFor(d: DecodedSeries): StepMap | null;
}

function timeUnit(longest: number): { name: string; seconds: number } {
  if (longest < 120) return { name: 's', seconds: 1 };
  if (longest < 2 * 3600) return { name: 'min', seconds: 60 };
  if (longest < 3 * 86400) return { name: 'h', seconds: 3600 };
  return { name: 'days', seconds: 86400 };
}

/** How a chart's points sit on an x-axis (the same rules as html/series.js `axisFor`). */
export function axisMapping(chart: PageChart, runs: PageRun[], axis: XAxis, decoded: DecodedSeries[]): AxisMapping {
  const allSpe = chart.series.every((s) => runs[s.run].stepsPerEpoch);
  const relativeOf = (d: DecodedSeries): StepMap | null => {
    const r = runs[d.source.run];
    if (chart.epochIndexed) {
      if (d.seconds) {
        const sec = d.seconds;
        return (_s, i) => sec[i];
      }
      return r.stepsPerEpoch && r.clock.length ? (s) => clockAt(r.clock, s * r.stepsPerEpoch!) : null;
    }
    return r.clock.length ? (s) => clockAt(r.clock, s) : null;
  };
  const note = chart.epochIndexed ? 'logged once per epoch' : '';
  if (axis === 'relative' || axis === 'wall') {
    let longest = 0;
    for (const d of decoded) {
      const f = relativeOf(d);
      const last = d.steps.length - 1;
      if (f && last >= 0) longest = Math.max(longest, f(d.steps[last], last));
    }
    const unit = timeUnit(longest);
    return {
      label: axis === 'wall' ? 'wall time (UTC)' : `time since start (${unit.name})`,
      time: axis === 'wall',
      note,
      mapFor: (d) => {
        const f = relativeOf(d);
        const start = runs[d.source.run].start;
        if (!f || start === null) return null;
        return axis === 'wall' ? (s, i) => (start + f(s, i)) * 1000 : (s, i) => f(s, i) / unit.seconds;
      },
    };
  }
  if (chart.epochIndexed) {
    if (axis === 'epoch' || !allSpe) return { label: 'epoch', time: false, note: axis === 'epoch' ? note : `${note}; steps per epoch unknown, so on the epoch axis`, mapFor: () => (s) => s };
    if (axis === 'samples') return { label: 'samples seen (end of epoch)', time: false, note, mapFor: (d) => { const r = runs[d.source.run]; return (s) => s * r.stepsPerEpoch! * (r.batch ?? 1); } };
    return { label: 'step (end of epoch)', time: false, note, mapFor: (d) => { const r = runs[d.source.run]; return (s) => s * r.stepsPerEpoch!; } };
  }
  if (axis === 'samples') return { label: 'samples seen (step × batch)', time: false, note, mapFor: (d) => { const b = runs[d.source.run].batch ?? 1; return (s) => s * b; } };
  if (axis === 'epoch') return { label: 'epoch', time: false, note, mapFor: (d) => { const e = runs[d.source.run].stepsPerEpoch; return e ? (s) => s / e : null; } };
  return { label: 'step', time: false, note, mapFor: () => (s) => s };
}

export function mapLine(steps: Float64Array, map: StepMap): Float64Array {
  const out = new Float64Array(steps.length);
  for (let i = 0; i < steps.length; i++) out[i] = map(steps[i], i);
  return out;
}

/** TensorBoard's ignoreOutliers: the sorted values at ceil((n−1)·5 %) and floor((n−1)·95 %); plain extent otherwise. */
export function valueDomain(values: number[], log: boolean, ignoreOutliers: boolean): [number, number] | null {
  if (values.length === 0) return null;
  let lo: number;
  let hi: number;
  // Log axes already tame outliers, and a learning rate's decay tail is what one wants to see there.
  if (ignoreOutliers && !log && values.length > 20) {
    const sorted = Float64Array.from(values).sort();
    lo = sorted[Math.ceil((sorted.length - 1) * 0.05)];
    hi = sorted[Math.floor((sorted.length - 1) * 0.95)];
  } else {
    lo = Math.min(...values.slice(0, 1));
    hi = lo;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (log) {
    if (lo === hi) return [lo / 2, hi * 2];
    const pad = Math.pow(hi / lo, 0.05);
    return [lo / pad, hi * pad];
  }
  if (lo === hi) {
    const d = Math.abs(lo) * 0.1 || 1;
    return [lo - d, hi + d];
  }
  const pad = (hi - lo) * 0.05;
  // A series that never goes below zero (a loss) gets no negative axis from the padding.
  return [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
}
