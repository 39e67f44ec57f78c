import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_CONFIG, mergeConfig, type DetectConfig } from '../detect/config.js';
import { say } from '../report/terminal.js';

export const CONFIG_FILE_NAME = 'tblens.config.json';

export type ConfigFileResult =
  /** `file` is null when no config file was given or found (defaults apply). */
  { ok: true; file: string | null; config: DetectConfig } | { ok: false; error: string };

async function readText(path: string): Promise<{ ok: true; text: string } | { ok: false; missing: boolean; error: string }> {
  try {
    return { ok: true, text: await readFile(path, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, missing: true, error: 'no such file' };
    if (code === 'EISDIR') return { ok: false, missing: false, error: 'is a directory' };
    return { ok: false, missing: false, error: (e as Error).message };
  }
}

/**
 * The effective thresholds: defaults, overridden by `--config FILE` or else by `tblens.config.json`
 * in `cwd` when there is one. The file holds any subset of the report's `config` section (so a
 * report's `config` can be copied into it as is); `$schema` is allowed and ignored. Bad JSON, an
 * unknown key, a wrong type or an out-of-range value is a one-line error naming the file and field.
 * A file picked up from `cwd` is said on stderr (`using ./tblens.config.json`): thresholds nobody
 * asked for on this command line would otherwise change verdicts silently.
 */
export async function loadConfigFile(explicit: string | undefined, cwd: string = process.cwd()): Promise<ConfigFileResult> {
  const file = explicit ?? join(cwd, CONFIG_FILE_NAME);
  const read = await readText(file);
  if (!read.ok) {
    if (read.missing && explicit === undefined) return { ok: true, file: null, config: structuredClone(DEFAULT_CONFIG) };
    return { ok: false, error: `${file}: ${read.error}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, error: `${file}: not valid JSON (${(e as Error).message.split('\n')[0]})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: `${file}: must hold a JSON object of settings, got ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}` };
  }
  const { $schema: _schema, ...overrides } = parsed as Record<string, unknown>;
  const merged = mergeConfig(DEFAULT_CONFIG, overrides);
  if (!merged.ok) return { ok: false, error: `${file}: ${merged.error}` };
  if (explicit === undefined) say(`using ${cwd === process.cwd() ? `./${CONFIG_FILE_NAME}` : file}`);
  return { ok: true, file, config: merged.config };
}
