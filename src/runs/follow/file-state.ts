import { closeSync, openSync, readSync, statSync, type BigIntStats } from 'node:fs';
import { fsPath } from '../../io/raw-path.js';
import type { RecordDamage } from '../../tfrecord/damage.js';
import type { EventFileReport } from '../types.js';

/** Bytes compared to tell an in-place rewrite from an append: the first record holds the writer's start time. */
export const HEAD_BYTES = 64;

/** One event file being followed: where to resume, and what it looked like when last read. */
export interface FollowedFile {
  path: string;
  report: EventFileReport;
  /** Offset just past the last complete record: the next read starts here. */
  resumeAt: number;
  size: number;
  ino: bigint;
  dev: bigint;
  mtimeNs: bigint;
  /** The first bytes as last seen (up to HEAD_BYTES). */
  head: Uint8Array;
  /** The incomplete record at the end, as of the last read: normal while the writer is mid-record. */
  tail: RecordDamage | null;
  /** Whether any record of this file has been fed to the run. */
  fed: boolean;
  /** The last read failure, said once until it changes. */
  lastError: string | null;
}

export type FileChange = { kind: 'unchanged' } | { kind: 'grown' } | { kind: 'reset'; detail: string } | { kind: 'gone'; error: string };

/**
 * What happened to the file since it was last read. Costs one stat, plus a 64-byte read when it
 * changed; synchronous, as they are tiny and a poll makes one per followed file (see tree-cache.ts).
 */
export function fileChange(file: FollowedFile): { change: FileChange; info?: BigIntStats; head?: Uint8Array } {
  let info: BigIntStats;
  try {
    info = statSync(fsPath(file.path), { bigint: true });
  } catch (error) {
    return { change: { kind: 'gone', error: (error as NodeJS.ErrnoException).code ?? String(error) } };
  }
  if (info.ino !== file.ino || info.dev !== file.dev) return { change: { kind: 'reset', detail: 'replaced by another file' }, info };
  const size = Number(info.size);
  if (size < file.size) return { change: { kind: 'reset', detail: `truncated from ${file.size} to ${size} bytes` }, info };
  if (size === file.size && info.mtimeNs === file.mtimeNs) return { change: { kind: 'unchanged' }, info };
  const head = readHead(file.path);
  if (head && !samePrefix(head, file.head)) return { change: { kind: 'reset', detail: 'rewritten in place (its first bytes changed)' }, info };
  return { change: size === file.size ? { kind: 'unchanged' } : { kind: 'grown' }, info, head };
}

export function remember(file: FollowedFile, info: BigIntStats | undefined, head: Uint8Array | undefined): void {
  if (!info) return;
  file.ino = info.ino;
  file.dev = info.dev;
  file.mtimeNs = info.mtimeNs;
  if (head && head.length > file.head.length) file.head = head;
}

export function readHead(path: string): Uint8Array | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(fsPath(path), 'r');
    const buffer = new Uint8Array(HEAD_BYTES);
    const bytesRead = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function samePrefix(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
