import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { SourcePos } from './document.js';

export type YamlRead = { ok: true; entries: { key: string; value: unknown; pos: SourcePos }[] } | { ok: false; error: string; pos?: SourcePos };

/** A flat YAML mapping (accelerate's hparams.yml) with each key's line and column, through eemeli/yaml. */
export function readYamlMapping(text: string): YamlRead {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    // Without prettyErrors the error carries only its offset: the line counter turns it into a line.
    const lp = e.linePos?.[0] ?? counter.linePos(e.pos[0]);
    return { ok: false, error: e.message.split('\n')[0], pos: { line: lp.line, column: lp.col } };
  }
  if (!isMap(doc.contents)) return { ok: false, error: 'not a YAML mapping of settings' };
  const entries: { key: string; value: unknown; pos: SourcePos }[] = [];
  for (const pair of doc.contents.items) {
    const keyNode = pair.key;
    if (!isScalar(keyNode)) continue;
    const offset = keyNode.range?.[0] ?? 0;
    const lp = counter.linePos(offset);
    const value =
      pair.value && typeof (pair.value as { toJSON?: unknown }).toJSON === 'function'
        ? (pair.value as { toJSON: () => unknown }).toJSON()
        : isScalar(pair.value)
          ? pair.value.value
          : null;
    entries.push({ key: String(keyNode.value), value, pos: { line: lp.line, column: lp.col } });
  }
  return { ok: true, entries };
}
