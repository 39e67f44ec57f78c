import { parse, TomlError } from 'smol-toml';
import type { SourcePos } from './document.js';
import { lineIndex } from './text-position.js';

export type TomlRead = { ok: true; data: Record<string, unknown>; positions: Map<string, SourcePos> } | { ok: false; error: string; pos?: SourcePos };

/**
 * TOML 1.0 through smol-toml, plus where each key was written. smol-toml gives positions only in
 * its errors, so once it has accepted the document a light scan walks the statements (headers,
 * dotted keys, strings, multi-line arrays) and records each key's line and column under its path:
 * `learning_rate`, `general.shuffle_caption`, `datasets[0].subsets[1].num_repeats`.
 */
export function readToml(text: string): TomlRead {
  let data: Record<string, unknown>;
  try {
    data = parse(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      return { ok: false, error: `not valid TOML (${first})`, pos: { line: e.line, column: e.column } };
    }
    return { ok: false, error: `not valid TOML (${(e as Error).message.split('\n')[0]})` };
  }
  return { ok: true, data, positions: scanKeys(text) };
}

interface Cursor {
  s: string;
  i: number;
}

function scanKeys(text: string): Map<string, SourcePos> {
  const at = lineIndex(text);
  const positions = new Map<string, SourcePos>();
  const arrayCounts = new Map<string, number>();
  const c: Cursor = { s: text, i: 0 };
  let table = '';
  // A path prefix resolved through arrays of tables: `datasets.subsets` → `datasets[1].subsets`.
  const resolve = (segments: string[]): string => {
    let path = '';
    for (const seg of segments) {
      path = path ? `${path}.${seg}` : seg;
      const n = arrayCounts.get(path);
      if (n !== undefined) path = `${path}[${n - 1}]`;
    }
    return path;
  };
  while (c.i < c.s.length) {
    skipBlank(c);
    if (c.i >= c.s.length) break;
    const ch = c.s[c.i];
    if (ch === '#') {
      skipLine(c);
      continue;
    }
    if (ch === '[') {
      const start = c.i;
      const isArray = c.s[c.i + 1] === '[';
      c.i += isArray ? 2 : 1;
      const segments = keyPath(c);
      if (isArray) {
        const parent = resolve(segments.slice(0, -1));
        const full = parent ? `${parent}.${segments[segments.length - 1]}` : segments[segments.length - 1];
        const n = (arrayCounts.get(full) ?? 0) + 1;
        arrayCounts.set(full, n);
        table = `${full}[${n - 1}]`;
      } else {
        table = resolve(segments);
      }
      positions.set(table, at(start));
      skipLine(c);
      continue;
    }
    const start = c.i;
    const segments = keyPath(c);
    if (segments.length === 0) {
      skipLine(c);
      continue;
    }
    const path = table ? `${table}.${segments.join('.')}` : segments.join('.');
    if (!positions.has(path)) positions.set(path, at(start));
    skipSpaces(c);
    if (c.s[c.i] === '=') c.i++;
    skipSpaces(c);
    skipValue(c);
    skipLine(c);
  }
  return positions;
}

function skipBlank(c: Cursor): void {
  while (c.i < c.s.length && /\s/.test(c.s[c.i])) c.i++;
}

function skipSpaces(c: Cursor): void {
  while (c.i < c.s.length && (c.s[c.i] === ' ' || c.s[c.i] === '\t')) c.i++;
}

function skipLine(c: Cursor): void {
  while (c.i < c.s.length && c.s[c.i] !== '\n') c.i++;
}

/** A dotted key (bare, "basic" or 'literal' parts); stops before `=`, `]` or the end of the line. */
function keyPath(c: Cursor): string[] {
  const segments: string[] = [];
  for (;;) {
    skipSpaces(c);
    const ch = c.s[c.i];
    if (ch === '"' || ch === "'") {
      const startQuote = c.i;
      skipString(c);
      const raw = c.s.slice(startQuote, c.i);
      segments.push(ch === "'" ? raw.slice(1, -1) : decodeBasic(raw));
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(c.s.slice(c.i, c.i + 256));
      if (!m) break;
      segments.push(m[0]);
      c.i += m[0].length;
    }
    skipSpaces(c);
    if (c.s[c.i] !== '.') break;
    c.i++;
  }
  return segments;
}

function decodeBasic(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** Past one string of any of TOML's four kinds, starting at its opening quote. */
function skipString(c: Cursor): void {
  const q = c.s[c.i];
  const triple = c.s.startsWith(q.repeat(3), c.i);
  c.i += triple ? 3 : 1;
  while (c.i < c.s.length) {
    const ch = c.s[c.i];
    if (q === '"' && ch === '\\') {
      c.i += 2;
      continue;
    }
    if (!triple && ch === '\n') return;
    if (ch === q && (!triple || c.s.startsWith(q.repeat(3), c.i))) {
      c.i += triple ? 3 : 1;
      // A multi-line string may end in up to two more quotes of its kind ("""a""""").
      if (triple) while (c.s[c.i] === q) c.i++;
      return;
    }
    c.i++;
  }
}

/** Past a value: strings, arrays and inline tables (nested, across lines, with comments inside arrays). */
function skipValue(c: Cursor): void {
  let depth = 0;
  while (c.i < c.s.length) {
    const ch = c.s[c.i];
    if (ch === '"' || ch === "'") {
      skipString(c);
      if (depth === 0) return;
      continue;
    }
    if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth <= 0) {
        c.i++;
        return;
      }
    } else if (ch === '#') {
      if (depth === 0) return;
      skipLine(c);
      continue;
    } else if (ch === '\n' && depth === 0) return;
    c.i++;
  }
}
