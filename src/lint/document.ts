/**
 * A training config as read from any of the formats `tblens lint` knows, reduced to what the rules
 * need: sd-scripts argument names → value and where it was written (line/column of the key, so a
 * finding points at the line to change).
 */
export type ConfigFormat = 'sd-scripts-toml' | 'kohya-gui-json' | 'dataset-toml' | 'safetensors-metadata' | 'hparams';

export const FORMAT_LABEL: Record<ConfigFormat, string> = {
  'sd-scripts-toml': 'sd-scripts --config_file TOML',
  'kohya-gui-json': 'kohya_ss GUI JSON',
  'dataset-toml': 'sd-scripts --dataset_config TOML',
  'safetensors-metadata': 'LoRA ss_* metadata',
  hparams: 'kohya --log_config hparams',
};

/** 1-based, as editors and SARIF count; the column is in UTF-16 code units of the line. */
export interface SourcePos {
  line: number;
  column: number;
}

export interface Setting {
  value: unknown;
  /** The key as written in the file (GUI names, `ss_*` names, dotted TOML paths). */
  key: string;
  /** Absent when the source has no lines (safetensors metadata). */
  pos?: SourcePos;
}

export interface DatasetSubset {
  imageDir?: string;
  numRepeats: number;
  isReg: boolean;
  at?: Setting;
}

export interface DatasetEntry {
  batchSize: number;
  subsets: DatasetSubset[];
  at?: Setting;
}

export interface ConfigDocument {
  file: string;
  format: ConfigFormat;
  /** Source lines, for showing the line a finding points at (empty for binary sources). */
  lines: string[];
  /** sd-scripts argument names (plus the few GUI-only facts named in GUI_FACTS) → setting. */
  settings: Map<string, Setting>;
  /** Keys no known list holds, for the unknown-key rule; `known` names the list they were checked against. */
  unknownKeys: { key: string; pos?: SourcePos; known: 'sd-scripts' | 'gui' | 'dataset-top' | 'dataset' | 'subset' }[];
  /** `[[datasets]]` of a dataset config. */
  datasets?: DatasetEntry[];
  /**
   * Micro-batches per epoch, when the images could be counted (train_data_dir's `N_name` folders or
   * the dataset config's image_dir × num_repeats, over the batch size). With buckets each bucket
   * rounds up on its own, so the value is then a lower bound.
   */
  batchesPerEpoch?: { value: number; detail: string; lowerBound: boolean };
}

/** Facts only the GUI's JSON carries, kept under these names beside the sd-scripts ones. */
export const GUI_FACTS = {
  /** `lr_warmup`: warmup as a percentage of the run. */
  warmupPercent: 'gui:lr_warmup',
  /** `epoch`: the GUI's epoch count, from which it computes max_train_steps when that is empty. */
  epoch: 'gui:epoch',
  /** `sdxl`, `flux1_checkbox`, `sd3_checkbox`, `v2`: the model family the GUI launches. */
  family: 'gui:family',
  /** `LoRA_type`. */
  loraType: 'gui:LoRA_type',
} as const;

export function setting(doc: ConfigDocument, name: string): Setting | undefined {
  return doc.settings.get(name);
}
