import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli, PLAIN } from '../../test/support/cli.js';
import { displayWidth } from '../report/wrap.js';

const KOHYA = 'fixtures/kohya';
const ENV = { ...PLAIN, COLUMNS: undefined };

afterEach(() => {
  vi.restoreAllMocks();
});

/** The verdict lines of a text report: `✗ FAILED  explode  …` → `explode`. */
function verdictRuns(text: string): string[] {
  return [...text.matchAll(/^(?:✗ FAILED|! WARNING|✓ OK|\? NOT JUDGED) +(\S+)/gm)].map((m) => m[1]);
}

describe('diagnose text: readable by default (#14)', () => {
  it('a finding is its message and its advice; the evidence only with --verbose, always in JSON', async () => {
    const plain = await cli(['diagnose', `${KOHYA}/explode`], ENV);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^ {2}ERROR explosion loss\/current steps 695–2000: /m);
    expect(plain.stdout).toMatch(/^ {8}try: Lower the learning rate/m);
    expect(plain.stdout).not.toMatch(/evidence:/);
    expect(plain.stdout).toMatch(/^1 run: 1 failed, 0 with warnings, 0 ok · 1 error, 3 warnings, 0 notices$/m);
    const verbose = await cli(['diagnose', `${KOHYA}/explode`, '--verbose'], ENV);
    expect(verbose.stdout).toMatch(/^ {8}evidence: ratio=53\.2, z=18\.6/m);
    const json = JSON.parse((await cli(['diagnose', `${KOHYA}/explode`, '--format', 'json'], ENV)).stdout);
    expect(json.runs[0].findings[0].evidence.ratio).toBeCloseTo(53.2, 1);
  });

  it('check --format text takes the same options', async () => {
    const plain = await cli(['check', `${KOHYA}/nan-late`, '--format', 'text'], ENV);
    expect(plain.stdout).toMatch(/ERROR nan_loss/);
    expect(plain.stdout).not.toMatch(/evidence:/);
    // Only a config finding keeps its file line without --verbose (it names the line to change).
    const fileLines = plain.stdout.match(/^ +file: /gm)?.length ?? 0;
    expect(fileLines).toBe(plain.stdout.match(/^ {2}(ERROR|WARN|NOTE) +config /gm)?.length ?? 0);
    const verbose = await cli(['check', `${KOHYA}/nan-late`, '--format', 'text', '--verbose'], ENV);
    expect(verbose.stdout).toMatch(/^ {8}evidence: nan=394,/m);
    expect(verbose.stdout).toMatch(/^ {8}file: fixtures\/kohya\/nan-late\/glypha-nan-late\.safetensors$/m);
  });

  it('the loss line gives the smoothed start and end, not two raw points', async () => {
    const r = await cli(['diagnose', `${KOHYA}/sweep/adamw`], ENV);
    const loss = r.stdout.split('\n').find((l) => l.startsWith('  loss/current'))!;
    // Raw: 0.00318 → 0.142, a 45× "rise" on a healthy run; smoothed it falls.
    expect(loss).not.toContain('0.00318 →');
    const m = /smoothed ([\d.e-]+) → ([\d.e-]+) \(raw min 0\.00192, max 1\.06\)/.exec(r.stdout.replace(/\n +/g, ' '));
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(Number(m![1]));
  });

  it('with COLUMNS=60 every line fits in 60 columns, or is one word too long for any line, alone', async () => {
    for (const args of [
      ['diagnose', KOHYA, '--verbose'],
      ['check', KOHYA, '--format', 'text', '--verbose'],
    ]) {
      const r = await cli(args, { ...PLAIN, COLUMNS: '60' });
      const lines = r.stdout.split('\n');
      expect(lines.length).toBeGreaterThan(100);
      for (const line of lines) {
        if (displayWidth(line) <= 60) continue;
        expect(line.trim(), `${args[0]}: ${line}`).not.toContain(' ');
      }
      // Continuation lines keep their block's indent: under the advice, not at column 0.
      expect(r.stdout).toMatch(/^ {8}try: .*\n {13}\S/m);
    }
  });

  it('JSON and Markdown are never wrapped', async () => {
    const md = await cli(['diagnose', `${KOHYA}/explode`, '--format', 'markdown'], { ...PLAIN, COLUMNS: '40' });
    expect(md.stdout.split('\n').some((l) => l.length > 200)).toBe(true);
    const json = await cli(['diagnose', `${KOHYA}/explode`, '--format', 'json'], { ...PLAIN, COLUMNS: '40' });
    expect(() => JSON.parse(json.stdout)).not.toThrow();
    expect(json.stdout).toMatch(/"message": "[^"\n]{100,}"/);
  });

  it('--only-problems lists the runs that failed or have warnings; the summary still counts every run', async () => {
    const all = await cli(['diagnose', KOHYA], ENV);
    const only = await cli(['diagnose', KOHYA, '--only-problems'], ENV);
    expect(only.code).toBe(all.code);
    const json = JSON.parse((await cli(['diagnose', KOHYA, '--format', 'json'], ENV)).stdout);
    const problems = json.runs.filter((r: any) => r.findings.some((f: any) => f.severity !== 'notice')).map((r: any) => r.run);
    expect(problems).toEqual(expect.arrayContaining(['explode', 'nan-late', 'empty']));
    expect(verdictRuns(only.stdout)).toEqual(problems);
    expect(verdictRuns(all.stdout).length).toBe(json.runs.length);
    // Notices-only runs (resumed, truncated) are ok runs: hidden too.
    expect(verdictRuns(only.stdout)).not.toContain('resumed');
    const summary = (t: string) => t.trim().split('\n').at(-1);
    expect(summary(only.stdout)).toBe(summary(all.stdout));
    expect(only.stdout).toContain(`${json.runs.length - problems.length} ok runs not shown (--only-problems)`);
    const check = await cli(['check', KOHYA, '--format', 'text', '--only-problems'], ENV);
    expect(verdictRuns(check.stdout)).toEqual(problems);
  });
});
