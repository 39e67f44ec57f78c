import { maskedCrc32c8, maskedCrc32cInt } from './crc32c.js';
import type { RecordDamage } from './damage.js';
import { newPrefixChain, rangeMaskedCrc32c, resetPrefixChain, type PrefixChain } from './range-crc.js';
import { forgetMirror, mirrorEpoch, verifiedEnd, verifiedRun } from './verified-frames.js';

/**
 * Receives records without allocating a view per record: the payload is bytes[start, end) and
 * `offset` is the record's position in the file. `bytes` is only valid during the call.
 */
export interface RecordSink {
  record(bytes: Uint8Array, start: number, end: number, offset: number): void;
  damage(damage: RecordDamage): void;
}

/** Scanner state carried between buffer windows of one file. */
export interface ScanState {
  /** File size known to the caller; a length reaching past it is a truncated tail, never an allocation. */
  fileSize: number;
  /** Where an unresolved resynchronisation started (absolute offset), or -1. */
  resyncFrom: number;
  records: number;
  /** Whether any damage was seen. */
  damaged: boolean;
  /** Set once the rest of the file cannot hold records (truncated tail, not an event file). */
  finished: boolean;
  /** Absolute offset just past the last complete record (good or CRC-damaged): where a re-read of a growing file resumes. */
  resumeAt: number;
  /**
   * Set while resynchronising past a length that reaches beyond the end of the file: the
   * truncated tail to report if no intact record follows (a writer still writing), instead of
   * the skipped range reported when one does (a forged or flipped length).
   */
  pendingTail: (RecordDamage & { kind: 'truncated' }) | null;
  /** Prefix CRC registers of the bytes being resynchronised over, so each candidate costs O(1). */
  chain: PrefixChain;
  /** Work done resynchronising: candidates whose length CRC matched, and payload bytes hashed directly. */
  candidates: number;
  hashedDirect: number;
}

export function newScanState(fileSize: number, start = 0): ScanState {
  return {
    fileSize,
    resyncFrom: -1,
    records: 0,
    damaged: false,
    finished: false,
    resumeAt: start,
    pendingTail: null,
    chain: newPrefixChain(),
    candidates: 0,
    hashedDirect: 0,
  };
}

/** What resynchronisation cost: linear in the bytes skipped whatever they hold (tests assert on it). */
export function resyncWork(state: ScanState): { candidates: number; hashedBytes: number } {
  return { candidates: state.candidates, hashedBytes: state.hashedDirect + state.chain.hashed };
}

const HEADER = 12;
const FOOTER = 4;

function u32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** A stored CRC as int32, to compare with the int32 CRC forms (no heap numbers per record). */
function i32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** Length field as a number, or Infinity when it cannot be a length in any file (≥ 2^53). */
function u64Length(b: Uint8Array, i: number): number {
  const hi = u32(b, i + 4);
  if (hi >= 0x200000) return Infinity;
  return hi * 0x100000000 + u32(b, i);
}

/** Payloads up to this size are hashed directly: a bounded cost per candidate either way. */
const DIRECT = 64;

/** True when a verified record (both CRCs) starts at bytes[i]; needs the whole record in the window. */
function verifiesAt(state: ScanState, b: Uint8Array, i: number, windowEnd: number, base: number): boolean | 'need-more' {
  if (i + HEADER > windowEnd) return 'need-more';
  if (maskedCrc32c8(b, i) !== i32(b, i + 8)) return false;
  const len = u64Length(b, i);
  const absolute = base + i;
  if (absolute + HEADER + len + FOOTER > state.fileSize) return false;
  if (i + HEADER + len + FOOTER > windowEnd) return 'need-more';
  state.candidates++;
  const stored = i32(b, i + HEADER + len);
  if (len <= DIRECT) {
    state.hashedDirect += len;
    return maskedCrc32cInt(b, i + HEADER, i + HEADER + len) === stored;
  }
  // Candidates may overlap (a crafted file puts one every 12 bytes, each claiming megabytes):
  // the chain hashes each byte once for all of them.
  return rangeMaskedCrc32c(state.chain, b, base, absolute + HEADER, absolute + HEADER + len) === stored;
}

/**
 * Scans bytes[0, windowEnd), which hold the file from absolute offset `base`, calling the sink
 * for each verified record and each damage. Returns how many bytes were consumed; the caller
 * keeps the rest and calls again with more bytes appended (or `atEof` when there are none).
 */
