// @ts-check
// Page data → arrays the charts draw: decoding the embedded columns, raw and smoothed polylines in
// step space, NaN/Inf markers, and the mapping of a step onto each x-axis.

/** @typedef {{ r: [number, number, number][] } | { f32: string } | { f64: string }} Column */

/**
 * @param {any} c
 * @returns {Float64Array}
 */
function decodeColumn(c) {
  if (c.r) {
    let total = 0;
    for (const r of c.r) total += r[2];
    const out = new Float64Array(total);
    let k = 0;
    for (const r of c.r) for (let i = 0; i < r[2]; i++) out[k++] = r[0] + i * r[1];
    return out;
  }
  const text = c.f32 !== undefined ? c.f32 : c.f64;
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return c.f32 !== undefined ? Float64Array.from(new Float32Array(bytes.buffer)) : new Float64Array(bytes.buffer);
}

/**
 * @typedef {object} Prepared
 * @property {number} run
 * @property {number} n
 * @property {number} nonFinite
 * @property {boolean} constant
 * @property {'points'|'buckets'} kind
 * @property {Float64Array} steps
 * @property {Float64Array} [values]
 * @property {Float64Array} [finite]
 * @property {Float64Array} [mean]
 * @property {Float64Array} [stepA]
 * @property {Float64Array} [valueA]
 * @property {Float64Array} [stepB]
 * @property {Float64Array} [valueB]
 * @property {[number, number, number, number][]} [nfb]
 * @property {Float64Array} [seconds]
 * @property {{ raw?: Line, smoothed?: Map<number, Line>, markers?: Map<number, Marker[]> }} cache
 */

/** @typedef {{ steps: Float64Array, values: Float64Array, index: Int32Array | null }} Line */
/** @typedef {{ step: number, index: number, kind: 'nan'|'inf'|'-inf', count: number, y: number }} Marker */

/** @param {any} s @returns {Prepared} */
function prepareSeries(s) {
  /** @type {Prepared} */
  const p = { run: s.run, n: s.n, nonFinite: s.nonFinite, constant: s.constant, kind: s.kind, steps: decodeColumn(s.steps), cache: {} };
  if (s.kind === 'points') p.values = decodeColumn(s.values);
  else {
    p.finite = decodeColumn(s.finite);
    p.mean = decodeColumn(s.mean);
    p.stepA = decodeColumn(s.stepA);
    p.valueA = decodeColumn(s.valueA);
    p.stepB = decodeColumn(s.stepB);
    p.valueB = decodeColumn(s.valueB);
    p.nfb = s.nonFiniteBuckets || [];
  }
  if (s.seconds) p.seconds = decodeColumn(s.seconds);
  return p;
}

/** The faint line: every point, or each bucket's two extremes in the order they occurred. @param {Prepared} p @returns {Line} */
function rawLine(p) {
  if (p.cache.raw) return p.cache.raw;
  let line;
  if (p.kind === 'points') {
    line = { steps: p.steps, values: /** @type {Float64Array} */ (p.values), index: null };
  } else {
    const k = p.steps.length;
    const steps = [];
    const values = [];
    for (let b = 0; b < k; b++) {
      if (!(/** @type {Float64Array} */ (p.finite)[b] > 0)) {
        steps.push(p.steps[b]);
        values.push(NaN);
        continue;
      }
      steps.push(/** @type {Float64Array} */ (p.stepA)[b], /** @type {Float64Array} */ (p.stepB)[b]);
      values.push(/** @type {Float64Array} */ (p.valueA)[b], /** @type {Float64Array} */ (p.valueB)[b]);
    }
    line = { steps: Float64Array.from(steps), values: Float64Array.from(values), index: null };
  }
  p.cache.raw = line;
  return line;
}

/** The strong line at smoothing weight w (TensorBoard's, see smoothing.js). @param {Prepared} p @param {number} w @returns {Line} */
function smoothedLine(p, w) {
  if (!p.cache.smoothed) p.cache.smoothed = new Map();
  const hit = p.cache.smoothed.get(w);
  if (hit) return hit;
  const values =
    p.kind === 'points'
      ? tbSmooth(/** @type {Float64Array} */ (p.values), w)
      : tbSmoothBuckets(/** @type {Float64Array} */ (p.mean), /** @type {Float64Array} */ (p.finite), w, p.constant);
  const line = { steps: p.steps, values, index: null };
  if (p.cache.smoothed.size > 8) p.cache.smoothed.clear();
  p.cache.smoothed.set(w, line);
  return line;
}

/**
 * Every NaN/±Inf point (a bucket's count for summarised series), placed at the smoothed line's
 * previous finite value as TensorBoard places its triangles.
 * @param {Prepared} p @param {number} w @returns {Marker[]}
 */
