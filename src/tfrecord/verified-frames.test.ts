import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maskedCrc32cInt } from './crc32c.js';
import type { RecordDamage } from './damage.js';
import { scanBuffer } from './scan.js';
import { forgetMirror, verifiedEnd, verifiedRun } from './verified-frames.js';
import { frameRecord } from './write-records.js';

/** The records the WebAssembly run must accept: the scanner's own rules, in JavaScript. */
function referenceRun(b: Uint8Array, from: number, limit: number): number[] {
  const ends: number[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = from;
  while (limit - i >= 16) {
    if (maskedCrc32cInt(b, i, i + 8) !== dv.getInt32(i + 8, true)) break;
    if (dv.getUint32(i + 4, true) !== 0) break;
    const len = dv.getUint32(i, true);
    if (len > limit - i - 16) break;
    const end = i + 12 + len;
    if (maskedCrc32cInt(b, i + 12, end) !== dv.getInt32(end, true)) break;
    ends.push(end);
    i = end + 4;
  }
  return ends;
}

function wasmRun(b: Uint8Array, from: number, limit: number): number[] {
  forgetMirror();
  const n = verifiedRun(b, from, limit);
  return Array.from({ length: n }, (_, k) => verifiedEnd(k));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('verifiedRun', () => {
  it('accepts exactly the records the JavaScript rules accept, under random damage and limits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 90 }), { maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.nat(),
        fc.nat(),
        (payloads, flips, fromSeed, cutSeed) => {
          const b = concat(payloads.map((p) => frameRecord(p)));
          for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v;
          const from = b.length > 0 ? fromSeed % (b.length + 1) : 0;
          const limit = from + (cutSeed % (b.length - from + 1));
          expect(wasmRun(b, from, limit)).toEqual(referenceRun(b, from, limit));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('finds every record of a real kohya file', () => {
    const b = new Uint8Array(readFileSync('fixtures/kohya/no-te/20261129140520/network_train/events.out.tfevents.1795961120.vm.6671.0'));
    const ends = wasmRun(b, 0, b.length);
    expect(ends.length).toBeGreaterThan(10);
    expect(ends[ends.length - 1] + 4).toBe(b.length);
    expect(ends).toEqual(referenceRun(b, 0, b.length));
  });

  it('scanBuffer sees every record and one bad CRC across several mirror refills', () => {
    const payloads = Array.from({ length: 60000 }, (_, k) => new TextEncoder().encode(`record ${k} `.padEnd(20 + (k % 17), 'x')));
    const b = concat(payloads.map((p) => frameRecord(p)));
    const bad = 45000;
    let at = 0;
    for (let k = 0; k < bad; k++) at += payloads[k].length + 16;
    b[at + 12] ^= 1; // payload byte: a crc_error, framing intact
    const seen: string[] = [];
    const damage: RecordDamage[] = [];
    scanBuffer(b, { record: (bytes, s, e) => seen.push(new TextDecoder().decode(bytes.subarray(s, e))), damage: (d) => damage.push(d) });
    expect(damage).toEqual([{ kind: 'crc_error', offset: at, length: payloads[bad].length + 16 }]);
    expect(seen.length).toBe(payloads.length - 1);
    expect(seen[bad]).toBe(new TextDecoder().decode(payloads[bad + 1]));
    expect(seen[seen.length - 1]).toBe(new TextDecoder().decode(payloads[payloads.length - 1]));
  });
});
