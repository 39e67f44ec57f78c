/**
 * One chart of the page: scales, axes, faint raw and strong smoothed lines (or group means with a
 * min–max band), NaN/Inf markers, finding markers, and the hover tooltip.
 */
import {
  axisBottom,
  axisLeft,
  format,
  pointer,
  scaleLinear,
  scaleLog,
  scaleUtc,
  symbol,
  symbolTriangle,
  type ScaleLinear,
  type ScaleLogarithmic,
  type ScaleTime,
  type Selection,
} from 'd3';
import { axisMapping, mapLine, type StepMap } from '../chart/axis.js';
import { csvText } from '../chart/csv.js';
import { valueDomain, xExtent } from '../chart/domain.js';
import { affineOf, envelopePath, plotBounds, type Bounds } from '../chart/envelope.js';
import { logLabel, wallTickLabels } from '../chart/format.js';
import { nearestIndex, type Line } from '../chart/series.js';
import type { PageChart, PageData, PageFinding, PageRun, XAxis } from '../compare/compare-model.js';
import { byId, fmtTime, fmtValue } from './dom.js';
import { markers, raw, smoothed, type Prepared } from './prepared.js';

const CHART_HEIGHT = 250;
const MARGIN = { top: 16, right: 16, bottom: 34, left: 60 };

export interface PageState {
  x: XAxis;
  smoothing: number;
  ignoreOutliers: boolean;
  showRaw: boolean;
  hidden: Set<number>;
  /** Runs the run filter leaves out (drawn nowhere, like hidden ones, but their chips are not shown). */
  filtered: Set<number>;
  groupBy: string;
  /** Group value → colour, for every group of `groupBy` (the legend's colours, stable while runs are toggled). */
  groupColors: Map<string, string>;
  /** Per tag, the log toggle when the user changed it. */
  log: Map<string, boolean>;
  /** Per tag, the x range dragged on the chart (cleared by a double-click and when the x axis changes). */
  zoom: Map<string, [number, number]>;
  /** Per tag, the smooth toggle when the user changed it (the default is the chart's `smooth`, by tag kind). */
  smooth: Map<string, boolean>;
}

export interface ChartView {
  chart: PageChart;
  prepared: Prepared[];
  fig: HTMLElement;
  svg: Selection<SVGSVGElement, unknown, null, undefined>;
  note: HTMLElement;
  logButton: HTMLElement;
  smoothButton: HTMLElement;
  clipId: string;
  width: number;
  /** The chart's visible runs as CSV, as last drawn (for the download button). */
  csv?: () => string;
  yKey?: string;
  yDomain?: [number, number] | null;
}

export interface PageContext {
  data: PageData;
  chartByTag: Map<string, PageChart>;
}

type G = Selection<SVGGElement, unknown, null, undefined>;

interface Placed {
  p: Prepared;
  run: PageRun;
  map: StepMap;
  hidden: boolean;
  rawX: Float64Array;
  raw: Line;
  smX: Float64Array;
  sm: Line;
}

