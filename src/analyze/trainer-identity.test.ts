import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.js';
import { renderText } from '../report/diagnosis/render-text.js';

describe('the report names the trainer profile used', () => {
  it('OneTrainer fixture: JSON run.trainer and a `trainer:` text line', async () => {
    const r = await analyze(['fixtures/trainers/onetrainer/healthy']);
    if (!r.ok) throw new Error(r.error);
    const run = r.report.runs[0];
    expect(run.trainer?.id).toBe('onetrainer');
    expect(run.trainer?.stepUnit).toBe('micro-batch');
    expect(renderText(r.report)).toMatch(/trainer: OneTrainer \(tags loss\/train_step/);
  });
});
