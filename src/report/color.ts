/**
 * Whether to colour output, by the common conventions: FORCE_COLOR (non-empty, not `0`/`false`)
 * wins, as in Node itself; then NO_COLOR (any non-empty value) turns colour off; otherwise only a TTY
 * gets colour. `TERM=dumb` counts as no colour.
 */
export function useColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export function paint(enabled: boolean): Paint {
  const id = (s: string) => s;
  if (!enabled) return { red: id, yellow: id, cyan: id, green: id, dim: id, bold: id };
  return { red: wrap(31, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), green: wrap(32, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
