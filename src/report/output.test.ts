import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
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

describe('openOutput: atomic -o', () => {
  it('an interrupt mid-write removes the temporary file, keeps the previous target and exits non-zero', async () => {
    const { openOutput } = await import('./output.js');
    const { readdirSync, readFileSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'tblens-atomic-'));
    const target = join(dir, 'out.csv');
    writeFileSync(target, 'previous\n');
    const out = openOutput(target);
    await out.write('x'.repeat(3 << 20));
    expect(readdirSync(dir).length).toBe(2);
    // Ctrl-C: the handler cleans up and exits; process.exit is intercepted so the test can look.
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      process.emit('SIGINT', 'SIGINT');
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      exit.mockRestore();
    }
    expect(readdirSync(dir)).toEqual(['out.csv']);
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    await expect(out.close()).rejects.toThrow();
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});
