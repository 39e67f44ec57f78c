import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type DirectoryListing = { ok: true; files: { name: string; path: string }[]; subdirs: string[] } | { ok: false; error: string };

/**
 * The regular files and subdirectories of one directory, following symlinks as TensorBoard's data
 * server does; a dangling link is ignored (its NotFound, too). Unsorted: callers order by their rules.
 */
export async function listDirectory(dir: string): Promise<DirectoryListing> {
  const files: { name: string; path: string }[] = [];
  const subdirs: string[] = [];
  try {
    for await (const entry of await opendir(dir)) {
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(path);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) subdirs.push(path);
      else if (isFile) files.push({ name: entry.name, path });
    }
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  return { ok: true, files, subdirs };
}
