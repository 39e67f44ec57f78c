import { describe, expect, it } from 'vitest';
import { ghData, ghProperty, mdCode, mdText, termText, xmlAttr, xmlText } from './escape.js';

describe('GitHub workflow-command escaping (actions/toolkit command.ts)', () => {
  it('escapes % first, then CR and LF, in message data', () => {
    expect(ghData('100%\r\nNaN%0A')).toBe('100%25%0D%0ANaN%250A');
  });
  it('also escapes : and , in property values', () => {
    expect(ghProperty('lr: 1e-4, run a%\nb')).toBe('lr%3A 1e-4%2C run a%25%0Ab');
  });
  it('leaves : and , alone in message data (they do not delimit there)', () => {
    expect(ghData('a: b, c')).toBe('a: b, c');
  });
});

describe('Markdown escaping', () => {
  it('neutralises emphasis, links, pipes, HTML and line breaks in plain text', () => {
    expect(mdText('lr/d*lr/unet | <b>x</b> [a](b)\nnext')).toBe('lr/d\\*lr/unet \\| &lt;b&gt;x&lt;/b&gt; \\[a\\](b) next');
  });
  it('fences code spans past any backtick run and escapes pipes for tables', () => {
    expect(mdCode('a|b')).toBe('`a\\|b`');
    expect(mdCode('x``y')).toBe('```x``y```');
    expect(mdCode('`tick')).toBe('`` `tick ``');
  });
});

describe('XML escaping', () => {
  it('escapes markup and drops characters XML 1.0 forbids, keeping astral characters', () => {
    expect(xmlText('a<b>&c\u0000\u0008\uFFFE\uD800 😀')).toBe('a&lt;b&gt;&amp;c 😀');
    expect(xmlAttr(`"q" 'a'\n\t`)).toBe('&quot;q&quot; &apos;a&apos;&#10;&#9;');
  });
});

describe('terminal text', () => {
  it('turns escape sequences and line breaks harmless', () => {
    expect(termText('run\u001b[2Jx\nnext')).toBe('run?[2Jx next');
  });
});
