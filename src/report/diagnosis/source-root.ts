import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The directory SARIF URIs are relative to (`%SRCROOT%`): `$GITHUB_WORKSPACE` when set (upload-sarif
 * resolves relative URIs against the checkout), else the nearest directory above `cwd` holding a
 * `.git` entry (a directory, or the file a worktree or submodule has), else `cwd`. Found by looking at
 * the file system, not by running git: no shell-out, and the same answer on Windows.
 */
export function sourceRoot(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): string {
  if (env.GITHUB_WORKSPACE) return resolve(cwd, env.GITHUB_WORKSPACE);
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(cwd);
    dir = up;
  }
}

/** `path` relative to `root` with `/` separators, or undefined when it lies outside (or on another drive). */
export function pathUnder(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}
