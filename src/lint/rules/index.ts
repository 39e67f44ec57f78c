import type { DetectConfig } from '../../detect/config.js';
import type { ConfigDocument } from '../document.js';
import type { LintFinding } from '../finding.js';
import { adafactorRule } from './adafactor.js';
import { adaptiveLrRule } from './adaptive-lr.js';
import { alphaDimRule } from './alpha-dim.js';
import { learningRateRule } from './learning-rate.js';
import { lionRule } from './lion.js';
import { optimizerArgsRule } from './optimizer-args.js';
import { sdxlFp16Rule } from './sdxl-fp16.js';
import { stepsRule } from './steps.js';
import { unknownKeysRule } from './unknown-keys.js';
import { warmupRule } from './warmup.js';
import { weightDecayRule } from './weight-decay.js';

/** Every lint rule: a pure function of one document and the thresholds. */
export const LINT_CHECKS: ((doc: ConfigDocument, cfg: DetectConfig) => LintFinding[])[] = [
  optimizerArgsRule,
  learningRateRule,
  weightDecayRule,
  adaptiveLrRule,
  adafactorRule,
  lionRule,
  warmupRule,
  alphaDimRule,
  sdxlFp16Rule,
  stepsRule,
  unknownKeysRule,
];
