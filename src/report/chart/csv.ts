/** CSV text for a chart's download (RFC 4180), built in the page: no network, the data is already there. */

/**
 * One field. Text is quoted when it holds a comma, quote or line break; text a spreadsheet would run as
 * a formula (`=`, `+`, `-`, `@`, tab, CR first: a hostile run name) gets a leading `'`. Numbers are
 * written in full (JavaScript's shortest round-trip form); NaN and ±Infinity as such.
 */
export function csvField(v: string | number): string {
  if (typeof v === 'number') return String(v);
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header row and the data rows, CRLF-separated as RFC 4180 asks. */
export function csvText(header: string[], rows: (string | number)[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A file name from a tag: `lr/d*lr` → `lr_d_lr.csv`. */
export function csvFileName(tag: string): string {
  const stem = tag
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 80);
  return `${stem || 'chart'}.csv`;
}
