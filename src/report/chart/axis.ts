/**
 * Where a chart's points sit on each x-axis (step, samples seen, epoch, relative and wall time), for
 * the page and the SVG renderer alike.
 */
import type { PageChart, PageRun, XAxis } from '../compare/compare-model.js';
import { clockAt } from './clock.js';
import type { ChartSeries } from './series.js';

export type StepMap = (step: number, index: number) => number;

export interface AxisMapping {
  label: string;
  /** x values are epoch milliseconds (wall time). */
  time: boolean;
  note: string;
  /** null: the run cannot be placed on this axis (no clock, unknown epoch length). */
  mapFor(s: ChartSeries): StepMap | null;
}

function timeUnit(longest: number): { name: string; seconds: number } {
  if (longest < 120) return { name: 's', seconds: 1 };
  if (longest < 2 * 3600) return { name: 'min', seconds: 60 };
  if (longest < 3 * 86400) return { name: 'h', seconds: 3600 };
  return { name: 'days', seconds: 86400 };
}

/** How a chart's points sit on an x-axis: a label, the scale kind, and per series a step → x function. */
export function axisMapping(chart: Pick<PageChart, 'epochIndexed'>, runs: PageRun[], axis: XAxis, series: ChartSeries[]): AxisMapping {
  const allSpe = series.every((s) => runs[s.run].stepsPerEpoch);
  const relativeOf = (d: ChartSeries): StepMap | null => {
    const r = runs[d.run];
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
    for (const d of series) {
      const f = relativeOf(d);
      const last = d.steps.length - 1;
      // A damaged clock (NaN/Inf wall times) must not pick the unit.
      if (f && last >= 0) {
        const t = f(d.steps[last], last);
        if (Number.isFinite(t)) longest = Math.max(longest, t);
      }
    }
    const unit = timeUnit(longest);
    return {
      label: axis === 'wall' ? 'wall time (UTC)' : `time since start (${unit.name})`,
      time: axis === 'wall',
      note,
      mapFor: (d) => {
        const f = relativeOf(d);
        const start = runs[d.run].start;
        if (!f || start === null) return null;
        return axis === 'wall' ? (s, i) => (start + f(s, i)) * 1000 : (s, i) => f(s, i) / unit.seconds;
      },
    };
  }
  if (chart.epochIndexed) {
    if (axis === 'epoch' || !allSpe)
      return { label: 'epoch', time: false, note: axis === 'epoch' ? note : `${note}; steps per epoch unknown, so on the epoch axis`, mapFor: () => (s) => s };
    if (axis === 'samples')
      return {
        label: 'samples seen (end of epoch)',
        time: false,
        note,
        mapFor: (d) => {
          const r = runs[d.run];
          return (s) => s * r.stepsPerEpoch! * (r.batch ?? 1);
        },
      };
    return {
      label: 'step (end of epoch)',
      time: false,
      note,
      mapFor: (d) => {
        const r = runs[d.run];
        return (s) => s * r.stepsPerEpoch!;
      },
    };
  }
  if (axis === 'samples')
    return {
      label: 'samples seen (step × batch)',
      time: false,
      note,
      mapFor: (d) => {
        const b = runs[d.run].batch ?? 1;
        return (s) => s * b;
      },
    };
  if (axis === 'epoch')
    return {
      label: 'epoch',
      time: false,
      note,
      mapFor: (d) => {
        const e = runs[d.run].stepsPerEpoch;
        return e ? (s) => s / e : null;
      },
    };
  return { label: 'step', time: false, note, mapFor: () => (s) => s };
}

export function mapLine(steps: Float64Array, map: StepMap): Float64Array {
  const out = new Float64Array(steps.length);
  for (let i = 0; i < steps.length; i++) out[i] = map(steps[i], i);
  return out;
}
