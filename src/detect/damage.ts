import { describeDamage } from '../tfrecord/damage.js';
import type { DetectConfig } from './config.js';
import type { Finding, FindingKind, Severity } from './finding.js';
import type { DiagnosisInput } from './input.js';

/**
 * What the reader could not read, one finding per file and kind: a truncated tail (notice: normal for
 * a live or killed run), payload CRC mismatches and undecodable records (warning: the rest of the
 * file is still used, unlike TensorBoard which stops at the first bad record), skipped bytes, a file
 * that is not TFRecord at all (e.g. a git-lfs pointer), and a file that could not be read.
 */
export function detectDamage(input: DiagnosisInput, _config: DetectConfig): Finding[] {
  const out: Finding[] = [];
  for (const f of input.run.files) {
    const groups = new Map<FindingKind, { offsets: number[]; details: string[]; lost: number }>();
    const add = (kind: FindingKind, offset: number, detail: string, lost: number) => {
      const g = groups.get(kind) ?? { offsets: [], details: [], lost: 0 };
      g.offsets.push(offset);
      g.details.push(detail);
      g.lost += lost;
      groups.set(kind, g);
    };
    for (const d of f.damage) {
      switch (d.kind) {
        case 'truncated':
          add('truncated', d.offset, describeDamage(d), d.bytes);
          break;
        case 'crc_error':
          add('crc_error', d.offset, describeDamage(d), d.length);
          break;
        case 'skipped_bytes':
          add('damaged', d.offset, describeDamage(d), d.end - d.offset);
          break;
        case 'not_event_file':
          add('not_event_file', d.offset, describeDamage(d), f.size);
          break;
        case 'bad_event':
          add('damaged', d.offset, `undecodable event at byte ${d.offset} (${d.detail})`, 0);
          break;
      }
    }
    if (f.error) add('damaged', 0, `could not be read: ${f.error}`, 0);
    for (const [kind, g] of groups) {
      const severity: Severity = kind === 'truncated' ? 'notice' : 'warning';
      const n = g.offsets.length;
      const head = n === 1 ? g.details[0] : `${n} problems, first: ${g.details[0]}`;
      out.push({
        kind,
        severity,
        run: input.run.name,
        tag: null,
        step: null,
        endStep: null,
        message: `${f.name}: ${head}.${MEANING[kind] ?? ''}`,
        evidence: { problems: n, firstOffset: g.offsets[0], lastOffset: g.offsets[n - 1], bytesAffected: g.lost, fileSize: f.size, records: f.records },
        advice: ADVICE[kind] ?? '',
        confidence: 'high',
        file: f.path,
        offset: g.offsets[0],
      });
    }
  }
  return out;
}

const MEANING: Partial<Record<FindingKind, string>> = {
  truncated: ' The last record was cut off (a run still writing, or killed mid-write); everything before it is used.',
  crc_error: ' Those records were skipped; the rest of the file is used (TensorBoard stops reading at the first one).',
  damaged: ' Unreadable bytes were skipped until valid records resumed; findings use what remains.',
  not_event_file: ' Nothing from this file is used.',
};

const ADVICE: Partial<Record<FindingKind, string>> = {
  truncated: 'Nothing to do for a live run. For a finished run, the writer was killed: check the end of the training log for the crash.',
  crc_error: 'The file was damaged after writing (disk, copy, sync tool): re-copy it from the training machine if you can.',
  damaged: 'The file was damaged after writing: re-copy it from the training machine if you can.',
  not_event_file: 'If this is a git-lfs pointer, run `git lfs pull`; otherwise remove the stray file from the log directory.',
};
