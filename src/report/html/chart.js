// @ts-check
// One chart: scales, axes, faint raw and strong smoothed lines (or group means with a min–max band),
// NaN/Inf markers, finding markers, and the hover tooltip.
/* global d3 */

const CHART_HEIGHT = 250;
const MARGIN = { top: 16, right: 16, bottom: 34, left: 60 };

/**
 * A line as an SVG path in pixel space with at most two points per pixel column: the column's lowest
 * and highest point in the order they occurred (one point where the column is flat), so a spike
 * survives any zoom-out and a dense series costs no more than the chart's width. NaN/Inf (and,
 * on a log axis, values ≤ 0) break the line; an isolated point becomes a dot.
 * @param {Float64Array} xs data x per point (NaN: not placeable)
 * @param {Float64Array} ys data y per point
 * @param {{ a: number, b: number }} tx px = a·x + b
 * @param {{ a: number, b: number, log: boolean }} ty py = a·y + b (or a·ln y + b)
 */
function pixelPath(xs, ys, tx, ty) {
  const ax = tx.a, bx = tx.b, ay = ty.a, by = ty.b, log = ty.log;
  let out = '';
  let pen = false;
  let col = NaN;
  let count = 0;
  let px0 = 0, lo = 0, hi = 0, loAt = 0, hiAt = 0, lastY = 0, k = 0;
  const flush = () => {
    if (count === 0) return;
    // Whole pixels for x (columns are a pixel wide anyway), tenths for y: short strings, fast to build.
    const x = Math.round(px0);
    if (count === 1 || hi - lo < 0.75) {
      out += (pen ? 'L' : 'M') + x + ',' + Math.round(lastY * 10) / 10;
      if (!pen && count === 1) out += 'l0,0';
    } else {
      const first = loAt < hiAt ? lo : hi;
      const second = loAt < hiAt ? hi : lo;
      out += (pen ? 'L' : 'M') + x + ',' + Math.round(first * 10) / 10 + 'L' + x + ',' + Math.round(second * 10) / 10;
    }
    pen = true;
    count = 0;
  };
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    const xv = xs[i];
    if (!(y - y === 0) || !(xv - xv === 0) || (log && y <= 0)) {
      flush();
      pen = false;
      col = NaN;
      continue;
    }
    const px = ax * xv + bx;
    const py = ay * (log ? Math.log(y) : y) + by;
    const c = Math.floor(px);
    if (c !== col) {
      flush();
      col = c;
    }
    if (count === 0) {
      px0 = px;
      lo = hi = py;
      loAt = hiAt = k = 0;
    } else {
      k++;
      if (py < lo) (lo = py), (loAt = k);
      if (py > hi) (hi = py), (hiAt = k);
    }
    lastY = py;
    count++;
  }
  flush();
  return out;
}

/** The affine form of a d3 linear/time scale, or of a log scale over ln(v). @param {any} scale @param {boolean} log */
function affine(scale, log) {
  const [d0, d1] = scale.domain().map(Number);
  const [r0, r1] = scale.range();
  const f = log ? Math.log : (/** @type {number} */ v) => v;
  const a = (r1 - r0) / (f(d1) - f(d0) || 1);
  return { a, b: r0 - a * f(d0), log };
}

/** @param {Float64Array} xs @param {number} x nearest index in an ascending array */
function nearestIndex(xs, x) {
  let lo = 0;
  let hi = xs.length - 1;
  if (hi < 0) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[hi] - x) < Math.abs(xs[lo] - x) ? hi : lo;
}

/** @param {Float64Array} steps @param {number} step */
function indexOfStep(steps, step) {
  return nearestIndex(steps, step);
}

/** @param {Float64Array} a @param {(s: number, i: number) => number} map @param {Int32Array | null} index */
function mapSteps(a, map, index) {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = map(a[i], index ? index[i] : i);
  return out;
}

/**
 * @param {number[]} values finite, visible values
 * @param {boolean} log @param {boolean} ignoreOutliers
 * @returns {[number, number] | null}
 */
