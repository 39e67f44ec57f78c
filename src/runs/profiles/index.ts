export { detectTrainer, type TrainerDetection } from './detect-trainer.js';
export { describeTrainer, displayLossTag, judgedLoss, lossTagOrder, roleTags, runRoles, type JudgedLoss, type RoleTags, type RunRoles } from './role-tags.js';
export { shapeFromTags, type RunShape, type SeriesLike } from './run-shape.js';
export { PROFILES, GENERIC, KOHYA, ONETRAINER, AI_TOOLKIT, SIMPLETUNER, DIFFUSERS } from './profiles.js';
export type { RoleSpec, StepUnit, TagPattern, TrainerProfile } from './trainer-profile.js';
