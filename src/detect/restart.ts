import { isEpochTag } from '../runs/kohya-tags.js';
import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { concurrentPairs } from './concurrent-writers.js';

/**
 * Step regressions within a tag (a resumed or restarted run writing into the same directory). The
 * data server keeps the later values; tblens says so, once per run: where the first regression
 * happened, how many there were, and how many points were replaced. Regressions caused by a second
 * writer running at the same time are `concurrent_writers` instead.
 */
export function detectRestart(input: DiagnosisInput, _config: DetectConfig): Finding[] {
  const concurrentFiles = new Set(concurrentPairs(input.run).map((p) => p.later.path));
  const list = input.run.restarts.filter((r) => !concurrentFiles.has(r.file));
  if (list.length === 0) return [];
  // Epoch-indexed tags regress on their own axis; report steps from step-indexed tags when there are any.
  const onSteps = list.filter((r) => !isEpochTag(r.tag));
  const axis = onSteps.length > 0 ? onSteps : list;
  const fileOrder = new Map(input.run.files.map((f, i) => [f.path, i]));
  const first = axis.reduce((a, b) =>
    (fileOrder.get(b.file) ?? 0) < (fileOrder.get(a.file) ?? 0) || ((fileOrder.get(b.file) ?? 0) === (fileOrder.get(a.file) ?? 0) && b.offset < a.offset)
      ? b
      : a,
  );
  const sameEvent = axis.filter((r) => r.file === first.file && Math.abs(r.offset - first.offset) < 4096);
  const toStep = Math.min(...sameEvent.map((r) => r.toStep));
  const fromStep = Math.max(...sameEvent.map((r) => r.fromStep));
  const superseded = list.reduce((a, r) => a + r.superseded, 0);
  const nonFinite = list.reduce((a, r) => a + r.supersededNonFinite, 0);
  const files = new Set(list.map((r) => r.file));
  const name = input.run.files.find((f) => f.path === first.file)?.name ?? first.file;
  const more = list.length > sameEvent.length ? ` (${list.length} regressions over ${files.size} file(s) in all)` : '';
  return [
    {
      kind: 'restart',
      severity: nonFinite > 0 ? 'warning' : 'notice',
      run: input.run.name,
      tag: first.tag,
      step: toStep,
      endStep: fromStep,
      message:
        `Steps went back from ${fromStep} to ${toStep} in ${name}${more}: the run was resumed or restarted into the same directory; ` +
        `${superseded} earlier point(s) are replaced by the later ones, as TensorBoard shows them` +
        (nonFinite > 0 ? `, and ${nonFinite} of the replaced points were NaN/Inf (hidden by the restart).` : '.'),
      evidence: {
        fromStep,
        toStep,
        regressions: list.length,
        files: files.size,
        tags: new Set(list.map((r) => r.tag)).size,
        superseded,
        supersededNonFinite: nonFinite,
        offset: first.offset,
      },
      advice:
        nonFinite > 0
          ? 'The attempt that was replaced had gone non-finite: make sure the resume started from a checkpoint saved before the NaN.'
          : 'Expected after a resume. Use a new log directory per launch (kohya does by default) if you want both attempts visible.',
      confidence: 'high',
      file: first.file,
      offset: first.offset,
    },
  ];
}
