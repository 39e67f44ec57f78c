/**
 * Lines as SVG paths in pixel space, shared by the page and the SVG renderer.
 */

/** px = a·x + b; for y on a log axis py = a·ln(y) + b. */
export interface Affine {
  a: number;
  b: number;
  log?: boolean;
}

/**
 * A line as an SVG path in pixels with at most two points per pixel column: the column's lowest
 * and highest point in the order they occurred, or one point where the column is flat (< 0.75 px),
 * so a one-point spike survives any zoom-out and a long series costs no more than the chart's width.
 * NaN/±Inf (and values ≤ 0 on a log axis) break the line; an isolated point becomes a dot (`l0,0`).
 * Coordinates are clamped to `bounds` (the plot plus a margin, see PLOT_MARGIN): a finite value far
 * outside the domain (±3.4e38) would otherwise give a coordinate like -5.67e41, which Chromium
 * rejects, and the line would stop drawing there.
 */
export function envelopePath(xs: ArrayLike<number>, ys: ArrayLike<number>, tx: Affine, ty: Affine, bounds?: Bounds): string {
  const log = ty.log === true;
  const [xlo, xhi] = bounds?.x ?? [-Infinity, Infinity];
  const [ylo, yhi] = bounds?.y ?? [-Infinity, Infinity];
  let out = '';
  let pen = false;
  let col = NaN;
  let count = 0;
  let px0 = 0;
  let lo = 0;
  let hi = 0;
  let loAt = 0;
  let hiAt = 0;
  let lastY = 0;
  let k = 0;
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
    if (!Number.isFinite(y) || !Number.isFinite(xv) || (log && y <= 0)) {
      flush();
      pen = false;
      col = NaN;
      continue;
    }
    const px = clamp(tx.a * xv + tx.b, xlo, xhi);
    const py = clamp(ty.a * (log ? Math.log(y) : y) + ty.b, ylo, yhi);
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
      if (py < lo) {
        lo = py;
        loAt = k;
      }
      if (py > hi) {
        hi = py;
        hiAt = k;
      }
    }
    lastY = py;
    count++;
  }
  flush();
  return out;
}

/** Pixel ranges a path's coordinates are clamped to. */
export interface Bounds {
  x: [number, number];
  y: [number, number];
}

/**
 * How far outside the plot a coordinate may go, in plot sizes. The clip path hides it anyway; clamping
 * bends a segment that leaves the plot, and with 10 plot sizes the bend inside the plot is under a
 * tenth of a pixel per pixel of segment width.
 */
export const PLOT_MARGIN = 10;

/** The plot of `width` × `height` pixels with PLOT_MARGIN plot sizes around it. */
export function plotBounds(width: number, height: number): Bounds {
  return { x: [-PLOT_MARGIN * width, (PLOT_MARGIN + 1) * width], y: [-PLOT_MARGIN * height, (PLOT_MARGIN + 1) * height] };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** The affine form of a d3 linear/time scale, or of a log scale over ln(v). */
export function affineOf(scale: { domain(): (number | Date)[]; range(): number[] }, log: boolean): Affine {
  const [d0, d1] = scale.domain().map(Number);
  const [r0, r1] = scale.range();
  const f = log ? Math.log : (v: number) => v;
  const a = (r1 - r0) / (f(d1) - f(d0) || 1);
  return { a, b: r0 - a * f(d0), log };
}