function yDomain(values, log, ignoreOutliers) {
  if (values.length === 0) return null;
  let lo, hi;
  // Log axes already tame outliers, and a learning rate's decay tail is what one wants to see there.
  if (ignoreOutliers && !log && values.length > 20) {
    // TensorBoard's ignoreOutliers: the sorted values at ceil((n−1)·5 %) and floor((n−1)·95 %).
    const sorted = Float64Array.from(values).sort();
    lo = sorted[Math.ceil((sorted.length - 1) * 0.05)];
    hi = sorted[Math.floor((sorted.length - 1) * 0.95)];
  } else {
    lo = Infinity;
    hi = -Infinity;
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

/** `1e-4` on log axes (powers of ten), short numbers elsewhere. @param {number} v */
function logLabel(v) {
  const e = Math.round(Math.log10(v));
  if (Math.abs(Math.log10(v) - e) < 1e-9) return e === 0 ? '1' : e === 1 ? '10' : `1e${e}`;
  return d3.format('.2~g')(v);
}

const FINDING_LABEL = /** @type {Record<string, string>} */ ({ nan_loss: 'NaN', explosion: 'explosion', restart: 'restart', flat: 'flat', lr_schedule: 'lr', step_collapse: 'steps', overfitting: 'overfit' });

/** @param {number} v */
function fmtValue(v) {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

/**
 * Draws (or redraws) one chart into its figure.
 * @param {any} view { chart, fig, svg, note, logButton }
 * @param {any} state
 * @param {any} DATA
 */
function drawChart(view, state, DATA) {
  const chart = view.chart;
  const runs = DATA.runs;
  const width = Math.max(260, (view.width || view.fig.clientWidth) - 24);
  const height = CHART_HEIGHT;
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = height - MARGIN.top - MARGIN.bottom;
  const log = state.log.has(chart.tag) ? state.log.get(chart.tag) : chart.log;
  view.logButton.setAttribute('aria-pressed', String(log));
  const axis = axisFor(chart, runs, state.x);
  const w = state.smoothing;

  /** Series that can be placed on this axis, with their x arrays. */
  const placed = [];
  const unplaced = [];
  for (const p of chart.prepared) {
    const map = axis.mapFor(p);
    if (!map) {
      unplaced.push(runs[p.run].name);
      continue;
    }
    const raw = rawLine(p);
    const sm = smoothedLine(p, w);
    placed.push({
      p,
      run: runs[p.run],
      map,
      hidden: state.hidden.has(p.run),
      rawX: mapSteps(raw.steps, map, raw.index),
      raw,
      smX: raw.steps === sm.steps ? null : mapSteps(sm.steps, map, sm.index),
      sm,
    });
  }
  for (const e of placed) if (!e.smX) e.smX = e.rawX;
  const visible = placed.filter((e) => !e.hidden);
  const grouped = state.groupBy ? groupLines(visible, state.groupBy, runs) : null;

  // x domain over visible (or all) placed series
  let x0 = Infinity;
  let x1 = -Infinity;
  for (const e of visible.length ? visible : placed) {
    for (const arr of [e.rawX, /** @type {Float64Array} */ (e.smX)]) {
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i];
        if (v < x0) x0 = v;
        if (v > x1) x1 = v;
      }
    }
  }
  if (!(x1 >= x0)) (x0 = 0), (x1 = 1);
  if (x0 === x1) (x0 -= 1), (x1 += 1);

  // y domain: the values drawn (raw when shown, TensorBoard-like), finite and, on log, positive
  const yKey = [log, state.ignoreOutliers, state.showRaw && !grouped ? 'raw' : 'sm' + w, visible.map((e) => e.p.run).join(','), state.groupBy].join('|');
  if (view.yKey !== yKey) {
    const ys = [];
    for (const e of visible) {
      const arr = state.showRaw && !grouped ? e.raw.values : e.sm.values;
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i];
        if (Number.isFinite(v) && (!log || v > 0)) ys.push(v);
      }
    }
    view.yDomain = yDomain(ys, log, state.ignoreOutliers);
    view.yKey = yKey;
  }
  const yd = view.yDomain || (log ? [1e-3, 1] : [0, 1]);

  const sx = axis.time ? d3.scaleUtc().domain([x0, x1]).range([0, innerW]) : d3.scaleLinear().domain([x0, x1]).range([0, innerW]);
  const sy = (log ? d3.scaleLog() : d3.scaleLinear()).domain(yd).range([innerH, 0]);
  if (!log) sy.nice(5);

  const svg = view.svg;
  svg.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);
  svg.selectAll('*').remove();
  const clipId = view.clipId;
  svg.append('defs').append('clipPath').attr('id', clipId).append('rect').attr('x', -2).attr('y', -4).attr('width', innerW + 4).attr('height', innerH + 8);
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);

  // grid and axes
  const yTicks = log ? logTicks(sy) : sy.ticks(5);
  g.append('g').attr('class', 'gridline').call(d3.axisLeft(sy).tickValues(yTicks).tickSize(-innerW).tickFormat(() => ''));
  const yAxis = d3.axisLeft(sy).tickValues(yTicks).tickFormat((/** @type {any} */ v) => (log ? logLabel(v) : sy.tickFormat(5)(v)));
  g.append('g').attr('class', 'axis').call(yAxis);
  const xTicks = Math.max(2, Math.round(innerW / 95));
  const xAxis = axis.time ? d3.axisBottom(sx).ticks(xTicks) : d3.axisBottom(sx).ticks(xTicks).tickFormat(d3.format('~s'));
  if (!axis.time && state.x !== 'step' && state.x !== 'samples') xAxis.tickFormat(d3.format('~g'));
  g.append('g').attr('class', 'axis').attr('transform', `translate(0,${innerH})`).call(xAxis);
  g.append('text').attr('class', 'axis-label').attr('x', innerW).attr('y', innerH + 30).attr('text-anchor', 'end').text(axis.label);

  const plot = g.append('g').attr('clip-path', `url(#${clipId})`);
  const fx = (/** @type {number} */ v) => sx(v);
  const fy = (/** @type {number} */ v) => sy(v);
  const tx = affine(sx, false);
  const ty = affine(sy, log);

  if (grouped) {
    for (const gl of grouped) {
      plot.append('path').attr('class', 'band').attr('data-group', gl.key).attr('fill', gl.color).attr('d', bandPath(gl, fx, fy, log));
      plot.append('path').attr('class', 'smoothed group-mean').attr('data-group', gl.key).attr('stroke', gl.color).attr('d', pixelPath(gl.xs, gl.mean, tx, ty));
    }
  } else {
    if (state.showRaw) {
      for (const e of placed) {
        // Dense noisy series (kohya's per-step loss) would be a solid wall at the usual opacity.
        const density = e.raw.values.length / innerW;
        plot.append('path').attr('class', 'raw').attr('data-run', e.run.name).attr('data-series', 'raw').attr('stroke', e.run.color)
          .attr('stroke-opacity', density > 2 ? 0.5 : null)
          .attr('display', e.hidden ? 'none' : null).attr('d', e.hidden ? '' : pixelPath(e.rawX, e.raw.values, tx, ty));
      }
    }
    const strong = placed.map((e) => (e.hidden ? '' : pixelPath(/** @type {Float64Array} */ (e.smX), e.sm.values, tx, ty)));
    // A light casing under each strong line keeps it readable over the raw noise of the others.
    placed.forEach((e, i) => {
      if (!e.hidden) plot.append('path').attr('class', 'casing').attr('d', strong[i]);
    });
    placed.forEach((e, i) => {
      plot.append('path').attr('class', 'smoothed').attr('data-run', e.run.name).attr('data-series', 'smoothed').attr('stroke', e.run.color)
        .attr('display', e.hidden ? 'none' : null).attr('d', strong[i]);
    });
    drawNonFinite(plot, visible, w, fx, fy, innerH, yd, log);
    drawFindings(g, visible, chart, DATA, fx, innerW, innerH);
  }

  if (placed.length === 0) g.append('text').attr('class', 'empty-chart').attr('x', innerW / 2).attr('y', innerH / 2).attr('text-anchor', 'middle').text('no run can be placed on this axis');
  const notes = [];
  if (axis.note) notes.push(axis.note);
  if (unplaced.length) notes.push(`not on this axis: ${unplaced.join(', ')}`);
  view.note.textContent = notes.join(' · ');

  // hover
  const hoverLine = g.append('line').attr('class', 'hover-line').attr('y1', 0).attr('y2', innerH).attr('display', 'none');
  const dots = g.append('g');
  const overlay = g.append('rect').attr('width', innerW).attr('height', innerH).attr('fill', 'transparent');
  const tip = /** @type {HTMLElement} */ (document.getElementById('tooltip'));
  overlay.on('mousemove', (/** @type {MouseEvent} */ ev) => {
    const [mx] = d3.pointer(ev);
    // A time scale inverts to a Date: x values here are numbers (epoch ms on the wall-time axis).
    const xv = Number(sx.invert(mx));
    const tol = Math.abs(Number(sx.invert(mx + 6)) - xv);
    hoverLine.attr('x1', mx).attr('x2', mx).attr('display', null);
    dots.selectAll('*').remove();
    const rows = [];
    if (grouped) {
      for (const gl of grouped) {
        const i = nearestIndex(gl.xs, xv);
        if (i < 0 || !Number.isFinite(gl.mean[i])) continue;
        rows.push({ color: gl.color, name: `${state.groupBy} = ${gl.key} (${gl.members} runs)`, a: fmtValue(gl.mean[i]), b: `${fmtValue(gl.min[i])} – ${fmtValue(gl.max[i])}`, c: '' });
        if (Number.isFinite(sy(gl.mean[i]))) dots.append('circle').attr('cx', sx(gl.xs[i])).attr('cy', sy(gl.mean[i])).attr('r', 3).attr('fill', gl.color);
      }
    } else {
      for (const e of visible) {
        const xs = /** @type {Float64Array} */ (e.smX);
        if (xs.length === 0 || xv < xs[0] - tol || xv > xs[xs.length - 1] + tol) continue;
        const i = nearestIndex(xs, xv);
        const smv = e.sm.values[i];
        let rawText;
        if (e.p.kind === 'points') rawText = fmtValue(e.raw.values[i]);
        else {
          const a = e.p.valueA[i];
          const b = e.p.valueB[i];
          rawText = Number.isFinite(a) ? `${fmtValue(e.p.mean[i])} (${fmtValue(Math.min(a, b))} – ${fmtValue(Math.max(a, b))})` : 'NaN';
        }
        rows.push({ color: e.run.color, name: e.run.name, a: fmtValue(smv), b: rawText, c: fmtValue(e.sm.steps[i]) });
        const cy = sy(smv);
        if (Number.isFinite(smv) && Number.isFinite(cy) && (!log || smv > 0)) dots.append('circle').attr('cx', sx(xs[i])).attr('cy', cy).attr('r', 3).attr('fill', e.run.color).attr('stroke', '#fff');
      }
    }
    showTooltip(tip, ev, `${axis.label}: ${axis.time ? new Date(xv).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : fmtValue(xv)}`, grouped ? ['', 'mean', 'min – max', ''] : ['', 'smoothed', 'raw', 'step'], rows);
  });
  overlay.on('mouseleave', () => {
    hoverLine.attr('display', 'none');
    dots.selectAll('*').remove();
    tip.hidden = true;
  });
}

