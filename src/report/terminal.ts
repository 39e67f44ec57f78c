import type { Writable } from 'node:stream';
import { termText } from './escape.js';

/**
 * The only module that touches the process's standard streams (an architecture test holds every
 * other file in src/ to that), so no output can skip the sanitiser:
 * - `say` is the one way a message reaches stderr; the whole line goes through `termText`, so a path
 *   or metadata value inside it cannot inject ESC sequences, bidi reordering or a new line (a line
 *   starting `::error` is a GitHub workflow command).
 * - `stdout` is for text that a renderer built and escaped itself: the text renderers (diagnose,
 *   inspect, watch) pass every untrusted value through `termText` and may add their own colours;
 *   machine formats (JSON, SARIF, JUnit, CSV, HTML) have their own escaping.
 */
export function say(text: string, ...more: string[]): void {
  process.stderr.write(`tblens: ${termText(text)}\n${more.map((m) => `  ${termText(m)}\n`).join('')}`);
}

/** Standard output, as a stream for `openOutput` and `useColor`. */
export const stdout: Writable & { isTTY?: boolean; columns?: number } = process.stdout;

/** Standard error for the progress line (`progress.ts`), which only draws on a terminal; messages go through `say`. */
export const stderr: Writable & { isTTY?: boolean; columns?: number } = process.stderr;

/** The terminal's width in columns, when stdout is one. */
export function stdoutColumns(): number | undefined {
  return process.stdout.columns;
}

/** Writes pre-rendered, already escaped text to stdout (see above). */
export function writeStdout(text: string): boolean {
  return process.stdout.write(text);
}
