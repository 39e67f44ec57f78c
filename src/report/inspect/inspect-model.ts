import type { ModuleReport } from '../../weights/modules.js';
import type { WeightsDetails } from '../../weights/read-summary.js';
import type { WeightsSummary } from '../../weights/summary.js';
import { meanAbs, nonFinite, rms } from '../../weights/tensor-health.js';

/** One inspected file, or why it could not be read. */
export type InspectedFile = { path: string; ok: true; summary: WeightsSummary; details: WeightsDetails } | { path: string; ok: false; error: string };

export type WeightsStatus = 'nonfinite' | 'untrained' | 'zero_groups' | 'ok';

/** The verdict diagnosis.md §3.6 gives a file: NaN/Inf, all `lora_up` zero, some groups zero, or fine. */
export function weightsStatus(s: WeightsSummary): WeightsStatus {
  if (s.nanElements + s.infElements > 0) return 'nonfinite';
  if (s.upTensors > 0 && s.zeroUpTensors === s.upTensors) return 'untrained';
  if (s.groups?.some((g) => g.upTensors > 0 && g.zeroUpTensors === g.upTensors)) return 'zero_groups';
  return 'ok';
}

/**
 * Modules worth a look first: non-finite elements, then a zero up factor, then the largest ‖ΔW‖
 * relative to its block's median (the modules `--scale_weight_norms` would cap first).
 */
export function worstModules(details: WeightsDetails, limit: number): ModuleReport[] {
  const medians = new Map(details.blocks.map((b) => [b.block, b.deltaNormMedian]));
  const score = (m: ModuleReport): [number, number, number] => {
    const ratio = m.deltaNorm !== undefined && Number.isFinite(m.deltaNorm) ? m.deltaNorm / (medians.get(m.block) || 1) : 0;
    return [nonFinite(m.health), m.upZero ? 1 : 0, ratio];
  };
  return [...details.modules]
    .map((m) => ({ m, s: score(m) }))
    .sort((a, b) => b.s[0] - a.s[0] || b.s[1] - a.s[1] || b.s[2] - a.s[2])
    .slice(0, limit)
    .map((x) => x.m);
}

/** JSON-safe numbers: NaN/±Inf become strings, as JSON has no spelling for them. */
export function jsonNumber(x: number | undefined): number | string | null {
  if (x === undefined) return null;
  return Number.isFinite(x) ? x : String(x);
}

export function healthJson(h: Parameters<typeof rms>[0]) {
  return {
    elements: h.elements,
    nan: h.nan,
    posInf: h.posInf,
    negInf: h.negInf,
    zeros: h.zeros,
    min: jsonNumber(h.finite ? h.min : NaN),
    max: jsonNumber(h.finite ? h.max : NaN),
    meanAbs: jsonNumber(meanAbs(h)),
    rms: jsonNumber(rms(h)),
  };
}