interface GroupLine {
  key: string;
  color: string;
  members: number;
  xs: Float64Array;
  /** Runs that reach each grid point (a shorter member drops out where it ends). */
  count: Float64Array;
  mean: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

const FINDING_LABEL: Record<string, string> = {
  nan_loss: 'NaN',
  explosion: 'explosion',
  restart: 'restart',
  flat: 'flat',
  lr_schedule: 'lr',
  step_collapse: 'steps',
  overfitting: 'overfit',
};
const shortFormat = format('.2~g');

function clamp(v: number, [lo, hi]: [number, number]): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Draws (or redraws) one chart into its figure. */
export function drawChart(view: ChartView, state: PageState, ctx: PageContext): void {
  const { chart } = view;
  const runs = ctx.data.runs;
  const width = Math.max(260, (view.width || view.fig.clientWidth) - 24);
  const height = CHART_HEIGHT;
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = height - MARGIN.top - MARGIN.bottom;
  const bounds = plotBounds(innerW, innerH);
  const log = state.log.get(chart.tag) ?? chart.log;
  view.logButton.setAttribute('aria-pressed', String(log));
  const axis = axisMapping(
    chart,
    runs,
    state.x,
    view.prepared.map((p) => p.s),
  );
  const smooth = state.smooth.get(chart.tag) ?? chart.smooth !== false;
  view.smoothButton.setAttribute('aria-pressed', String(smooth));
  const w = smooth ? state.smoothing : 0;

  const placed: Placed[] = [];
  const unplaced: string[] = [];
  for (const p of view.prepared) {
    const map = axis.mapFor(p.s);
    if (!map) {
      unplaced.push(runs[p.s.run].name);
      continue;
    }
    const r = raw(p);
    const sm = smoothed(p, w);
    const rawX = mapLine(r.steps, map);
    placed.push({
      p,
      run: runs[p.s.run],
      map,
      hidden: state.hidden.has(p.s.run) || state.filtered.has(p.s.run),
      rawX,
      raw: r,
      smX: r.steps === sm.steps ? rawX : mapLine(sm.steps, map),
      sm,
    });
  }
  const visible = placed.filter((e) => !e.hidden);
  const zoom = state.zoom.get(chart.tag);
  const grouped = state.groupBy ? groupLines(visible, state.groupBy, state.groupColors, zoom) : null;
  const [x0, x1] = zoom ?? xExtent((visible.length ? visible : placed).flatMap((e) => [e.rawX, e.smX]));
  view.fig.toggleAttribute('data-zoomed', !!zoom);

  // y domain: the values drawn (raw when shown, TensorBoard-like) inside the x range, finite and, on log, positive
  const yKey = [
    log,
    state.ignoreOutliers,
    state.showRaw && !grouped ? 'raw' : `sm${w}`,
    visible.map((e) => e.p.s.run).join(','),
    state.groupBy,
    zoom ? zoom.join(':') : '',
  ].join('|');
  if (view.yKey !== yKey) {
    const ys: number[] = [];
    for (const e of visible) {
      const raw_ = state.showRaw && !grouped;
      const arr = raw_ ? e.raw.values : e.sm.values;
      const xs = raw_ ? e.rawX : e.smX;
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i];
        if (zoom && !(xs[i] >= x0 && xs[i] <= x1)) continue;
        if (Number.isFinite(v) && (!log || v > 0)) ys.push(v);
      }
    }
    view.yDomain = valueDomain(ys, log, state.ignoreOutliers);
    view.yKey = yKey;
  }
  const yd = view.yDomain ?? (log ? [1e-3, 1] : [0, 1]);

  const sx: ScaleLinear<number, number> | ScaleTime<number, number> = axis.time
    ? scaleUtc().domain([x0, x1]).range([0, innerW])
    : scaleLinear().domain([x0, x1]).range([0, innerW]);
  const sy: ScaleLinear<number, number> | ScaleLogarithmic<number, number> = log
    ? scaleLog().domain(yd).range([innerH, 0])
    : scaleLinear().domain(yd).range([innerH, 0]).nice(5);
  const fx = (v: number) => sx(v);
  const fy = (v: number) => sy(v);

  const svg = view.svg;
  svg.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);
  svg.selectAll('*').remove();
  svg
    .append('defs')
    .append('clipPath')
    .attr('id', view.clipId)
    .append('rect')
    .attr('x', -2)
    .attr('y', -4)
    .attr('width', innerW + 4)
    .attr('height', innerH + 8);
  const g: G = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);

  // grid and axes
  const yTicks = log ? logTicks(sy as ScaleLogarithmic<number, number>) : sy.ticks(5);
  const linearFormat = (sy as ScaleLinear<number, number>).tickFormat(5);
  g.append('g')
    .attr('class', 'gridline')
    .call(
      axisLeft(sy)
        .tickValues(yTicks)
        .tickSize(-innerW)
        .tickFormat(() => ''),
    );
  g.append('g')
    .attr('class', 'axis')
    .call(
      axisLeft(sy)
        .tickValues(yTicks)
        .tickFormat((v) => (log ? logLabel(Number(v), shortFormat) : linearFormat(Number(v)))),
    );
  // Wall-time labels carry a date at day changes: wider apart.
  const xTicks = Math.max(2, Math.round(innerW / (axis.time ? 125 : 95)));
  const xAxis = axisBottom(sx as ScaleLinear<number, number>).ticks(xTicks);
  if (axis.time) {
    const values = (sx as ScaleTime<number, number>).ticks(xTicks).map(Number);
    const labels = wallTickLabels(values);
    xAxis.tickValues(values).tickFormat((_v, i) => labels[i]);
  } else xAxis.tickFormat(format(state.x !== 'step' && state.x !== 'samples' ? '~g' : '~s') as (v: { valueOf(): number }) => string);
  g.append('g').attr('class', 'axis').attr('transform', `translate(0,${innerH})`).call(xAxis);
  g.append('text')
    .attr('class', 'axis-label')
    .attr('x', innerW)
    .attr('y', innerH + 30)
    .attr('text-anchor', 'end')
    .text(axis.label);

  const plot = g.append('g').attr('clip-path', `url(#${view.clipId})`);
  const tx = affineOf(sx, false);
  const ty = affineOf(sy, log);

  if (grouped) {
    for (const gl of grouped) {
      plot
        .append('path')
        .attr('class', 'band')
        .attr('data-group', gl.key)
        .attr('fill', gl.color)
        .attr('d', bandPath(gl, fx, fy, log, bounds));
      plot
        .append('path')
        .attr('class', 'smoothed group-mean')
        .attr('data-group', gl.key)
        .attr('stroke', gl.color)
        .attr('d', envelopePath(gl.xs, gl.mean, tx, ty, bounds));
    }
  } else {
    // Unsmoothed, the raw line is the strong one.
    if (state.showRaw && w > 0) {
      for (const e of placed) {
        // Dense noisy series (kohya's per-step loss) would be a solid wall at the usual opacity.
        const density = e.raw.values.length / innerW;
        plot
          .append('path')
          .attr('class', 'raw')
          .attr('data-run', e.run.name)
          .attr('data-series', 'raw')
          .attr('stroke', e.run.color)
          .attr('stroke-opacity', density > 2 ? 0.5 : null)
          .attr('display', e.hidden ? 'none' : null)
          .attr('d', e.hidden ? '' : envelopePath(e.rawX, e.raw.values, tx, ty, bounds));
      }
    }
    const strong = placed.map((e) => (e.hidden ? '' : envelopePath(e.smX, e.sm.values, tx, ty, bounds)));
    // A light casing under each strong line keeps it readable over the raw noise of the others.
    placed.forEach((e, i) => {
      if (!e.hidden) plot.append('path').attr('class', 'casing').attr('d', strong[i]);
    });
    placed.forEach((e, i) => {
      plot
        .append('path')
        .attr('class', 'smoothed')
        .attr('data-run', e.run.name)
        .attr('data-series', 'smoothed')
        .attr('stroke', e.run.color)
        .attr('display', e.hidden ? 'none' : null)
        .attr('d', strong[i]);
    });
    drawNonFinite(plot, visible, w, fx, fy, innerH, log);
    drawFindings(g, visible, chart, ctx, fx, innerW, innerH);
  }

  if (placed.length === 0)
    g.append('text')
      .attr('class', 'empty-chart')
      .attr('x', innerW / 2)
      .attr('y', innerH / 2)
      .attr('text-anchor', 'middle')
      .text('no run can be placed on this axis');
  const notes: string[] = [];
  if (chart.derived) notes.push(chart.derived);
  if (axis.note) notes.push(axis.note);
  if (unplaced.length) notes.push(`not on this axis: ${unplaced.join(', ')}`);
  view.note.textContent = notes.join(' · ');
  view.csv = () => {
    const summarised = visible.some((e) => e.p.s.buckets);
    const header = [
      'run',
      'step',
      ...(state.x === 'step' ? [] : [axis.label]),
      summarised ? 'value (bucket mean where summarised)' : 'value',
      `smoothed (${w})`,
    ];
    const rows: (string | number)[][] = [];
    for (const e of visible) {
      const b = e.p.s.buckets;
      for (let i = 0; i < e.sm.steps.length; i++) {
        const value = b ? b.mean[i] : e.p.s.values![i];
        rows.push([e.run.name, e.sm.steps[i], ...(state.x === 'step' ? [] : [e.smX[i]]), value, e.sm.values[i]]);
      }
    }
    return csvText(header, rows);
  };

  // hover
  const hoverLine = g.append('line').attr('class', 'hover-line').attr('y1', 0).attr('y2', innerH).attr('display', 'none');
  const dots = g.append('g');
  const brush = g.append('rect').attr('class', 'zoom-brush').attr('y', 0).attr('height', innerH).attr('display', 'none');
  const overlay = g.append('rect').attr('class', 'overlay').attr('width', innerW).attr('height', innerH).attr('fill', 'transparent');
  const tip = byId('tooltip');
  const dot = (x: number, y: number, color: string) => {
    const cx = fx(x);
    const cy = fy(y);
    if (Number.isFinite(cx) && Number.isFinite(cy))
      dots.append('circle').attr('cx', clamp(cx, bounds.x)).attr('cy', clamp(cy, bounds.y)).attr('r', 3).attr('fill', color).attr('stroke', '#fff');
  };
  overlay.on('mousemove', (ev: MouseEvent) => {
    const [mx] = pointer(ev);
    // A time scale inverts to a Date: x values here are numbers (epoch ms on the wall-time axis).
    const xv = Number(sx.invert(mx));
    const tol = Math.abs(Number(sx.invert(mx + 6)) - xv);
    hoverLine.attr('x1', mx).attr('x2', mx).attr('display', null);
    dots.selectAll('*').remove();
    const rows: TooltipRow[] = [];
    if (grouped) {
      for (const gl of grouped) {
        // Past the group's last run the group has no value (nearestIndex would repeat its last one).
        if (gl.xs.length === 0 || xv < gl.xs[0] - tol || xv > gl.xs[gl.xs.length - 1] + tol) continue;
        const i = nearestIndex(gl.xs, xv);
        if (i < 0 || !Number.isFinite(gl.mean[i])) continue;
        const runsHere = gl.count[i] < gl.members ? `${gl.count[i]} of ${gl.members} runs` : `${gl.members} run${gl.members === 1 ? '' : 's'}`;
        rows.push({
          color: gl.color,
          name: `${state.groupBy} = ${gl.key} (${runsHere})`,
          a: fmtValue(gl.mean[i]),
          b: `${fmtValue(gl.min[i])} – ${fmtValue(gl.max[i])}`,
          c: '',
        });
        if (!log || gl.mean[i] > 0) dot(gl.xs[i], gl.mean[i], gl.color);
      }
    } else {
      for (const e of visible) {
        const xs = e.smX;
        if (xs.length === 0 || xv < xs[0] - tol || xv > xs[xs.length - 1] + tol) continue;
        const i = nearestIndex(xs, xv);
        if (i < 0) continue;
        const smv = e.sm.values[i];
        const b = e.p.s.buckets;
        let rawText: string;
        if (!b) rawText = fmtValue(e.raw.values[i]);
        else {
          const lo = b.valueA[i];
          const hi = b.valueB[i];
          rawText = Number.isFinite(lo) ? `${fmtValue(b.mean[i])} (${fmtValue(Math.min(lo, hi))} – ${fmtValue(Math.max(lo, hi))})` : 'NaN';
        }
        rows.push({ color: e.run.color, name: e.run.name, a: fmtValue(smv), b: rawText, c: String(Math.round(e.sm.steps[i])) });
        if (Number.isFinite(smv) && (!log || smv > 0)) dot(xs[i], smv, e.run.color);
      }
    }
    // Steps and samples are counts: the pointer's x between two of them is no `1381.5`.
    const counted = state.x === 'step' || state.x === 'samples';
    showTooltip(
      tip,
      ev,
      `${axis.label}: ${axis.time ? fmtTime(xv) : counted ? String(Math.round(xv)) : fmtValue(xv)}`,
      grouped ? ['', 'mean', 'min – max', ''] : ['', 'smoothed', 'raw', 'step'],
      rows,
    );
  });
  overlay.on('mouseleave', () => {
    hoverLine.attr('display', 'none');
    dots.selectAll('*').remove();
    tip.hidden = true;
  });

  // Drag across the plot to zoom the x axis (TensorBoard-like); double-click to reset.
  overlay.on('mousedown', (ev: MouseEvent) => {
    if (ev.button !== 0) return;
    ev.preventDefault();
    const node = overlay.node()!;
    const [start] = pointer(ev, node);
    const clampX = (v: number) => Math.max(0, Math.min(innerW, v));
    const move = (e: MouseEvent) => {
      const [now] = pointer(e, node);
      const a = clampX(Math.min(start, now));
      brush
        .attr('x', a)
        .attr('width', clampX(Math.max(start, now)) - a)
        .attr('display', null);
    };
    const up = (e: MouseEvent) => {
      window.removeEventListener('mousemove', move);
      brush.attr('display', 'none');
      const [end] = pointer(e, node);
      const a = clampX(Math.min(start, end));
      const b = clampX(Math.max(start, end));
      if (b - a < 5) return;
      const lo = Number(sx.invert(a));
      const hi = Number(sx.invert(b));
      if (!(hi > lo)) return;
      state.zoom.set(chart.tag, [lo, hi]);
      tip.hidden = true;
      drawChart(view, state, ctx);
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up, { once: true });
  });
  overlay.on('dblclick', () => {
    if (!state.zoom.delete(chart.tag)) return;
    drawChart(view, state, ctx);
  });
}

