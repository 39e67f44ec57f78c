import { open, type FileHandle } from 'node:fs/promises';
import { readSafetensorsHeader, type SafetensorsHeader } from './header.js';
import { identityFromMetadata, metadataProblems, metaNumber, parseMetadata } from '../identity/metadata.js';
import { classifyKey } from './keys.js';
import { buildBlocks, buildModules, gramWork, type BlockReport, type ModuleReport, type TensorReport } from './modules.js';
import { scanData, type ScanOptions } from './scan-data.js';
import type { WeightsSummary } from './summary.js';
import { addHealth, newHealth, rms, type TensorHealth } from './tensor-health.js';
import { ioMessage } from '../io/io-message.js';

/** Everything the reader found, beyond the summary detectors use. */
export interface WeightsDetails {
  fileSize: number;
  headerLength: number;
  dataStart: number;
  tensors: TensorReport[];
  modules: ModuleReport[];
  blocks: BlockReport[];
  /** All tensors together. */
  total: TensorHealth;
  /** `ss_*` values parsed (numbers, null, booleans, arrays, objects, OptimizerInfo); others as written. */
  parsedMetadata: Record<string, unknown>;
  /** `sshs_model_hash` check: absent when the file has no hash or hashing was turned off. */
  hash?: { expected: string; actual: string; match: boolean };
  /** Tolerated oddities, one line each, naming the file. */
  warnings: string[];
}

export type WeightsResult = { ok: true; summary: WeightsSummary; details: WeightsDetails } | { ok: false; error: string };

export interface ReadWeightsOptions extends Pick<ScanOptions, 'chunkSize' | 'maxGramElements'> {
  /**
   * ‖up·down‖ per module via r×r Gram matrices. `'auto'` (default) computes them when they cost at
   * most NORM_BUDGET multiply-adds (about (rank+1)/2 per weight: dim ≤ 32 files of a few hundred MB
   * pass, dim 128 at 150 MB does not); `true` always, `false` never.
   */
  norms?: boolean | 'auto';
  /** Multiply-adds `'auto'` may spend (default NORM_BUDGET). */
  normBudget?: number;
  /** Verify `sshs_model_hash` when present (default true; one sha256 pass over the data). */
  verifyHash?: boolean;
}

/**
 * Reads one LoRA `.safetensors` file: validated header, one streaming pass over the data, modules,
 * blocks, metadata and identity. Damage and bad input come back as `{ ok: false, error }` naming
 * the file and the byte or field; nothing is thrown for bad files.
 */
export async function readWeightsSummary(path: string, options: ReadWeightsOptions = {}): Promise<WeightsResult> {
  return withHeader(path, async (handle, header) => {
    const expectedHash = header.metadata.sshs_model_hash?.trim().toLowerCase();
    const verify = (options.verifyHash ?? true) && expectedHash !== undefined && expectedHash !== '';
    const { norms, skipped } = normsPlan(header, options.norms ?? 'auto', options.normBudget ?? NORM_BUDGET);
    const scan = await scanData(handle, header, { chunkSize: options.chunkSize, maxGramElements: options.maxGramElements, norms, hash: verify });
    if (!scan.ok) return scan;
    const details = assemble(header, scan.tensors, scan.grams, skipped);
    if (verify && scan.dataSha256) details.hash = { expected: expectedHash!, actual: scan.dataSha256, match: expectedHash === scan.dataSha256 };
    return { ok: true, summary: summarize(header, details), details };
  });
}

/** Opens a regular file, reads and validates its header, runs `use`, and always closes it; I/O errors become one line. */
async function withHeader<T>(
  path: string,
  use: (handle: FileHandle, header: SafetensorsHeader) => Promise<T | { ok: false; error: string }>,
): Promise<T | { ok: false; error: string }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    return { ok: false, error: `${path}: ${ioMessage(e)}` };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { ok: false, error: `${path}: not a regular file` };
    const head = await readSafetensorsHeader(handle, path, stat.size);
    if (!head.ok) return head;
    return await use(handle, head.header);
  } catch (e) {
    return { ok: false, error: `${path}: ${ioMessage(e)}` };
  } finally {
    await handle.close();
  }
}

/** Multiply-adds `norms: 'auto'` spends on Gram matrices per file (about a second in V8). */
export const NORM_BUDGET = 2e9;

