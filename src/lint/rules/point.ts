import type { ConfigDocument, Setting } from '../document.js';

/**
 * The setting narrowed to where `needle` is written on the key's line (an item inside
 * optimizer_args, a flag inside additional_parameters), so the column lands on the thing to change.
 */
export function pointInto(doc: ConfigDocument, at: Setting | undefined, needle: string): Setting | undefined {
  if (!at?.pos) return at;
  const line = doc.lines[at.pos.line - 1];
  if (line === undefined) return at;
  const index = line.indexOf(needle, at.pos.column - 1);
  return index < 0 ? at : { ...at, pos: { line: at.pos.line, column: index + 1 } };
}

/** The place a finding about the file as a whole points at: its first line, when it has lines. */
export function fileStart(doc: ConfigDocument): Setting | undefined {
  return doc.lines.length ? { value: null, key: '', pos: { line: 1, column: 1 } } : undefined;
}
