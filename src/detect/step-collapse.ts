import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';

/**
 * A scalar tag with several values, all at one step (logging without a step argument): TensorBoard
 * keeps only the last one, so the curve is a single dot and the history is lost.
 */
export function detectStepCollapse(input: DiagnosisInput, _config: DetectConfig): Finding[] {
  // Values removed by a step regression (a restart, or one stray step −2^63 purging everything
  // above it) were at other steps: those are restarts, not values logged at this step.
  const purged = new Map<string, number>();
  for (const r of input.run.restarts) purged.set(r.tag, (purged.get(r.tag) ?? 0) + r.superseded);
  const atOneStep = (t: { tag: string; count: number; skipped: number }) => t.count - t.skipped - (purged.get(t.tag) ?? 0);
  const collapsed = input.run.tags.filter((t) => {
    if (t.kind !== 'scalar') return false;
    const s = input.run.scalars.get(t.tag);
    // One value per file is a resume or a second writer re-logging it, not a collapse.
    return s !== undefined && s.length === 1 && atOneStep(t) > Math.max(1, input.run.files.length);
  });
  if (collapsed.length === 0) return [];
  const first = collapsed[0];
  const values = atOneStep(first);
  const step = input.run.scalars.get(first.tag)!.steps[0];
  const names = collapsed.map((t) => t.tag);
  return [
    {
      kind: 'step_collapse',
      severity: 'warning',
      run: input.run.name,
      tag: first.tag,
      step,
      endStep: null,
      message: `${names.length === 1 ? first.tag : `${names.length} tags (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})`} logged ${values} values all at step ${step}; only the last is kept (as in TensorBoard).`,
      evidence: { tags: names.length, values, step },
      advice: 'Pass the global step when logging (writer.add_scalar(tag, value, global_step) / accelerator.log(..., step=...)).',
      confidence: 'high',
    },
  ];
}
