import type { FindingKind } from '../../detect/finding.js';
import { KIND_TITLES } from '../../analyze/diagnosis-report.js';

/**
 * One paragraph per finding kind: what it means and the rule behind it (the README's "Diagnosis" list and docs/calibration.md,
 * shortened). SARIF rules carry it as fullDescription/help, which GitHub code scanning requires.
 * Partial on purpose: a kind added in src/detect without a line here still gets a rule (from its title),
 * and kind-docs.test.ts fails until the line is written.
 */
export const KIND_DESCRIPTIONS: Partial<Record<FindingKind, string>> = {
  nan_loss:
    'The judged loss became NaN or ±Inf. An error when it stays non-finite to the end (the weights are poisoned), a warning when finite values come back (fp16 loss-scaler skipped steps).',
  explosion:
    'The loss rose far above its lowest earlier level: block means of ln(loss) at least 6 standard errors and 1.5× above it. An error when it did not recover and is at least 3×.',
  flat: 'Training had no measurable effect: the loss at the end is not measurably below its start, corroborated by the learning rate, the weight-decay budget or untrained LoRA weights.',
  constant_loss: 'The loss has exactly the same value at 10 or more points: logging or training is broken.',
  loss_outlier: 'One loss point at least 150× the median of the previous 200 points and 4× their maximum.',
  lr_schedule:
    'The learning-rate schedule did something impossible (negative, non-finite, zero throughout) or unexpected (warmup never finished, frozen while the schedule should move it, a jump after warmup).',
  overfitting: 'The last validation losses rose above the best one by more than their noise while the training loss did not rise.',
  nan_weights: 'A linked LoRA weights file holds NaN elements.',
  inf_weights: 'A linked LoRA weights file holds ±Inf elements.',
  zero_weights: 'Every lora_up tensor is exactly zero: kohya initialises it to zero, so the LoRA never changed the model.',
  zero_weight_group: 'A whole group of LoRA weights (text encoder, down, mid, up blocks) is zero while the others trained.',
  weights_mismatch: 'The linked weights file does not match the log: its ss_steps lies beyond the last logged step, or its model hash differs.',
  restart: 'The steps go backwards: a resumed run wrote into the same directory, and later values replace earlier ones.',
  step_collapse: 'A tag has more values than files, all at one step: only the last value is kept.',
  concurrent_writers: 'Two files of one run overlap in wall time: two processes logged into the same run.',
  truncated: 'The last record of an event file is cut off (a writer still running, or killed).',
  crc_error: 'A record of an event file failed its CRC check: it was skipped, the rest of the file is used.',
  damaged: 'Part of an event file could not be read (skipped bytes, undecodable records or an unreadable file).',
  not_event_file: 'A file named like an event file is not TFRecord data (for example a git-lfs pointer).',
  empty: 'The run holds only the file_version record: it died before its first logged step.',
  insufficient_data: 'Fewer than 100 finite loss points: the explosion and flat checks were skipped.',
  no_loss:
    'No tag the run logged is a training loss tblens (or the writer\'s trainer profile) recognises, so the loss rules could not run: the run is "not judged", never OK. Set `lossTag` in tblens.config.json to the tag that holds the per-step loss.',
  incomplete: 'The log stops before the planned steps, or kohya step logs continue after the last epoch record: stopped, crashed or still running.',
  config:
    "A `tblens lint` rule flagged the run's own settings (the kohya_ss GUI's config_lora-*.toml beside the run or its LoRA files, kohya's --log_config hparams, the LoRA's ss_* metadata). An error only where the setting cannot work; a warning only when the run's own curves corroborate it (for example weight_decay_high with flat); otherwise a notice.",
};

/** The description of a kind, falling back to its title so a new kind still has text. */
export function kindDescription(kind: FindingKind): string {
  return KIND_DESCRIPTIONS[kind] ?? `${KIND_TITLES[kind] ?? kind}.`;
}
