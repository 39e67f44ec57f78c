import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkWeights } from './link.js';
import { dirTimestamp } from './run-times.js';
import type { WeightsSummary } from './summary.js';

const P = (...parts: string[]) => join('/proj', ...parts);

function file(path: string, startedAt: number | undefined, extra: Partial<WeightsSummary> = {}): WeightsSummary {
  return {
    path,
    dtypes: ['F16'],
    tensors: 3,
    modules: 1,
    nanElements: 0,
    infElements: 0,
    nanTensors: [],
    infTensors: [],
    upTensors: 1,
    zeroUpTensors: 0,
    upRms: 0.01,
    metadata: {},
    identity: { source: 'safetensors', trainingStartedAt: startedAt },
    ...extra,
  };
}

/** A kohya run as the GUI lays it out: `<project>/log/<prefix><local ts>/network_train/events…<unix>…`. */
function run(name: string, dir: string, eventUnix: number | null, wall = NaN) {
  const f = eventUnix === null ? 'events.out.tfevents.host' : `events.out.tfevents.${eventUnix}.host.123.0`;
  return { name, dir, files: [{ path: join(dir, f), firstWallTime: wall }] };
}

describe('linkWeights', () => {
  it('links by event-file time in the GUI layout (log/ and model/ apart), with checkpoints in order', () => {
    // Two runs of one project, 40 min apart; local time UTC+2 in the directory names.
    const a = run('log/char20240101120000/network_train', P('log', 'char20240101120000', 'network_train'), 1704103230);
    const b = run('log/char20240101124000/network_train', P('log', 'char20240101124000', 'network_train'), 1704105630);
    const startA = 1704103200.4; // 2024-01-01 10:00:00Z; event file 30 s later (after caching)
    const startB = 1704105600.9;
    const links = linkWeights(
      [a, b],
      [
        file(P('model', 'char.safetensors'), startB, { steps: 1000, epoch: 10 }),
        file(P('model', 'char-000002.safetensors'), startA, { steps: 200, epoch: 2 }),
        file(P('model', 'char-000001.safetensors'), startA, { steps: 100, epoch: 1 }),
        file(P('model', 'old.safetensors'), startA - 86400),
        file(P('model', 'nometa.safetensors'), undefined),
      ],
    );
    expect(links.runs[0].files.map((f) => f.path)).toEqual([P('model', 'char-000001.safetensors'), P('model', 'char-000002.safetensors')]);
    expect(links.runs[1].files.map((f) => f.path)).toEqual([P('model', 'char.safetensors')]);
    expect(links.runs[0].files[0].linkReason).toMatch(/is 30 s before event file events\.out\.tfevents\.1704103230/);
    expect(links.unlinked).toEqual([
      { path: P('model', 'old.safetensors'), reason: expect.stringMatching(/no run started near/) },
      { path: P('model', 'nometa.safetensors'), reason: 'no ss_training_started_at in its metadata' },
    ]);
  });

  it('falls back to the directory time with a whole-hour zone shift when no event-file time fits', () => {
    // Event file 2 h after the start (long latent caching); directory made 20 s after the start, in UTC−5.
    const start = 1704103200; // 2024-01-01 10:00:00Z = 05:00:00 local
    const r = run('lora20240101050020/network_train', P('logs', 'lora20240101050020', 'network_train'), start + 7200);
    const links = linkWeights([r], [file(P('out', 'lora.safetensors'), start)]);
    expect(links.runs[0].files).toHaveLength(1);
    expect(links.runs[0].files[0].linkReason).toMatch(/20 s before log directory lora20240101050020 \(read as UTC−5 h\)/);
    // More than 14 h away is no zone.
    const far = run('x20240102050020', P('logs', 'x20240102050020'), null);
    expect(linkWeights([far], [file(P('out', 'x.safetensors'), start)]).runs[0].files).toHaveLength(0);
  });

  it('prefers the event-file time over a directory-time match of another run', () => {
    const start = 1704103200;
    const byEvent = run('a20240101100000', P('a20240101100000'), start + 40);
    const byDir = run('b20240101150010', P('b20240101150010'), start + 5000); // dir matches at UTC+5
    const links = linkWeights([byEvent, byDir], [file(P('w.safetensors'), start)]);
    expect(links.runs[0].files).toHaveLength(1);
    expect(links.runs[1].files).toHaveLength(0);
  });

  it('kohya_ss GUI: two runs of one project started seconds apart, epoch checkpoints + final each, all linked (none ambiguous)', () => {
    const t = 1704103200;
    // log/<timestamp>/network_train with no prefix: the directory says nothing about the output name.
    const a = run('log/20240101110000/network_train', P('log', '20240101110000', 'network_train'), t + 31);
    const b = run('log/20240101110006/network_train', P('log', '20240101110006', 'network_train'), t + 37);
    const files = (name: string, started: number, session: string) =>
      [1, 2, 3, 4, 5, 6, 7, 8]
        .map((e) =>
          file(P('model', `${name}-${String(e).padStart(6, '0')}.safetensors`), started, {
            steps: 100 * e,
            epoch: e,
            identity: { source: 'safetensors', trainingStartedAt: started, sessionId: session, outputName: name },
          }),
        )
        .concat(
          file(P('model', `${name}.safetensors`), started, {
            steps: 900,
            epoch: 9,
            identity: { source: 'safetensors', trainingStartedAt: started, sessionId: session, outputName: name },
          }),
        );
    const all = [...files('gpu0', t, 's0'), ...files('gpu1', t + 6, 's1')];
    const links = linkWeights([a, b], all);
    expect(links.unlinked).toEqual([]);
    expect(links.runs[0].files.map((f) => f.path)).toEqual(files('gpu0', t, 's0').map((f) => f.path));
    expect(links.runs[1].files.map((f) => f.path)).toEqual(files('gpu1', t + 6, 's1').map((f) => f.path));
    expect(links.runs[0].files[0].linkReason).toMatch(/best one-to-one fit of start times/);
    // The --log_config output_name decides against the time order.
    const named = linkWeights(
      [
        { ...a, hparams: { output_name: 'gpu1' } },
        { ...b, hparams: { output_name: 'gpu0' } },
      ],
      all,
    );
    expect(named.runs[0].files.map((f) => f.path)).toEqual(files('gpu1', t + 6, 's1').map((f) => f.path));
    expect(named.runs[1].files.map((f) => f.path)).toEqual(files('gpu0', t, 's0').map((f) => f.path));
    // Two sessions started at the same second against two runs whose files appeared at the same second: a true tie, both runs named.
    const c = run('log/20240101110000/network_train', P('log', '20240101110000', 'network_train'), t + 31);
    const d = run('log/20240101110001/network_train', P('log', '20240101110001', 'network_train'), t + 31);
    const tie = linkWeights([c, d], [...files('p', t, 'x'), ...files('q', t, 'y')]);
    expect(tie.runs.every((r) => r.files.length === 0)).toBe(true);
    expect(tie.unlinked[0].reason).toMatch(/ambiguous between runs log\/20240101110000\/network_train, log\/20240101110001\/network_train/);
  });

  it('breaks time ties by directory proximity, then output name; lists true ties as ambiguous', () => {
    const t = 1704103200;
    const x = run('x/x20240101100000/network_train', P('x', 'x20240101100000', 'network_train'), t + 5);
    const y = run('y/y20240101100000/network_train', P('y', 'y20240101100000', 'network_train'), t + 5);
    const near = linkWeights([x, y], [file(P('y', 'y.safetensors'), t)]);
    expect(near.runs[1].files).toHaveLength(1);
    expect(near.runs[1].files[0].linkReason).toMatch(/2 runs started within 2 min.*nearest directory/);

    const logs = P('logs');
    const c1 = run('cat20240101100000', join(logs, 'cat20240101100000'), t + 5);
    const c2 = run('dog20240101100000', join(logs, 'dog20240101100000'), t + 5);
    const named = linkWeights([c1, c2], [file(P('dog.safetensors'), t, { identity: { source: 'safetensors', trainingStartedAt: t, outputName: 'dog' } })]);
    expect(named.runs[1].files).toHaveLength(1);

    const tied = linkWeights([c1, c2], [file(P('bird.safetensors'), t)]);
    expect(tied.runs.every((r) => r.files.length === 0)).toBe(true);
    expect(tied.runs[0].ambiguous[0].reason).toMatch(/matches 2 runs equally well/);
    expect(tied.runs[0].note).toMatch(/ambiguous/);
    expect(tied.unlinked[0].reason).toMatch(/ambiguous between runs cat20240101100000, dog20240101100000/);
  });

  it('reports the first checkpoint holding NaN/Inf', () => {
    const t = 1704103200;
    const r = run('r20240101100000', P('r20240101100000'), t + 5);
    const links = linkWeights(
      [r],
      [
        file(P('m-000003.safetensors'), t, { steps: 300, epoch: 3, nanElements: 10 }),
        file(P('m-000002.safetensors'), t, { steps: 200, epoch: 2, infElements: 1 }),
        file(P('m-000001.safetensors'), t, { steps: 100, epoch: 1 }),
      ],
    );
    expect(links.runs[0].firstNonFinite).toEqual({ path: P('m-000002.safetensors'), steps: 200, epoch: 2, nanElements: 0, infElements: 1 });
  });

  it('reads kohya directory timestamps', () => {
    expect(dirTimestamp('glypha-adamw-20261129140106')).toEqual({ component: 'glypha-adamw-20261129140106', prefix: 'glypha-adamw-', time: 1795960866 });
    expect(dirTimestamp('20261329140106')).toBeUndefined();
    expect(dirTimestamp('network_train')).toBeUndefined();
  });
});

