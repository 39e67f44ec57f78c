import { axisMapping, mapLine, type StepMap } from '../chart/axis.js';
import { valueDomain, xExtent } from '../chart/domain.js';
import { affineOf, envelopePath, plotBounds } from '../chart/envelope.js';
import { logLabel } from '../chart/format.js';
import { rawLine, smoothedLine, type ChartSeries, type Line } from '../chart/series.js';
import type { CompareModel, ModelChart } from './compare-data.js';
import type { PageRun } from './compare-model.js';
import { nonFiniteMarkers } from './downsample.js';
import { xmlAttr, xmlText } from '../escape.js';

const WIDTH = 1200;
const COLUMNS = 2;
const GAP = 16;
const CHART_W = (WIDTH - GAP * (COLUMNS + 1)) / COLUMNS;
const CHART_H = 270;
const M = { top: 34, right: 16, bottom: 36, left: 62 };
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"';

type D3 = typeof import('d3');

function num(x: number): string {
  return String(Math.round(x * 10) / 10);
}

interface Placed {
  d: ChartSeries;
  raw: Line;
  run: PageRun;
  map: StepMap;
  rawX: Float64Array;
  smX: Float64Array;
  sm: Float64Array;
}

function chartSvg(d3: D3, chart: ModelChart, data: CompareModel, ox: number, oy: number): string {
  const runs = data.runs;
  const w = chart.smooth === false ? 0 : data.options.smoothing;
  const log = chart.log;
  const mapping = axisMapping(chart, runs, data.options.x, chart.series);
  const placed: Placed[] = [];
  const unplaced: string[] = [];
  for (const d of chart.series) {
    const map = mapping.mapFor(d);
    if (!map) {
      unplaced.push(runs[d.run].name);
      continue;
    }
    const sm = smoothedLine(d, w);
    const raw = rawLine(d);
    placed.push({ d, raw, run: runs[d.run], map, rawX: mapLine(raw.steps, map), smX: mapLine(sm.steps, map), sm: sm.values });
  }
  const ys: number[] = [];
  for (const p of placed) for (const v of p.raw.values) if (Number.isFinite(v) && (!log || v > 0)) ys.push(v);
  const [x0, x1] = xExtent(placed.map((p) => p.rawX));
  const innerW = CHART_W - M.left - M.right;
  const innerH = CHART_H - M.top - M.bottom;
  const yd = valueDomain(ys, log, data.options.ignoreOutliers) ?? (log ? [1e-3, 1] : [0, 1]);
  const sx = mapping.time ? d3.scaleUtc().domain([x0, x1]).range([0, innerW]) : d3.scaleLinear().domain([x0, x1]).range([0, innerW]);
  const sy = log ? d3.scaleLog().domain(yd).range([innerH, 0]) : d3.scaleLinear().domain(yd).range([innerH, 0]).nice(5);
  const fx = (v: number) => sx(v) as number;
  const fy = (v: number) => sy(v) as number;
  const out: string[] = [];
  const clip = `clip-${xmlAttr(String(data.charts.indexOf(chart)))}`;
  out.push(`<g transform="translate(${num(ox)},${num(oy)})">`);
  out.push(`<rect width="${num(CHART_W)}" height="${CHART_H}" rx="8" fill="#fff" stroke="#e4e7ec"/>`);
  const caption = [mapping.note, unplaced.length ? `not on this axis: ${unplaced.join(', ')}` : ''].filter(Boolean).join(' · ');
  out.push(
    `<text x="12" y="20" font-size="13" font-weight="600" fill="#1d2430">${xmlText(chart.tag)}${log ? ' <tspan font-weight="400" fill="#667085">(log)</tspan>' : ''}</text>`,
  );
  if (caption) out.push(`<text x="${num(CHART_W - 12)}" y="20" font-size="11" fill="#667085" text-anchor="end">${xmlText(caption)}</text>`);
  out.push(`<g transform="translate(${M.left},${M.top})">`);
  out.push(`<clipPath id="${clip}"><rect x="-2" y="-4" width="${num(innerW + 4)}" height="${innerH + 8}"/></clipPath>`);
  // y grid and labels
  let yTicks = (sy.ticks(5) as number[]).filter((t) => Number.isFinite(t));
  if (log && Math.log10(yd[1] / yd[0]) >= 2) {
    yTicks = yTicks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
    const every = Math.ceil(yTicks.length / 7);
    yTicks = yTicks.filter((_, i) => i % every === 0);
  }
  const yFormat = log ? (v: number) => logLabel(v, d3.format('.2~g')) : (sy as ReturnType<D3['scaleLinear']>).tickFormat(5);
  for (const t of yTicks) {
    const y = num(fy(t));
    out.push(`<line x1="0" x2="${num(innerW)}" y1="${y}" y2="${y}" stroke="#eef0f3"/>`);
    out.push(`<text x="-6" y="${y}" dy="0.32em" font-size="11" fill="#667085" text-anchor="end">${xmlText(yFormat(t))}</text>`);
  }
  // x axis
  out.push(`<line x1="0" x2="${num(innerW)}" y1="${innerH}" y2="${innerH}" stroke="#c9ced6"/>`);
  const count = Math.max(2, Math.round(innerW / 95));
  const xTicks = (sx.ticks(count) as (number | Date)[]).map(Number);
  const xFormat = mapping.time
    ? (v: number) => (sx as ReturnType<D3['scaleUtc']>).tickFormat(count)(new Date(v))
    : data.options.x === 'step' || data.options.x === 'samples'
      ? d3.format('~s')
      : d3.format('~g');
  for (const t of xTicks) {
    const x = num(fx(t));
    out.push(`<line x1="${x}" x2="${x}" y1="${innerH}" y2="${innerH + 5}" stroke="#c9ced6"/>`);
    out.push(`<text x="${x}" y="${innerH + 17}" font-size="11" fill="#667085" text-anchor="middle">${xmlText(xFormat(t))}</text>`);
  }
  out.push(`<text x="${num(innerW)}" y="${innerH + 31}" font-size="11" fill="#667085" text-anchor="end">${xmlText(mapping.label)}</text>`);
  out.push(`<g clip-path="url(#${clip})" fill="none">`);
  const tx = affineOf(sx, false);
  const ty = affineOf(sy, log);
  const bounds = plotBounds(innerW, innerH);
  for (const p of placed) {
    const dense = p.raw.values.length / innerW > 2;
    out.push(`<path d="${envelopePath(p.rawX, p.raw.values, tx, ty, bounds)}" stroke="${p.run.color}" stroke-width="1" opacity="${dense ? 0.14 : 0.28}"/>`);
  }
  for (const p of placed) {
    const d = envelopePath(p.smX, p.sm, tx, ty, bounds);
    out.push(`<path d="${d}" stroke="#fff" stroke-width="3.6" stroke-opacity="0.75" stroke-linejoin="round"/>`);
    out.push(
      `<path d="${d}" stroke="${p.run.color}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"><title>${xmlText(p.run.name)}</title></path>`,
    );
  }
  // NaN at the previous smoothed value (TensorBoard's place), ±Inf on the edges
  for (const p of placed) {
    if (p.d.nonFinite === 0) continue;
    const marks: { x: number; kind: string; y: number }[] = [];
    if (!p.d.buckets) {
      for (const m of nonFiniteMarkers(p.rawX, p.raw.values, x0, x1, Math.round(innerW / 6))) {
        let prev = NaN;
        for (let i = m.index - 1; i >= 0; i--)
          if (Number.isFinite(p.sm[i])) {
            prev = p.sm[i];
            break;
          }
        marks.push({ x: m.x, kind: m.kind, y: prev });
      }
    } else {
      for (const [b, code, , step] of p.d.buckets.nonFinite) {
        let prev = NaN;
        for (let j = b - 1; j >= 0; j--)
          if (Number.isFinite(p.sm[j])) {
            prev = p.sm[j];
            break;
          }
        marks.push({ x: p.map(step, b), kind: ['nan', 'inf', '-inf'][code], y: prev });
      }
    }
    let lastPx = -Infinity;
    for (const m of marks) {
      const px = fx(m.x);
      if (!Number.isFinite(px) || px - lastPx < 6) continue;
      lastPx = px;
      const py =
        m.kind === 'inf'
          ? 4
          : m.kind === '-inf'
            ? innerH - 4
            : Number.isFinite(m.y) && (!log || m.y > 0)
              ? Math.max(4, Math.min(innerH - 4, fy(m.y)))
              : innerH / 2;
      const tri =
        m.kind === '-inf'
          ? `M${num(px - 4)},${num(py - 3)}L${num(px + 4)},${num(py - 3)}L${num(px)},${num(py + 4)}Z`
          : `M${num(px - 4)},${num(py + 3)}L${num(px + 4)},${num(py + 3)}L${num(px)},${num(py - 4)}Z`;
      out.push(`<path d="${tri}" fill="${p.run.color}" stroke="#101828" stroke-width="0.8"/>`);
    }
  }
  out.push('</g>');
  // findings on this tag
  let slot = 0;
  for (const p of placed) {
    for (const f of p.run.findings) {
      // Problems and restarts belong on the curve; notices such as too little data do not.
      if (f.tag !== chart.tag || f.step === null || (f.severity === 'notice' && f.kind !== 'restart')) continue;
      let idx = 0;
      while (idx + 1 < p.d.steps.length && p.d.steps[idx] < f.step) idx++;
      const px = fx(p.map(f.step, idx));
      if (!Number.isFinite(px) || px < 0 || px > innerW) continue;
      const color = f.severity === 'error' ? '#c4320a' : f.severity === 'warning' ? '#b54708' : '#475467';
      out.push(`<line x1="${num(px)}" x2="${num(px)}" y1="0" y2="${innerH}" stroke="${p.run.color}" stroke-width="1.2" stroke-dasharray="4 3"/>`);
      const right = px > innerW - 80;
      out.push(
        `<text x="${num(px + (right ? -4 : 4))}" y="${10 + 12 * (slot++ % 4)}" font-size="10.5" font-weight="600" fill="${color}" text-anchor="${right ? 'end' : 'start'}">${xmlText(f.kind === 'nan_loss' ? 'NaN' : f.kind)}</text>`,
      );
    }
  }
  out.push('</g></g>');
  return out.join('');
}

