import { open } from 'node:fs/promises';
import { maskedCrc32c } from './crc32c.js';

const HEADER = 12;
const FOOTER = 4;

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

/** Writes the record framing `payload` into `out` at `at`; returns the offset just past it. */
export function frameRecordInto(payload: Uint8Array, out: Uint8Array, at: number): number {
  const len = payload.length;
  putU32(out, at, len >>> 0);
  putU32(out, at + 4, Math.floor(len / 0x100000000));
  putU32(out, at + 8, maskedCrc32c(out, at, at + 8));
  out.set(payload, at + HEADER);
  putU32(out, at + HEADER + len, maskedCrc32c(payload));
  return at + HEADER + len + FOOTER;
}

/** One TFRecord: length, masked length CRC, payload, masked payload CRC. */
export function frameRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + HEADER + FOOTER);
  frameRecordInto(payload, out, 0);
  return out;
}

/** A whole file's bytes: the framed payloads concatenated, as writers produce them. */
export function frameRecords(payloads: Iterable<Uint8Array>): Uint8Array {
  const list = [...payloads];
  const out = new Uint8Array(list.reduce((n, p) => n + p.length + HEADER + FOOTER, 0));
  let at = 0;
  for (const p of list) at = frameRecordInto(p, out, at);
  return out;
}

/**
 * Streams framed payloads to a file (replacing it), buffering about `chunkSize` bytes so a file
 * of millions of records never sits in memory whole. Returns the number of bytes written.
 */
export async function writeRecordFile(path: string, payloads: Iterable<Uint8Array>, chunkSize = 1 << 20): Promise<number> {
  const handle = await open(path, 'w');
  try {
    let buffer = new Uint8Array(chunkSize);
    let filled = 0;
    let total = 0;
    for (const p of payloads) {
      const need = p.length + HEADER + FOOTER;
      if (filled + need > buffer.length) {
        if (filled > 0) await handle.write(buffer, 0, filled);
        filled = 0;
        if (need > buffer.length) buffer = new Uint8Array(need);
      }
      filled = frameRecordInto(p, buffer, filled);
      total += need;
    }
    if (filled > 0) await handle.write(buffer, 0, filled);
    return total;
  } finally {
    await handle.close();
  }
}
