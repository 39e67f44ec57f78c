import { basename, join } from 'node:path';
import { limiter } from './limit.js';
import type { DirectoryListing, DirectoryReader } from './list-directory.js';

/** Directory listings fetched at once ahead of the walk: enough to keep the thread pool busy, far below any file limit. */
const DIRECTORIES_IN_FLIGHT = 16;

export interface TreeWalk {
  dirs: DirectoryReader;
  /** The order a directory's subdirectories are walked in (it decides which spelling of a repeated directory wins). */
  order: (a: string, b: string) => number;
  /** Each directory reached, once by real path, in depth-first order; its subdirectories are walked after it returns. */
  visit: (dir: string, listing: DirectoryListing) => void | Promise<void>;
  /** A directory that could not be resolved or listed, with why. */
  skip: (dir: string, reason: string) => void;
  /** A directory reached again (a symlink loop, or two links to one place). */
  repeated?: (dir: string) => void;
  /** Real paths already walked: share one set between walks of several roots to visit each directory once. */
  seen?: Set<string>;
}

type Fetched = { real: string | null; listing: DirectoryListing | { ok: false; error: string } | null };

/**
 * Walks the directories below `root` depth first, following symlinks as TensorBoard's data server does
 * and never looping (a directory already seen by real path is not entered again). Each directory's
 * listing is fetched ahead of the walk (siblings at once, a bounded number in flight) and judged in walk
 * order, so the result and its loop decisions are the ones a one-at-a-time walk makes; serially, 5,000
 * run directories spent ~1.3 s waiting on the thread pool.
 *
 * Only the root and directories reached through a symlink need a `realpath` call: a plain subdirectory's
 * real path is its parent's real path joined with its name (on Windows, junctions are listed as links
 * too). That halves the system calls of a walk (5,000 runs: ~0.15 s).
 */
export async function walkTree(root: string, walk: TreeWalk): Promise<void> {
  const seen = walk.seen ?? new Set<string>();
  const limit = limiter(DIRECTORIES_IN_FLIGHT);
  const fetch = (dir: string, real: string | null | undefined): Promise<Fetched> =>
    limit(async () => {
      const resolved = real ?? (await walk.dirs.real(dir));
      return resolved === null ? { real: null, listing: null } : { real: resolved, listing: await walk.dirs.list(dir) };
    });
  const enter = async (dir: string, fetched: Promise<Fetched>): Promise<void> => {
    const { real, listing } = await fetched;
    if (real === null || listing === null) return walk.skip(dir, 'unreadable');
    if (seen.has(real)) return walk.repeated?.(dir);
    seen.add(real);
    if (!listing.ok) return walk.skip(dir, listing.error);
    await walk.visit(dir, listing);
    // A copy: the listing may be shared with other walks of the tree (memoDirectories).
    const subdirs = [...listing.subdirs].sort(walk.order);
    const ahead = subdirs.map((sub) => fetch(sub, listing.links.has(sub) ? undefined : join(real, basename(sub))));
    for (let i = 0; i < subdirs.length; i++) await enter(subdirs[i], ahead[i]);
  };
  await enter(root, fetch(root, undefined));
}
