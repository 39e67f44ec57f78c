import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { cachedUtf8 } from './string-cache.js';

const { util } = protobuf;
const enc = new TextEncoder();

describe('cachedUtf8', () => {
  it('returns what protobufjs decodes, for many tags, repeated, colliding and not', () => {
    const tags = ['', 'a', 'lr/unet', 'loss/current', 'loss/average', 'épsilon/ß', 'x'.repeat(64), 'y'.repeat(65), '\u{1F600}'];
    for (let g = 0; g < 3000; g++) tags.push(`lr/group${g}`, `t${g % 7}/${g}`);
    for (let round = 0; round < 3; round++) {
      for (const tag of tags) {
        const bytes = new Uint8Array([1, 2, ...enc.encode(tag), 3]);
        expect(cachedUtf8(bytes, 2, bytes.length - 1)).toBe(util.utf8.read(bytes, 2, bytes.length - 1));
      }
    }
  });

  it('decodes invalid UTF-8 exactly like protobufjs (loose)', () => {
    const bytes = new Uint8Array([0x6c, 0xff, 0xc3, 0x28, 0xe2, 0x82]);
    for (let k = 0; k < 3; k++) expect(cachedUtf8(bytes, 0, bytes.length)).toBe(util.utf8.read(bytes, 0, bytes.length));
  });

  it('gives the same string instance for the same bytes', () => {
    const a = enc.encode('loss/current');
    const b = new Uint8Array([9, ...a]);
    expect(cachedUtf8(a, 0, a.length)).toBe(cachedUtf8(b, 1, b.length));
  });
});
