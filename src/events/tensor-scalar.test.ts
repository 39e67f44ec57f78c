import { describe, expect, it } from 'vitest';
import { tensorScalar } from './tensor-scalar.js';

describe('tensorScalar', () => {
  it('reads a DT_FLOAT scalar from tensor_content', () => {
    // dtype=DT_FLOAT, tensor_content = 1.0f
    const bytes = new Uint8Array([0x08, 0x01, 0x22, 0x04, 0x00, 0x00, 0x80, 0x3f]);
    expect(tensorScalar(bytes, 0, bytes.length)?.value).toBe(1);
  });

  it('rejects tensor_content that claims more bytes than the tensor holds, not reading past it', () => {
    // tensor_content claims 4 bytes but the tensor [0, 6) holds 2; the bytes after belong to something else.
    const bytes = new Uint8Array([0x08, 0x01, 0x22, 0x04, 0x00, 0x00, 0x80, 0x3f]);
    expect(tensorScalar(bytes, 0, 6)).toBeUndefined();
  });
});
