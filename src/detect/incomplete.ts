import { epochLossTag, isKohyaStepLog } from '../runs/kohya-tags.js';
import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { lossView } from './loss-view.js';

/**
 * A run that stopped before its end: fewer steps than the metadata's max_train_steps, or (logs only)
 * kohya step logs after the last epoch record. kohya writes the epoch loss after every epoch,
 * including a final partial one, so a finished run's last write is an epoch record; a run without any
 * ended inside its first epoch. A truncated last record already explains a missing epoch record.
 */
export function detectIncomplete(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const view = lossView(input.run, config.lossTag);
  if (!view) return [];
  const s = view.series;
  const lastStep = s.steps[s.length - 1];
  const lastWall = s.wallTimes[s.length - 1];
  const planned = input.identity.maxTrainSteps;
  const base = { kind: 'incomplete' as const, severity: 'notice' as const, run: input.run.name, tag: view.tag, step: lastStep, endStep: null };
  const advice =
    'If the run is not still going, check the end of the training console output for the crash or interruption; resume from the last saved state (--resume) or restart.';
  if (planned !== undefined && planned > 0) {
    if (lastStep >= planned) return [];
    return [
      {
        ...base,
        message: `The log ends at step ${lastStep} of the ${planned} planned (max_train_steps): the run was stopped, crashed, or is still running.`,
        evidence: { lastStep, maxTrainSteps: planned, share: Number((lastStep / planned).toFixed(4)) },
        advice,
        confidence: 'high',
      },
    ];
  }
  const tags = [...input.run.scalars.keys()];
  const oldKohya = view.flavor === 'kohya-old';
  if (!isKohyaStepLog(tags) && !oldKohya) return [];
  const lastFile = input.run.files[input.run.files.length - 1];
  if (lastFile?.damage.some((d) => d.kind === 'truncated')) return [];
  const epochTag = epochLossTag(tags);
  const epoch = epochTag ? input.run.scalars.get(epochTag) : undefined;
  if (!epoch || epoch.length === 0) {
    return [
      {
        ...base,
        message: `The log ends at step ${lastStep} without any epoch loss (${epochTag ?? 'loss/epoch'}), which kohya writes after every epoch: the run stopped during its first epoch (stopped, crashed, or still running).`,
        evidence: { lastStep, epochRecords: 0 },
        advice,
        confidence: 'medium',
      },
    ];
  }
  const lastEpochWall = epoch.wallTimes[epoch.length - 1];
  if (!Number.isFinite(lastWall) || !Number.isFinite(lastEpochWall) || lastWall <= lastEpochWall) return [];
  let after = 0;
  for (let i = s.length - 1; i >= 0 && s.wallTimes[i] > lastEpochWall; i--) after++;
  return [
    {
      ...base,
      message: `The log ends at step ${lastStep}, ${after} step(s) after the last epoch record (epoch ${epoch.steps[epoch.length - 1]}): the run stopped inside an epoch (stopped, crashed, or still running).`,
      evidence: { lastStep, stepsAfterLastEpoch: after, lastEpoch: epoch.steps[epoch.length - 1] },
      advice,
      confidence: 'medium',
    },
  ];
}
