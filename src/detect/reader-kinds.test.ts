// Findings that come from the reader: damage, empty runs, restarts, two writers at once, collapsed
// steps, runs that stopped early. Real fixture files where they exist; small files written with
// tblens's own event writer where a case has no real example in the repository.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFileVersionEvent, encodeScalarEvent } from '../events/encode-event.js';
import { loadRun } from '../runs/load-run.js';
import { writeRecordFile } from '../tfrecord/write-records.js';
import { DEFAULT_CONFIG } from './config.js';
import { detectConcurrentWriters } from './concurrent-writers.js';
import { detectDamage } from './damage.js';
import { diagnoseRun } from './diagnose.js';
import { detectEmpty } from './empty.js';
import { detectIncomplete } from './incomplete.js';
import { detectRestart } from './restart.js';
import { detectStepCollapse } from './step-collapse.js';
import { fixtureInput, fixtureRun, logsOnly, presentKeys, readLabels } from '../../test/support/detect-fixtures.js';
import { useTempDir } from '../../test/support/temp-dir.js';

const labels = readLabels();
const dir = useTempDir('tblens-detect-');

function* kohyaLog(t0: number, from: number, to: number, epochEvery = 0, jitter = 0): Iterable<Uint8Array> {
  yield encodeFileVersionEvent(t0);
  for (let s = from; s <= to; s++) {
    const t = t0 + (s - from + 1) * 0.5;
    yield encodeScalarEvent(t, s, 'loss/current', 0.05 + ((s * 7919) % 97) / 1000 + jitter);
    yield encodeScalarEvent(t, s, 'loss/average', 0.1);
    yield encodeScalarEvent(t, s, 'lr/unet', 1e-4);
    if (epochEvery && s % epochEvery === 0) yield encodeScalarEvent(t + 0.1, s / epochEvery, 'loss/epoch', 0.1);
  }
}

async function runFrom(name: string, files: Record<string, Iterable<Uint8Array>>) {
  const runDir = join(dir(), name);
  await import('node:fs/promises').then((fs) => fs.mkdir(runDir, { recursive: true }));
  const paths: string[] = [];
  for (const [file, payloads] of Object.entries(files)) {
    const path = join(runDir, file);
    await writeRecordFile(path, payloads);
    paths.push(path);
  }
  return loadRun(name, runDir, paths);
}

describe('reader findings on the labelled fixtures', () => {
  it('truncated: a notice at the labelled byte offset naming the file', async () => {
    const label = labels.runs.truncated.expected_findings[0] as { offset?: number };
    const f = detectDamage(logsOnly(await fixtureRun('truncated')), DEFAULT_CONFIG);
    expect(f.map((x) => [x.kind, x.severity, x.offset])).toEqual([['truncated', 'notice', label.offset]]);
    expect(f[0].file).toMatch(/events\.out\.tfevents\.1795960866/);
  });

  it('corrupt-crc: a warning at the labelled offset; the rest of the file is still used', async () => {
    const label = labels.runs['corrupt-crc'].expected_findings[0] as { offset?: number };
    const run = await fixtureRun('corrupt-crc');
    const f = detectDamage(logsOnly(run), DEFAULT_CONFIG);
    expect(f.map((x) => [x.kind, x.severity, x.offset])).toEqual([['crc_error', 'warning', label.offset]]);
    expect(run.scalars.get('loss/current')!.length).toBe(749);
  });

  it('empty: the 88-byte file_version-only run is `empty`, and nothing else fires on it', async () => {
    const f = diagnoseRun(logsOnly(await fixtureRun('empty')));
    expect(f.map((x) => [x.kind, x.severity])).toEqual([['empty', 'warning']]);
  });

  it('resumed: one restart notice at the labelled first re-logged step', async () => {
    const label = labels.runs.resumed.expected_findings[0];
    const f = detectRestart(logsOnly(await fixtureRun('resumed')), DEFAULT_CONFIG);
    expect(f.map((x) => [x.kind, x.severity, x.step, x.endStep])).toEqual([['restart', 'notice', label.first_step, 1130]]);
  });

  it('no reader finding on the undamaged single-file runs', async () => {
    for (const key of await presentKeys((l) => l.expected_findings.length === 0)) {
      const run = await fixtureRun(key);
      for (const d of [detectDamage, detectEmpty, detectRestart, detectConcurrentWriters, detectStepCollapse, detectIncomplete]) {
        expect({ key, f: d(logsOnly(run), DEFAULT_CONFIG) }).toEqual({ key, f: [] });
      }
    }
  });

  it('incomplete: a run whose log ends before max_train_steps; not the complete ones (metadata) nor `truncated`', async () => {
    const input = await fixtureInput('sweep/adamw');
    expect(detectIncomplete(input, DEFAULT_CONFIG)).toEqual([]);
    const early = detectIncomplete({ ...input, identity: { ...input.identity, maxTrainSteps: 4000 } }, DEFAULT_CONFIG);
    expect(early.map((x) => [x.kind, x.severity, x.step])).toEqual([['incomplete', 'notice', 3000]]);
    expect(detectIncomplete(logsOnly(await fixtureRun('truncated')), DEFAULT_CONFIG)).toEqual([]);
  });
});

