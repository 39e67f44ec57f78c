import type { OptimizerInfo } from '../runs/identity.js';
import { healthJson, jsonNumber, weightsStatus, type InspectedFile } from './inspect-model.js';

/** `tblens inspect --format json`: everything read, numbers kept, NaN/Inf spelled as strings. */
export function inspectJson(files: InspectedFile[]): string {
  return JSON.stringify({ files: files.map(fileJson) }, replacer, 2) + '\n';
}

function fileJson(f: InspectedFile) {
  if (!f.ok) return { path: f.path, ok: false, error: f.error };
  const { summary: s, details: d } = f;
  return {
    path: f.path,
    ok: true,
    status: weightsStatus(s),
    summary: s,
    fileSize: d.fileSize,
    headerLength: d.headerLength,
    hash: d.hash ?? null,
    warnings: d.warnings,
    metadata: d.parsedMetadata,
    total: healthJson(d.total),
    blocks: d.blocks.map((b) => ({
      block: b.block,
      group: b.group,
      modules: b.modules,
      tensors: b.tensors,
      upTensors: b.upTensors,
      zeroUpTensors: b.zeroUpTensors,
      health: healthJson(b.health),
      up: healthJson(b.up),
      deltaNormMedian: jsonNumber(b.deltaNormMedian),
      deltaNormMax: jsonNumber(b.deltaNormMax),
    })),
    modules: d.modules.map((m) => ({
      name: m.name,
      family: m.family,
      block: m.block,
      group: m.group,
      parts: m.parts,
      conv: m.conv,
      tucker: m.tucker,
      dora: m.dora,
      rank: m.rank ?? null,
      alpha: jsonNumber(m.alpha),
      scale: jsonNumber(m.scale),
      deltaNorm: jsonNumber(m.deltaNorm),
      normNote: m.normNote ?? null,
      upZero: m.upZero,
      health: healthJson(m.health),
    })),
    tensors: d.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, ...healthJson(t.health) })),
  };
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (isOptimizer(value)) return { name: value.name, module: value.module, args: value.args, raw: value.raw };
  return value;
}

function isOptimizer(v: unknown): v is OptimizerInfo {
  return typeof v === 'object' && v !== null && 'raw' in v && 'args' in v && 'module' in v;
}
