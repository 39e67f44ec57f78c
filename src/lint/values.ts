import { parseMetadataValue } from '../identity/python-literal.js';

/**
 * Values as the trainers read them. The kohya_ss GUI stores many numbers as strings ("0.0001",
 * "" for unset); kohya's hparams and metadata hold Python `str()` text. A number, or undefined
 * when the value is unset or not a number.
 */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '' || t === 'None') return undefined;
    const parsed = parseMetadataValue(t);
    return typeof parsed === 'number' && !Number.isNaN(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** Python-style truth of a flag: true/True/"true"/1. */
export function asBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false' || t === '' || t === 'none') return false;
  }
  return undefined;
}

export function asText(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' || t === 'None' ? undefined : t;
}

/** A number or a list of numbers (text_encoder_lr may be either); empty when unset. */
export function asNumberList(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(asNumber).filter((x): x is number => x !== undefined);
  if (typeof v === 'string' && /^\s*[[(]/.test(v)) return asNumberList(parseMetadataValue(v.trim()));
  const n = asNumber(v);
  return n === undefined ? [] : [n];
}

/** Short display of a value for messages and evidence. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return String(v);
}
