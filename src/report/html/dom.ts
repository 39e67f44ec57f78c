/** Elements built from text only: untrusted strings (run names, tags, metadata) become text nodes, never markup. */
export function el(tag: string, attrs?: Record<string, string>, children?: (string | Node)[]): HTMLElement {
  const node = document.createElement(tag);
  if (attrs) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (children) node.append(...children);
  return node;
}

/** The page's own element by id (the template has them all; a missing one is a bug). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`page template: no #${id}`);
  return node as T;
}

/** Short numbers for tooltips and the table: 5 significant digits, exponent outside 1e-3 … 1e6. */
export function fmtValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

/** Epoch milliseconds as `YYYY-MM-DD hh:mm:ss UTC`; `—` for what no Date can hold (a damaged wall time). */
export function fmtTime(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return '—';
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}
