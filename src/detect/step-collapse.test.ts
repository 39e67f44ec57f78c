// step_collapse says how many values really sat at one step, not how many a purge removed.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFileVersionEvent, encodeScalarEvent } from '../events/encode-event.js';
import { loadRun } from '../runs/load-run.js';
import { writeRecordFile } from '../tfrecord/write-records.js';
import { DEFAULT_CONFIG } from './config.js';
import { detectStepCollapse } from './step-collapse.js';
import { logsOnly } from '../../test/support/detect-fixtures.js';
import { useTempDir } from '../../test/support/temp-dir.js';

const dir = useTempDir('tblens-collapse-');

const MIN_STEP = -(2 ** 63);

async function runOf(name: string, steps: number[]) {
  const file = join(dir(), name, 'events.out.tfevents.1700000000.host.1.0');
  await mkdir(join(dir(), name), { recursive: true });
  await writeRecordFile(file, [encodeFileVersionEvent(1_700_000_000), ...steps.map((s, i) => encodeScalarEvent(1_700_000_000 + i, s, 'loss', 1 / (i + 1)))]);
  return loadRun(name, join(dir(), name), [file]);
}

describe('step_collapse', () => {
  it('204 values at distinct steps purged by one later step −2^63 are not "204 values all at one step"', async () => {
    const run = await runOf('purged', [...Array.from({ length: 204 }, (_, k) => k + 1), MIN_STEP]);
    expect(run.scalars.get('loss')?.length).toBe(1);
    expect(run.restarts.map((r) => [r.toStep, r.superseded])).toEqual([[MIN_STEP, 204]]);
    expect(detectStepCollapse(logsOnly(run), DEFAULT_CONFIG)).toEqual([]);
  });

  it('values that really share the step after such a purge are counted as exactly those', async () => {
    const run = await runOf('purged-then-collapsed', [...Array.from({ length: 204 }, (_, k) => k + 1), ...Array(30).fill(MIN_STEP)]);
    const f = detectStepCollapse(logsOnly(run), DEFAULT_CONFIG);
    expect(f.map((x) => x.evidence.values)).toEqual([30]);
    expect(f[0].message).toContain(`logged 30 values all at step ${MIN_STEP}`);
  });

  it('a plain collapse still counts every value', async () => {
    const f = detectStepCollapse(logsOnly(await runOf('plain', Array(50).fill(0))), DEFAULT_CONFIG);
    expect(f.map((x) => [x.kind, x.evidence.values])).toEqual([['step_collapse', 50]]);
  });
});
