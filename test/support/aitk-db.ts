// ai-toolkit's UILogger database (toolkit/logging_aitk.py, as fixtures/trainers/generate.py writes it), for the watch / follow tests.
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';

/** The UILogger's pragmas and schema. */
export const AITK_SCHEMA = `
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
PRAGMA foreign_keys=ON;
CREATE TABLE IF NOT EXISTS steps (step INTEGER PRIMARY KEY, wall_time REAL NOT NULL);
CREATE TABLE IF NOT EXISTS metric_keys (key TEXT PRIMARY KEY, first_seen_step INTEGER, last_seen_step INTEGER);
CREATE TABLE IF NOT EXISTS metrics (step INTEGER NOT NULL, key TEXT NOT NULL, value_real REAL, value_text TEXT,
  PRIMARY KEY (step, key), FOREIGN KEY (step) REFERENCES steps(step) ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS idx_metrics_key_step ON metrics (key, step);
`;

/** One step's upserts in one transaction, as UILogger.commit does (a NaN binds as NULL there; here too). */
export const AITK_COMMIT = {
  step: 'INSERT INTO steps(step, wall_time) VALUES(?, ?) ON CONFLICT(step) DO UPDATE SET wall_time=excluded.wall_time',
  key:
    'INSERT INTO metric_keys(key, first_seen_step, last_seen_step) VALUES(?, ?, ?) ON CONFLICT(key) DO UPDATE SET ' +
    'first_seen_step=MIN(metric_keys.first_seen_step, excluded.first_seen_step), last_seen_step=MAX(metric_keys.last_seen_step, excluded.last_seen_step)',
  metric:
    'INSERT INTO metrics(step, key, value_real, value_text) VALUES(?, ?, ?, ?) ON CONFLICT(step, key) DO UPDATE SET value_real=excluded.value_real, value_text=excluded.value_text',
};

/** A writer connection kept open (WAL mode), as the trainer holds it for the whole job. */
export function openAitkDb(path: string): { commit(step: number, wallTime: number, metrics: Record<string, number>): void; close(): void } {
  const db = new Database(path);
  db.exec(AITK_SCHEMA);
  const step = db.prepare(AITK_COMMIT.step);
  const key = db.prepare(AITK_COMMIT.key);
  const metric = db.prepare(AITK_COMMIT.metric);
  const commit = db.transaction((s: number, wall: number, metrics: Record<string, number>) => {
    step.run(s, wall);
    for (const [k, v] of Object.entries(metrics)) {
      key.run(k, s, s);
      metric.run(s, k, Number.isNaN(v) ? null : v, null);
    }
  });
  return { commit: (s, wall, metrics) => commit(s, wall, metrics), close: () => db.close() };
}

/** The module path a child process requires better-sqlite3 from (its script lives outside the repository). */
export function betterSqlitePath(): string {
  return createRequire(import.meta.url).resolve('better-sqlite3');
}

/**
 * A separate process logging `rows` ([step, loss, lr] as JSON in a file) the way ai-toolkit does: one
 * connection held open in WAL mode, one transaction per logged step, `delay` ms apart.
 */
export const AITK_WRITER = `
const [modulePath, dbPath, rowsPath, delay, t0] = process.argv.slice(2);
const Database = require(modulePath);
const rows = JSON.parse(require('fs').readFileSync(rowsPath, 'utf8'));
const db = new Database(dbPath);
db.exec(${JSON.stringify(AITK_SCHEMA)});
const step = db.prepare(${JSON.stringify(AITK_COMMIT.step)});
const key = db.prepare(${JSON.stringify(AITK_COMMIT.key)});
const metric = db.prepare(${JSON.stringify(AITK_COMMIT.metric)});
const commit = db.transaction((s, wall, metrics) => {
  step.run(s, wall);
  for (const [k, v] of Object.entries(metrics)) { key.run(k, s, s); metric.run(s, k, v === null ? null : v, null); }
});
let i = 0;
const next = () => {
  if (i >= rows.length) { db.close(); return; }
  const [s, loss, lr] = rows[i++];
  commit(s, Number(t0) + s * 0.8, { 'loss/loss': loss, learning_rate: lr });
  setTimeout(next, Number(delay));
};
next();
`;
