import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';

/**
 * A run whose files hold nothing but the file_version record (or are 0 bytes): the training process
 * died before its first log call (kohya logs after the first optimizer step). Runs with graphs,
 * images or hparams but no scalars are not empty, and a file that is not TFRecord at all is reported
 * as `not_event_file` instead.
 */
export function detectEmpty(input: DiagnosisInput, _config: DetectConfig): Finding[] {
  const run = input.run;
  if (run.tags.length > 0 || Object.keys(run.otherRecords).length > 0) return [];
  if (run.files.some((f) => f.damage.some((d) => d.kind === 'not_event_file') || f.error)) return [];
  const sizes = run.files.map((f) => f.size);
  const bytes = sizes.reduce((a, b) => a + b, 0);
  return [
    {
      kind: 'empty',
      severity: 'warning',
      run: run.name,
      tag: null,
      step: null,
      endStep: null,
      message: `No data: ${run.files.length === 1 ? 'the event file holds' : `${run.files.length} event files hold`} ${bytes} bytes and no summary at all (only the file header record): the run died before its first logged step.`,
      evidence: { files: run.files.length, bytes, records: run.files.reduce((a, f) => a + f.records, 0) },
      advice:
        'Check the training console output: the crash happened during setup (model loading, latent caching, out of memory, a bad dataset path or config).',
      confidence: 'high',
      file: run.files[0]?.path,
    },
  ];
}
