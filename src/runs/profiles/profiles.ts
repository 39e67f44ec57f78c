import { AI_TOOLKIT } from './ai-toolkit.js';
import { DIFFUSERS } from './diffusers.js';
import { GENERIC } from './generic.js';
import { KOHYA } from './kohya.js';
import { ONETRAINER } from './onetrainer.js';
import { SIMPLETUNER } from './simpletuner.js';
import type { TrainerProfile } from './trainer-profile.js';

/** Every known writer, most specific first; GENERIC is the fallback and never detected by evidence. */
export const PROFILES: readonly TrainerProfile[] = [KOHYA, ONETRAINER, SIMPLETUNER, DIFFUSERS, AI_TOOLKIT];

export { AI_TOOLKIT, DIFFUSERS, GENERIC, KOHYA, ONETRAINER, SIMPLETUNER };
