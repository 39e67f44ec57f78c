import { lrTags } from '../runs/kohya-tags.js';
import type { Series } from '../runs/series.js';
import type { Run } from '../runs/types.js';

/** One learning-rate series with the numbers every lr rule needs, computed in one pass. */
export interface LrGroup {
  tag: string;
  group: string;
  series: Series;
  /** Largest finite value (NaN when none). */
  peak: number;
  peakStep: number;
  first: number;
  last: number;
  /** Σ lr·Δstep over the finite points: the integral of the schedule over optimizer steps. */
  sum: number;
  nonFinite: number;
  negative: number;
  /** Points exactly 0. */
  zeros: number;
}

export interface LrView {
  scheduled: LrGroup[];
  /** DAdapt/Prodigy d·lr series (the effective step size for that family). */
  dlr: LrGroup[];
  /** What moves the weights: d·lr when present, else the scheduled lr. */
  effective: LrGroup[];
  /** The effective group with the largest Σlr: the one that trains most. */
  dominant: LrGroup | null;
  /** Largest effective peak over groups (NaN when no lr is logged). */
  peak: number;
  hiddenDuplicates: string[];
}

const cache = new WeakMap<Run, LrView>();

export function lrView(run: Run): LrView {
  const hit = cache.get(run);
  if (hit) return hit;
  const set = lrTags(run.scalars.keys());
  const build = (list: { tag: string; group: string }[]) =>
    list.flatMap((t) => {
      const s = run.scalars.get(t.tag);
      return s && s.length > 0 ? [lrGroup(t.tag, t.group, s)] : [];
    });
  const scheduled = build(set.scheduled);
  const dlr = build(set.dlr);
  const effective = dlr.length > 0 ? dlr : scheduled;
  let dominant: LrGroup | null = null;
  let peak = NaN;
  for (const g of effective) {
    if (!dominant || g.sum > dominant.sum || (g.sum === dominant.sum && g.group === 'unet')) dominant = g;
    if (Number.isFinite(g.peak) && !(g.peak <= peak)) peak = g.peak;
  }
  const view = { scheduled, dlr, effective, dominant, peak, hiddenDuplicates: set.hiddenDuplicates };
  cache.set(run, view);
  return view;
}

function lrGroup(tag: string, group: string, s: Series): LrGroup {
  let peak = NaN;
  let peakStep = NaN;
  let sum = 0;
  let nonFinite = 0;
  let negative = 0;
  let zeros = 0;
  let first = NaN;
  let last = NaN;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const x = s.values[i];
    if (!Number.isFinite(x)) {
      nonFinite++;
      continue;
    }
    if (Number.isNaN(first)) first = x;
    last = x;
    if (x < 0) negative++;
    else if (x === 0) zeros++;
    if (!(x <= peak)) {
      peak = x;
      peakStep = s.steps[i];
    }
    const dt = i > 0 ? s.steps[i] - s.steps[i - 1] : n > 1 ? s.steps[1] - s.steps[0] : 1;
    sum += x * Math.max(dt, 0);
  }
  return { tag, group, series: s, peak, peakStep, first, last, sum, nonFinite, negative, zeros };
}

/** Value of a series at a step (the last point at or before it), NaN before the first point. */
export function valueAt(s: Series, step: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.steps[mid] <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? NaN : s.values[lo - 1];
}

/**
 * DAdapt/Prodigy's d = (d·lr)/lr, from the first `lr/d*lr*` series and the scheduled lr of the same
 * group (a bare `lr/d*lr` reads param group 0, the text encoder when it is trained — kohya ≤ v0.8).
 */
export function adaptiveD(lr: LrView): { tag: string; dFirst: number; dMax: number; points: number } | null {
  if (lr.dlr.length === 0) return null;
  const dl = lr.dlr[0];
  const sched =
    lr.scheduled.find((g) => g.group === dl.group) ??
    (dl.group === '' ? lr.scheduled.find((g) => g.group === 'textencoder') : undefined) ??
    lr.scheduled.find((g) => g.group === 'unet') ??
    lr.scheduled[0];
  let dFirst = NaN;
  let dMax = NaN;
  let points = 0;
  for (let i = 0; i < dl.series.length; i++) {
    const x = dl.series.values[i];
    const m = sched ? valueAt(sched.series, dl.series.steps[i]) : 1;
    if (!(m > 0) || !Number.isFinite(x)) continue;
    const d = x / m;
    points++;
    if (Number.isNaN(dFirst)) dFirst = d;
    if (!(d <= dMax)) dMax = d;
  }
  return points > 0 ? { tag: dl.tag, dFirst, dMax, points } : null;
}
