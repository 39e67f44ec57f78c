// A scratch directory for tests that write files (reports, copied fixtures, crafted logs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * Registers a directory under the OS temp folder, made before the tests of the calling file (or describe
 * block) and removed with its contents after them, and returns a function giving its path. A function, not
 * the path: the directory exists only once beforeAll has run, after the file's top level.
 */
export function useTempDir(prefix: string): () => string {
  let path: string | undefined;
  beforeAll(async () => {
    path = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (path !== undefined) await rm(path, { recursive: true, force: true });
  });
  return () => {
    if (path === undefined) throw new Error(`useTempDir(${prefix}): the directory is made in beforeAll; read it inside a test or hook`);
    return path;
  };
}
