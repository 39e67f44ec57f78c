import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../../test/support/craft-safetensors.js';
import { readWeightsSummary } from './read-summary.js';

const dir = mkdtempSync(join(tmpdir(), 'tblens-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = readFileSync(join(import.meta.dirname, '../../fixtures/kohya/inf-weights-fine-loss/glypha-inf-weights-fine-loss.safetensors'));
const headerEnd = 8 + Number(fixture.readBigUInt64LE(0));

/** Reads `bytes` as a file: must resolve (never throw) to a result that is either ok or one line naming the file. */
async function readsSafely(bytes: Uint8Array): Promise<void> {
  const path = join(dir, 'f.safetensors');
  writeFileSync(path, bytes);
  const r = await readWeightsSummary(path, { chunkSize: 4096 });
  if (r.ok) {
    expect(r.summary.tensors).toBe(r.details.tensors.length);
    for (const t of r.details.tensors) expect(t.health.elements).toBe(t.shape.reduce((a, b) => a * b, 1));
  } else {
    expect(r.error.startsWith(path)).toBe(true);
    expect(r.error).not.toContain('\n');
  }
}

describe('mutated safetensors headers never crash or hang', () => {
  it('byte flips, splices and truncations of a real header', async () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(headerEnd - 1), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(fixture.length) }),
      fc.record({ kind: fc.constant('digit' as const), at: fc.nat(headerEnd - 1), value: fc.integer({ min: 0x30, max: 0x39 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), async (mutations) => {
        let bytes = new Uint8Array(fixture);
        for (const m of mutations) {
          if (m.kind === 'cut') bytes = bytes.slice(0, Math.min(m.at, bytes.length));
          else if (m.at < bytes.length) bytes[m.at] = m.value;
        }
        await readsSafely(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary JSON-shaped headers over random data', async () => {
    const number = fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.constant(2 ** 53), fc.constant(2 ** 63), fc.double());
    const entry = fc.record(
      {
        dtype: fc.constantFrom('F16', 'BF16', 'F32', 'F64', 'I8', 'U8', 'I64', 'BOOL', 'F8_E4M3', 'F8_E5M2', 'Q4', 7),
        shape: fc.oneof(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }), fc.array(number, { maxLength: 3 }), fc.constant('x')),
        data_offsets: fc.oneof(fc.tuple(fc.nat(600), fc.nat(600)), fc.array(number, { maxLength: 3 })),
      },
      { requiredKeys: [] },
    );
    const header = fc.dictionary(
      fc.constantFrom('a.lora_up.weight', 'a.lora_down.weight', 'a.alpha', 'b.hada_w1_a', 'c', '__metadata__'),
      fc.oneof(entry, fc.dictionary(fc.string(), fc.string()), fc.anything()),
      { maxKeys: 5 },
    );
    await fc.assert(
      fc.asyncProperty(header, fc.uint8Array({ maxLength: 700 }), async (h, data) => {
        await readsSafely(assemble(JSON.stringify(h), data));
      }),
      { numRuns: 300 },
    );
  });

  it('random length prefixes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.bigInt({ min: 0n, max: 80n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
        fc.uint8Array({ maxLength: 64 }),
        async (n, rest) => {
          const bytes = new Uint8Array(8 + rest.length);
          new DataView(bytes.buffer).setBigUint64(0, n, true);
          bytes.set(rest, 8);
          await readsSafely(bytes);
        },
      ),
      { numRuns: 200 },
    );
  });
});