function nonFiniteMarkers(p, w) {
  if (p.nonFinite === 0) return [];
  if (!p.cache.markers) p.cache.markers = new Map();
  const hit = p.cache.markers.get(w);
  if (hit) return hit;
  const sm = smoothedLine(p, w).values;
  /** @type {Marker[]} */
  const out = [];
  const kinds = /** @type {const} */ (['nan', 'inf', '-inf']);
  if (p.kind === 'points') {
    const v = /** @type {Float64Array} */ (p.values);
    let prev = NaN;
    for (let i = 0; i < v.length; i++) {
      if (Number.isFinite(v[i])) {
        prev = sm[i];
        continue;
      }
      out.push({ step: p.steps[i], index: i, kind: v[i] === Infinity ? 'inf' : v[i] === -Infinity ? '-inf' : 'nan', count: 1, y: prev });
    }
  } else {
    for (const [b, code, count, step] of /** @type {[number, number, number, number][]} */ (p.nfb)) {
      let prev = sm[b];
      for (let j = b - 1; j >= 0; j--) {
        if (Number.isFinite(sm[j])) {
          prev = sm[j];
          break;
        }
      }
      out.push({ step, index: -1, kind: kinds[code], count, y: prev });
    }
  }
  if (p.cache.markers.size > 8) p.cache.markers.clear();
  p.cache.markers.set(w, out);
  return out;
}

/**
 * Linear interpolation through a run's clock knots `[step, seconds, …]`, extended along the end segments.
 * @param {number[]} knots @param {number} step
 */
function clockAt(knots, step) {
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

/**
 * How a chart puts its points on the chosen x-axis: a label, the scale kind, and per run a function
 * of (step, point index) → x, or null when that run cannot be placed (said in the chart's note).
 * @param {any} chart @param {any[]} runs @param {string} axis
 * @returns {{ label: string, time: boolean, unit: number, note: string, mapFor: (p: Prepared) => ((step: number, i: number) => number) | null }}
 */
function axisFor(chart, runs, axis) {
  const members = chart.series.map((/** @type {any} */ s) => runs[s.run]);
  const allSpe = members.every((/** @type {any} */ r) => r.stepsPerEpoch);
  if (chart.epochIndexed) {
    const relative = (/** @type {Prepared} */ p) => {
      const r = runs[p.run];
      if (p.seconds) {
        const sec = p.seconds;
        return (/** @type {number} */ _s, /** @type {number} */ i) => sec[i];
      }
      if (r.stepsPerEpoch && r.clock.length) return (/** @type {number} */ s) => clockAt(r.clock, s * r.stepsPerEpoch);
      return null;
    };
    if (axis === 'relative' || axis === 'wall') {
      const unit = timeUnit(chart, runs, relative);
      return {
        label: axis === 'wall' ? 'wall time' : `time since start (${unit.name})`,
        time: axis === 'wall',
        unit: unit.seconds,
        note: 'logged once per epoch',
        mapFor: (p) => {
          const f = relative(p);
          const r = runs[p.run];
          if (!f || r.start === null) return null;
          return axis === 'wall' ? (s, i) => (r.start + f(s, i)) * 1000 : (s, i) => f(s, i) / unit.seconds;
        },
      };
    }
    if (axis === 'epoch' || !allSpe) {
      return { label: 'epoch', time: false, unit: 1, note: axis === 'epoch' ? 'logged once per epoch' : 'logged once per epoch; steps per epoch unknown, so on the epoch axis', mapFor: () => (s) => s };
    }
    if (axis === 'samples') {
      return { label: 'samples seen (end of epoch)', time: false, unit: 1, note: 'logged once per epoch', mapFor: (p) => { const r = runs[p.run]; return (s) => s * r.stepsPerEpoch * (r.batch || 1); } };
    }
    return { label: 'step (end of epoch)', time: false, unit: 1, note: 'logged once per epoch', mapFor: (p) => { const r = runs[p.run]; return (s) => s * r.stepsPerEpoch; } };
  }
  switch (axis) {
    case 'samples':
      return { label: 'samples seen (step × batch)', time: false, unit: 1, note: '', mapFor: (p) => { const b = runs[p.run].batch || 1; return (s) => s * b; } };
    case 'epoch':
      return { label: 'epoch', time: false, unit: 1, note: '', mapFor: (p) => { const e = runs[p.run].stepsPerEpoch; return e ? (s) => s / e : null; } };
    case 'relative':
    case 'wall': {
      const relative = (/** @type {Prepared} */ p) => { const r = runs[p.run]; return r.clock.length ? (/** @type {number} */ s) => clockAt(r.clock, s) : null; };
      const unit = timeUnit(chart, runs, relative);
      return {
        label: axis === 'wall' ? 'wall time' : `time since start (${unit.name})`,
        time: axis === 'wall',
        unit: unit.seconds,
        note: '',
        mapFor: (p) => {
          const f = relative(p);
          const r = runs[p.run];
          if (!f || r.start === null) return null;
          return axis === 'wall' ? (s) => (r.start + f(s)) * 1000 : (s) => f(s) / unit.seconds;
        },
      };
    }
    default:
      return { label: 'step', time: false, unit: 1, note: '', mapFor: () => (s) => s };
  }
}

/** Seconds, minutes or hours, by the longest run on the chart. */
function timeUnit(/** @type {any} */ chart, /** @type {any[]} */ runs, /** @type {(p: Prepared) => any} */ relative) {
  let longest = 0;
  for (const p of chart.prepared) {
    const f = relative(p);
    if (!f || p.steps.length === 0) continue;
    const last = p.steps.length - 1;
    longest = Math.max(longest, f(p.steps[last], last));
  }
  if (longest < 120) return { name: 's', seconds: 1 };
  if (longest < 2 * 3600) return { name: 'min', seconds: 60 };
  if (longest < 3 * 86400) return { name: 'h', seconds: 3600 };
  return { name: 'days', seconds: 86400 };
}
