import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { DTYPE_SIZE } from './dtype.js';
import { brief, type SafetensorsHeader, type TensorEntry } from './header.js';
import { columnGram, rowGram } from './gram.js';
import { classifyKey } from './keys.js';
import { gramShape, type GramMap, type TensorReport } from './modules.js';
import { claimCounts, countHalf, HALF_COUNT_MIN, halfValues, healthFromCounts, releaseCounts } from './half-scan.js';
import { newHealth, scanElements } from './tensor-health.js';

export interface ScanOptions {
  /** Bytes per read call (default 8 MiB); memory stays near this plus the largest factor held for a Gram. */
  chunkSize?: number;
  /** Compute the r×r Gram matrices of LoRA factors (for ‖ΔW‖). Default true. */
  norms?: boolean;
  /** sha256 the data section (`sshs_model_hash`). Default false. */
  hash?: boolean;
  /** Factors with more elements are not held for a Gram (memory bound). */
  maxGramElements?: number;
}

export type ScanResult = { ok: true; tensors: TensorReport[]; grams: GramMap; dataSha256?: string; bytesRead: number } | { ok: false; error: string };

const DEFAULT_CHUNK = 8 << 20;

/**
 * Streams the data section once, in file order: each tensor's health from its raw bits, the Gram
 * matrices of LoRA factors, and optionally the sha256 of every data byte. The header has already
 * proven that tensors tile the section, so reads are strictly sequential.
 */
export async function scanData(handle: FileHandle, header: SafetensorsHeader, options: ScanOptions = {}): Promise<ScanResult> {
  const chunk = Math.max(64, (options.chunkSize ?? DEFAULT_CHUNK) & ~7);
  const norms = options.norms ?? true;
  const maxGram = options.maxGramElements ?? 1 << 25;
  const hash = options.hash ? createHash('sha256') : undefined;
  const dataLength = header.fileSize - header.dataStart;
  // An 8-aligned ArrayBuffer of our own: pieces starting at buffer offset 0 are aligned for every dtype.
  const buf = new Uint8Array(new ArrayBuffer(Math.min(chunk, Math.max(8, roundUp8(dataLength)))));
  let scratch = new Uint8Array(new ArrayBuffer(0));
  let bufStart = 0; // data-section offset of buf[0]
  let filled = 0;
  let bytesRead = 0;
  const tensors: TensorReport[] = [];
  const grams: GramMap = new Map();

  /** Moves [pos, filled) to the front and reads until the buffer is full or the data ends. */
  const refill = async (pos: number): Promise<boolean> => {
    const keep = bufStart + filled - pos;
    if (keep > 0) buf.copyWithin(0, pos - bufStart, filled);
    bufStart = pos;
    filled = Math.max(0, keep);
    const want = Math.min(buf.length - filled, dataLength - (bufStart + filled));
    if (want <= 0) return false;
    const { bytesRead: got } = await handle.read(buf, filled, want, header.dataStart + bufStart + filled);
    if (got === 0) return false;
    hash?.update(buf.subarray(filled, filled + got));
    filled += got;
    bytesRead += got;
    return true;
  };

  for (const t of header.tensors) {
    const size = DTYPE_SIZE[t.dtype];
    const key = classifyKey(t.name);
    const report: TensorReport = { name: t.name, dtype: t.dtype, shape: t.shape, key, health: newHealth() };
    const matrix = norms ? gramShape({ shape: t.shape, elements: t.elements, key }) : undefined;
    const holdValues = t.elements === 1 || (matrix !== undefined && t.elements <= maxGram);
    const values = holdValues ? new Float64Array(t.elements) : undefined;
    const half = t.dtype === 'F16' || t.dtype === 'BF16' ? t.dtype : undefined;
    // The pattern counts are shared by the module; another scan holding them means this tensor goes element by element.
    const byCounts = half !== undefined && t.elements >= HALF_COUNT_MIN && t.elements < 2 ** 31 && claimCounts();
    let pos = t.begin;
    let done = 0; // elements scanned
    while (pos < t.end) {
      let avail = bufStart + filled - pos;
      if (pos < bufStart || avail < size || (avail < t.end - pos && avail < chunk >> 1)) {
        const more = await refill(pos).catch((e: unknown) => {
          if (byCounts) releaseCounts(true);
          throw e;
        });
        avail = bufStart + filled - pos;
        if (!more || avail < size) {
          if (byCounts) releaseCounts(true);
          return truncated(header, t, pos);
        }
      }
      let take = Math.min(avail, t.end - pos);
      take -= take % size;
      let piece = buf.subarray(pos - bufStart, pos - bufStart + take);
      if (piece.byteOffset % size !== 0) {
        if (scratch.length < take) scratch = new Uint8Array(new ArrayBuffer(roundUp8(Math.max(take, 1 << 16))));
        scratch.set(piece);
        piece = scratch.subarray(0, take);
      }
      if (byCounts) {
        countHalf(piece);
        if (values) halfValues(half!, piece, values, done);
      } else scanElements(t.dtype, piece, report.health, values, done);
      done += take / size;
      pos += take;
    }
    if (byCounts) {
      healthFromCounts(half!, report.health);
      releaseCounts(false);
    }
    if (values && t.elements === 1) report.value = values[0];
    if (values && matrix) {
      grams.set(t.name, matrix.kind === 'rows' ? rowGram(values, matrix.rows, matrix.cols) : columnGram(values, matrix.rows, matrix.cols));
    }
    tensors.push(report);
  }
  if (hash) {
    // Bytes after the last tensor are part of the data section the hash covers.
    while (bufStart + filled < dataLength) {
      if (!(await refill(bufStart + filled))) break;
    }
    if (bufStart + filled < dataLength) return { ok: false, error: `${header.path}: file shrank while reading (byte ${header.dataStart + bufStart + filled})` };
  }
  return { ok: true, tensors, grams, dataSha256: hash?.digest('hex'), bytesRead };
}

function truncated(header: SafetensorsHeader, t: TensorEntry, pos: number) {
  return {
    ok: false as const,
    error: `${header.path}: data of tensor ${brief(t.name, 200)} ends early at byte ${header.dataStart + pos} (file truncated or shrank while reading)`,
  };
}

function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