/** Powers of ten when the range spans decades, else d3's log ticks. */
function logTicks(sy: ScaleLogarithmic<number, number>): number[] {
  const [a, b] = sy.domain();
  const decades = Math.log10(b / a);
  const ticks = sy.ticks(5);
  if (decades < 2) return ticks.filter((_t, i) => ticks.length <= 6 || i % Math.ceil(ticks.length / 6) === 0);
  const powers = ticks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  const step = Math.ceil(powers.length / 7);
  return powers.filter((_t, i) => i % step === 0);
}

interface PlacedMarker {
  px: number;
  py: number;
  kind: string;
  count: number;
  step: number;
}

/** NaN at the previous smoothed value (TensorBoard's place), +Inf on the top edge, −Inf on the bottom edge. */
function drawNonFinite(plot: G, visible: Placed[], w: number, fx: (v: number) => number, fy: (v: number) => number, innerH: number, log: boolean): void {
  const tri = symbol().type(symbolTriangle).size(42)() ?? '';
  for (const e of visible) {
    const all = markers(e.p, w);
    if (all.length === 0) continue;
    let lastPx = -Infinity;
    let lastKind = '';
    let pending: PlacedMarker | null = null;
    const out: PlacedMarker[] = [];
    for (const m of all) {
      const idx = m.index >= 0 ? m.index : nearestIndex(e.p.s.steps, m.step);
      const px = fx(e.map(m.step, idx));
      if (!Number.isFinite(px)) continue;
      if (m.kind === lastKind && px - lastPx < 6 && pending) {
        pending.count += m.count;
        continue;
      }
      let py: number;
      if (m.kind === 'inf') py = 4;
      else if (m.kind === '-inf') py = innerH - 4;
      else {
        const y = m.y;
        py = Number.isFinite(y) && (!log || y > 0) ? fy(y) : innerH / 2;
        py = Number.isFinite(py) ? Math.max(4, Math.min(innerH - 4, py)) : innerH / 2;
      }
      pending = { px, py, kind: m.kind, count: m.count, step: m.step };
      out.push(pending);
      lastPx = px;
      lastKind = m.kind;
    }
    for (const m of out) {
      const label = m.kind === 'nan' ? 'NaN' : m.kind === 'inf' ? '+Inf' : '−Inf';
      plot
        .append('path')
        .attr('class', 'nonfinite')
        .attr('data-run', e.run.name)
        .attr('d', tri)
        .attr('fill', e.run.color)
        .attr('transform', `translate(${m.px},${m.py})${m.kind === '-inf' ? ' rotate(180)' : ''}`)
        .append('title')
        .text(`${e.run.name}: ${m.count} × ${label} from step ${m.step}`);
    }
  }
}

