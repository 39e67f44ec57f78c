import { describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c, maskedCrc32c8, maskedCrc32cInt, crc32cAdvance, crc32cShift, zeroBytesFactor } from './crc32c.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the published check value and RFC 3720 vector', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
  });
  it('masks like the TensorBoard data server', () => {
    const input = new Uint8Array([0x1a, 0x11, ...bytes('CRC test, one two')]);
    expect(maskedCrc32c(input)).toBe(0x5794d08a);
  });
  it('gives the same result for every split of the slicing loop', () => {
    const data = new Uint8Array(37).map((_, i) => (i * 37 + 11) & 0xff);
    for (let start = 0; start < 9; start++) {
      const reference = crc32c(data.slice(start));
      expect(crc32c(data, start, data.length)).toBe(reference);
    }
  });
});

describe('int32 forms used by the scanner', () => {
  it('maskedCrc32cInt is the masked CRC as int32', () => {
    const data = new Uint8Array(300).map((_, i) => (i * 131 + 7) ^ (i >> 3));
    for (const [s, e] of [
      [0, 0],
      [0, 1],
      [3, 40],
      [0, 300],
      [17, 299],
    ])
      expect(maskedCrc32cInt(data, s, e)).toBe(maskedCrc32c(data, s, e) | 0);
  });
  it('equals the general function on every 8-byte window', () => {
    const data = new Uint8Array(300).map((_, i) => (i * 131 + 7) ^ (i >> 3));
    for (let i = 0; i + 8 <= data.length; i++) expect(maskedCrc32c8(data, i)).toBe(maskedCrc32c(data, i, i + 8) | 0);
  });
});

describe('range CRC from prefix registers', () => {
  const b = new Uint8Array(70_000).map((_, i) => (i * 7919 + 13) & 0xff);
  it('shifting by n equals feeding n zero bytes', () => {
    for (const n of [0, 1, 7, 255, 256, 65_537, 70_000]) expect(crc32cShift(12345, zeroBytesFactor(n))).toBe(crc32cAdvance(12345, new Uint8Array(n), 0, n));
  });
  it('CRC of [a, e) from the registers at a and e', () => {
    const prefix = (x: number) => crc32cAdvance(0, b, 0, x);
    for (const [a, e] of [
      [0, 5000],
      [3, 17],
      [100, 4097],
      [1, 2],
      [9, 69_999],
    ]) {
      expect(~(crc32cShift(~prefix(a), zeroBytesFactor(e - a)) ^ prefix(e)) >>> 0).toBe(crc32c(b, a, e));
    }
  });
});
