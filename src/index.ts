// tblens as a library: load TensorBoard event files into the scalar series TensorBoard shows,
// iterate raw events, and write event files. Everything here is stable API; deeper modules are not.

// Loading: a log directory, a run, one event file.
export { loadLogdir, loadLogdirs, loadEventFile, type LoadOptions, type LoadResult, type LoadedRoot } from './runs/load-logdir.js';
export { loadRun, type LoadRunOptions } from './runs/load-run.js';
export { discoverRuns, isEventFileName, type DiscoverResult, type RunLocation } from './runs/discover.js';

// Raw events, in file order, with damage inline.
export {
  readEvents,
  type EventWhat,
  type RawDamage,
  type RawError,
  type RawEvent,
  type RawItem,
  type RawValue,
  type ReadEventsOptions,
  type ValuePayload,
} from './runs/read-events.js';

// Runs and series.
export {
  detectTrainer,
  describeTrainer,
  displayLossTag,
  judgedLoss,
  roleTags,
  runRoles,
  PROFILES,
  type RoleTags,
  type RunRoles,
  type TrainerDetection,
  type TrainerProfile,
} from './runs/profiles/index.js';
export { loadSqliteRun, type DbRunResult } from './runs/ai-toolkit-db.js';
export { getSeries, scalarTags, seriesPoints, type SeriesPoint } from './runs/series-access.js';
export { seriesFromArrays, type Restart, type Series } from './runs/series.js';
export { runDamage, type EventFileReport, type FileDamage, type Run, type SeriesView, type TagInventory, type TagKind } from './runs/types.js';
export { damageLine, problemLines } from './runs/damage-lines.js';

// The record layer: damage kinds and their one-line descriptions.
export { describeDamage, type RecordDamage } from './tfrecord/damage.js';
export { readRecordFile, type ReadFileOptions, type ReadFileResult } from './tfrecord/read-file.js';
export type { RecordSink } from './tfrecord/scan.js';
export { crc32c, maskedCrc32c } from './tfrecord/crc32c.js';

// Writing event files (tests, fixtures, converters).
export {
  encodeEvent,
  encodeFileVersionEvent,
  encodeScalarEvent,
  type EventSpec,
  type MetadataSpec,
  type TensorSpec,
  type ValueSpec,
} from './events/encode-event.js';
export { frameRecord, frameRecords, writeRecordFile } from './tfrecord/write-records.js';

// LoRA weights (.safetensors): health, modules, kohya metadata, run identity, linking to runs.
export { readWeightsSummary, type ReadWeightsOptions, type WeightsDetails, type WeightsResult } from './weights/read-summary.js';
export type { WeightsGroupSummary, WeightsSummary } from './weights/summary.js';
export { identityFromMetadata, parseMetadata } from './identity/metadata.js';
export { identityFromHParams } from './identity/hparams-identity.js';
export { parseOptimizer } from './identity/optimizer.js';
export { linkWeights, type RunWeightsLink, type WeightsLinks } from './weights/link.js';
export { linkRunWeights, type RunWeightsResult } from './weights/link-files.js';
export { findWeightsFiles } from './weights/find-files.js';
export type { OptimizerInfo, RunIdentity } from './identity/identity.js';

// Diagnosis: detectors over a loaded run, and the whole pipeline (load, link weights, diagnose, report).
export { diagnoseRun, diagnoseRunDetailed, runStats, DETECTORS, type CheckStatus, type RunStats } from './detect/diagnose.js';
export { DEFAULT_CONFIG, mergeConfig, type ConfigResult, type DetectConfig } from './detect/config.js';
export type { DiagnosisInput } from './detect/input.js';
export { compareFindings, type Finding, type FindingKind, type Severity } from './detect/finding.js';
export { analyze, identityOf, type AnalyzeOptions, type AnalyzeResult } from './analyze/analyze.js';
export { REPORT_VERSION, type DiagnosisReport, type ReportFinding, type ReportRun } from './analyze/diagnosis-report.js';
export { smoothTensorBoard } from './report/chart/smoothing.js';

// Pre-flight lint of training configs (sd-scripts/kohya_ss GUI configs, dataset configs, ss_* metadata, hparams).
export {
  lintConfig,
  lintConfigText,
  lintDocument,
  lintRunConfig,
  type LintedFile,
  type LintProblem,
  type LintReport,
  type RunConfigSources,
} from './lint/lint.js';
export type { LintFinding, LintRuleId } from './lint/finding.js';
export { LINT_RULES, type LintRuleInfo } from './lint/rule-catalogue.js';
export { DEFAULT_LINT_CONFIG, type LintConfig } from './detect/lint-config.js';
