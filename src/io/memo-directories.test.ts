import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FS_DIRECTORIES, listDirectory, memoDirectories, realDirectory } from './list-directory.js';

describe('memoDirectories', () => {
  const root = mkdtempSync(join(tmpdir(), 'tblens-memo-dirs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'a'));
  writeFileSync(join(root, 'a', 'events.out.tfevents.1'), '');
  symlinkSync(join(root, 'a'), join(root, 'link'));

  it('answers as the file system does on the first read of each directory', async () => {
    const memo = memoDirectories();
    expect(await memo.list(root)).toEqual(await listDirectory(root));
    expect(await memo.real(join(root, 'link'))).toBe(await realDirectory(join(root, 'a')));
    expect(await memo.real(join(root, 'absent'))).toBeNull();
  });

  it('keeps its first answer for the pass (one listing serves every walk), where the direct reader sees changes', async () => {
    const memo = memoDirectories();
    const before = await memo.list(join(root, 'a'));
    writeFileSync(join(root, 'a', 'later.toml'), '');
    expect(await memo.list(join(root, 'a'))).toBe(before);
    const fresh = await FS_DIRECTORIES.list(join(root, 'a'));
    expect(fresh.ok && fresh.files.map((f) => f.name).sort()).toEqual(['events.out.tfevents.1', 'later.toml']);
  });
});
