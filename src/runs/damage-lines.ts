import { displayPath } from '../io/raw-path.js';
import { describeDamage } from '../tfrecord/damage.js';
import type { LoadedRoot } from './load-logdir.js';
import type { FileDamage } from './types.js';

/** One line per problem, `<file>: <what> at byte <offset>`, for stderr and logs. */
export function damageLine(d: FileDamage): string {
  const what = d.damage.kind === 'bad_event' ? `undecodable event record at byte ${d.damage.offset} (${d.damage.detail})` : describeDamage(d.damage);
  return `${displayPath(d.file)}: ${what}`;
}

/** Everything a load skipped or could not read, as lines (files in run order). */
export function problemLines(roots: LoadedRoot[]): string[] {
  const lines: string[] = [];
  for (const root of roots) {
    for (const s of root.skipped) lines.push(`${displayPath(s.path)}: skipped (${s.reason})`);
    for (const run of root.runs) {
      for (const f of run.files) {
        if (f.error) lines.push(`${displayPath(f.path)}: ${f.error}`);
        for (const damage of f.damage) lines.push(damageLine({ file: f.path, damage }));
        if (f.size === 0 && !f.error) lines.push(`${displayPath(f.path)}: empty file (0 bytes)`);
      }
      for (const t of run.tags) {
        if (t.skipped > 0)
          lines.push(`${displayPath(run.dir)}: tag ${JSON.stringify(t.tag)}: ${t.skipped} values could not be read as scalars and were skipped`);
      }
    }
  }
  return lines;
}
