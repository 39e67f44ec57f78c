import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { listDirectory } from '../list-directory.js';

export interface FoundWeights {
  files: string[];
  /** Paths that could not be walked, with why. */
  skipped: { path: string; reason: string }[];
}

export function isWeightsFileName(name: string): boolean {
  return /\.safetensors$/i.test(name);
}

/**
 * Every `.safetensors` file under the given paths (files are taken as given), de-duplicated by real
 * path, symlink loops skipped. Sorted for stable output.
 */
export async function findWeightsFiles(paths: string[]): Promise<FoundWeights> {
  const files = new Map<string, string>();
  const skipped: FoundWeights['skipped'] = [];
  const seenDirs = new Set<string>();
  const addFile = async (path: string) => {
    try {
      const real = await realpath(path);
      if (!files.has(real)) files.set(real, path);
    } catch {
      skipped.push({ path, reason: 'unreadable' });
    }
  };
  const walk = async (dir: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      skipped.push({ path: dir, reason: 'unreadable' });
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    const listing = await listDirectory(dir);
    if (!listing.ok) {
      skipped.push({ path: dir, reason: listing.error });
      return;
    }
    for (const f of listing.files) if (isWeightsFileName(f.name)) await addFile(f.path);
    const subdirs = listing.subdirs;
    subdirs.sort();
    for (const sub of subdirs) await walk(sub);
  };
  for (const p of paths) {
    const abs = resolve(p);
    let info;
    try {
      info = await stat(abs);
    } catch {
      skipped.push({ path: p, reason: 'no such file or directory' });
      continue;
    }
    if (info.isDirectory()) await walk(abs);
    else if (info.isFile()) await addFile(abs);
  }
  return { files: [...files.values()].sort(), skipped };
}