export function scanWindow(state: ScanState, b: Uint8Array, windowEnd: number, base: number, atEof: boolean, sink: RecordSink): number {
  if (state.finished) return windowEnd;
  let i = 0;
  if (state.resyncFrom >= 0) {
    const r = resync(state, b, i, windowEnd, base, atEof, sink);
    if (r < 0) return -r - 1;
    i = r;
  }
  forgetMirror();
  // Records reaching past the file size are truncation, which the per-record path reports.
  const limit = Math.min(windowEnd, state.fileSize - base);
  while (i < windowEnd) {
    if (limit - i >= HEADER + FOOTER) {
      const n = verifiedRun(b, i, limit);
      const epoch = mirrorEpoch();
      for (let k = 0; k < n; k++) {
        const end = verifiedEnd(k);
        state.resumeAt = base + end + FOOTER;
        state.records++;
        sink.record(b, i + HEADER, end, base + i);
        i = end + FOOTER;
        // A sink that scanned another file reused the mirror: verify the rest again.
        if (mirrorEpoch() !== epoch) {
          forgetMirror();
          break;
        }
      }
      if (i >= windowEnd) break;
    }
    const absolute = base + i;
    if (i + HEADER > windowEnd) {
      if (!atEof) return i;
      return finish(
        state,
        sink,
        { kind: 'truncated', offset: absolute, bytes: windowEnd - i, detail: `record header of 12 bytes, only ${windowEnd - i} present` },
        windowEnd,
      );
    }
    if (maskedCrc32c8(b, i) !== i32(b, i + 8)) {
      if (absolute === 0 && looksLikeLfsPointer(b, i, windowEnd)) {
        return finish(state, sink, { kind: 'not_event_file', offset: 0, detail: 'git-lfs pointer, content not present' }, windowEnd);
      }
      state.resyncFrom = absolute;
      state.damaged = true;
      const r = resync(state, b, i + 1, windowEnd, base, atEof, sink);
      if (r < 0) return -r - 1;
      i = r;
      continue;
    }
    const len = u64Length(b, i);
    const recordEnd = absolute + HEADER + len + FOOTER;
    if (recordEnd > state.fileSize) {
      const present = state.fileSize - absolute;
      const claimed = len === Infinity ? 'an impossible number of' : String(len + 16);
      // A cut-off tail, unless intact records follow: then the length was forged or flipped, and
      // those records are kept (TensorBoard would wait at this offset for ever and lose them).
      state.pendingTail = { kind: 'truncated', offset: absolute, bytes: present, detail: `record of ${claimed} bytes, only ${present} present` };
      state.resyncFrom = absolute;
      const r = resync(state, b, i + 1, windowEnd, base, atEof, sink);
      if (r < 0) return -r - 1;
      i = r;
      continue;
    }
    const end = i + HEADER + len;
    if (end + FOOTER > windowEnd) {
      if (!atEof) return i;
      // The file shrank under us after stat: same as a truncated tail.
      return finish(
        state,
        sink,
        { kind: 'truncated', offset: absolute, bytes: windowEnd - i, detail: `record of ${len + 16} bytes, only ${windowEnd - i} present` },
        windowEnd,
      );
    }
    state.resumeAt = recordEnd;
    if (maskedCrc32cInt(b, i + HEADER, end) !== i32(b, end)) {
      state.damaged = true;
      sink.damage({ kind: 'crc_error', offset: absolute, length: len + 16 });
    } else {
      state.records++;
      sink.record(b, i + HEADER, end, absolute);
    }
    i = end + FOOTER;
  }
  return i;
}

/** Scans a whole file held in memory; the same records and damage as streaming it from disk. */
export function scanBuffer(bytes: Uint8Array, sink: RecordSink): ScanState {
  const state = newScanState(bytes.length);
  scanWindow(state, bytes, bytes.length, 0, true, sink);
  return state;
}

/**
 * Looks for the next offset ≥ i where a record verifies. Returns the window index to continue at,
 * or -(consumed + 1) when more bytes are needed (or the file ended while resynchronising).
 */
function resync(state: ScanState, b: Uint8Array, i: number, windowEnd: number, base: number, atEof: boolean, sink: RecordSink): number {
  for (; i < windowEnd; i++) {
    const v = verifiesAt(state, b, i, windowEnd, base);
    if (v === true) {
      reportSkipped(state, base + i, sink, true);
      return i;
    }
    if (v === 'need-more' && !atEof) return -(i + 1);
  }
  if (!atEof) return -(i + 1);
  reportSkipped(state, base + windowEnd, sink, false);
  return -(windowEnd + 1);
}

function finish(state: ScanState, sink: RecordSink, damage: RecordDamage, windowEnd: number): number {
  state.finished = true;
  if (damage.kind !== 'truncated' || state.records > 0 || damage.offset > 0) state.damaged = true;
  sink.damage(damage);
  return windowEnd;
}

function reportSkipped(state: ScanState, end: number, sink: RecordSink, found: boolean): void {
  const from = state.resyncFrom;
  const tail = state.pendingTail;
  state.resyncFrom = -1;
  state.pendingTail = null;
  resetPrefixChain(state.chain);
  if (tail) {
    if (!found) {
      finish(state, sink, tail, 0);
      return;
    }
    state.damaged = true;
    sink.damage({ kind: 'skipped_bytes', offset: from, end, detail: `record length reaching past the end of the file (${tail.detail})` });
    return;
  }
  if (from === 0 && state.records === 0 && end === state.fileSize) {
    state.finished = true;
    sink.damage({ kind: 'not_event_file', offset: 0, detail: 'no valid TFRecord framing anywhere in the file' });
    return;
  }
  const detail = from === 0 && state.records === 0 ? 'no TFRecord framing at the start of the file' : 'bad record length CRC';
  sink.damage({ kind: 'skipped_bytes', offset: from, end, detail });
}

const LFS = new TextEncoder().encode('version https://git-lfs');

function looksLikeLfsPointer(b: Uint8Array, i: number, windowEnd: number): boolean {
  if (windowEnd - i < LFS.length) return false;
  for (let k = 0; k < LFS.length; k++) if (b[i + k] !== LFS[k]) return false;
  return true;
}
