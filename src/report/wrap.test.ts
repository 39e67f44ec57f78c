import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paint } from './color.js';
import { termText } from './escape.js';
import { displayWidth, outputWidth, SGR, wrapIndented } from './wrap.js';

describe('displayWidth', () => {
  it('counts columns: colour codes 0, combining marks 0, CJK and emoji 2', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('\u001b[31mabc\u001b[39m')).toBe(3);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('学習')).toBe(4);
    expect(displayWidth('▁▂█ → ·')).toBe(7);
  });
});

describe('wrapIndented', () => {
  it('breaks at spaces, continuation lines under the text of the first', () => {
    const text = '        try: Lower the learning rate, lengthen the warmup, enable gradient clipping';
    expect(wrapIndented(text, 40, 13).split('\n')).toEqual([
      '        try: Lower the learning rate,',
      '             lengthen the warmup, enable',
      '             gradient clipping',
    ]);
  });

  it('leaves text that fits, and all text when the width is not finite', () => {
    expect(wrapIndented('  short line', 40, 4)).toBe('  short line');
    const long = `  ${'word '.repeat(40)}`;
    expect(wrapIndented(long, Infinity, 4)).toBe(long);
  });

  it('never cuts a word longer than the width: it stands alone on its own line', () => {
    const path = `fixtures/${'very-long-directory/'.repeat(5)}glypha.safetensors`;
    const lines = wrapIndented(`  weights: ${path} @ step 2000 (F16, 36 modules)`, 40, 11).split('\n');
    expect(lines).toEqual(['  weights:', `           ${path}`, '           @ step 2000 (F16, 36 modules)']);
  });

  it('keeps a lone symbol at the end of the line before, not at the start of the next', () => {
    const lines = wrapIndented('  AdamW · lr 1e-4 (cosine) · batch 1 · 3000 steps · 15 epochs', 30, 4).split('\n');
    for (const line of lines.slice(1)) expect(line.trimStart()).not.toMatch(/^[·→]/);
    expect(lines.join(' ').replace(/ +/g, ' ')).toBe('  AdamW · lr 1e-4 (cosine) · batch 1 · 3000 steps · 15 epochs'.replace(/ +/g, ' '));
  });

  it('measures without colour codes and never breaks inside one', () => {
    const p = paint(true);
    const text = `  ${p.red('ERROR')} ${p.bold('explosion')} loss/current steps 695–2000: loss/current rose 53.2× above its best level`;
    const lines = wrapIndented(text, 40, 8).split('\n');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    // Every escape survives whole: removing them gives the plain wrap.
    expect(lines.join('\n').replace(SGR, '')).toBe(wrapIndented(text.replace(SGR, ''), 40, 8));
  });

  it('never starts a line with a GitHub workflow command (a hostile name made one line by termText stays so)', () => {
    const name = termText('x\n::error title=pwn::owned and ##[error]more');
    const lines = wrapIndented(`problem: logs/${name}: truncated record at byte 88`, 20, 9).split('\n');
    for (const line of lines) expect(line.trimStart()).not.toMatch(/^(::|##\[)/);
    expect(lines.join(' ').replace(/ +/g, ' ')).toBe(`problem: logs/${name}: truncated record at byte 88`);
  });

  it('an indent over half the width shrinks to 2', () => {
    const lines = wrapIndented('x'.repeat(5) + ' aaaa bbbb cccc dddd', 20, 15).split('\n');
    expect(lines.slice(1).every((l) => l.startsWith('  ') && !l.startsWith('   '))).toBe(true);
  });

  it('property: same words in the same order; each line fits or is one word alone; sanitiser output stays whole', () => {
    const word = fc.oneof(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.string({ minLength: 30, maxLength: 90 }),
      fc.constantFrom('·', '→', '学習', '\u001b[2m', '::error', '##[warning]'),
    );
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 20, max: 120 }),
        fc.integer({ min: 0, max: 20 }),
        (words, width, indent) => {
          // What renderers pass: sanitised text (termText would turn a raw ESC into `?`; SGR codes are ours).
          const clean = words.map((w) => (w === '\u001b[2m' ? w : termText(w).replace(/ /g, '_')));
          // Our own label first, as every renderer's line has one: untrusted text never starts a line.
          const text = `  label: ${clean.join(' ')}`;
          const out = wrapIndented(text, width, indent);
          const outWords = out.split(/\s+/).filter(Boolean);
          expect(outWords).toEqual(text.split(/\s+/).filter(Boolean));
          for (const line of out.split('\n')) {
            expect(line.trimStart()).not.toMatch(/^(::|##\[)/);
            // A workflow-command word is kept with the word before it, however long the line gets.
            if (displayWidth(line) > width && !/ (::|##\[)/.test(line.trim()))
              expect(
                line
                  .trim()
                  .split(' ')
                  .filter((w) => displayWidth(w) > 0).length,
              ).toBe(1);
          }
        },
      ),
      { numRuns: 1000, examples: [[['           ', '·', '\u001b[2m', '·'], 22, 9]] },
    );
  });
});

describe('outputWidth', () => {
  it('COLUMNS first, then the terminal, else 100; never below 20', () => {
    expect(outputWidth({ isTTY: true, columns: 132 }, { COLUMNS: '60' })).toBe(60);
    expect(outputWidth({ isTTY: true, columns: 132 }, {})).toBe(132);
    expect(outputWidth({ isTTY: false, columns: 132 }, {})).toBe(100);
    expect(outputWidth({}, { COLUMNS: 'wide' })).toBe(100);
    expect(outputWidth({}, { COLUMNS: '5' })).toBe(20);
  });
});
