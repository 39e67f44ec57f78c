// Hostile and unlucky TFRecord files, built in memory by the tests and benches that need them.
import { encodeFileVersionEvent, encodeScalarEvent } from '../../src/events/encode-event.js';
import { maskedCrc32c } from '../../src/tfrecord/crc32c.js';
import { frameRecords } from '../../src/tfrecord/write-records.js';

/** A 12-byte record header claiming `length` payload bytes, with a length CRC that verifies. */
export function forgedHeader(length: number): Uint8Array {
  const h = new Uint8Array(12);
  const view = new DataView(h.buffer);
  view.setBigUint64(0, BigInt(length), true);
  view.setUint32(8, maskedCrc32c(h, 0, 8), true);
  return h;
}

/** `count` scalar events of one tag as framed records (a file_version record first when the steps start at 0). */
export function scalarRecords(tag: string, count: number, firstStep = 0): Uint8Array {
  const payloads = firstStep === 0 ? [encodeFileVersionEvent(1_700_000_000)] : [];
  for (let k = 0; k < count; k++) payloads.push(encodeScalarEvent(1_700_000_000 + k, firstStep + k, tag, k / 10));
  return frameRecords(payloads);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The quadratic-resync trap: intact records, one header whose length CRC is wrong, then forged
 * headers back to back (one every 12 bytes) each claiming `claim` bytes with a valid length CRC,
 * filling the file to about `size` bytes, then the intact records `tail`. A reader that hashes
 * each candidate's payload afresh does (size / 12) × claim bytes of work.
 */
export function resyncTrap(size: number, claim = 1 << 20, tail = scalarRecords('loss', 10, 100)): { bytes: Uint8Array; trapAt: number; tailAt: number } {
  const head = scalarRecords('loss', 10);
  const broken = forgedHeader(16);
  broken[8] ^= 0xff; // the length CRC no longer matches: resynchronisation starts here
  const header = forgedHeader(claim);
  const fakes = Math.max(0, Math.floor((size - head.length - tail.length - 12) / 12));
  const trap = new Uint8Array(fakes * 12);
  for (let k = 0; k < fakes; k++) trap.set(header, k * 12);
  const bytes = concatBytes([head, broken, trap, tail]);
  return { bytes, trapAt: head.length, tailAt: head.length + 12 + trap.length };
}

/**
 * Intact records, then one header whose (valid) length reaches past the end of the file, then
 * `after` more intact records: a forged length in the middle of a file, not a cut-off tail.
 */
export function forgedLengthMidFile(after: number): { bytes: Uint8Array; forgedAt: number; resumesAt: number } {
  const head = scalarRecords('loss', 20);
  const tail = scalarRecords('loss', after, 1000);
  const forged = forgedHeader(1 << 30);
  return { bytes: concatBytes([head, forged, tail]), forgedAt: head.length, resumesAt: head.length + 12 };
}
