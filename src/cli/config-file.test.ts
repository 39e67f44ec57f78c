import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../detect/config.js';
import { CONFIG_FILE_NAME, loadConfigFile } from './config-file.js';
import { useTempDir } from '../../test/support/temp-dir.js';

const dir = useTempDir('tblens-config-');

describe('tblens.config.json', () => {
  it('defaults apply when the working directory has no config file', async () => {
    const r = await loadConfigFile(undefined, dir());
    expect(r).toEqual({ ok: true, file: null, config: DEFAULT_CONFIG });
  });

  it('is picked up from the working directory, with a BOM and $schema tolerated', async () => {
    const cwd = await mkdtemp(join(dir(), 'cwd-'));
    await writeFile(
      join(cwd, CONFIG_FILE_NAME),
      `\uFEFF${JSON.stringify({ $schema: './schema.json', explosion: { zWarn: 7 }, flat: { lrFloor: { adam: 5e-7 } } })}`,
    );
    const r = await loadConfigFile(undefined, cwd);
    if (!r.ok) throw new Error(r.error);
    expect(r.file).toBe(join(cwd, CONFIG_FILE_NAME));
    expect(r.config.explosion.zWarn).toBe(7);
    expect(r.config.flat.lrFloor).toEqual({ ...DEFAULT_CONFIG.flat.lrFloor, adam: 5e-7 });
    expect(r.config.explosion.ratioWarn).toBe(DEFAULT_CONFIG.explosion.ratioWarn);
  });

  it('rejects, in one line naming file and field: bad JSON, a non-object, an unknown key, a wrong type', async () => {
    const cases: [string, RegExp][] = [
      ['{"explosion": {"zWarn": 6,}}', /not valid JSON/],
      ['[1, 2]', /must hold a JSON object/],
      ['{"explosion": {"zWran": 6}}', /explosion\.zWran/],
      ['{"nan": {"tailFraction": "a lot"}}', /nan\.tailFraction/],
    ];
    for (const [i, [text, pattern]] of cases.entries()) {
      const file = join(dir(), `bad-${i}.json`);
      await writeFile(file, text);
      const r = await loadConfigFile(file, dir());
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error.startsWith(`${file}: `)).toBe(true);
      expect(r.error).toMatch(pattern);
      expect(r.error).not.toContain('\n');
    }
  });

  it('an explicit --config that does not exist is an error, not a silent default', async () => {
    const r = await loadConfigFile(join(dir(), 'missing.json'), dir());
    expect(r).toEqual({ ok: false, error: `${join(dir(), 'missing.json')}: no such file` });
  });
});