/** Static charts for a README or an issue: legend, then every chart in a two-column grid. */
export async function renderCompareSvg(data: CompareModel): Promise<string> {
  const d3 = await import('d3');
  const parts: string[] = [];
  // legend rows, wrapped by an estimate of text width
  const legend: string[] = [];
  let lx = GAP;
  let ly = 74;
  for (const r of data.runs) {
    const label = r.batch ? `${r.name} (batch ${r.batch})` : r.name;
    const wItem = 28 + label.length * 6.6 + 18;
    if (lx + wItem > WIDTH - GAP && lx > GAP) {
      lx = GAP;
      ly += 20;
    }
    legend.push(
      `<rect x="${num(lx)}" y="${ly - 6}" width="18" height="4" rx="2" fill="${r.color}"/><text x="${num(lx + 24)}" y="${ly}" font-size="12" fill="#1d2430">${xmlText(label)}</text>`,
    );
    lx += wItem;
  }
  let y = ly + 18;
  const axisName = { step: 'step', samples: 'samples seen', epoch: 'epoch', relative: 'relative time', wall: 'wall time' }[data.options.x];
  data.charts.forEach((chart, i) => {
    const col = i % COLUMNS;
    if (i > 0 && col === 0) y += CHART_H + GAP;
    parts.push(chartSvg(d3, chart, data, GAP + col * (CHART_W + GAP), y));
  });
  const height = data.charts.length > 0 ? y + CHART_H + GAP : y + GAP;
  const subtitle = `${data.runs.length} runs · x: ${axisName} · smoothing ${data.options.smoothing} (TensorBoard's) · ${data.generator}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${num(height)}" viewBox="0 0 ${WIDTH} ${num(height)}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#f6f7f9"/>`,
    `<text x="${GAP}" y="28" font-size="18" font-weight="650" fill="#1d2430">${xmlText(data.title)}</text>`,
    `<text x="${GAP}" y="48" font-size="12" fill="#667085">${xmlText(subtitle)}</text>`,
    ...legend,
    ...parts,
    '</svg>\n',
  ].join('');
}
