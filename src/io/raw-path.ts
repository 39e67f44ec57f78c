// File names are bytes on POSIX, and TensorBoard reads a run directory or event file whose name is
// not valid UTF-8. Node decodes such names lossily (U+FFFD), so the path no longer names the file.
// tblens keeps them as strings with each byte that is not part of valid UTF-8 mapped to a lone
// surrogate U+DC80–U+DCFF (Python's "surrogateescape"): lossless, never produced by valid UTF-8,
// and still an ordinary string for join/sort/compare. `fsPath` turns it back into the exact bytes
// for a file system call; `displayPath` shows those bytes as `\xNN`.

const ESCAPED = /[\uDC80-\uDCFF]/;

/** The name bytes as a string, invalid UTF-8 bytes kept as U+DC80 + byte. */
export function nameFromBytes(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (!text.includes('\uFFFD') || Buffer.from(text, 'utf8').equals(bytes)) return text;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = validSequence(bytes, i);
    if (n > 0) {
      out += Buffer.from(bytes.buffer, bytes.byteOffset + i, n).toString('utf8');
      i += n;
    } else out += String.fromCharCode(0xdc00 + bytes[i++]);
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence at bytes[i] (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function validSequence(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** What to hand to `fs`: the string itself, or the exact bytes when it holds escaped ones. */
export function fsPath(path: string): string | Buffer {
  if (!ESCAPED.test(path)) return path;
  const parts: Buffer[] = [];
  let run = '';
  for (const ch of path) {
    const code = ch.codePointAt(0)!;
    // A lone low surrogate (a pair is one code point here) is an escaped byte.
    if (code >= 0xdc80 && code <= 0xdcff) {
      if (run) parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.of(code - 0xdc00));
    } else run += ch;
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** A path or name for people: each escaped byte as `\xNN` (other escaping is the output layer's). */
export function displayPath(path: string): string {
  if (!ESCAPED.test(path)) return path;
  let out = '';
  for (const ch of path) {
    const code = ch.codePointAt(0)!;
    out += code >= 0xdc80 && code <= 0xdcff ? `\\x${(code - 0xdc00).toString(16)}` : ch;
  }
  return out;
}
