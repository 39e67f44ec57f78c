import { basename, extname } from 'node:path';
import type { ConfigDocument } from './document.js';
import { datasetDocument, isDatasetToml, sdScriptsDocument } from './from-toml.js';
import { guiDocument, isGuiJson } from './from-gui.js';
import { hparamsDocument, metadataDocument } from './from-run.js';
import { sdScriptsArguments } from './known-keys.js';
import { readJson } from './read-json.js';
import { readToml } from './read-toml.js';
import { readYamlMapping } from './read-yaml.js';
import { splitLines } from './text-position.js';

/** A file read as a config, one that is not a config this reader knows, or one that cannot be parsed (line/column from the parser). */
export type Recognised =
  { kind: 'config'; doc: ConfigDocument } | { kind: 'other'; reason: string } | { kind: 'broken'; error: string; line?: number; column?: number };

const knownCount = (keys: Iterable<string>) => {
  const known = sdScriptsArguments();
  let n = 0;
  for (const k of keys) if (known.has(k)) n++;
  return n;
};

/**
 * Which config a text holds, by its content (the extension only decides whether a parse failure
 * is a broken config or just another file): JSON → kohya_ss GUI config, dumped `ss_*` metadata or
 * a hparams object; TOML → dataset config (`[[datasets]]`) or sd-scripts --config_file; YAML →
 * kohya's --log_config hparams.yml.
 */
export function recogniseText(file: string, input: string): Recognised {
  const text = input.replace(/^\uFEFF/, '');
  const ext = extname(file).toLowerCase();
  const first = /\S/.exec(text)?.[0];
  if (first === '{' || ext === '.json') {
    const json = readJson(text);
    if (!json.ok)
      return ext === '.json' || ext === '' ? { kind: 'broken', error: json.error, ...json.pos } : { kind: 'other', reason: 'not JSON, TOML or YAML' };
    const value = json.value as Record<string, unknown>;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'other', reason: 'JSON that is not an object of settings' };
    const meta = typeof value.__metadata__ === 'object' && value.__metadata__ !== null ? (value.__metadata__ as Record<string, unknown>) : value;
    if (Object.keys(meta).some((k) => k.startsWith('ss_'))) return { kind: 'config', doc: metadataDocument(file, stringMap(meta)) };
    if (isGuiJson(json.properties)) return { kind: 'config', doc: guiDocument(file, text, json) };
    if (knownCount(Object.keys(value)) >= 3)
      return {
        kind: 'config',
        doc: hparamsDocument(
          file,
          json.properties.map((p) => ({ key: p.key, value: p.value, pos: p.keyPos })),
          splitLines(text),
        ),
      };
    return { kind: 'other', reason: 'JSON without kohya_ss GUI, sd-scripts or ss_* keys' };
  }
  if (ext === '.yml' || ext === '.yaml') {
    const yaml = readYamlMapping(text);
    if (!yaml.ok) return { kind: 'broken', error: yaml.error, ...yaml.pos };
    if (knownCount(yaml.entries.map((e) => e.key)) < 3) return { kind: 'other', reason: 'YAML without sd-scripts argument names' };
    return { kind: 'config', doc: hparamsDocument(file, yaml.entries, splitLines(text)) };
  }
  const toml = readToml(text);
  if (!toml.ok) return ext === '.toml' ? { kind: 'broken', error: toml.error, ...toml.pos } : { kind: 'other', reason: 'not JSON, TOML or YAML' };
  if (isDatasetToml(toml.data)) return { kind: 'config', doc: datasetDocument(file, text, toml) };
  const flat = Object.entries(toml.data).flatMap(([k, v]) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v) : [k]));
  if (knownCount(flat) >= 2 || /^config_lora-/.test(basename(file))) return { kind: 'config', doc: sdScriptsDocument(file, text, toml) };
  return { kind: 'other', reason: 'TOML without sd-scripts argument names' };
}

function stringMap(meta: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}
