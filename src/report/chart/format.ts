/** Text for axis labels and table cells, the same on the page, in the SVG and in Markdown. */

/** `1e-4` for powers of ten on log axes; other values through `other` (d3's `.2~g`, passed in so this module needs no d3). */
export function logLabel(v: number, other: (v: number) => string): string {
  const e = Math.round(Math.log10(v));
  if (Math.abs(Math.log10(v) - e) < 1e-9) return e === 0 ? '1' : e === 1 ? '10' : `1e${e}`;
  return other(v);
}

/** `42 s`, `17 min`, `3 h 05 min`; `—` when unknown. */
export function formatDuration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  const h = Math.floor(s / 3600);
  return `${h} h ${String(Math.round((s - h * 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * One format for a whole table column, so its numbers line up: fixed decimals giving the smallest
 * value 4 significant digits when every value is in 1e-3 … 1e5, else the same exponent form for all
 * (`2.50e-5`). NaN/±Inf as such.
 */
export function columnFormat(values: Iterable<number | null | undefined>): (v: number) => string {
  let decimals = 0;
  let exponent = false;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v) || v === 0) continue;
    const a = Math.abs(v);
    if (a < 1e-3 || a >= 1e5) exponent = true;
    else decimals = Math.max(decimals, Math.min(6, 3 - Math.floor(Math.log10(a))));
  }
  return (v) => {
    if (!Number.isFinite(v)) return String(v);
    return exponent ? v.toExponential(2).replace('e+', 'e') : v.toFixed(decimals);
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Wall-time tick labels in 24-hour UTC: `14:05` (`14:05:30` when a tick falls inside a minute), with
 * the date in front (`Dec 2 14:05`) on the first tick and wherever the day changes.
 */
export function wallTickLabels(ms: number[]): string[] {
  const two = (n: number) => String(n).padStart(2, '0');
  const seconds = ms.some((t) => Number.isFinite(t) && new Date(t).getUTCSeconds() !== 0);
  let day = '';
  return ms.map((t) => {
    if (!Number.isFinite(t) || Math.abs(t) > 8.64e15) return '';
    const d = new Date(t);
    const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}${seconds ? `:${two(d.getUTCSeconds())}` : ''}`;
    const today = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
    const label = today !== day ? `${today} ${time}` : time;
    day = today;
    return label;
  });
}
