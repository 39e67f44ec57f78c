import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnoseRun } from '../detect/diagnose.js';
import { NO_IDENTITY } from '../detect/input.js';
import { lossView } from '../detect/loss-view.js';
import { loadSqliteRun } from './ai-toolkit-db.js';
import { loadLogdir } from './load-logdir.js';
import { detectTrainer, roleTags } from './profiles/index.js';

/** ai-toolkit jobs written by fixtures/trainers/generate.py with ai-toolkit's own UILogger SQL. */
const DB_ONLY = 'fixtures/trainers/ai-toolkit/explode-db-only';
const NAN_DB = 'fixtures/trainers/ai-toolkit/nan/output/glypha_aitk_nan/loss_log.db';
const tmp: string[] = [];

afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

describe("ai-toolkit's SQLite UI log as a run source", () => {
  it('an output folder with only loss_log.db loads as one run, recognised as ai-toolkit, its loss judged', async () => {
    const r = await loadLogdir(DB_ONLY);
    if (!r.ok) throw new Error(r.error);
    expect(r.root.runs.map((x) => x.name)).toEqual(['output/glypha_aitk_explode-db-only']);
    const run = r.root.runs[0];
    expect([...run.scalars.keys()]).toEqual(['learning_rate', 'loss/loss']);
    const loss = run.scalars.get('loss/loss')!;
    expect(loss.length).toBe(11);
    expect(Array.from(loss.steps.slice(0, 3))).toEqual([100, 200, 300]);
    expect(loss.wallTimes[0]).toBeGreaterThan(1.7e9);
    const det = detectTrainer(run);
    expect(det.profile.id).toBe('ai-toolkit');
    expect(roleTags(run, det.profile).loss).toBe('loss/loss');
    // The detectors judge it (11 points at log_every 100: too few for the explosion rule today, see README "Trainers").
    expect(lossView(run)?.tag).toBe('loss/loss');
  });

  it('NaN run from the database alone: the NaN loss is found', async () => {
    const r = await loadSqliteRun('fixtures/trainers/ai-toolkit/nan', NAN_DB);
    if (!r.ok) throw new Error(r.reason);
    expect(diagnoseRun({ run: r.run, identity: NO_IDENTITY, weights: [] }).some((f) => f.kind === 'nan_loss' && f.severity === 'error')).toBe(true);
  });

  it('NULL values (a NaN loss, as Python binds it) are NaN points', async () => {
    const r = await loadSqliteRun('fixtures/trainers/ai-toolkit/nan', NAN_DB);
    if (!r.ok) throw new Error(r.reason);
    const loss = r.run.scalars.get('loss/loss')!;
    const firstNaN = Array.from(loss.values).findIndex((v) => Number.isNaN(v));
    expect(loss.steps[firstNaN]).toBe(1610);
  });

  it('beside a TensorBoard log of the same job, the job is read once (from TensorBoard)', async () => {
    const r = await loadLogdir('fixtures/trainers/ai-toolkit/healthy');
    if (!r.ok) throw new Error(r.error);
    expect(r.root.runs.map((x) => x.name)).toEqual(['logs/glypha_aitk_healthy']);
  });

  it('a corrupt database is one skipped line naming the file; the other runs still load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tblens-aitk-'));
    tmp.push(dir);
    await mkdir(join(dir, 'output', 'broken'), { recursive: true });
    await writeFile(join(dir, 'output', 'broken', 'loss_log.db'), Buffer.from('this is not an SQLite database, just text '.repeat(40)));
    await mkdir(join(dir, 'output', 'good'), { recursive: true });
    await copyFile(join(DB_ONLY, 'output', 'glypha_aitk_explode-db-only', 'loss_log.db'), join(dir, 'output', 'good', 'loss_log.db'));
    const r = await loadLogdir(dir);
    if (!r.ok) throw new Error(r.error);
    expect(r.root.runs.map((x) => x.name)).toEqual(['output/good']);
    expect(r.root.skipped).toHaveLength(1);
    expect(r.root.skipped[0].path).toBe(join(dir, 'output', 'broken', 'loss_log.db'));
    expect(r.root.skipped[0].reason).toMatch(/^not readable as ai-toolkit's SQLite log \(SQLITE_NOTADB: /);
    expect(r.root.skipped[0].reason).not.toContain('\n');
  });
});