describe('reader findings on written files', () => {
  it('two files written at the same time are concurrent writers, not a restart', async () => {
    const run = await runFrom('two-writers', {
      'events.out.tfevents.1700000000.host.947.0': kohyaLog(1_700_000_000, 1, 300),
      'events.out.tfevents.1700000000.host.948.0': kohyaLog(1_700_000_000.2, 1, 300, 0, 1e-4),
    });
    const f = diagnoseRun(logsOnly(run));
    expect(f.filter((x) => x.kind === 'concurrent_writers').map((x) => x.severity)).toEqual(['notice']);
    expect(f.filter((x) => x.kind === 'restart')).toEqual([]);
  });

  it('a resume after a crash (no overlap in time) is a restart, not concurrent writers', async () => {
    const run = await runFrom('resume', {
      'events.out.tfevents.1700000000.host.1.0': kohyaLog(1_700_000_000, 1, 300),
      'events.out.tfevents.1700001000.host.2.0': kohyaLog(1_700_001_000, 201, 400),
    });
    const f = diagnoseRun(logsOnly(run));
    expect(f.filter((x) => x.kind === 'restart').map((x) => [x.step, x.endStep])).toEqual([[201, 300]]);
    expect(f.filter((x) => x.kind === 'concurrent_writers')).toEqual([]);
  });

  it('many values at one step collapse (warning); one value per file does not', async () => {
    const collapsed = await runFrom('collapse', {
      'events.out.tfevents.1700000000.host.1.0': (function* () {
        yield encodeFileVersionEvent(1_700_000_000);
        for (let i = 0; i < 50; i++) yield encodeScalarEvent(1_700_000_000 + i, 0, 'loss', 1 / (i + 1));
      })(),
    });
    const f = detectStepCollapse(logsOnly(collapsed), DEFAULT_CONFIG);
    expect(f.map((x) => [x.kind, x.severity, x.tag, x.evidence.values])).toEqual([['step_collapse', 'warning', 'loss', 50]]);
  });

  it('kohya log without any epoch record stopped inside its first epoch; with one after the last step it is complete', async () => {
    const aborted = await runFrom('aborted', { 'events.out.tfevents.1700000000.host.1.0': kohyaLog(1_700_000_000, 1, 287) });
    expect(detectIncomplete(logsOnly(aborted), DEFAULT_CONFIG).map((x) => [x.kind, x.step])).toEqual([['incomplete', 287]]);
    const done = await runFrom('done', { 'events.out.tfevents.1700000000.host.1.0': kohyaLog(1_700_000_000, 1, 300, 100) });
    expect(detectIncomplete(logsOnly(done), DEFAULT_CONFIG)).toEqual([]);
    const mid = await runFrom('mid-epoch', { 'events.out.tfevents.1700000000.host.1.0': kohyaLog(1_700_000_000, 1, 250, 100) });
    expect(detectIncomplete(logsOnly(mid), DEFAULT_CONFIG).map((x) => x.evidence.stepsAfterLastEpoch)).toEqual([50]);
  });

  it('a git-lfs pointer named like an event file is not_event_file (warning), not empty', async () => {
    const runDir = join(dir(), 'lfs');
    await import('node:fs/promises').then((fs) => fs.mkdir(runDir, { recursive: true }));
    const path = join(runDir, 'events.out.tfevents.1711658414.host.177.0');
    await writeFile(
      path,
      'version https://git-lfs.github.com/spec/v1\noid sha256:0000000000000000000000000000000000000000000000000000000000000000\nsize 123456\n',
    );
    const f = diagnoseRun(logsOnly(await loadRun('lfs', runDir, [path])));
    expect(f.map((x) => [x.kind, x.severity, x.offset])).toEqual([['not_event_file', 'warning', 0]]);
  });
});
