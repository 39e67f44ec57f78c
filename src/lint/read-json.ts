import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { SourcePos } from './document.js';
import { lineIndex } from './text-position.js';

export interface JsonProperty {
  key: string;
  value: unknown;
  keyPos: SourcePos;
  /** Offset of the value's first character (its opening quote for strings). */
  valueOffset: number;
  valueLength: number;
}

export type JsonRead =
  { ok: true; value: unknown; properties: JsonProperty[]; at: (offset: number) => SourcePos } | { ok: false; error: string; pos: SourcePos };

/**
 * Strict JSON (Python's json.load, which the kohya_ss GUI uses, accepts no comments or trailing
 * commas) through Microsoft's jsonc-parser, which gives every node's offset; the top-level
 * object's properties come with the line and column of their key.
 */
export function readJson(text: string): JsonRead {
  const at = lineIndex(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0 || !root) {
    const e = errors[0];
    return { ok: false, error: e ? `not valid JSON (${printParseErrorCode(e.error)})` : 'not valid JSON (empty)', pos: at(e?.offset ?? 0) };
  }
  const properties: JsonProperty[] = [];
  if (root.type === 'object') {
    for (const prop of root.children ?? []) {
      const [keyNode, valueNode] = prop.children ?? [];
      if (!keyNode || !valueNode) continue;
      properties.push({
        key: String(keyNode.value),
        value: getNodeValue(valueNode as Node),
        keyPos: at(keyNode.offset),
        valueOffset: valueNode.offset,
        valueLength: valueNode.length,
      });
    }
  }
  return { ok: true, value: getNodeValue(root), properties, at };
}
