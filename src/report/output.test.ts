import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textOutput } from './output.js';

describe('textOutput', () => {
  it('rejects instead of waiting forever for drain when the file cannot be written', async () => {
    const missingDir = join(mkdtempSync(join(tmpdir(), 'tblens-out-')), 'no-such-dir');
    const out = textOutput(createWriteStream(join(missingDir, 'x.csv')), true);
    // More than one batch, so write() flushes into the stream while it is still opening.
    const attempt = (async () => {
      await out.write('x'.repeat(2 << 20));
      await out.close();
    })();
    // A timer of our own keeps the process alive, so a hang fails here rather than ending the worker.
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('output hung waiting for drain')), 3000)));
    try {
      await expect(Promise.race([attempt, hung])).rejects.toThrow(/ENOENT/);
    } finally {
      clearTimeout(timer);
    }
  });
});
