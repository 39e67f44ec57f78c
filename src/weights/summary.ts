import type { RunIdentity } from '../identity/identity.js';

/**
 * What detectors and reports need from one LoRA `.safetensors` file. The weights reader produces
 * it (with more detail alongside); detectors depend only on this shape.
 */
export interface WeightsSummary {
  path: string;
  dtypes: string[];
  tensors: number;
  modules: number;
  nanElements: number;
  infElements: number;
  /** Names of tensors holding NaN / ±Inf. */
  nanTensors: string[];
  infTensors: string[];
  /** `lora_up` tensors (or the zero-initialised factor of other LyCORIS algorithms). */
  upTensors: number;
  /** Of those, how many are exactly zero everywhere (never updated from kohya's init). */
  zeroUpTensors: number;
  /** Root mean square of all finite `lora_up` elements. */
  upRms: number;
  /** `ss_steps` / `ss_epoch` of this checkpoint, when present. */
  steps?: number;
  epoch?: number;
  metadata: Record<string, string>;
  identity: RunIdentity;
  /** `sshs_model_hash` present and not equal to sha256 of the data section. */
  hashMismatch?: boolean;
  /** Why this file was linked to the run (start-time match, directory proximity, given explicitly). */
  linkReason?: string;
  /** All elements of all tensors, and how many are exactly zero (fp16 save underflow shows as a high share). */
  elements?: number;
  zeroElements?: number;
  /** Per model group (`te`, `te1`…, `down`, `mid`, `up`, `double`, `single`, `unet`, `other`): for the zero-group rule. */
  groups?: WeightsGroupSummary[];
}

export interface WeightsGroupSummary {
  group: string;
  modules: number;
  upTensors: number;
  zeroUpTensors: number;
  nanElements: number;
  infElements: number;
}