/** What belongs on a curve: problems (errors, warnings) and restarts; notices such as too little data do not. */
function onCurve(f: PageFinding): boolean {
  return f.severity === 'error' || f.severity === 'warning' || f.kind === 'restart';
}

/** Findings with a step: a dashed rule with a label on their own tag, a faint rule on the run's other step-axis loss charts. */
function drawFindings(g: G, visible: Placed[], chart: PageChart, ctx: PageContext, fx: (v: number) => number, innerW: number, innerH: number): void {
  const layer = g.append('g');
  const labelled = new Set<string>();
  let slot = 0;
  for (const e of visible) {
    for (const f of e.run.findings) {
      if (f.step === null || f.step === undefined || !f.tag || !onCurve(f)) continue;
      const own = f.tag === chart.tag;
      const other = ctx.chartByTag.get(f.tag);
      const fEpoch = other ? other.epochIndexed : /epoch/.test(f.tag);
      const related = !own && !fEpoch && !chart.epochIndexed && (chart.group === 'loss' || chart.group === 'step-loss') && /loss/i.test(f.tag);
      if (!own && !related) continue;
      const px = fx(e.map(f.step, nearestIndex(e.p.s.steps, f.step)));
      if (!Number.isFinite(px) || px < -1 || px > innerW + 1) continue;
      const sevColor = f.severity === 'error' ? '#c4320a' : f.severity === 'warning' ? '#b54708' : '#475467';
      const mark = layer
        .append('g')
        .attr('class', own ? 'finding' : 'finding faint')
        .attr('data-run', e.run.name)
        .attr('data-kind', f.kind);
      mark.append('line').attr('x1', px).attr('x2', px).attr('y1', 0).attr('y2', innerH).attr('stroke', e.run.color);
      mark.append('title').text(`${e.run.name}: ${f.message}`);
      const label = FINDING_LABEL[f.kind] ?? f.kind;
      const key = `${label}@${Math.round(px / 4)}`;
      if (own && !labelled.has(key)) {
        labelled.add(key);
        const right = px > innerW - 80;
        mark
          .append('text')
          .attr('x', px + (right ? -4 : 4))
          .attr('y', 10 + 12 * (slot++ % 4))
          .attr('text-anchor', right ? 'end' : 'start')
          .attr('fill', sevColor)
          .text(label);
      }
    }
  }
}

