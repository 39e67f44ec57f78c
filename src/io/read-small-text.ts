import { readFile, stat } from 'node:fs/promises';

/**
 * A file read whole as UTF-8 only when it is a regular file of at most `maxBytes`: configs are
 * kilobytes, and a big file that happens to carry a config's name must not be read into memory.
 * The caller says what the limit is for and words the refusal.
 */
export async function readSmallText(
  path: string,
  maxBytes: number,
): Promise<{ ok: true; text: string } | { ok: false; reason: 'not-a-file' | 'too-big'; size: number } | { ok: false; reason: 'error'; error: unknown }> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return { ok: false, reason: 'not-a-file', size: s.size };
    if (s.size > maxBytes) return { ok: false, reason: 'too-big', size: s.size };
    return { ok: true, text: await readFile(path, 'utf8') };
  } catch (error) {
    return { ok: false, reason: 'error', error };
  }
}
