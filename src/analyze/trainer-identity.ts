import { describeTrainer, runRoles } from '../runs/profiles/index.js';
import type { TrainerProfile } from '../runs/profiles/index.js';
import type { Run } from '../runs/types.js';

/** Which trainer profile a run was read with, as the report states it (text: `trainer: …`; JSON: `trainer`). */
export interface ReportTrainer {
  id: TrainerProfile['id'];
  name: string;
  /** `OneTrainer (tags loss/train_step, …; steps count micro-batches)`. */
  description: string;
  /** Why this profile: the tags, layout or hparams that matched. */
  evidence: string[];
  stepUnit: TrainerProfile['steps']['unit'];
  stopsAtFirstNaN: boolean;
}

export function reportTrainer(run: Run): ReportTrainer {
  const roles = runRoles(run);
  const p = roles.profile;
  return { id: p.id, name: p.name, description: describeTrainer(roles), evidence: roles.evidence, stepUnit: p.steps.unit, stopsAtFirstNaN: p.stopsAtFirstNaN };
}