/** Tableau 10: group colours, distinct from the runs' category10 so a group never looks like one of its runs. */
export const GROUP_PALETTE = ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];

/** Group values in the page's order: numerically when every value is a number, else as text. */
export function sortGroupKeys(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Runs without the hyper-parameter form their own group. */
export const UNKNOWN_GROUP = '(unknown)';

/**
 * Group mode (TensorBoard-style aggregation): the visible runs sharing a hyper-parameter value drawn as
 * the mean of their smoothed lines with a min–max band, on a common grid over the x range the group's
 * runs cover (linear interpolation). At each x only the runs that reach it count, so the group ends
 * where its last run ends.
 */
function groupLines(visible: Placed[], key: string, colors: Map<string, string>, range?: [number, number]): GroupLine[] {
  const groups = new Map<string, Placed[]>();
  for (const e of visible) {
    const k = e.run.params[key] ?? UNKNOWN_GROUP;
    const list = groups.get(k);
    if (list) list.push(e);
    else groups.set(k, [e]);
  }
  const out: GroupLine[] = [];
  for (const k of sortGroupKeys(groups.keys())) {
    const members = groups.get(k)!;
    let [lo, hi] = xExtent(members.map((e) => e.smX));
    if (members.every((e) => e.smX.length === 0)) continue;
    // Zoomed: the grid's points where the chart shows them.
    if (range) [lo, hi] = [Math.max(lo, range[0]), Math.min(hi, range[1])];
    if (!(hi > lo)) continue;
    const G = 400;
    const xs = new Float64Array(G);
    const count = new Float64Array(G);
    const mean = new Float64Array(G).fill(NaN);
    const min = new Float64Array(G).fill(NaN);
    const max = new Float64Array(G).fill(NaN);
    for (let i = 0; i < G; i++) {
      const x = lo + ((hi - lo) * i) / (G - 1);
      xs[i] = x;
      let sum = 0;
      let n = 0;
      let a = Infinity;
      let b = -Infinity;
      for (const e of members) {
        const v = interpolate(e.smX, e.sm.values, x);
        if (!Number.isFinite(v)) continue;
        sum += v;
        n++;
        if (v < a) a = v;
        if (v > b) b = v;
      }
      count[i] = n;
      if (n > 0) {
        mean[i] = sum / n;
        min[i] = a;
        max[i] = b;
      }
    }
    out.push({ key: k, color: colors.get(k) ?? members[0].run.color, members: members.length, xs, count, mean, min, max });
  }
  return out;
}

function interpolate(xs: Float64Array, ys: Float64Array, x: number): number {
  const n = xs.length;
  if (n === 0 || x < xs[0] || x > xs[n - 1]) return NaN;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (xs[hi] === xs[lo]) return ys[lo];
  const t = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

function bandPath(gl: GroupLine, fx: (v: number) => number, fy: (v: number) => number, log: boolean, bounds: Bounds): string {
  const parts: string[] = [];
  let seg: number[] = [];
  const px = (i: number) => clamp(fx(gl.xs[i]), bounds.x).toFixed(1);
  const py = (v: number) => clamp(fy(v), bounds.y).toFixed(1);
  const close = () => {
    if (seg.length > 1) {
      let d = '';
      seg.forEach((i, k) => (d += `${k ? 'L' : 'M'}${px(i)},${py(gl.max[i])}`));
      for (let k = seg.length - 1; k >= 0; k--) d += `L${px(seg[k])},${py(gl.min[seg[k]])}`;
      parts.push(`${d}Z`);
    }
    seg = [];
  };
  for (let i = 0; i < gl.xs.length; i++) {
    if (Number.isFinite(gl.min[i]) && Number.isFinite(gl.max[i]) && Number.isFinite(gl.xs[i]) && (!log || gl.min[i] > 0)) seg.push(i);
    else close();
  }
  close();
  return parts.join('');
}

interface TooltipRow {
  color: string;
  name: string;
  a: string;
  b: string;
  c: string;
}

function showTooltip(tip: HTMLElement, ev: MouseEvent, head: string, cols: string[], rows: TooltipRow[]): void {
  tip.replaceChildren();
  const h = document.createElement('div');
  h.className = 'head';
  h.textContent = head;
  tip.appendChild(h);
  const table = document.createElement('table');
  const tr0 = document.createElement('tr');
  for (const c of cols) {
    const th = document.createElement('th');
    th.textContent = c;
    tr0.appendChild(th);
  }
  table.appendChild(tr0);
  for (const r of rows) {
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    name.className = 'name';
    const sw = document.createElement('span');
    sw.className = 'sw';
    sw.style.background = r.color;
    name.append(sw, ' ', r.name);
    tr.appendChild(name);
    for (const v of [r.a, r.b, r.c]) {
      const td = document.createElement('td');
      td.className = 'num';
      td.textContent = v;
      tr.appendChild(td);
    }
    table.appendChild(tr);
  }
  tip.appendChild(table);
  tip.hidden = rows.length === 0;
  const pad = 14;
  const rect = tip.getBoundingClientRect();
  let left = ev.clientX + pad;
  if (left + rect.width > window.innerWidth - 4) left = ev.clientX - rect.width - pad;
  let top = ev.clientY + pad;
  if (top + rect.height > window.innerHeight - 4) top = ev.clientY - rect.height - pad;
  tip.style.left = `${Math.max(4, left)}px`;
  tip.style.top = `${Math.max(4, top)}px`;
}
