import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { FileHandle } from 'node:fs/promises';
import { DTYPE_SIZE, isDType, type DType } from './dtype.js';

/** The reference implementation (huggingface/safetensors) refuses larger headers; so do we, before allocating. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
  elements: number;
  /** Byte range relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  path: string;
  fileSize: number;
  /** N of the 8-byte length prefix. */
  headerLength: number;
  /** Absolute offset of the data section (8 + N). */
  dataStart: number;
  /** Tensors in data order (by `begin`). */
  tensors: TensorEntry[];
  /** `__metadata__` as written (string → string). */
  metadata: Record<string, string>;
  /** Tolerated oddities (non-string metadata values, bytes after the last tensor). */
  warnings: string[];
}

export type HeaderResult = { ok: true; header: SafetensorsHeader } | { ok: false; error: string };

/**
 * Reads and validates the header through an open handle: 8 + N bytes, never the data section.
 * Every size is checked against the file before anything is allocated.
 */
export async function readSafetensorsHeader(handle: FileHandle, path: string, fileSize: number): Promise<HeaderResult> {
  if (fileSize < 8) return { ok: false, error: `${path}: ${fileSize} bytes, too short for a safetensors file (needs an 8-byte header length)` };
  const prefix = new Uint8Array(8);
  await readExactly(handle, prefix, 0);
  const n = new DataView(prefix.buffer).getBigUint64(0, true);
  const lengthError = checkHeaderLength(path, n, fileSize);
  if (lengthError) return { ok: false, error: lengthError };
  const json = new Uint8Array(Number(n));
  const got = await readExactly(handle, json, 8);
  if (got < json.length) return { ok: false, error: `${path}: file shrank while reading its header (byte 8)` };
  return parseSafetensorsHeader(path, fileSize, json);
}

export function checkHeaderLength(path: string, n: bigint, fileSize: number): string | undefined {
  if (n > BigInt(MAX_HEADER_BYTES)) return `${path}: header length ${n} bytes (byte 0) exceeds the 100 MB limit; not a safetensors file or damaged`;
  if (8n + n > BigInt(fileSize))
    return `${path}: header length ${n} bytes (byte 0) runs past the end of the ${fileSize}-byte file; truncated or not a safetensors file`;
  if (n < 2n) return `${path}: header length ${n} bytes (byte 0) is too small for a JSON object`;
  return undefined;
}

async function readExactly(handle: FileHandle, into: Uint8Array, position: number): Promise<number> {
  let filled = 0;
  while (filled < into.length) {
    const { bytesRead } = await handle.read(into, filled, into.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Validates the JSON header bytes (everything after the length prefix up to the data section). */
export function parseSafetensorsHeader(path: string, fileSize: number, json: Uint8Array): HeaderResult {
  const headerLength = json.length;
  const dataStart = 8 + headerLength;
  const fail = (problem: string): HeaderResult => ({ ok: false, error: `${path}: ${problem}` });
  let text: string;
  try {
    text = decoder.decode(json);
  } catch {
    return fail('header (byte 8) is not valid UTF-8');
  }
  if (!text.startsWith('{')) return fail('header (byte 8) does not start with "{"; not a safetensors file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON: ${jsonErrorAt(text, e)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('header (byte 8) is not a JSON object');
  const warnings: string[] = [];
  const metadata: Record<string, string> = {};
  const tensors: TensorEntry[] = [];
  const dataLength = fileSize - dataStart;
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null) continue;
      if (typeof entry !== 'object' || Array.isArray(entry)) return fail('header field __metadata__ is not an object');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v === 'string') metadata[k] = v;
        else {
          metadata[k] = brief(v, 10_000);
          warnings.push(`__metadata__.${k} is not a string (kept as its JSON text)`);
        }
      }
      continue;
    }
    const checked = checkEntry(name, entry, dataLength);
    if (typeof checked === 'string') return fail(checked);
    tensors.push(checked);
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let previous: TensorEntry | undefined;
  for (const t of tensors) {
    const expected = previous ? previous.end : 0;
    if (t.begin < expected) {
      return fail(
        previous
          ? `tensor ${brief(t.name, 200)} [${t.begin}, ${t.end}) overlaps tensor ${brief(previous.name, 200)} [${previous.begin}, ${previous.end}) in the data section`
          : `tensor ${brief(t.name, 200)} starts at ${t.begin}`,
      );
    }
    if (t.begin > expected)
      return fail(
        `gap of ${t.begin - expected} bytes before tensor ${brief(t.name, 200)} at data offset ${expected} (byte ${dataStart + expected}); tensors must tile the data section`,
      );
    previous = t;
  }
  const used = previous ? previous.end : 0;
  if (used < dataLength) warnings.push(`${dataLength - used} bytes after the last tensor (byte ${dataStart + used}) are not part of any tensor`);
  return { ok: true, header: { path, fileSize, headerLength, dataStart, tensors, metadata, warnings } };
}

function checkEntry(name: string, entry: unknown, dataLength: number): TensorEntry | string {
  const where = `tensor ${brief(name, 200)}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `${where}: header entry is not an object`;
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (!isDType(dtype)) return `${where}: unknown dtype ${brief(dtype)} (known: ${Object.keys(DTYPE_SIZE).join(', ')})`;
  if (!Array.isArray(shape) || !shape.every(isCount)) return `${where}: shape ${brief(shape)} is not a list of non-negative integers`;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    return `${where}: data_offsets ${brief(offsets)} are not two non-negative integers below 2^53`;
  }
  const [begin, end] = offsets as number[];
  if (begin > end) return `${where}: data_offsets [${begin}, ${end}] end before they begin`;
  let elements = 1;
  for (const d of shape as number[]) {
    elements *= d;
    if (!Number.isSafeInteger(elements)) return `${where}: shape ${brief(shape)} has more than 2^53 elements`;
  }
  const bytes = elements * DTYPE_SIZE[dtype];
  if (!Number.isSafeInteger(bytes) || bytes !== end - begin) {
    return `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape ${brief(shape)} × ${dtype} needs ${bytes}`;
  }
  if (end > dataLength) return `${where}: data ends at data offset ${end} but the data section has only ${dataLength} bytes; file truncated`;
  return { name, dtype, shape: shape as number[], elements, begin, end };
}

/** A value for an error line: JSON, cut short (a hostile header can nest deeply or run to 100 MB). */
export function brief(v: unknown, max = 60): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = Array.isArray(v) ? '[…]' : typeof v === 'object' && v !== null ? '{…}' : String(v);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Where and why a header that JSON.parse refused is broken, as one line. V8's message quotes the input around
 * the error (newlines and all, and no position since Node 20), so the position comes from jsonc-parser's scanner
 * run strictly (no comments, no trailing commas), as a byte offset in the file; V8's words are kept only as a
 * fallback, with control characters escaped.
 */
function jsonErrorAt(text: string, error: unknown): string {
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (first) return `${printParseErrorCode(first.error)} at byte ${8 + Buffer.byteLength(text.slice(0, first.offset))}`;
  // Control characters (and U+2028/9) are escaped so the message stays one line.
  return String((error as Error)?.message ?? error).replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
