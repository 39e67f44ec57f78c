import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { lossView } from './loss-view.js';

/** Tags named in the message; the rest are counted (a run may log hundreds). */
const TAGS_SHOWN = 12;

/**
 * A run with scalars but no training-loss tag the detectors recognise cannot be judged: every loss
 * rule is silent on it, which must not read as "OK" (an exploding run logged under an unknown name
 * would pass). A warning, so `check` does not pass it silently; the fix is naming the tag.
 */
export function detectNoLoss(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const run = input.run;
  if (run.scalars.size === 0 || lossView(run, config.lossTag)) return [];
  const tags = [...run.scalars.keys()].sort();
  const shown = tags.slice(0, TAGS_SHOWN).join(', ') + (tags.length > TAGS_SHOWN ? `, … (${tags.length - TAGS_SHOWN} more)` : '');
  const configured = config.lossTag ? ` (the configured lossTag ${JSON.stringify(config.lossTag)} is not among them)` : '';
  return [
    {
      kind: 'no_loss',
      severity: 'warning',
      run: run.name,
      tag: null,
      step: null,
      endStep: null,
      message: `not judged: no loss tag found${configured}; tags seen: ${shown}; set \`lossTag\` in the config.`,
      evidence: { scalarTags: tags.length, lossTag: config.lossTag || null },
      advice:
        'Set "lossTag" in tblens.config.json (or --config) to the tag holding the per-step training loss; the loss rules (NaN, explosion, flat, …) then judge it.',
      confidence: 'high',
    },
  ];
}
