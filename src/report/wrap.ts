/**
 * Wrapping terminal text to a width. Text reaches here already sanitised (`termText`: no control
 * characters, no line breaks) and possibly coloured by our own SGR codes (`paint`): those count zero
 * columns, and a line is only ever broken at a space, so no escape sequence, path or number is cut.
 */

/** Our colour codes (`paint`): the only escape sequences terminal text can hold after `termText`. */
export const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Wide (two-column) code points: CJK, Hangul, fullwidth forms, emoji. An approximation of East Asian Width W/F. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

const MARK = /^\p{M}$/u;

/** Combining marks, zero-width spaces and joiners, variation selectors: no column of their own. */
function isZeroWidth(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return (cp >= 0x200b && cp <= 0x200d) || (cp >= 0xfe00 && cp <= 0xfe0f) || MARK.test(ch);
}

/** Columns the text takes on a terminal: colour codes count 0, combining marks 0, wide characters 2. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text.replace(SGR, '')) {
    if (isZeroWidth(ch)) continue;
    width += isWide(ch.codePointAt(0)!) ? 2 : 1;
  }
  return width;
}

/** A lone symbol (`·`, `→`, `–`, `=`) reads wrong at the start of a line: it stays at the end of the one before. */
const GLUE = /^[^\p{L}\p{N}(["'`]$/u;

/**
 * What must never start a line: `::name …::` is a GitHub workflow command, `##[name]` its older form,
 * and the runner reads them after leading spaces too. `termText` keeps a name from starting a line by
 * removing its line breaks; a break chosen here must not undo that.
 */
const COMMAND_START = /^(?:::|##\[)/;

/**
 * `text` (one line) broken at spaces into lines of at most `width` columns; continuation lines start
 * with `indent` spaces so they line up under the text of the first (the hanging indent of a block).
 * The first line's leading spaces are kept. A word wider than the space left goes alone on its own
 * line and is never cut (a path stays copyable); a word that would start a workflow command (`::`,
 * `##[`) stays on the line before, however long. An indent over half the width is reduced to 2, so a
 * narrow terminal still gets words per line. Width not finite: the text unchanged.
 */
export function wrapIndented(text: string, width: number, indent: number): string {
  if (!Number.isFinite(width) || displayWidth(text) <= width) return text;
  const hang = ' '.repeat(indent * 2 > width ? Math.min(2, indent) : Math.max(0, indent));
  // Alternating word, run of spaces, word, …: words never contain a space (SGR codes do not either).
  const parts = text.split(/( +)/);
  // Units the lines are made of: the leading indent with the first word, then each word with the gap before it.
  const units: { gap: string; word: string }[] = [{ gap: '', word: parts[0] }];
  for (let i = 1; i < parts.length; i += 2) {
    const gap = parts[i];
    const word = parts[i + 1] ?? '';
    const last = units[units.length - 1];
    // Until the first visible word, spaces are the block's own indent, not a place to break; a bare
    // colour code is never worth a line of its own, nor a lone symbol unless a word too long for any
    // line would then share its line.
    const visible = word.replace(SGR, '');
    const glued = (GLUE.test(visible) && displayWidth(last.word + gap + word) <= width - hang.length) || COMMAND_START.test(visible);
    // A bare colour code is glued too, unless its gap would make the unit wider than a line can hold
    // (it then stands as a unit of its own, of no width, rather than push two words past the width).
    const code = displayWidth(word) === 0 && displayWidth(last.word + gap) <= width - hang.length;
    if (displayWidth(last.gap + last.word) === 0 || code || glued) last.word += gap + word;
    else units.push({ gap, word });
  }
  const lines: string[] = [];
  let line = units[0].word;
  let used = displayWidth(line);
  for (const u of units.slice(1)) {
    const w = displayWidth(u.word);
    if (used + u.gap.length + w <= width) {
      line += u.gap + u.word;
      used += u.gap.length + w;
    } else {
      lines.push(line);
      line = hang + u.word;
      used = hang.length + w;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

/** Below this, wrapping makes text harder to read than a terminal's own soft wrap. */
const MIN_WIDTH = 20;
const DEFAULT_WIDTH = 100;

/**
 * The width to wrap human text at: `COLUMNS` when it is a positive number (the user's or shell's
 * say), else the terminal's width when the stream is a terminal, else 100 (pipes, files, CI logs).
 */
export function outputWidth(stream: { isTTY?: boolean; columns?: number }, env: Record<string, string | undefined> = process.env): number {
  const fromEnv = Number(env.COLUMNS);
  const width =
    env.COLUMNS && Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : stream.isTTY && stream.columns && stream.columns > 0 ? stream.columns : DEFAULT_WIDTH;
  return Math.max(MIN_WIDTH, width);
}
