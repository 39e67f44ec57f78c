import type { ConfigDocument, DatasetEntry, Setting, SourcePos } from './document.js';
import { DATASET_KEYS, GUI_WRITTEN_IGNORED, sdScriptsArguments } from './known-keys.js';
import type { TomlRead } from './read-toml.js';
import { splitLines } from './text-position.js';
import { asBool, asNumber, asText } from './values.js';

type TomlOk = Extract<TomlRead, { ok: true }>;

const isTable = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** A dataset config has `[[datasets]]` (or the `[general]` table only dataset configs use). */
export function isDatasetToml(data: Record<string, unknown>): boolean {
  return (
    Array.isArray(data.datasets) ||
    Array.isArray(data.dataset) ||
    (isTable(data.general) && Object.keys(data).every((k) => k === 'general' || k === 'datasets'))
  );
}

/**
 * sd-scripts `--config_file`: read_config_from_file flattens one level of tables into argument
 * names (a key in `[training]` means `--key`), later keys overriding earlier ones.
 */
export function sdScriptsDocument(file: string, text: string, toml: TomlOk): ConfigDocument {
  const doc: ConfigDocument = { file, format: 'sd-scripts-toml', lines: splitLines(text), settings: new Map(), unknownKeys: [] };
  const known = sdScriptsArguments();
  const add = (name: string, value: unknown, path: string) => {
    const pos = toml.positions.get(path);
    doc.settings.set(name, { value, key: path, pos });
    if (!known.has(name) && !GUI_WRITTEN_IGNORED.includes(name)) doc.unknownKeys.push({ key: name, pos, known: 'sd-scripts' });
  };
  for (const [key, value] of Object.entries(toml.data)) {
    if (isTable(value)) for (const [inner, v] of Object.entries(value)) add(inner, v, `${key}.${inner}`);
    else add(key, value, key);
  }
  return doc;
}

/**
 * sd-scripts `--dataset_config`: `[general]`, `[[datasets]]` with `[[datasets.subsets]]`. Keys are
 * checked against config_util's schema (which refuses keys it does not know), and each dataset's
 * batch size and subsets' repeats are kept to derive the steps of an epoch.
 */
export function datasetDocument(file: string, text: string, toml: TomlOk): ConfigDocument {
  const doc: ConfigDocument = { file, format: 'dataset-toml', lines: splitLines(text), settings: new Map(), unknownKeys: [], datasets: [] };
  const pos = (path: string): SourcePos | undefined => toml.positions.get(path);
  const datasetKeys = new Set([...DATASET_KEYS.dataset, ...DATASET_KEYS.subset]);
  const subsetKeys = new Set(DATASET_KEYS.subset);
  const general = isTable(toml.data.general) ? toml.data.general : {};
  for (const key of Object.keys(toml.data))
    if (!DATASET_KEYS.top.includes(key)) doc.unknownKeys.push({ key, pos: pos(key) ?? pos(`${key}[0]`), known: 'dataset-top' });
  for (const [key, value] of Object.entries(general)) {
    if (!datasetKeys.has(key) || key === 'subsets') doc.unknownKeys.push({ key: `general.${key}`, pos: pos(`general.${key}`), known: 'dataset' });
    doc.settings.set(key, { value, key: `general.${key}`, pos: pos(`general.${key}`) });
  }
  const datasets = Array.isArray(toml.data.datasets) ? toml.data.datasets : [];
  datasets.forEach((ds, i) => {
    if (!isTable(ds)) return;
    const base = `datasets[${i}]`;
    for (const key of Object.keys(ds)) if (!datasetKeys.has(key)) doc.unknownKeys.push({ key: `${base}.${key}`, pos: pos(`${base}.${key}`), known: 'dataset' });
    const at = (key: string): Setting | undefined => (key in ds ? { value: ds[key], key: `${base}.${key}`, pos: pos(`${base}.${key}`) } : undefined);
    const entry: DatasetEntry = {
      batchSize: asNumber(ds.batch_size) ?? asNumber(general.batch_size) ?? 1,
      subsets: [],
      at: at('batch_size') ?? { value: ds.batch_size, key: base, pos: pos(base) },
    };
    const subsets = Array.isArray(ds.subsets) ? ds.subsets : [];
    subsets.forEach((sub, j) => {
      if (!isTable(sub)) return;
      const sbase = `${base}.subsets[${j}]`;
      for (const key of Object.keys(sub))
        if (!subsetKeys.has(key)) doc.unknownKeys.push({ key: `${sbase}.${key}`, pos: pos(`${sbase}.${key}`), known: 'subset' });
      const repeatsKey = 'num_repeats' in sub ? `${sbase}.num_repeats` : sbase;
      entry.subsets.push({
        imageDir: asText(sub.image_dir),
        numRepeats: asNumber(sub.num_repeats) ?? asNumber(ds.num_repeats) ?? asNumber(general.num_repeats) ?? 1,
        isReg: asBool(sub.is_reg) ?? false,
        at: { value: sub.num_repeats ?? 1, key: repeatsKey, pos: pos(repeatsKey) },
      });
    });
    doc.datasets!.push(entry);
  });
  return doc;
}
