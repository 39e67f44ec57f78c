/** What the follower saw happen on disk, for the plain log (one line each). */
export type FollowNote =
  | { kind: 'new-run'; run: string; dir: string }
  | { kind: 'new-file'; run: string; file: string }
  /** Replaced (other inode, other first bytes) or truncated: the run is re-read from byte 0. */
  | { kind: 'file-reset'; run: string; file: string; detail: string }
  | { kind: 'file-removed'; run: string; file: string }
  /** An older file (in name order) grew after a newer one: the run is re-read so preemption follows name order. */
  | { kind: 'reordered'; run: string; file: string }
  | { kind: 'run-removed'; run: string }
  | { kind: 'damage'; run: string; line: string }
  | { kind: 'read-error'; run: string; file: string; error: string }
  | { kind: 'waiting'; detail: string };

export function noteLine(n: FollowNote): string {
  switch (n.kind) {
    case 'new-run':
      return `new run ${n.run} (${n.dir})`;
    case 'new-file':
      return `${n.run}: new event file ${n.file}`;
    case 'file-reset':
      return `${n.file}: ${n.detail}; re-reading run ${n.run} from the start`;
    case 'file-removed':
      return `${n.file}: removed; its points are dropped from run ${n.run}`;
    case 'reordered':
      return `${n.file}: grew after a newer file of run ${n.run}; re-reading the run in file-name order`;
    case 'run-removed':
      return `run ${n.run}: directory gone`;
    case 'damage':
      return n.line;
    case 'read-error':
      return `${n.file}: ${n.error}`;
    case 'waiting':
      return n.detail;
  }
}
