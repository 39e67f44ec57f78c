/**
 * Python literals as `str()` writes them (kohya metadata, `--optimizer_args`): None/True/False,
 * ints, floats with nan/inf, quoted strings, tuples, lists, dicts. Tuples become arrays.
 * Returns `{ ok: false }` for anything else, so callers can keep the raw text.
 */
export type PyParse = { ok: true; value: unknown } | { ok: false };

export function parsePythonLiteral(text: string): PyParse {
  const p = { s: text, i: 0, depth: 0 };
  try {
    skipSpace(p);
    const value = parseValue(p);
    skipSpace(p);
    if (p.i !== p.s.length) return { ok: false };
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

interface Cursor {
  s: string;
  i: number;
  depth: number;
}

class Bad extends Error {}

const MAX_DEPTH = 200;

function skipSpace(p: Cursor): void {
  while (p.i < p.s.length && /\s/.test(p.s[p.i])) p.i++;
}

function parseValue(p: Cursor): unknown {
  const c = p.s[p.i];
  if (c === '(' || c === '[') return parseSequence(p, c === '(' ? ')' : ']');
  if (c === '{') return parseDict(p);
  if (c === "'" || c === '"') return parseString(p);
  const m = /^[-+]?(?:\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|inf|infinity)(?![\w.])/i.exec(p.s.slice(p.i, p.i + 400));
  if (m) {
    p.i += m[0].length;
    return numberOf(m[0]);
  }
  const word = /^[A-Za-z_]\w*/.exec(p.s.slice(p.i, p.i + 64));
  if (word) {
    if (word[0] === 'None' || word[0] === 'null') return ((p.i += word[0].length), null);
    if (word[0] === 'True' || word[0] === 'true') return ((p.i += word[0].length), true);
    if (word[0] === 'False' || word[0] === 'false') return ((p.i += word[0].length), false);
  }
  throw new Bad();
}

function numberOf(text: string): number {
  const t = text.toLowerCase().replace(/_/g, '');
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^[-+]/, '');
  if (body === 'nan') return NaN;
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  return Number(t);
}

function parseSequence(p: Cursor, close: string): unknown[] {
  if (++p.depth > MAX_DEPTH) throw new Bad();
  p.i++;
  const out: unknown[] = [];
  skipSpace(p);
  while (p.s[p.i] !== close) {
    out.push(parseValue(p));
    skipSpace(p);
    if (p.s[p.i] === ',') {
      p.i++;
      skipSpace(p);
    } else if (p.s[p.i] !== close) throw new Bad();
  }
  p.i++;
  p.depth--;
  return out;
}

function parseDict(p: Cursor): Record<string, unknown> {
  if (++p.depth > MAX_DEPTH) throw new Bad();
  p.i++;
  const out: Record<string, unknown> = {};
  skipSpace(p);
  while (p.s[p.i] !== '}') {
    const key = parseValue(p);
    skipSpace(p);
    if (p.s[p.i] !== ':') throw new Bad();
    p.i++;
    skipSpace(p);
    out[String(key)] = parseValue(p);
    skipSpace(p);
    if (p.s[p.i] === ',') {
      p.i++;
      skipSpace(p);
    } else if (p.s[p.i] !== '}') throw new Bad();
  }
  p.i++;
  p.depth--;
  return out;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };

function parseString(p: Cursor): string {
  const quote = p.s[p.i++];
  let out = '';
  while (p.i < p.s.length) {
    const c = p.s[p.i++];
    if (c === quote) return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = p.s[p.i++];
    if (e === undefined) throw new Bad();
    if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = p.s.slice(p.i, p.i + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new Bad();
      out += String.fromCodePoint(parseInt(hex, 16));
      p.i += len;
    } else out += ESCAPES[e] ?? `\\${e}`;
  }
  throw new Bad();
}

/**
 * A kohya metadata value: JSON for nested structures (`json.dumps` output), else a Python literal,
 * else the text itself (e.g. `cosine`, `networks.lora`, `AdamW8bit`).
 */
export function parseMetadataValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed === 'null') {
    try {
      return JSON.parse(trimmed);
    } catch {
      // Python repr of a list/dict: fall through.
    }
  }
  const py = parsePythonLiteral(trimmed);
  return py.ok ? py.value : text;
}
