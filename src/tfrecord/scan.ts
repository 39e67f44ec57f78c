import { maskedCrc32c8, maskedCrc32cInt } from './crc32c.js';
import type { RecordDamage } from './damage.js';
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
}

export function newScanState(fileSize: number, start = 0): ScanState {
  return { fileSize, resyncFrom: -1, records: 0, damaged: false, finished: false, resumeAt: start };
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

/** True when a verified record (both CRCs) starts at bytes[i]; needs the whole record in the window. */
function verifiesAt(b: Uint8Array, i: number, windowEnd: number, absolute: number, fileSize: number): boolean | 'need-more' {
  if (i + HEADER > windowEnd) return 'need-more';
  if (maskedCrc32c8(b, i) !== i32(b, i + 8)) return false;
  const len = u64Length(b, i);
  if (absolute + HEADER + len + FOOTER > fileSize) return false;
  if (i + HEADER + len + FOOTER > windowEnd) return 'need-more';
  return maskedCrc32cInt(b, i + HEADER, i + HEADER + len) === i32(b, i + HEADER + len);
}

/**
 * Scans bytes[0, windowEnd), which hold the file from absolute offset `base`, calling the sink
 * for each verified record and each damage. Returns how many bytes were consumed; the caller
 * keeps the rest and calls again with more bytes appended (or `atEof` when there are none).
 */
export function scanWindow(
  state: ScanState,
  b: Uint8Array,
  windowEnd: number,
  base: number,
  atEof: boolean,
  sink: RecordSink,
): number {
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
      return finish(state, sink, { kind: 'truncated', offset: absolute, bytes: windowEnd - i, detail: `record header of 12 bytes, only ${windowEnd - i} present` }, windowEnd);
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
      return finish(state, sink, { kind: 'truncated', offset: absolute, bytes: present, detail: `record of ${claimed} bytes, only ${present} present` }, windowEnd);
    }
    const end = i + HEADER + len;
    if (end + FOOTER > windowEnd) {
      if (!atEof) return i;
      // The file shrank under us after stat: same as a truncated tail.
      return finish(state, sink, { kind: 'truncated', offset: absolute, bytes: windowEnd - i, detail: `record of ${len + 16} bytes, only ${windowEnd - i} present` }, windowEnd);
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
    const v = verifiesAt(b, i, windowEnd, base + i, state.fileSize);
    if (v === true) {
      reportSkipped(state, base + i, sink);
      return i;
    }
    if (v === 'need-more' && !atEof) return -(i + 1);
  }
  if (!atEof) return -(i + 1);
  reportSkipped(state, base + windowEnd, sink);
  return -(windowEnd + 1);
}

function finish(state: ScanState, sink: RecordSink, damage: RecordDamage, windowEnd: number): number {
  state.finished = true;
  if (damage.kind !== 'truncated' || state.records > 0 || damage.offset > 0) state.damaged = true;
  sink.damage(damage);
  return windowEnd;
}

function reportSkipped(state: ScanState, end: number, sink: RecordSink): void {
  const from = state.resyncFrom;
  state.resyncFrom = -1;
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
