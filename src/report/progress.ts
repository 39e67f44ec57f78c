import { termText } from './escape.js';

/** Where progress goes: stderr in the CLI, a fake terminal in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  env?: Record<string, string | undefined>;
  /** Milliseconds; injected so tests need no timers. */
  now?: () => number;
  /** Nothing is drawn before the work has taken this long (a fast command prints nothing). */
  delayMs?: number;
  /** At most one redraw per this many milliseconds. */
  intervalMs?: number;
}

export interface Progress {
  /** `loading runs 120/500`: cheap to call often, draws at most every `intervalMs`. */
  update(label: string, done: number, total: number): void;
  /** Clears the line if one was drawn; call before anything else is written to the stream. */
  end(): void;
}

const CLEAR_LINE = '\r\u001b[K';

/**
 * One status line on a terminal, rewritten in place with `\r` and cleared at the end. Only when the
 * stream is a terminal and `CI` is not set: a pipe or a CI log would keep every redraw as a line of
 * its own.
 */
export function progressLine(stream: ProgressStream, options: ProgressOptions = {}): Progress {
  const env = options.env ?? {};
  if (stream.isTTY !== true || (env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false')) return { update() {}, end() {} };
  const now = options.now ?? Date.now;
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  const start = now();
  let drawnAt = -Infinity;
  let drawn = false;
  return {
    update(label, done, total) {
      const t = now();
      if (t - start < delay || t - drawnAt < interval) return;
      drawnAt = t;
      // One column short of the width: writing into the last column makes some terminals wrap. A pty without a size says 0.
      const width = Math.max(10, (stream.columns || 80) - 1);
      const text = termText(`tblens: ${label} ${done}/${total}`);
      stream.write(`${CLEAR_LINE}${text.length > width ? text.slice(0, width) : text}`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write(CLEAR_LINE);
      drawn = false;
    },
  };
}