function normsPlan(header: SafetensorsHeader, wanted: boolean | 'auto', budget: number): { norms: boolean; skipped?: string } {
  if (wanted === false) return { norms: false, skipped: 'not computed (norms off)' };
  if (wanted === true) return { norms: true };
  const { work, maxRank } = gramWork(header.tensors.map((t) => ({ shape: t.shape, elements: t.elements, key: classifyKey(t.name) })));
  if (work <= budget) return { norms: true };
  return { norms: false, skipped: `skipped: ${(work / 1e9).toFixed(1)}e9 multiply-adds at rank ${maxRank} (over the auto budget; ask for norms)` };
}

/**
 * The header alone (metadata, identity, tensor list; no data read): enough to link a file to a run
 * before paying for the scan. Health fields are zero and must not be reported.
 */
export async function readWeightsHeaderSummary(path: string): Promise<{ ok: true; summary: WeightsSummary } | { ok: false; error: string }> {
  return withHeader(path, async (_handle, h) => {
    const summary = summarize(h, assemble(h, [], new Map()));
    summary.tensors = h.tensors.length;
    summary.dtypes = [...new Set(h.tensors.map((t) => t.dtype))].sort();
    summary.identity.saveDtypes = summary.dtypes;
    return { ok: true as const, summary };
  });
}

function assemble(header: SafetensorsHeader, tensors: TensorReport[], grams: Parameters<typeof buildModules>[1], normsSkipped?: string): WeightsDetails {
  const modules = buildModules(tensors, grams, normsSkipped);
  const total = newHealth();
  for (const t of tensors) addHealth(total, t.health);
  return {
    fileSize: header.fileSize,
    headerLength: header.headerLength,
    dataStart: header.dataStart,
    tensors,
    modules,
    blocks: buildBlocks(modules),
    total,
    parsedMetadata: parseMetadata(header.metadata),
    warnings: [...header.warnings, ...metadataProblems(header.metadata)].map((w) => `${header.path}: ${w}`),
  };
}

function summarize(header: SafetensorsHeader, d: WeightsDetails): WeightsSummary {
  const up = newHealth();
  let upTensors = 0;
  let zeroUp = 0;
  for (const m of d.modules) {
    if (m.up.elements === 0) continue;
    upTensors++;
    if (m.upZero) zeroUp++;
    addHealth(up, m.up);
  }
  const dtypes = [...new Set(d.tensors.map((t) => t.dtype))].sort();
  const identity = identityFromMetadata(header.metadata);
  identity.saveDtypes = dtypes;
  const summary: WeightsSummary = {
    path: header.path,
    dtypes,
    tensors: d.tensors.length,
    modules: d.modules.length,
    nanElements: d.total.nan,
    infElements: d.total.posInf + d.total.negInf,
    nanTensors: d.tensors.filter((t) => t.health.nan > 0).map((t) => t.name),
    infTensors: d.tensors.filter((t) => t.health.posInf + t.health.negInf > 0).map((t) => t.name),
    upTensors,
    zeroUpTensors: zeroUp,
    upRms: rms(up),
    metadata: header.metadata,
    identity,
    elements: d.total.elements,
    zeroElements: d.total.zeros,
    groups: groupSummaries(d.blocks),
  };
  const steps = metaNumber(header.metadata, 'ss_steps');
  const epoch = metaNumber(header.metadata, 'ss_epoch');
  if (steps !== undefined) summary.steps = steps;
  if (epoch !== undefined) summary.epoch = epoch;
  if (d.hash) summary.hashMismatch = !d.hash.match;
  return summary;
}

function groupSummaries(blocks: BlockReport[]): NonNullable<WeightsSummary['groups']> {
  const groups = new Map<string, NonNullable<WeightsSummary['groups']>[number]>();
  for (const b of blocks) {
    let g = groups.get(b.group);
    if (!g) groups.set(b.group, (g = { group: b.group, modules: 0, upTensors: 0, zeroUpTensors: 0, nanElements: 0, infElements: 0 }));
    g.modules += b.modules;
    g.upTensors += b.upTensors;
    g.zeroUpTensors += b.zeroUpTensors;
    g.nanElements += b.health.nan;
    g.infElements += b.health.posInf + b.health.negInf;
  }
  return [...groups.values()];
}
