import { GUI_FACTS, type ConfigDocument, type Setting } from './document.js';
import { GUI_JSON_KEYS, sdScriptsArguments } from './known-keys.js';
import type { JsonProperty, JsonRead } from './read-json.js';
import { splitLines } from './text-position.js';
import { asBool, asNumber, asText } from './values.js';

type JsonOk = Extract<JsonRead, { ok: true }>;

/** GUI keys whose sd-scripts argument has another name. */
const RENAMED: Record<string, string> = {
  optimizer: 'optimizer_type',
  max_resolution: 'resolution',
  lora_network_weights: 'network_weights',
  sdxl_no_half_vae: 'no_half_vae',
};

/** Keys that identify a kohya_ss GUI config (none of them is an sd-scripts argument name). */
const GUI_MARKERS = [
  'LoRA_type',
  'epoch',
  'max_resolution',
  'lr_warmup',
  'optimizer',
  'additional_parameters',
  'model_list',
  'sdxl',
  'num_cpu_threads_per_process',
];

export function isGuiJson(props: JsonProperty[]): boolean {
  const keys = new Set(props.map((p) => p.key));
  const known = sdScriptsArguments();
  return GUI_MARKERS.some((k) => keys.has(k)) || props.filter((p) => known.has(p.key)).length >= 3;
}

/**
 * A kohya_ss GUI config or preset as the GUI would launch it (lora_gui.py): numbers may be strings
 * and "" means unset; unet_lr / text_encoder_lr of 0 mean "not given" (a TE lr of 0 beside a U-Net
 * lr trains the U-Net only); `optimizer_args` is one string the GUI splits at spaces;
 * `additional_parameters` holds raw flags appended to the command line (they override the rest).
 */
export function guiDocument(file: string, text: string, json: JsonOk): ConfigDocument {
  const doc: ConfigDocument = { file, format: 'kohya-gui-json', lines: splitLines(text), settings: new Map(), unknownKeys: [] };
  const guiKeys = new Set(GUI_JSON_KEYS);
  const byKey = new Map(json.properties.map((p) => [p.key, p]));
  const put = (name: string, p: JsonProperty, value: unknown = p.value) => doc.settings.set(name, { value, key: p.key, pos: p.keyPos });
  for (const p of json.properties) {
    if (!guiKeys.has(p.key) && !sdScriptsArguments().has(p.key)) doc.unknownKeys.push({ key: p.key, pos: p.keyPos, known: 'gui' });
    if (p.value === '' || p.value === null) continue;
    if (p.key === 'lr_warmup') put(GUI_FACTS.warmupPercent, p);
    else if (p.key === 'epoch') put(GUI_FACTS.epoch, p);
    else if (p.key === 'LoRA_type') put(GUI_FACTS.loraType, p);
    else if (p.key === 'unet_lr' || p.key === 'text_encoder_lr' || p.key === 'additional_parameters') continue;
    else if (p.key === 'max_train_steps' || p.key === 'max_train_epochs') {
      if (asNumber(p.value) !== 0) put(p.key, p);
    } else put(RENAMED[p.key] ?? p.key, p);
  }
  const family = (['sdxl', 'flux1_checkbox', 'sd3_checkbox', 'v2'] as const).find((k) => asBool(byKey.get(k)?.value) === true);
  if (family) put(GUI_FACTS.family, byKey.get(family)!, family);
  if (!family) doc.settings.delete('no_half_vae'); // the GUI passes sdxl_no_half_vae only for SDXL
  guiLearningRates(doc, byKey);
  additionalParameters(doc, byKey.get('additional_parameters'), json);
  return doc;
}

function guiLearningRates(doc: ConfigDocument, byKey: Map<string, JsonProperty>): void {
  const unet = byKey.get('unet_lr');
  const te = byKey.get('text_encoder_lr');
  const unetLr = asNumber(unet?.value) ?? 0;
  const teLr = asNumber(te?.value) ?? 0;
  const set = (name: string, p: JsonProperty, value: unknown) => doc.settings.set(name, { value, key: p.key, pos: p.keyPos });
  if (unet && unetLr !== 0) set('unet_lr', unet, unetLr);
  if (te && teLr !== 0) set('text_encoder_lr', te, teLr);
  if (te && teLr === 0 && unetLr !== 0) set('network_train_unet_only', te, true);
  if (unet && unetLr === 0 && teLr !== 0) set('network_train_text_encoder_only', unet, true);
}

/** `--flag`, `--flag=value`, `--flag value …` (shell-style quotes), each at the flag's column. */
function additionalParameters(doc: ConfigDocument, p: JsonProperty | undefined, json: JsonOk): void {
  const text = asText(p?.value);
  if (!p || !text) return;
  const rawValue = doc.lines.length ? sliceRaw(doc, json, p) : '';
  const tokens = text.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  let current: { name: string; values: string[]; at: Setting } | undefined;
  const flush = () => {
    if (!current) return;
    const value = current.values.length === 0 ? true : current.values.length === 1 ? current.values[0] : current.values;
    doc.settings.set(current.name, { ...current.at, value });
    if (!sdScriptsArguments().has(current.name)) doc.unknownKeys.push({ key: `--${current.name}`, pos: current.at.pos, known: 'sd-scripts' });
    current = undefined;
  };
  for (const token of tokens) {
    const unquoted = token.replace(/^(["'])(.*)\1$/, '$2');
    const m = /^--([A-Za-z0-9_-]+)(?:=(.*))?$/.exec(unquoted);
    if (m) {
      flush();
      const index = rawValue.indexOf(`--${m[1]}`);
      const pos = index >= 0 ? json.at(p.valueOffset + index) : p.keyPos;
      current = { name: m[1], values: m[2] === undefined ? [] : [m[2]], at: { value: true, key: `additional_parameters --${m[1]}`, pos } };
    } else if (current) current.values.push(unquoted);
  }
  flush();
}

/** The value's JSON text as written (escapes and all), so a flag's offset in it is its offset in the file. */
function sliceRaw(doc: ConfigDocument, json: JsonOk, p: JsonProperty): string {
  const start = json.at(p.valueOffset);
  const line = doc.lines[start.line - 1] ?? '';
  return line.slice(start.column - 1, start.column - 1 + p.valueLength);
}
