/**
 * Escaping for every output format. Run names, tags, file names and metadata are untrusted text
 * (a tag like `lr/d*lr/unet` is already Markdown), so every renderer goes through these.
 */

/** One line: CR/LF and other line breaks become spaces. */
export function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}

export function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plain text inside Markdown (table cells included): no emphasis, links, HTML or cell breaks. */
export function mdText(text: string): string {
  return htmlEscape(oneLine(text).replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`));
}

/**
 * A code span that survives any content: a fence longer than the longest backtick run inside, and
 * `|` escaped because GitHub splits table cells before it parses code spans.
 */
export function mdCode(text: string): string {
  const body = oneLine(text).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** XML 1.0 allows only these characters; the rest (NUL, other C0 controls, lone surrogates, U+FFFE/F) are dropped. */
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlText(text: string): string {
  return text.replace(XML_ILLEGAL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values: also quotes, and whitespace kept as character references (attribute normalisation would flatten it). */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/** Workflow-command message data (actions/toolkit `escapeData`): `%` first, then CR and LF. */
export function ghData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property values (actions/toolkit `escapeProperty`): also `:` and `,`, which delimit properties. */
export function ghProperty(text: string): string {
  return ghData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * Terminal text: control characters (ESC sequences in a run name could retitle or clear the screen)
 * and bidi controls (U+202E and friends reorder what the reader sees) become `?`, line breaks spaces,
 * so a name can never start a line of its own (`::error::…` would be a GitHub workflow command).
 */
export function termText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what the terminal must never get raw
  return oneLine(text).replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
}