describe('linkRunWeights', () => {
  it('links by headers, then scans the linked files; an unreadable candidate is reported, not linked', async () => {
    const { mkdtempSync, rmSync, writeFileSync, truncateSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { craftSafetensors, f16Bytes } = await import('../../test/support/craft-safetensors.js');
    const { linkRunWeights } = await import('./link-files.js');
    const root = mkdtempSync(join(tmpdir(), 'tblens-link-'));
    try {
      const t = 1704103200;
      const lora = (started: number, name: string, extra: Record<string, string> = {}) =>
        craftSafetensors([{ name: 'm.lora_up.weight', dtype: 'F16', shape: [2, 2], data: f16Bytes([0x7e00, 1, 2, 3]) }], {
          ss_training_started_at: String(started),
          ss_output_name: name,
          ...extra,
        });
      writeFileSync(join(root, 'good.safetensors'), lora(t + 0.5, 'good', { ss_steps: '100' }));
      writeFileSync(join(root, 'other.safetensors'), lora(t - 86400, 'other'));
      writeFileSync(join(root, 'cut.safetensors'), lora(t + 0.7, 'cut', { ss_steps: '50' }));
      const cutSize = lora(t + 0.7, 'cut', { ss_steps: '50' }).length;
      truncateSync(join(root, 'cut.safetensors'), cutSize - 3);
      const run = {
        name: 'r',
        dir: join(root, 'logs', 'r20240101100005'),
        files: [{ path: join(root, 'logs', 'r20240101100005', 'events.out.tfevents.1704103205.h.1.0'), firstWallTime: NaN }],
      };
      const res = await linkRunWeights([run], [root]);
      expect(res.candidates).toBe(3);
      expect(res.runs[0].files.map((f) => f.path)).toEqual([join(root, 'good.safetensors')]);
      expect(res.runs[0].files[0].nanElements).toBe(1); // scanned after linking
      expect(res.runs[0].firstNonFinite?.path).toBe(join(root, 'good.safetensors'));
      expect(res.unreadable).toHaveLength(1);
      expect(res.unreadable[0]).toMatch(/cut\.safetensors: .*file truncated/);
      expect(res.unlinked.map((u) => u.path)).toEqual([join(root, 'other.safetensors')]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('one output name per run', () => {
  it("drops another training's file that only fits the time window when the run's own file is there (real fixtures)", async () => {
    const { linkRunWeights } = await import('./link-files.js');
    const dir = 'fixtures/kohya/explode/glypha-explode-20261129140407/network_train';
    const run = { name: 'explode', dir, files: [{ path: join(dir, 'events.out.tfevents.1795961047.vm.6543.0'), firstWallTime: NaN }] };
    // sweep/adamw started about 3 minutes before explode's log: inside the window, but not explode's output.
    const res = await linkRunWeights([run], ['fixtures/kohya/explode', 'fixtures/kohya/sweep/adamw']);
    expect(res.runs[0].files.map((f) => f.path)).toEqual([resolve('fixtures/kohya/explode', 'glypha-explode.safetensors')]);
    expect(res.runs[0].ambiguous.map((a) => a.path)).toEqual([resolve('fixtures/kohya/sweep/adamw', 'glypha-adamw.safetensors')]);
    expect(res.runs[0].ambiguous[0].reason).toMatch(/log prefix/);
  });
});