/** Powers of ten when the range spans decades, else d3's log ticks. @param {any} sy */
function logTicks(sy) {
  const [a, b] = sy.domain();
  const decades = Math.log10(b / a);
  const ticks = sy.ticks(5);
  if (decades < 2) return ticks.filter((/** @type {number} */ _t, /** @type {number} */ i) => ticks.length <= 6 || i % Math.ceil(ticks.length / 6) === 0);
  const powers = ticks.filter((/** @type {number} */ t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  const step = Math.ceil(powers.length / 7);
  return powers.filter((/** @type {number} */ _t, /** @type {number} */ i) => i % step === 0);
}

/** NaN at the previous smoothed value (TensorBoard's place), +Inf on the top edge, −Inf on the bottom edge. */
function drawNonFinite(/** @type {any} */ plot, /** @type {any[]} */ visible, /** @type {number} */ w, /** @type {(v: number) => number} */ fx, /** @type {(v: number) => number} */ fy, /** @type {number} */ innerH, /** @type {number[]} */ yd, /** @type {boolean} */ log) {
  const tri = d3.symbol().type(d3.symbolTriangle).size(42)();
  for (const e of visible) {
    const markers = nonFiniteMarkers(e.p, w);
    if (markers.length === 0) continue;
    let lastPx = -Infinity;
    let lastKind = '';
    let pending = null;
    const out = [];
    for (const m of markers) {
      const idx = m.index >= 0 ? m.index : indexOfStep(e.p.steps, m.step);
      const px = fx(e.map(m.step, idx));
      if (!Number.isFinite(px)) continue;
      if (m.kind === lastKind && px - lastPx < 6 && pending) {
        pending.count += m.count;
        continue;
      }
      let py;
      if (m.kind === 'inf') py = 4;
      else if (m.kind === '-inf') py = innerH - 4;
      else {
        const y = m.y;
        py = Number.isFinite(y) && (!log || y > 0) ? fy(y) : innerH / 2;
        py = Math.max(4, Math.min(innerH - 4, py));
      }
      pending = { px, py, kind: m.kind, count: m.count, step: m.step };
      out.push(pending);
      lastPx = px;
      lastKind = m.kind;
    }
    for (const m of out) {
      const label = m.kind === 'nan' ? 'NaN' : m.kind === 'inf' ? '+Inf' : '−Inf';
      plot.append('path').attr('class', 'nonfinite').attr('data-run', e.run.name).attr('d', tri).attr('fill', e.run.color)
        .attr('transform', `translate(${m.px},${m.py})${m.kind === '-inf' ? ' rotate(180)' : ''}`)
        .append('title').text(`${e.run.name}: ${m.count} × ${label} from step ${m.step}`);
    }
  }
}

/** What belongs on a curve: problems (errors, warnings) and restarts; notices such as too little data do not. @param {any} f */
function onCurve(f) {
  return f.severity === 'error' || f.severity === 'warning' || f.kind === 'restart';
}

/** Findings with a step: a dashed rule with a label on their own tag, a faint rule on the run's other step-axis loss charts. */
function drawFindings(/** @type {any} */ g, /** @type {any[]} */ visible, /** @type {any} */ chart, /** @type {any} */ DATA, /** @type {(v: number) => number} */ fx, /** @type {number} */ innerW, /** @type {number} */ innerH) {
  const byTag = DATA.chartByTag;
  const layer = g.append('g');
  const labelled = new Set();
  let slot = 0;
  for (const e of visible) {
    for (const f of e.run.findings) {
      if (f.step === null || f.step === undefined || !f.tag || !onCurve(f)) continue;
      const own = f.tag === chart.tag;
      const other = byTag.get(f.tag);
      const fEpoch = other ? other.epochIndexed : /epoch/.test(f.tag);
      const related = !own && !fEpoch && !chart.epochIndexed && chart.group === 'loss' && /loss/i.test(f.tag);
      if (!own && !related) continue;
      const px = fx(e.map(f.step, indexOfStep(e.p.steps, f.step)));
      if (!Number.isFinite(px) || px < -1 || px > innerW + 1) continue;
      const sevColor = f.severity === 'error' ? '#c4320a' : f.severity === 'warning' ? '#b54708' : '#475467';
      const mark = layer.append('g').attr('class', own ? 'finding' : 'finding faint').attr('data-run', e.run.name).attr('data-kind', f.kind);
      mark.append('line').attr('x1', px).attr('x2', px).attr('y1', 0).attr('y2', innerH).attr('stroke', e.run.color);
      mark.append('title').text(`${e.run.name}: ${f.message}`);
      const label = `${FINDING_LABEL[f.kind] || f.kind}`;
      const key = `${label}@${Math.round(px / 4)}`;
      if (own && !labelled.has(key)) {
        labelled.add(key);
        const right = px > innerW - 80;
        mark.append('text').attr('x', px + (right ? -4 : 4)).attr('y', 10 + 12 * (slot++ % 4)).attr('text-anchor', right ? 'end' : 'start').attr('fill', sevColor).text(label);
      }
    }
  }
}

/**
 * Group mode: the visible runs sharing a hyper-parameter value drawn as the mean of their smoothed
 * lines with a min–max band, on a common grid over the group's x range (linear interpolation).
 * @param {any[]} visible @param {string} key @param {any[]} runs
 */
function groupLines(visible, key, runs) {
  /** @type {Map<string, any[]>} */
  const groups = new Map();
  for (const e of visible) {
    const v = e.run.params[key];
    const k = v === undefined ? '(unknown)' : v;
    if (!groups.has(k)) groups.set(k, []);
    /** @type {any[]} */ (groups.get(k)).push(e);
  }
  const out = [];
  const keys = [...groups.keys()].sort((a, b) => {
    const na = Number(a), nb = Number(b);
    return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
  });
  for (const k of keys) {
    const members = /** @type {any[]} */ (groups.get(k));
    let lo = Infinity, hi = -Infinity;
    for (const e of members) {
      if (e.smX.length === 0) continue;
      lo = Math.min(lo, e.smX[0]);
      hi = Math.max(hi, e.smX[e.smX.length - 1]);
    }
    if (!(hi >= lo)) continue;
    const G = 400;
    const xs = new Float64Array(G);
    const mean = new Float64Array(G).fill(NaN);
    const min = new Float64Array(G).fill(NaN);
    const max = new Float64Array(G).fill(NaN);
    for (let i = 0; i < G; i++) {
      const x = lo + ((hi - lo) * i) / (G - 1);
      xs[i] = x;
      let sum = 0, n = 0, a = Infinity, b = -Infinity;
      for (const e of members) {
        const v = interpolate(e.smX, e.sm.values, x);
        if (!Number.isFinite(v)) continue;
        sum += v; n++;
        if (v < a) a = v;
        if (v > b) b = v;
      }
      if (n > 0) {
        mean[i] = sum / n;
        min[i] = a;
        max[i] = b;
      }
    }
    out.push({ key: k, color: members[0].run.color, members: members.length, xs, mean, min, max });
  }
  return out;
}

/** @param {Float64Array} xs ascending @param {Float64Array} ys @param {number} x */
function interpolate(xs, ys, x) {
  const n = xs.length;
  if (n === 0 || x < xs[0] || x > xs[n - 1]) return NaN;
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (xs[hi] === xs[lo]) return ys[lo];
  const t = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

/** @param {any} gl @param {(v: number) => number} fx @param {(v: number) => number} fy @param {boolean} log */
function bandPath(gl, fx, fy, log) {
  /** @type {string[]} */
  const parts = [];
  /** @type {number[]} */
  let seg = [];
  const close = () => {
    if (seg.length > 1) {
      let d = '';
      seg.forEach((i, k) => (d += (k ? 'L' : 'M') + fx(gl.xs[i]).toFixed(1) + ',' + fy(gl.max[i]).toFixed(1)));
      for (let k = seg.length - 1; k >= 0; k--) d += 'L' + fx(gl.xs[seg[k]]).toFixed(1) + ',' + fy(gl.min[seg[k]]).toFixed(1);
      parts.push(d + 'Z');
    }
    seg = [];
  };
  for (let i = 0; i < gl.xs.length; i++) {
    if (Number.isFinite(gl.min[i]) && (!log || gl.min[i] > 0)) seg.push(i);
    else close();
  }
  close();
  return parts.join('');
}

/**
 * @param {HTMLElement} tip @param {MouseEvent} ev @param {string} head @param {string[]} cols
 * @param {{ color: string, name: string, a: string, b: string, c: string }[]} rows
 */
function showTooltip(tip, ev, head, cols, rows) {
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
