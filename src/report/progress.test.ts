import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli, PLAIN } from '../../test/support/cli.js';
import { analyze } from '../analyze/analyze.js';
import { progressLine } from './progress.js';

/** A terminal that records what was written to it. */
function fakeTerminal(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (text: string) => writes.push(text) };
}

/** A clock the test moves by hand. */
function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('progress line', () => {
  it('on a terminal: nothing in the first second, then one line rewritten with \\r at most every 100 ms, cleared at the end', () => {
    const term = fakeTerminal(true);
    const clock = fakeClock();
    const p = progressLine(term, { env: {}, now: clock.now });
    p.update('loading runs', 1, 500);
    clock.advance(999);
    p.update('loading runs', 2, 500);
    expect(term.writes).toEqual([]);
    clock.advance(1);
    p.update('loading runs', 3, 500);
    expect(term.writes).toEqual(['\r\u001b[Ktblens: loading runs 3/500']);
    clock.advance(50);
    p.update('loading runs', 4, 500);
    expect(term.writes).toHaveLength(1);
    clock.advance(50);
    p.update('diagnosing', 10, 500);
    expect(term.writes.at(-1)).toBe('\r\u001b[Ktblens: diagnosing 10/500');
    p.end();
    expect(term.writes.at(-1)).toBe('\r\u001b[K');
    expect(term.writes).toHaveLength(3);
    p.end();
    expect(term.writes).toHaveLength(3);
  });

  it('fits the terminal (one column short, so it never wraps) and sanitises the label', () => {
    const term = fakeTerminal(true, 20);
    const clock = fakeClock();
    const p = progressLine(term, { env: {}, now: clock.now, delayMs: 0 });
    p.update('reading\u001b]0;x\u0007 files', 1, 2);
    expect(term.writes[0].startsWith('\r\u001b[K')).toBe(true);
    const text = term.writes[0].slice(4);
    expect(text).toHaveLength(19);
    expect([...text].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
  });

  it('a fast command draws nothing and clears nothing', () => {
    const term = fakeTerminal(true);
    const clock = fakeClock();
    const p = progressLine(term, { env: {}, now: clock.now });
    for (let i = 1; i <= 100; i++) p.update('loading runs', i, 100);
    p.end();
    expect(term.writes).toEqual([]);
  });

  it('silent when the stream is not a terminal (pipes, files) or CI is set, however long it takes', () => {
    for (const [isTTY, env] of [
      [false, {}],
      [true, { CI: 'true' }],
      [true, { CI: '1' }],
    ] as const) {
      const term = fakeTerminal(isTTY);
      const clock = fakeClock();
      const p = progressLine(term, { env, now: clock.now });
      for (let i = 1; i <= 50; i++) {
        clock.advance(1000);
        p.update('loading runs', i, 50);
      }
      p.end();
      expect(term.writes, JSON.stringify({ isTTY, env })).toEqual([]);
    }
  });

  it('the CLI writes no progress to a stderr that is not a terminal', async () => {
    const saved = process.stderr.isTTY;
    process.stderr.isTTY = false;
    try {
      for (const argv of [
        ['diagnose', 'fixtures/kohya'],
        ['inspect', 'fixtures/kohya', '--only-problems'],
        ['compare', 'fixtures/kohya/sweep', '--format', 'markdown'],
      ]) {
        const r = await cli(argv, { ...PLAIN, CI: undefined });
        expect(r.stderr.includes('\r') || r.stderr.includes('\u001b'), argv.join(' ')).toBe(false);
      }
    } finally {
      process.stderr.isTTY = saved;
    }
  });

  it('analyze reports each stage once per run, ending at its total', async () => {
    const calls: [string, number, number][] = [];
    const r = await analyze(['fixtures/kohya'], { onProgress: (stage, done, total) => calls.push([stage, done, total]) });
    expect(r.ok).toBe(true);
    const runs = r.ok ? r.report.runs.length : 0;
    for (const stage of ['loading runs', 'reading weights', 'diagnosing']) {
      const mine = calls.filter((c) => c[0] === stage);
      expect(mine.at(-1), stage).toEqual([stage, mine.length, mine.length]);
      expect(mine.map((c) => c[1])).toEqual(mine.map((_, i) => i + 1));
    }
    expect(calls.filter((c) => c[0] === 'diagnosing')).toHaveLength(runs);
  });
});
